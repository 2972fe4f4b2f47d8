import ForageBackends
import ForageCore
import ForageEngine
import ForageSearch
import ForageStore

/// `warm_start:` on the command line: opens the other store it names, and says what the run learns from.
enum WarmStartSetup {
    /// The store `warm_start.store` names, opened read-only, or nil when the experiment's own store holds it.
    static func store(for spec: ExperimentSpec) async throws -> (any ExperimentReader)? {
        guard let location = spec.warmStart?.store else { return nil }
        do {
            return try await StoreFactory.connect(location, access: .read).experiments
        } catch {
            throw CLIError("warm_start.store: cannot open the store at \(location): \(error)")
        }
    }

    /// One line on stderr: how many of the other experiment's trials the sampler learns from, and why others not.
    static func note(_ warm: WarmStart?, spec: ExperimentSpec) {
        guard let warm, let source = spec.warmStart?.experiment else { return }
        var line = "warm start: learning from \(warm.trials.count) completed trial\(warm.trials.count == 1 ? "" : "s") of '\(source)'"
        var details: [String] = []
        if warm.outside > 0 { details.append("\(warm.outside) left out: a value outside this search space") }
        if warm.partial > 0 { details.append("\(warm.partial) lack a parameter this space added") }
        if !details.isEmpty { line += " (" + details.joined(separator: "; ") + ")" }
        printNote(line)
    }
}
