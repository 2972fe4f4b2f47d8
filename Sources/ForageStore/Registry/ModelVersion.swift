import ForageCore
import Foundation

/// Where a model version came from: the experiment and trial, their parameters and metrics, and the hashes of the
/// spec and data they were trained from.
public struct Lineage: Sendable, Equatable {
    public var experiment: String?
    public var trial: Int?
    public var params: ParameterSet
    /// Final metrics of the trial (`val_*` and `test_*` for built-in models).
    public var metrics: [String: Double]
    public var objectiveMetric: String?
    public var direction: Direction?
    public var specSHA256: String?
    public var dataSHA256: String?

    public init(
        experiment: String? = nil, trial: Int? = nil, params: ParameterSet = ParameterSet([:]), metrics: [String: Double] = [:],
        objectiveMetric: String? = nil, direction: Direction? = nil, specSHA256: String? = nil, dataSHA256: String? = nil
    ) {
        self.experiment = experiment
        self.trial = trial
        self.params = params
        self.metrics = metrics
        self.objectiveMetric = objectiveMetric
        self.direction = direction
        self.specSHA256 = specSHA256
        self.dataSHA256 = dataSHA256
    }

    /// The objective measured on the test split: `val_accuracy` → `test_accuracy` (other names get a `test_` prefix).
    public static func testMetric(for objective: String) -> String {
        objective.hasPrefix("val_") ? "test_" + objective.dropFirst(4) : objective.hasPrefix("test_") ? objective : "test_" + objective
    }
}

/// One registered version of a model: its number, its content-addressed blob and its lineage.
public struct ModelVersion: Sendable, Equatable {
    public var model: String
    public var version: Int
    /// SHA-256 of the model file; the blob lives at `blobs/<sha256>`.
    public var blobSHA256: String
    public var blobSize: Int
    public var lineage: Lineage
    public var description: String?
    public var createdAt: Date
    /// Aliases pointing at this version now.
    public var aliases: [String]
    /// What kind of model the version holds (only `forage` versions can be served).
    public var flavor: ModelFlavor = .forage
    /// Every file of the version under its name, the primary one (`blobSHA256`) first.
    public var artifacts: [ArtifactFile] = []

    public init(
        model: String, version: Int, blobSHA256: String, blobSize: Int, lineage: Lineage, description: String? = nil, createdAt: Date, aliases: [String],
        flavor: ModelFlavor = .forage, artifacts: [ArtifactFile] = []
    ) {
        self.flavor = flavor
        self.artifacts = artifacts.isEmpty ? [ArtifactFile(name: "model.forage", sha256: blobSHA256, size: blobSize)] : artifacts
        self.model = model
        self.version = version
        self.blobSHA256 = blobSHA256
        self.blobSize = blobSize
        self.lineage = lineage
        self.description = description
        self.createdAt = createdAt
        self.aliases = aliases
    }
}

/// One alias move, as kept in the alias history.
public struct AliasMove: Sendable, Equatable {
    /// What caused the move.
    public enum Kind: String, Sendable {
        case promote
        case set
        case rollback
    }

    public var model: String
    public var alias: String
    public var oldVersion: Int?
    public var newVersion: Int
    public var kind: Kind
    public var reason: String
    public var at: Date

    public init(
        model: String, alias: String, oldVersion: Int? = nil, newVersion: Int, kind: Kind, reason: String, at: Date
    ) {
        self.model = model
        self.alias = alias
        self.oldVersion = oldVersion
        self.newVersion = newVersion
        self.kind = kind
        self.reason = reason
        self.at = at
    }
}

/// A model with its latest version and aliases, for `forage models list`.
public struct ModelSummary: Sendable, Equatable {
    public var name: String
    public var latestVersion: Int
    public var versionCount: Int
    public var aliases: [String: Int]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, latestVersion: Int, versionCount: Int, aliases: [String: Int], createdAt: Date, updatedAt: Date
    ) {
        self.name = name
        self.latestVersion = latestVersion
        self.versionCount = versionCount
        self.aliases = aliases
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a promotion hands to the registry: the model's files and where they came from.
public struct Registration: Sendable {
    public var model: String
    /// The primary file (the one `blob(of:)` returns).
    public var blob: Data
    /// Every file of the version with its name, the primary one first (just `model.forage` when empty).
    public var files: [ArtifactPayload] = []
    public var flavor: ModelFlavor = .forage
    public var lineage: Lineage
    public var alias: String?
    public var reason: String
    public var description: String?

    public init(model: String, blob: Data, lineage: Lineage, alias: String? = nil, reason: String = "promote", description: String? = nil) {
        self.model = model
        self.blob = blob
        self.lineage = lineage
        self.alias = alias
        self.reason = reason
        self.description = description
    }
}
