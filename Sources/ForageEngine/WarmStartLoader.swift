import ForageCore
import ForageSearch
import ForageStore

/// Loads `warm_start:`'s source trials: the other experiment's completed trials with their value of this
/// experiment's objective metric, fitted to this experiment's space (`WarmStart`).
enum WarmStartLoader {
    /// The source experiment's completed trials fitted to `spec`'s space; `reader` holds the source experiment.
    static func load(_ warm: WarmStartSpec, for spec: ExperimentSpec, from reader: any ExperimentReader) async throws -> WarmStart {
        guard let record = try await reader.experiment(named: warm.experiment) else {
            let known = try await reader.experimentNames().filter { $0 != spec.name }
            throw EngineError.configuration(
                "warm_start.experiment: no experiment '\(warm.experiment)' in the store at \(reader.location)"
                    + (known.isEmpty ? "" : "; it has \(known.prefix(10).joined(separator: ", "))"))
        }
        let metric = spec.objective.metric
        let sameMetric = record.objective.metric == metric
        var source: [(params: ParameterSet, value: Double)] = []
        for try await trial in reader.allTrials(record, state: .completed) {
            guard let value = sameMetric ? trial.value : trial.metrics[metric] else { continue }
            source.append((trial.params, value))
        }
        if source.isEmpty, !sameMetric {
            throw EngineError.configuration(
                "warm_start.experiment: '\(warm.experiment)' optimises '\(record.objective.metric)' and none of its completed trials "
                    + "reported '\(metric)', this experiment's objective: there is nothing to learn from")
        }
        return WarmStart(source: source, space: spec.searchSpace)
    }
}
