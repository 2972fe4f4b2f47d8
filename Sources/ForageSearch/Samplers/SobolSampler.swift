import ForageCore

/// Quasi-random search along a Sobol low-discrepancy sequence (Joe–Kuo direction numbers, up to 64 parameters).
///
/// Draw `k` is point `k` of the sequence in Gray-code order (the order SciPy and most libraries use), computed
/// directly from the bits of `k`, so a draw depends on `(seed, index)` alone. Coordinate `i` goes to the `i`-th
/// parameter of the space (an inactive conditional parameter leaves its coordinate unused) through
/// `Distribution.value(atUnit:)`.
///
/// With `scramble`, every coordinate gets a hash-based nested uniform (Owen-style) scrambling seeded by the seed and
/// the dimension (Laine–Karras permutation on bit-reversed values, as described by Burley, 2020), which keeps the
/// low-discrepancy structure while removing its bias; point 0 is then used too. Without it the all-zero point 0 is
/// skipped, so draw `k` is point `k + 1`. Spaces with more than 64 parameters fill the extra coordinates with
/// seeded uniform random numbers.
public struct SobolSampler: Sampler {
    public let seed: UInt64
    public let scramble: Bool

    public init(seed: UInt64, scramble: Bool = true) {
        self.seed = seed
        self.scramble = scramble
    }

    public var learnsFromHistory: Bool { false }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        guard index >= 0 else { return nil }
        let point = UInt64(index) + (scramble ? 0 : 1)
        var values = ParameterSet()
        var fallback = SplitMix64(seed: seed, stream: UInt64(index))
        for (dimension, parameter) in space.parameters.enumerated() {
            let u: Double
            if dimension < SobolDirectionNumbers.dimensions {
                u = coordinate(point: point, dimension: dimension)
            } else {
                u = fallback.nextUnit()
            }
            guard parameter.isActive(given: values) else { continue }
            values[parameter.name] = parameter.distribution.value(atUnit: u)
        }
        return values
    }

    /// Coordinate `dimension` of point `point` in `[0, 1)`.
    public func coordinate(point: UInt64, dimension: Int) -> Double {
        let vectors = SobolDirectionNumbers.vectors[dimension]
        var gray = point ^ (point >> 1)
        var x: UInt32 = 0
        var bit = 0
        while gray != 0, bit < vectors.count {
            if gray & 1 == 1 { x ^= vectors[bit] }
            gray >>= 1
            bit += 1
        }
        guard scramble else { return Double(x) * 0x1.0p-32 }
        var mixer = SplitMix64(seed: seed, stream: UInt64(dimension) &+ 0x50B0_1000)
        let key = UInt32(truncatingIfNeeded: mixer.next())
        let scrambled = Self.nestedUniformScramble(x, key: key)
        // Fill the bits below the sequence's 32 with seeded noise, so values are not confined to a 2^-32 lattice.
        var noise = SplitMix64(seed: seed ^ UInt64(dimension), stream: point)
        return (Double(scrambled) + noise.nextUnit()) * 0x1.0p-32
    }

    /// Owen-style scrambling of a 32-bit fraction: each bit is flipped depending on a hash of the bits above it.
    static func nestedUniformScramble(_ x: UInt32, key: UInt32) -> UInt32 {
        var v = x.bitReversed
        v = v &+ key
        v ^= v &* 0x6C50_B47C
        v ^= v &* 0xB82F_1E52
        v ^= v &* 0xC7AF_E638
        v ^= v &* 0x8D22_F6E6
        return v.bitReversed
    }
}

extension UInt32 {
    /// The value with its bit order reversed.
    fileprivate var bitReversed: UInt32 {
        var v = self
        v = ((v >> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F) | ((v & 0x0F0F_0F0F) << 4)
        v = ((v >> 8) & 0x00FF_00FF) | ((v & 0x00FF_00FF) << 8)
        return (v >> 16) | (v << 16)
    }
}

extension SobolSampler {
    /// `searcher: {algorithm: sobol, seed, scramble}`.
    public static let entry = SamplerEntry(
        name: "sobol", summary: "quasi-random Sobol sequence",
        options: [.bool("scramble", "random digital shift and Owen-style scrambling seeded by `seed` (default true)")]
    ) { SobolSampler(seed: $0.seed, scramble: $0.options.bool("scramble", default: true)) }
}
