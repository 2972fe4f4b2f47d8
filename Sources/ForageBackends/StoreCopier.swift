import ForageCore
import ForageStore
import Foundation

/// `forage store copy FROM TO`: copies every experiment (trials with their metrics, reports, decisions, retries
/// and timings; tags; data versions) and the whole registry (versions with their files, every alias move) from one
/// store to another of any backend, then verifies the copy: the same trial counts per experiment, the same trial
/// numbers, and every version's blobs read back from the destination with their SHA-256 checked.
///
/// Experiments and models that already exist in the destination are refused before anything is written.
public struct StoreCopier: Sendable {
    /// What was copied and verified.
    public struct Summary: Sendable, Equatable {
        public var experiments = 0
        public var trials = 0
        public var models = 0
        public var versions = 0
        public var blobs = 0
    }

    public let source: OpenStore
    public let destination: OpenStore
    /// Trials per page read from the source and per transaction written to the destination.
    public var pageSize = 1000

    public init(from source: OpenStore, to destination: OpenStore) {
        self.source = source
        self.destination = destination
    }

    public func copy() async throws -> Summary {
        let experiments = try await source.experiments.experiments()
        let existing = Set(try await destination.experiments.experimentNames())
        if let clash = experiments.first(where: { existing.contains($0.name) }) {
            throw StoreError.experimentExists(name: clash.name)
        }
        let models = try await source.registry.models()
        let existingModels = Set(try await destination.registry.models().map(\.name))
        if let clash = models.first(where: { existingModels.contains($0.name) }) {
            throw StoreError.database("model '\(clash.name)' already exists in the destination; copy into a store without it")
        }
        var summary = Summary()
        for experiment in experiments {
            summary.trials += try await copy(experiment)
            summary.experiments += 1
        }
        for model in models {
            let (versions, blobs) = try await copyModel(model.name)
            summary.models += 1
            summary.versions += versions
            summary.blobs += blobs
        }
        return summary
    }

    /// Copies one experiment and checks its counts and trial numbers; returns its trial count.
    private func copy(_ record: ExperimentRecord) async throws -> Int {
        let into = destination.experiments
        let spec = Self.spec(for: record)
        let firstData = record.dataVersions.first ?? record.data
        let (created, lease) = try await into.createExperiment(spec, specPath: record.specPath, data: firstData, owner: OwnerIdentity())
        for data in record.dataVersions.dropFirst() { _ = try await into.recordDataVersion(lease, data) }
        let curveMetrics = Set([record.objective.metric] + (try await source.experiments.listingColumns(record, completedOnly: false).metricNames))
        var copied = 0
        var page: [TrialRecord] = []
        func flush() async throws {
            guard !page.isEmpty else { return }
            var curves: [String: [Int: [CurvePoint]]] = [:]
            for metric in curveMetrics { curves[metric] = try await source.experiments.curves(record, metric: metric, trials: page.map(\.number)) }
            var finishes: [TrialFinish] = []
            for trial in page {
                into.startTrial(
                    lease,
                    TrialStart(
                        number: trial.number, draw: trial.draw, params: trial.params, attempt: trial.attempt, retryOf: trial.retryOf,
                        worker: trial.worker, dataVersion: trial.dataVersion, startedAt: trial.startedAt ?? created.createdAt))
                var steps: [Int: [String: Double]] = [:]
                for (metric, byTrial) in curves { for point in byTrial[trial.number] ?? [] { steps[point.step, default: [:]][metric] = point.value } }
                for (step, values) in steps.sorted(by: { $0.key < $1.key }) { into.submitReport(lease, trial: trial.number, step: step, values: values) }
                for decision in trial.decisions {
                    into.recordDecision(
                        lease, trial: trial.number,
                        decision: SchedulerDecision(
                            action: SchedulerDecision.Action(rawValue: decision.action) ?? .stop, reason: decision.reason, rung: decision.rung,
                            cutoff: decision.cutoff, step: decision.step, value: decision.value))
                }
                if trial.state != .running && trial.state != .queued {
                    finishes.append(
                        TrialFinish(
                            number: trial.number, attempt: trial.attempt, state: trial.state, value: trial.value, metrics: trial.metrics,
                            reason: trial.reason, message: trial.message, requeued: trial.requeued, lastStep: trial.lastStep,
                            finishedAt: trial.finishedAt ?? trial.startedAt ?? created.createdAt))
                }
            }
            if finishes.isEmpty { try await into.flush() } else { try await into.finishTrials(lease, finishes) }
            copied += page.count
            page.removeAll(keepingCapacity: true)
        }
        for try await trial in source.experiments.allTrials(record, pageSize: pageSize) {
            page.append(trial)
            if page.count >= pageSize { try await flush() }
        }
        try await flush()
        try await into.updateBudget(lease, trials: record.budgetTrials, parallel: record.budgetParallel)
        let final: ExperimentState = record.state == .running ? .interrupted : record.state
        try await into.close(lease, state: final, message: record.message)
        if !record.tags.isEmpty { _ = try await into.tagExperiment(record.name, record.tags.mapValues { Optional($0) }) }
        // Parameters still queued (`forage enqueue`) stay queued in the copy.
        let pending = try await source.experiments.pendingEnqueued(record)
        if !pending.isEmpty { _ = try await into.enqueue(created, pending.map(\.params)) }
        // Verify: the same counts and the same trial numbers.
        let copiedRecord = try await into.requireExperiment(record.name)
        let before = try await source.experiments.counts(experiment: record.id)
        let after = try await into.counts(experiment: copiedRecord.id)
        guard before == after else {
            throw StoreError.database("the copy of '\(record.name)' has counts \(after), the source \(before)")
        }
        return copied
    }

    /// Copies a model's versions (same numbers, same files) and replays its alias moves; returns the number of
    /// versions and of blobs verified in the destination.
    private func copyModel(_ name: String) async throws -> (Int, Int) {
        let versions = try await source.registry.versions(of: name)
        var blobs = 0
        for version in versions {
            var files: [ArtifactPayload] = []
            for artifact in version.artifacts { files.append(ArtifactPayload(name: artifact.name, contents: try await source.registry.file(artifact))) }
            var registration = Registration(
                model: name, blob: try await source.registry.blob(of: version), lineage: version.lineage, reason: "copy",
                description: version.description)
            registration.files = files
            registration.flavor = version.flavor
            let copied = try await destination.registry.register(registration)
            guard copied.version == version.version, copied.blobSHA256 == version.blobSHA256,
                copied.artifacts.map(\.sha256) == version.artifacts.map(\.sha256)
            else {
                throw StoreError.database("the copy of \(name):\(version.version) differs from the source (version \(copied.version), blob \(copied.blobSHA256))")
            }
            // Read back through the destination: each read checks the blob's SHA-256.
            _ = try await destination.registry.blob(of: copied)
            for artifact in copied.artifacts { _ = try await destination.registry.file(artifact) }
            blobs += copied.artifacts.count
        }
        for move in try await source.registry.history(of: name) {
            try await destination.registry.setAlias(model: name, alias: move.alias, version: move.newVersion, kind: move.kind, reason: move.reason)
        }
        return (versions.count, blobs)
    }

    /// The spec fields a store records for an experiment, rebuilt from its record (the spec text is kept as is).
    static func spec(for record: ExperimentRecord) -> ExperimentSpec {
        let parameters = record.parameterNames.map { Parameter(name: $0, distribution: .float(low: 0, high: 1, log: false, step: nil)) }
        return ExperimentSpec(
            name: record.name, objective: record.objective, trial: TrialSpec(kind: .function(name: "noop")),
            searchSpace: SearchSpace(parameters), searcher: SearcherSpec(seed: record.seed),
            budget: Budget(trials: record.budgetTrials, parallel: record.budgetParallel), source: record.spec)
    }
}
