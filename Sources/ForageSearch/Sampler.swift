import ForageCore

/// Proposes the parameters of the next trial.
///
/// A sampler keeps no hidden state: it sees the search space, the trial history (finished and running trials) and a
/// draw index, and derives its randomness from `(seed, index)`. So resume, retries and remote workers need nothing
/// special, and a seeded run is reproducible.
public protocol Sampler: Sendable {
    /// The parameters for draw number `index` (0, 1, 2, … over the experiment's fresh trials; retries reuse their
    /// original parameters and take no draw), or nil when the sampler has nothing left to propose (a finished grid).
    func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet?

    /// Whether suggestions depend on the results in the history. When they do not (random, grid, Sobol), the engine
    /// may start the next trial while the last one's result is still being committed.
    var learnsFromHistory: Bool { get }

    /// How much of the history `suggest` reads; the engine loads and keeps only that.
    var historyNeed: HistoryNeed { get }
}

extension Sampler {
    public var learnsFromHistory: Bool { true }
    /// A sampler that learns from results needs them; one that does not needs no history at all.
    public var historyNeed: HistoryNeed { learnsFromHistory ? .outcomes : .none }
}

/// The error raised when a searcher cannot be built for a space.
public struct SamplerError: Error, CustomStringConvertible {
    public var description: String
    /// The option the error is about, when there is one (the spec parser points at that key).
    public var key: String?

    public init(_ description: String, key: String? = nil) {
        self.description = description
        self.key = key
    }
}
