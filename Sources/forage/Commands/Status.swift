import ArgumentParser
import ForageCore
import ForageStore
import Foundation

extension Forage {
    /// `forage status [NAME]`: experiments, or one experiment's state and counts.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the experiments in the store, or one experiment's state, counts and best trial.")

        @Argument(help: "An experiment's name (default: list them all).")
        var name: String?

        @Option(help: "table or json.")
        var format: TableOrJSON = .table

        @Option(name: .customLong("tag"), help: "Only experiments with this tag, KEY=VALUE (repeatable: all must match).")
        var tags: [String] = []

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = (try await storeOptions.open(.read)).experiments
                let experiments: [ExperimentRecord]
                if let name {
                    experiments = [try await store.requireExperiment(name)]
                } else {
                    let wanted = try TagArguments.parse(tags)
                    experiments = try await store.experiments().filter { experiment in
                        wanted.allSatisfy { key, value in experiment.tags[key] == value }
                    }
                }
                var rows: [(ExperimentRecord, TrialCounts, TrialRecord?)] = []
                for experiment in experiments {
                    rows.append((experiment, try await store.counts(experiment: experiment.id), try await store.best(experiment)))
                }
                // One experiment of several objectives or with constraints: its front's size and hypervolume.
                var front: FrontSummary?
                if name != nil, let experiment = experiments.first, experiment.goals.ranksByFront {
                    front = FrontSummary(try await store.frontRanking(experiment), goals: experiment.goals)
                }
                // One experiment: the enqueued parameter sets still waiting to run (they run before sampled ones).
                var enqueued: Int?
                if name != nil, let experiment = experiments.first { enqueued = try await store.pendingEnqueued(experiment).count }
                if format == .json {
                    let objects: [[String: Any]] = rows.map {
                        RecordJSON.status($0.0, counts: $0.1, best: $0.2, front: front, enqueued: enqueued)
                    }
                    let document: Any = name == nil ? ["experiments": objects] as [String: Any] : objects[0]
                    print(try RecordJSON.text(document))
                    return
                }
                if name != nil, let (experiment, counts, best) = rows.first {
                    print(detail(experiment, counts: counts, best: best, front: front, enqueued: enqueued ?? 0))
                } else {
                    print(list(rows))
                }
            }
        }

        private func list(_ rows: [(ExperimentRecord, TrialCounts, TrialRecord?)]) -> String {
            guard !rows.isEmpty else { return "no experiments yet; start one with `forage run SPEC`" }
            let table = TableRenderer(
                header: ["name", "state", "done", "completed", "pruned", "failed", "best", "objective"],
                rows: rows.map { experiment, counts, best in
                    [
                        experiment.name, experiment.state.rawValue, "\(counts.finished)/\(experiment.budgetTrials)", "\(counts.completed)",
                        "\(counts.pruned)", "\(counts.failed)", best?.value.map(Format.number) ?? "-",
                        "\(experiment.objective.direction.rawValue) \(experiment.objective.metric)",
                    ]
                })
            return table.text()
        }

        private func detail(_ experiment: ExperimentRecord, counts: TrialCounts, best: TrialRecord?, front: FrontSummary?, enqueued: Int)
            -> String
        {
            let goals = experiment.goals
            var lines = [
                "experiment  \(experiment.name)",
                "state       \(experiment.state.rawValue)" + (experiment.message.map { " (\($0))" } ?? ""),
                (goals.isMultiObjective ? "objectives  " : "objective   ")
                    + goals.objectives.map { "\($0.direction.rawValue) \($0.metric)" }.joined(separator: ", "),
                "trials      \(counts.finished)/\(experiment.budgetTrials) done: \(counts.completed) completed, \(counts.pruned) pruned, \(counts.failed) failed, \(counts.running) running, \(counts.queued) queued",
            ]
            if enqueued > 0 {
                lines.append("enqueued    \(enqueued) parameter set\(enqueued == 1 ? "" : "s") waiting (they run before sampled ones)")
            }
            if goals.isConstrained { lines.append("constraints " + goals.constraints.map(\.description).joined(separator: ", ")) }
            if let front {
                let reference = front.reference.map { " (reference point " + $0.map(Format.number).joined(separator: ", ") + ")" } ?? ""
                lines.append(
                    "pareto      \(front.size) trial\(front.size == 1 ? "" : "s") on the front of \(front.feasible) feasible; hypervolume "
                        + Format.number(front.hypervolume) + reference)
            }
            if let best, let value = best.value, best.isFeasible {
                let params = best.params.map { "\($0.key)=\(Format.parameter($0.value))" }.joined(separator: " ")
                let label = goals.isMultiObjective ? "best \(goals.primary.metric)" : "best"
                lines.append(label.padding(toLength: max(12, label.count + 1), withPad: " ", startingAt: 0) + "\(Format.number(value)) (trial \(best.number)) \(params)")
            }
            if let started = experiment.startedAt {
                lines.append("elapsed     " + Format.duration((experiment.finishedAt ?? Date()).timeIntervalSince(started)))
            }
            lines.append("spec        sha256 \(experiment.specSHA256.prefix(16))…" + (experiment.specPath.map { " (\($0))" } ?? ""))
            if let data = experiment.data {
                lines.append("data        \(data.path) sha256 \(data.sha256.prefix(16))… \(data.rows) rows × \(data.columns) columns; split \(data.trainRows)/\(data.validationRows)/\(data.testRows)")
            }
            if experiment.dataVersions.count > 1 {
                for (index, version) in experiment.dataVersions.enumerated() {
                    let label = index == experiment.dataVersions.count - 1 ? "(current)" : ""
                    lines.append("  version \(index + 1)  sha256 \(version.sha256.prefix(16))… \(version.rows) rows \(label)")
                }
            }
            if !experiment.tags.isEmpty { lines.append("tags        " + TagArguments.text(experiment.tags)) }
            return lines.joined(separator: "\n")
        }
    }
}
