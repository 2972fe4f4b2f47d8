import ForageCore
import Foundation

/// The refit entry of an experiment: its best (or a chosen) trial's configuration retrained on training +
/// validation rows once the search ended. It is kept beside the trial folders, in `trials/<experiment>/refit/`
/// (`refit.json` and the model file `model.forage`), written to a temporary folder and renamed into place, so a
/// reader sees a whole entry or none; a new refit replaces the previous one. Being files of the store's layout, it
/// needs no table of its own in any backend.
public struct RefitRecord: Sendable, Equatable, Codable {
    /// The trial whose configuration was refitted.
    public var trial: Int
    /// The hyperparameters the refit trained with (rounds or epochs as planned from the trial).
    public var params: [String: String]
    /// Its metrics: `test_*` on the held-out test rows (none when `data.test` is 0) and `refit_train_rows`.
    public var metrics: [String: Double]
    /// Rows it trained on (training + validation).
    public var trainRows: Int
    /// Wall time of the fit, in seconds.
    public var fitSeconds: Double
    public var createdAt: Date

    public init(trial: Int, params: [String: String], metrics: [String: Double], trainRows: Int, fitSeconds: Double, createdAt: Date = Date()) {
        self.trial = trial
        self.params = params
        self.metrics = metrics
        self.trainRows = trainRows
        self.fitSeconds = fitSeconds
        self.createdAt = createdAt
    }
}

extension StoreLayout {
    /// `<root>/trials/<experiment>/refit/`: the experiment's refit entry.
    public func refitDirectory(experiment: String) throws(StoreError) -> URL {
        try trialsDirectory(experiment: experiment).appendingPathComponent("refit", isDirectory: true)
    }

    /// The experiment's refit entry, or nil when it has none.
    public func refit(experiment: String) throws -> RefitRecord? {
        let file = try refitDirectory(experiment: experiment).appendingPathComponent("refit.json")
        guard let data = try? Data(contentsOf: file) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(RefitRecord.self, from: data)
        } catch {
            throw RefitFileError(description: "\(file.path) is not a readable refit entry")
        }
    }

    /// Writes a refit entry with its model file, replacing any earlier one as a whole.
    public func writeRefit(_ record: RefitRecord, model: Data, experiment: String) throws {
        let target = try refitDirectory(experiment: experiment)
        let parent = target.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".refit-\(UUID().uuidString)", isDirectory: true)
        let manager = FileManager.default
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            try model.write(to: staging.appendingPathComponent(Self.modelFileName), options: .atomic)
            try encoder.encode(record).write(to: staging.appendingPathComponent("refit.json"), options: .atomic)
            // Two renames: the old entry aside, the new one in; a reader sees the old entry, none, or the new one.
            let old = parent.appendingPathComponent(".refit-old-\(UUID().uuidString)", isDirectory: true)
            let hadOld = manager.fileExists(atPath: target.path)
            if hadOld { try manager.moveItem(at: target, to: old) }
            try manager.moveItem(at: staging, to: target)
            if hadOld { try? manager.removeItem(at: old) }
        } catch {
            try? manager.removeItem(at: staging)
            throw RefitFileError(description: "cannot write the refit entry in \(target.path): \(FileProblem.reason(error, path: target.path))")
        }
    }
}

/// A refit entry that cannot be read or written, with the file it concerns.
public struct RefitFileError: Error, CustomStringConvertible, Equatable {
    public var description: String
}
