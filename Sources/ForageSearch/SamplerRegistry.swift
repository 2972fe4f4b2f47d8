import ForageCore

/// Every sampler Forage knows, by spec name. Adding a sampler is one file declaring its `SamplerEntry` plus one line
/// here (and one row in the sampler contract test).
public enum SamplerRegistry {
    public static let entries: [SamplerEntry] = [
        GridSampler.entry,
        RandomSampler.entry,
        SobolSampler.entry,
        TPESampler.entry,
        CMAESSampler.entry,
        GPSampler.entry,
        CFOSampler.entry,
        NSGA2Sampler.entry,
    ]

    /// The spec names, in list order.
    public static var names: [String] { entries.map(\.name) }

    /// The entry registered under `name`.
    public static func entry(named name: String) -> SamplerEntry? {
        entries.first { $0.name == name }
    }

    /// The sampler `spec` names for `space`; throws a `SamplerError` when the name is unknown or the sampler cannot
    /// search that space with those options (a grid too large, options that do not fit together).
    public static func make(_ spec: SearcherSpec, space: SearchSpace) throws -> any Sampler {
        guard let entry = entry(named: spec.algorithm) else {
            throw SamplerError("'\(spec.algorithm)' is not a searcher; allowed: \(names.joined(separator: ", "))")
        }
        try entry.check(spec.options)
        return try entry.build(SamplerContext(seed: spec.seed, options: spec.options, space: space))
    }
}
