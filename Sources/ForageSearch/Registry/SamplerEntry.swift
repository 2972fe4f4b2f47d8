import ForageCore

/// What a sampler is built from: the spec's seed and options, and the space it will search.
public struct SamplerContext: Sendable {
    public var seed: UInt64
    public var options: AlgorithmOptions
    public var space: SearchSpace

    public init(seed: UInt64, options: AlgorithmOptions = [:], space: SearchSpace) {
        self.seed = seed
        self.options = options
        self.space = space
    }
}

/// How one sampler plugs into Forage: its spec name, its option keys, and how it is built.
///
/// Each sampler file declares one (`static let entry`), and `SamplerRegistry.entries` lists them. The spec parser
/// checks a `searcher:` section against `options`; the engine calls `build`. An implementation must build from the
/// context alone (no globals), throw a `SamplerError` naming the option when options do not fit together or cannot
/// search the space, and return a sampler that keeps the `Sampler` contract (checked by the sampler contract table).
public struct SamplerEntry: Sendable {
    /// The spec name (`searcher: {algorithm: NAME}`).
    public let name: String
    /// One line for the spec reference.
    public let summary: String
    /// The keys the section may hold besides `algorithm` and `seed`.
    public let options: [OptionKey]
    /// Cross-option checks that need no search space (run while the spec is read); throws a `SamplerError`.
    public let check: @Sendable (AlgorithmOptions) throws -> Void
    /// Builds the sampler.
    public let build: @Sendable (SamplerContext) throws -> any Sampler

    public init(
        name: String, summary: String, options: [OptionKey] = [], check: @escaping @Sendable (AlgorithmOptions) throws -> Void = { _ in },
        build: @escaping @Sendable (SamplerContext) throws -> any Sampler
    ) {
        self.name = name
        self.summary = summary
        self.options = options
        self.check = check
        self.build = build
    }
}
