import ArgumentParser
import ForageStore
import Foundation

/// The `--store DIR` option every command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store folder (default: $FORAGE_STORE, else .forage in the current folder).")
    var store: String?

    var directory: URL {
        let path = store ?? ProcessInfo.processInfo.environment["FORAGE_STORE"] ?? ".forage"
        return URL(fileURLWithPath: path)
    }

    /// Opens the store for reading (it must exist).
    func openExisting() throws -> SQLiteExperimentStore {
        try SQLiteExperimentStore(directory: directory, create: false)
    }

    /// Opens the store, creating it when needed.
    func openOrCreate() throws -> SQLiteExperimentStore {
        try SQLiteExperimentStore(directory: directory, create: true)
    }
}

import ForageRegistry

extension StoreOptions {
    /// Opens the existing store and its model registry.
    func openRegistry() throws -> (SQLiteExperimentStore, SQLiteModelRegistry) {
        let store = try openExisting()
        return (store, SQLiteModelRegistry(store: store))
    }
}

/// Parses `M`, `M@ALIAS` or `M:VERSION`, or fails with the accepted forms.
func modelReference(_ text: String) throws -> ModelReference {
    guard let reference = ModelReference(parsing: text) else {
        throw CLIError("'\(text)' is not a model reference; use NAME, NAME@ALIAS or NAME:VERSION")
    }
    return reference
}
