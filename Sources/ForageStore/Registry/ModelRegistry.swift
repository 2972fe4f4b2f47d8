import Foundation

/// The model registry of DESIGN §7: versions (N+1 per registration), aliases with their full history, lineage and
/// content-addressed blobs.
///
/// An implementation must guarantee: every change is one transaction; a version's blob is stored (by its SHA-256)
/// before the version row names it; `blob(of:)` verifies the hash on every read; alias moves are all kept.
public protocol ModelRegistry: Sendable {
    /// Stores the blob (once, by hash) and adds the next version of the model, moving `alias` to it if given.
    func register(_ registration: Registration) async throws(RegistryError) -> ModelVersion
    /// Every model, by name.
    func models() async throws(RegistryError) -> [ModelSummary]
    /// Every version of a model, oldest first.
    func versions(of model: String) async throws(RegistryError) -> [ModelVersion]
    /// The version a reference means now.
    func resolve(_ reference: ModelReference) async throws(RegistryError) -> ModelVersion
    /// Just the version number a reference means now: a cheap indexed read for servers that follow an alias.
    func resolveNumber(_ reference: ModelReference) async throws(RegistryError) -> Int
    /// Points `alias` at `version` and records the move.
    @discardableResult
    func setAlias(model: String, alias: String, version: Int, kind: AliasMove.Kind, reason: String) async throws(RegistryError) -> AliasMove
    /// Moves `alias` back to the version it held before its latest (not yet undone) move.
    @discardableResult
    func rollback(model: String, alias: String) async throws(RegistryError) -> AliasMove
    /// Every alias move of a model, oldest first.
    func history(of model: String) async throws(RegistryError) -> [AliasMove]
    /// The model file of a version, verified against its SHA-256.
    func blob(of version: ModelVersion) async throws(RegistryError) -> Data
    /// One file of a version, verified against its SHA-256.
    func file(_ artifact: ArtifactFile) async throws(RegistryError) -> Data
    /// Where a version's model file is kept, for messages (a file path, or a database row).
    func blobLocation(of version: ModelVersion) -> String
}
