import ForageML
import ForageRegistry
import ForageStore
import Foundation

/// JSON shapes of registry versions (`models show --format json`, `models export`).
enum ModelJSON {
    static func version(_ version: ModelVersion) -> [String: Any] {
        let lineage = version.lineage
        var params: [String: Any] = [:]
        for (name, value) in lineage.params { params[name] = RecordJSON.parameter(value) }
        return [
            "model": version.model,
            "version": version.version,
            "aliases": version.aliases,
            "blob_sha256": version.blobSHA256,
            "blob_bytes": version.blobSize,
            "flavor": version.flavor.rawValue,
            "files": version.artifacts.map { ["name": $0.name, "sha256": $0.sha256, "bytes": $0.size] as [String: Any] },
            "created_at": Format.timestamp(version.createdAt) ?? NSNull(),
            "lineage": [
                "experiment": lineage.experiment ?? NSNull(),
                "trial": lineage.trial.map { $0 as Any } ?? NSNull(),
                "params": params,
                "metrics": lineage.metrics.mapValues { RecordJSON.number($0) },
                "objective": [
                    "metric": lineage.objectiveMetric ?? NSNull(), "direction": lineage.direction?.rawValue ?? NSNull(),
                ] as [String: Any],
                "spec_sha256": lineage.specSHA256 ?? NSNull(),
                "data_sha256": lineage.dataSHA256 ?? NSNull(),
            ] as [String: Any],
        ]
    }

    /// The input schema a client must send, from the model file's header.
    static func inputSchema(_ header: ModelHeader) -> [String: Any] {
        let columns: [[String: Any]] = header.encoder.columns.map { column in
            switch column {
            case .numeric(let name, let imputed):
                return ["name": name, "type": "number", "missing": imputed.map { "imputed \($0)" } ?? "error"]
            case .categorical(let name, let categories):
                return ["name": name, "type": "category", "categories": categories]
            }
        }
        var schema: [String: Any] = [
            "family": header.family, "task": header.task.rawValue, "target": header.target, "columns": columns,
            "format_version": header.formatVersion,
        ]
        if !header.classLabels.isEmpty { schema["class_labels"] = header.classLabels }
        return schema
    }

    static func move(_ move: AliasMove) -> [String: Any] {
        [
            "alias": move.alias, "old_version": move.oldVersion.map { $0 as Any } ?? NSNull(), "new_version": move.newVersion,
            "kind": move.kind.rawValue, "reason": move.reason, "at": Format.timestamp(move.at) ?? NSNull(),
        ]
    }
}
