import ForageCore
import ForageStore
import Foundation
import PostgresNIO

extension PostgresExperimentStore: TrialFileStore {
    public func keepTrialFiles(experiment id: Int64, trial number: Int, files: [ArtifactPayload]) async throws {
        guard !files.isEmpty else { return }
        let hashed = files.map { (name: $0.name, sha: SHA256Hex.of($0.contents), data: $0.contents) }
        try await write { connection in
            for file in hashed {
                // The blob first, in the same transaction: a trial file never names a blob that is not there.
                try await connection.run(
                    """
                    INSERT INTO blobs (sha256, size, data) VALUES (\(file.sha), \(file.data.count), \(ByteBuffer(bytes: file.data)))
                    ON CONFLICT (sha256) DO NOTHING
                    """)
                try await connection.run(
                    """
                    INSERT INTO trial_files (experiment_id, number, name, sha256, size)
                    VALUES (\(id), \(number), \(file.name), \(file.sha), \(file.data.count))
                    ON CONFLICT (experiment_id, number, name) DO UPDATE SET sha256 = EXCLUDED.sha256, size = EXCLUDED.size
                    """)
            }
        }
    }

    public func trialFiles(experiment id: Int64, trial number: Int) async throws -> [ArtifactPayload] {
        let rows = try await database.rows(
            """
            SELECT f.name, f.sha256, b.data FROM trial_files f JOIN blobs b ON b.sha256 = f.sha256
            WHERE f.experiment_id = \(id) AND f.number = \(number) ORDER BY f.name
            """
        ) { row in
            (name: try row.get("name", as: String.self), sha: try row.get("sha256", as: String.self),
             data: Data(try row.get("data", as: ByteBuffer.self).readableBytesView))
        }
        return try rows.map { file in
            let found = SHA256Hex.of(file.data)
            guard found == file.sha else {
                throw StoreError.database("trial \(number)'s file \(file.name) is corrupt in \(location): its SHA-256 is \(found), not \(file.sha)")
            }
            return ArtifactPayload(name: file.name, contents: file.data)
        }
    }
}
