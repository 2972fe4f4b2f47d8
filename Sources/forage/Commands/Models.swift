import ArgumentParser
import ForageCore
import ForageML
import ForageRegistry
import ForageStore
import Foundation

extension Forage {
    /// `forage models …`: the model registry.
    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The model registry: versions, aliases (with every move kept), lineage, export.",
            subcommands: [List.self, Show.self, Alias.self, History.self, Rollback.self, Export.self], defaultSubcommand: List.self)

        /// `forage models list`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Every registered model with its latest version and aliases.")
            @Option(help: "table or json.") var format: TableOrJSON = .table
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                try await reportingErrors {
                    let registry = (try await storeOptions.open(.read)).registry
                    let models = try await registry.models()
                    if format == .json {
                        let objects: [[String: Any]] = models.map {
                            ["name": $0.name, "latest_version": $0.latestVersion, "versions": $0.versionCount, "aliases": $0.aliases,
                             "updated_at": Format.timestamp($0.updatedAt) ?? NSNull()]
                        }
                        print(try RecordJSON.text(["models": objects]))
                        return
                    }
                    if models.isEmpty {
                        print("no models yet; promote a trial with `forage promote EXPERIMENT --model NAME`")
                        return
                    }
                    let rows = models.map { model in
                        [model.name, String(model.latestVersion), String(model.versionCount),
                         model.aliases.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                         Format.timestamp(model.updatedAt) ?? ""]
                    }
                    print(TableRenderer(header: ["model", "latest", "versions", "aliases", "updated"], rows: rows).text())
                }
            }
        }

        /// `forage models show M`.
        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "A model's versions with their aliases, lineage and metrics.")
            @Argument(help: "The model's name.") var model: String
            @Option(help: "table or json.") var format: TableOrJSON = .table
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                try await reportingErrors {
                    let registry = (try await storeOptions.open(.read)).registry
                    let versions = try await registry.versions(of: model)
                    if format == .json {
                        print(try RecordJSON.text(["model": model, "versions": versions.map(ModelJSON.version)]))
                        return
                    }
                    let metricNames = Array(Set(versions.flatMap { $0.lineage.metrics.keys })).sorted()
                    var rows: [[String]] = []
                    for version in versions {
                        let lineage = version.lineage
                        let params = lineage.params.map { "\($0.key)=\(Format.parameter($0.value))" }.sorted().joined(separator: " ")
                        var row: [String] = [String(version.version), version.aliases.joined(separator: ",")]
                        row += [lineage.experiment ?? "-", lineage.trial.map(String.init) ?? "-", params]
                        for name in metricNames { row.append(lineage.metrics[name].map(Format.number) ?? "") }
                        row.append(String(version.blobSHA256.prefix(12)))
                        row.append(version.flavor.rawValue)
                        row.append(version.artifacts.map(\.name).prefix(3).joined(separator: ",") + (version.artifacts.count > 3 ? ",…" : ""))
                        row.append(String((lineage.dataSHA256 ?? "-").prefix(12)))
                        row.append(Format.timestamp(version.createdAt) ?? "")
                        rows.append(row)
                    }
                    let header = ["version", "aliases", "experiment", "trial", "params"] + metricNames + ["blob", "flavor", "files", "data_sha256", "created"]
                    print(TableRenderer(header: header, rows: rows).text())
                }
            }
        }

        /// `forage models alias M A VERSION`.
        struct Alias: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Point an alias at a version (the move is kept in the history).")
            @Argument(help: "The model's name.") var model: String
            @Argument(help: "The alias (e.g. production).") var alias: String
            @Argument(help: "The version number.") var version: Int
            @Option(help: "Why (kept in the history).") var reason: String = "set by hand"
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                try await reportingErrors {
                    let registry = (try await storeOptions.open(.write)).registry
                    let move = try await registry.setAlias(model: model, alias: alias, version: version, kind: .set, reason: reason)
                    print("\(model)@\(alias): \(move.oldVersion.map(String.init) ?? "none") → \(move.newVersion)")
                }
            }
        }

        /// `forage models history M`.
        struct History: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Every alias move of a model: old and new version, when, why.")
            @Argument(help: "The model's name.") var model: String
            @Option(help: "table or json.") var format: TableOrJSON = .table
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                try await reportingErrors {
                    let registry = (try await storeOptions.open(.read)).registry
                    let moves = try await registry.history(of: model)
                    if format == .json {
                        print(try RecordJSON.text(["model": model, "moves": moves.map(ModelJSON.move)]))
                        return
                    }
                    let rows = moves.map {
                        [Format.timestamp($0.at) ?? "", $0.alias, $0.oldVersion.map(String.init) ?? "-", String($0.newVersion), $0.kind.rawValue, $0.reason]
                    }
                    print(TableRenderer(header: ["at", "alias", "from", "to", "kind", "reason"], rows: rows).text())
                }
            }
        }

        /// `forage models rollback M A`.
        struct Rollback: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Move an alias back to the version it held before its latest move.")
            @Argument(help: "The model's name.") var model: String
            @Argument(help: "The alias.") var alias: String
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                try await reportingErrors {
                    let registry = (try await storeOptions.open(.write)).registry
                    let move = try await registry.rollback(model: model, alias: alias)
                    print("\(model)@\(alias): \(move.oldVersion.map(String.init) ?? "none") → \(move.newVersion) (rollback)")
                }
            }
        }

        /// `forage models export M[@A|:V] DIR`.
        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a version's model file and a JSON description of its lineage and input schema into a folder (--format onnx: an ONNX model taking the raw feature columns).")
            @Argument(help: "NAME, NAME@ALIAS or NAME:VERSION.") var reference: String
            @Argument(help: "The folder to write (created if needed).") var directory: String
            @Option(help: "forage (the model file and model.json) or onnx (model.onnx: preprocessing and model in one ONNX graph).") var format = "forage"
            @OptionGroup var storeOptions: StoreOptions

            func validate() throws {
                guard ["forage", "onnx"].contains(format) else { throw ValidationError("--format must be forage or onnx") }
            }

            func run() async throws {
                try await reportingErrors {
                    let registry = (try await storeOptions.open(.read)).registry
                    let version = try await registry.resolve(try modelReference(reference))
                    if format == "onnx" { return try await exportONNX(version, registry: registry) }
                    let folder = URL(fileURLWithPath: directory)
                    var written: [String] = []
                    do {
                        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                        // Every file under its own name (a folder's files under their paths inside it).
                        for artifact in version.artifacts {
                            let target = folder.appendingPathComponent(artifact.name)
                            guard target.standardizedFileURL.path.hasPrefix(folder.standardizedFileURL.path + "/") else { continue }
                            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                            try await registry.file(artifact).write(to: target, options: .atomic)
                            written.append(artifact.name)
                        }
                    } catch let error as RegistryError {
                        throw error
                    } catch {
                        throw CLIError("cannot write into \(folder.path): \(FileProblem.reason(error, path: folder.path))")
                    }
                    var description = ModelJSON.version(version)
                    if version.flavor == .forage, let file = try? ModelFile.decode(try await registry.blob(of: version), path: version.artifacts[0].name) {
                        description["input_schema"] = ModelJSON.inputSchema(file.header)
                    }
                    description["model_file"] = version.artifacts.first?.name
                    let jsonURL = folder.appendingPathComponent("model.json")
                    try Data((try RecordJSON.text(description) + "\n").utf8).write(to: jsonURL, options: .atomic)
                    print("exported \(version.model):\(version.version) (\(version.flavor.rawValue): \(written.joined(separator: ", "))) and model.json to \(folder.path)")
                }
            }

            /// `--format onnx`: DIR/model.onnx.
            private func exportONNX(_ version: ModelVersion, registry: any ModelRegistry) async throws {
                guard version.flavor == .forage else {
                    throw CLIError("\(version.model):\(version.version) is a \(version.flavor.rawValue) model; only Forage's built-in models export to ONNX")
                }
                let file = try ModelFile.decode(try await registry.blob(of: version), path: registry.blobLocation(of: version))
                let bytes = try ONNXExport.encode(file, name: "\(version.model)_\(version.version)")
                let folder = URL(fileURLWithPath: directory)
                let target = folder.appendingPathComponent("model.onnx")
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    try Data(bytes).write(to: target, options: .atomic)
                } catch {
                    throw CLIError("cannot write \(target.path): \(FileProblem.reason(error, path: target.path))")
                }
                let inputs = file.header.encoder.columns.map { column -> String in
                    if case .categorical = column { return "\(column.name) (string)" }
                    return column.name
                }
                let outputs = file.header.task == .classification ? "label, probabilities" : "prediction"
                print("exported \(version.model):\(version.version) (\(file.header.family)) as ONNX to \(target.path): inputs \(inputs.joined(separator: ", ")) ([N, 1] each); outputs \(outputs)")
            }
        }
    }
}
