import ForageBackends
import ForageCore
import ForageRegistry
import ForageStore
import ForageTesting
import Foundation
import Testing

/// A store with one experiment whose completed trials have (fake) model files and test metrics.
struct RegistryFixture {
    let directory: TemporaryDirectory
    let store: any ExperimentStore
    let registry: any ModelRegistry
    let layout: StoreLayout

    init() throws {
        directory = try TemporaryDirectory()
        let opened = try StoreFactory.open(directory.url.path, access: .create)
        store = opened.experiments
        registry = opened.registry
        layout = opened.layout
    }

    /// Creates experiment `name` (maximising `val_accuracy`) with completed trials of the given test accuracies;
    /// `failed` adds a failed trial after them.
    @discardableResult
    func experiment(_ name: String, testAccuracies: [Double], failed: Bool = false, modelFiles: Bool = true) async throws -> ExperimentRecord {
        let spec = ExperimentSpec(
            name: name, objective: Objective(metric: "val_accuracy", direction: .maximize), trial: TrialSpec(kind: .function(name: "noop")),
            searchSpace: SearchSpace([Parameter(name: "l2", distribution: .float(low: 0, high: 1, log: false, step: nil))]),
            budget: Budget(trials: 10), source: "name: \(name)")
        let (record, lease) = try await store.createExperiment(spec, specPath: nil, data: nil, owner: OwnerIdentity())
        for (number, accuracy) in testAccuracies.enumerated() {
            store.startTrial(lease, TrialStart(number: number, draw: number, params: ParameterSet(["l2": .double(accuracy)])))
            try await store.finishTrial(
                lease,
                TrialFinish(number: number, state: .completed, value: accuracy, metrics: ["val_accuracy": accuracy, "test_accuracy": accuracy]))
            if modelFiles {
                try directory.write("trials/\(name)/\(number)/model.forage", "model of \(name) trial \(number)")
            }
        }
        if failed {
            let number = testAccuracies.count
            store.startTrial(lease, TrialStart(number: number, draw: number, params: ParameterSet(["l2": .double(0)])))
            try await store.finishTrial(lease, TrialFinish(number: number, state: .failed, value: nil, metrics: [:], reason: .error))
        }
        return record
    }
}

@Suite struct RegistryTests {
    @Test func promotionsAddVersionsMoveAliasesAndKeepLineage() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.directory.remove() }
        try await fixture.experiment("exp", testAccuracies: [0.7, 0.9, 0.8])
        let first = try await Promoter.promote(PromotionRequest(experiment: "exp", model: "iris", alias: "prod"), store: fixture.store, registry: fixture.registry)
        #expect(first.version.version == 1)
        #expect(first.version.lineage.trial == 1)  // the best trial by default
        #expect(first.version.lineage.metrics["test_accuracy"] == 0.9)
        #expect(first.version.lineage.specSHA256 == SHA256Hex.of("name: exp"))
        #expect(first.move?.oldVersion == nil && first.move?.newVersion == 1)
        let second = try await Promoter.promote(PromotionRequest(experiment: "exp", trial: 2, model: "iris", alias: "prod"), store: fixture.store, registry: fixture.registry)
        #expect(second.version.version == 2 && second.move?.oldVersion == 1)
        #expect(try await fixture.registry.resolveNumber(ModelReference(parsing: "iris@prod")!) == 2)
        #expect(try await fixture.registry.resolve(ModelReference(parsing: "iris:1")!).lineage.trial == 1)
        #expect(try await fixture.registry.resolve(ModelReference(parsing: "iris")!).version == 2)
        let blob = try await fixture.registry.blob(of: second.version)
        #expect(String(decoding: blob, as: UTF8.self) == "model of exp trial 2")
        #expect(FileManager.default.fileExists(atPath: fixture.directory.url.appendingPathComponent("blobs/\(SHA256Hex.of(blob))").path))
        let models = try await fixture.registry.models()
        #expect(models.map(\.name) == ["iris"] && models[0].latestVersion == 2 && models[0].aliases == ["prod": 2])
    }

    @Test func rollbackUndoesMovesAndHistoryKeepsEveryMove() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.directory.remove() }
        try await fixture.experiment("exp", testAccuracies: [0.7, 0.9, 0.8])
        for trial in 0..<3 {
            try await Promoter.promote(PromotionRequest(experiment: "exp", trial: trial, model: "m", alias: "prod"), store: fixture.store, registry: fixture.registry)
        }
        let registry = fixture.registry
        #expect(try await registry.rollback(model: "m", alias: "prod").newVersion == 2)
        #expect(try await registry.rollback(model: "m", alias: "prod").newVersion == 1)
        await #expect(throws: RegistryError.nothingToRollBack(model: "m", alias: "prod")) { try await registry.rollback(model: "m", alias: "prod") }
        try await registry.setAlias(model: "m", alias: "prod", version: 3, kind: .set, reason: "by hand")
        #expect(try await registry.rollback(model: "m", alias: "prod").newVersion == 1)
        let history = try await registry.history(of: "m")
        #expect(history.map(\.newVersion) == [1, 2, 3, 2, 1, 3, 1])
        #expect(history.map(\.oldVersion) == [nil, 1, 2, 3, 2, 1, 3])
        #expect(history.map(\.kind) == [.promote, .promote, .promote, .rollback, .rollback, .set, .rollback])
        await #expect(throws: RegistryError.noVersion(model: "m", version: 9, latest: 3)) {
            try await registry.setAlias(model: "m", alias: "prod", version: 9, kind: .set, reason: "")
        }
        await #expect(throws: RegistryError.self) { try await registry.rollback(model: "m", alias: "staging") }
    }

    @Test func ifBetterRefusesAWorseCandidateWithBothNumbersAndAcceptsABetterOne() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.directory.remove() }
        try await fixture.experiment("exp", testAccuracies: [0.7, 0.9, 0.8])
        let request = { (trial: Int) in PromotionRequest(experiment: "exp", trial: trial, model: "m", alias: "prod", ifBetter: true) }
        // Nothing to compare with: accepted.
        try await Promoter.promote(request(2), store: fixture.store, registry: fixture.registry)
        do {
            _ = try await Promoter.promote(request(0), store: fixture.store, registry: fixture.registry)
            Issue.record("a worse candidate was promoted")
        } catch let error as RegistryError {
            #expect(error == .notBetter(model: "m", alias: "prod", metric: "test_accuracy", candidate: 0.7, current: 0.8, currentVersion: 1, direction: "maximize"))
            #expect(error.description.contains("0.7") && error.description.contains("0.8"))
        }
        #expect(try await fixture.registry.versions(of: "m").count == 1)
        let better = try await Promoter.promote(request(1), store: fixture.store, registry: fixture.registry)
        #expect(better.version.version == 2)
        #expect(better.comparison == PromotionComparison(metric: "test_accuracy", candidate: 0.9, current: 0.8, currentVersion: 1))
    }

    @Test func failedTrialsAndTrialsWithoutModelFilesAreRefused() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.directory.remove() }
        try await fixture.experiment("exp", testAccuracies: [0.7], failed: true)
        try await fixture.experiment("fn", testAccuracies: [0.5], modelFiles: false)
        await #expect(throws: RegistryError.self) {
            try await Promoter.promote(PromotionRequest(experiment: "exp", trial: 1, model: "m"), store: fixture.store, registry: fixture.registry)
        }
        do {
            _ = try await Promoter.promote(PromotionRequest(experiment: "fn", model: "m"), store: fixture.store, registry: fixture.registry)
            Issue.record("a trial without a model file was promoted")
        } catch let error as RegistryError {
            #expect(error.description.contains("no model file"))
        }
        await #expect(throws: (any Error).self) {
            try await Promoter.promote(PromotionRequest(experiment: "nope", model: "m"), store: fixture.store, registry: fixture.registry)
        }
        #expect(try await fixture.registry.models().isEmpty)
    }

    @Test func aBlobWithOneFlippedByteIsRefusedOnLoad() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.directory.remove() }
        try await fixture.experiment("exp", testAccuracies: [0.7])
        let version = try await Promoter.promote(PromotionRequest(experiment: "exp", model: "m"), store: fixture.store, registry: fixture.registry).version
        let path = fixture.layout.blobs.url(for: version.blobSHA256)
        var bytes = try [UInt8](Data(contentsOf: path))
        bytes[3] ^= 0x01
        try Data(bytes).write(to: path)
        do {
            _ = try await fixture.registry.blob(of: version)
            Issue.record("a corrupted blob loaded")
        } catch {
            guard case .corruptBlob(let file, let expected, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file == path.path && expected == version.blobSHA256)
            #expect(error.description.contains("corrupt"))
        }
    }

    @Test func referencesParse() {
        #expect(ModelReference(parsing: "iris") == ModelReference(model: "iris", selector: .latest))
        #expect(ModelReference(parsing: "iris@prod") == ModelReference(model: "iris", selector: .alias("prod")))
        #expect(ModelReference(parsing: "iris:3") == ModelReference(model: "iris", selector: .version(3)))
        #expect(ModelReference(parsing: "iris:0") == nil)
        #expect(ModelReference(parsing: "a/b") == nil)
        #expect(ModelReference(parsing: "@x") == nil)
    }
}
