import Foundation

/// A store that keeps the model files a trial left in its folder, so that any machine reaching the store can promote
/// the trial, not only the one that ran it (the PostgreSQL store: no shared file system is needed). A store whose
/// trial folders every reader shares (a SQLite folder) does not adopt it.
///
/// An implementation must guarantee:
/// - `keepTrialFiles` is durable when it returns, and idempotent: keeping the same files again changes nothing, and
///   keeping a file of the same name again replaces its contents (a re-run attempt's model);
/// - contents are content-addressed (each distinct file stored once, by SHA-256) and `trialFiles` verifies every file
///   against its hash before returning it;
/// - `trialFiles` returns exactly the files kept for that trial (empty when none were).
public protocol TrialFileStore: Sendable {
    /// Keeps `files` (names relative to the trial folder, `model/…` inside a model folder) for trial `number`.
    func keepTrialFiles(experiment id: Int64, trial number: Int, files: [ArtifactPayload]) async throws
    /// The files kept for trial `number`, verified against their hashes.
    func trialFiles(experiment id: Int64, trial number: Int) async throws -> [ArtifactPayload]
}
