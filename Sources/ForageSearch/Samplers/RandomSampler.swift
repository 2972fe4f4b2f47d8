import ForageCore

/// Independent uniform draws (log-uniform for `log: true`) from every active parameter.
public struct RandomSampler: Sampler {
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    public var learnsFromHistory: Bool { false }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        var rng = SplitMix64(seed: seed, stream: UInt64(index))
        return space.assign { parameter, _ in parameter.distribution.value(atUnit: rng.nextUnit()) }
    }
}

extension RandomSampler {
    /// `searcher: {algorithm: random, seed}`.
    public static let entry = SamplerEntry(name: "random", summary: "independent uniform (log-uniform) draws") { RandomSampler(seed: $0.seed) }
}
