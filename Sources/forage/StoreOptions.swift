import ArgumentParser
import ForageBackends
import ForageRegistry
import ForageStore
import Foundation

/// The `--store` option every command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store folder or a postgres:// URL (default: $FORAGE_STORE, else .forage in the current folder).")
    var store: String?

    /// The store as given (`--store`, else `$FORAGE_STORE`, else `.forage`).
    var location: String {
        store ?? ProcessInfo.processInfo.environment["FORAGE_STORE"] ?? ".forage"
    }

    /// Opens the store: `.read` for commands that only look (nothing is written, not even a lock file), `.write`
    /// for commands that change an existing store, `.create` for `run`.
    func open(_ access: StoreFactory.Access) async throws -> OpenStore {
        try await StoreFactory.connect(location, access: access)
    }
}

/// Parses `M`, `M@ALIAS` or `M:VERSION`, or fails with the accepted forms.
func modelReference(_ text: String) throws -> ModelReference {
    guard let reference = ModelReference(parsing: text) else {
        throw CLIError("'\(text)' is not a model reference; use NAME, NAME@ALIAS or NAME:VERSION")
    }
    return reference
}
