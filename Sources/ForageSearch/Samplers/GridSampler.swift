import ForageCore

/// Exhaustive search over a finite grid: every combination of each parameter's grid values, in a fixed order
/// (the first parameter varies slowest). Draw `index` is the index-th point; nil once the grid is exhausted.
///
/// A parameter's grid values are its explicit `values:` when given, else `distribution.gridValues(points:)`.
/// Conditional parameters are enumerated only below the parent values that activate them, so a grid over a
/// conditional space lists each distinct full assignment exactly once.
public struct GridSampler: Sampler {
    /// The largest grid the sampler agrees to enumerate.
    public static let maximumPoints = 1_000_000

    /// The grid values per parameter, in space order.
    public let axes: [[ParameterValue]]
    /// The number of points in the grid.
    public let count: Int
    private let names: [String]
    /// For conditional spaces: every point as value indices per parameter (-1 = inactive), `names.count` per point.
    private let enumerated: [Int32]?

    /// Builds the grid of `space` with `points` values per numeric parameter lacking explicit values.
    /// Throws when a parameter has no grid values, an explicit value lies outside its distribution, or the grid
    /// would exceed `maximumPoints`.
    public init(space: SearchSpace, points: Int) throws {
        guard points >= 1 else { throw SamplerError("grid: points per parameter must be at least 1 (got \(points))") }
        var axes: [[ParameterValue]] = []
        for parameter in space.parameters {
            let values = parameter.gridValues ?? parameter.distribution.gridValues(points: points)
            guard !values.isEmpty else { throw SamplerError("grid: parameter '\(parameter.name)' has no grid values") }
            if let bad = values.first(where: { !parameter.distribution.contains($0) }) {
                throw SamplerError("grid: value \(bad) of parameter '\(parameter.name)' lies outside its distribution")
            }
            axes.append(values)
        }
        self.axes = axes
        self.names = space.names
        if space.parameters.allSatisfy({ $0.condition.isEmpty }) {
            var total = 1
            for axis in axes {
                let (product, overflow) = total.multipliedReportingOverflow(by: axis.count)
                guard !overflow, product <= Self.maximumPoints else {
                    throw SamplerError("grid: \(Self.describe(axes)) is more than the limit of \(Self.maximumPoints)")
                }
                total = product
            }
            self.count = total
            self.enumerated = nil
        } else {
            var points: [Int32] = []
            var current = [Int32](repeating: -1, count: axes.count)
            var produced = 0
            try Self.enumerate(
                space: space, axes: axes, at: 0, values: ParameterSet(), current: &current, into: &points, count: &produced)
            self.count = produced
            self.enumerated = points
        }
    }

    public var learnsFromHistory: Bool { false }

    public func suggest(index: Int, space: SearchSpace, history: TrialHistory) -> ParameterSet? {
        guard index >= 0, index < count else { return nil }
        var values = ParameterSet()
        if let enumerated {
            let base = index * names.count
            for (p, name) in names.enumerated() {
                let k = Int(enumerated[base + p])
                if k >= 0 { values[name] = axes[p][k] }
            }
            return values
        }
        var rest = index
        for p in stride(from: axes.count - 1, through: 0, by: -1) {
            values[names[p]] = axes[p][rest % axes[p].count]
            rest /= axes[p].count
        }
        return values
    }

    private static func enumerate(
        space: SearchSpace, axes: [[ParameterValue]], at p: Int, values: ParameterSet, current: inout [Int32],
        into points: inout [Int32], count: inout Int
    ) throws {
        if p == axes.count {
            count += 1
            guard count <= maximumPoints else {
                throw SamplerError("grid: with its conditions, the space has more than the limit of \(maximumPoints) points (\(describe(axes)) without them)")
            }
            points.append(contentsOf: current)
            return
        }
        let parameter = space.parameters[p]
        guard parameter.isActive(given: values) else {
            current[p] = -1
            try enumerate(space: space, axes: axes, at: p + 1, values: values, current: &current, into: &points, count: &count)
            return
        }
        for (k, value) in axes[p].enumerated() {
            var next = values
            next[parameter.name] = value
            current[p] = Int32(k)
            try enumerate(space: space, axes: axes, at: p + 1, values: next, current: &current, into: &points, count: &count)
        }
        current[p] = -1
    }

    private static func describe(_ axes: [[ParameterValue]]) -> String {
        let total = axes.reduce(1.0) { $0 * Double($1.count) }
        let shown = total < 1e18 ? String(Int(total)) : String(total)
        return "a grid of " + axes.map { String($0.count) }.joined(separator: " × ") + " = \(shown) points"
    }
}

extension GridSampler {
    /// `searcher: {algorithm: grid, points}`.
    public static let entry = SamplerEntry(
        name: "grid", summary: "every combination of each parameter's grid values",
        options: [.int("points", min: 1, "values per numeric parameter without explicit `values` (default 5)")]
    ) { try GridSampler(space: $0.space, points: $0.options.int("points", default: 5)) }
}
