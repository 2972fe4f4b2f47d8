/// The rung arithmetic of successive halving: rung `k` sits at resource `minResource · reduction^k`, for every
/// rung strictly below `maxResource` (a trial that reaches `maxResource` has nothing left to be promoted to).
public struct ASHARungs: Sendable, Equatable {
    public let minResource: Int
    public let maxResource: Int
    public let reduction: Int
    /// The resource (step) of each rung, ascending.
    public let resources: [Int]

    public init(minResource: Int, maxResource: Int, reduction: Int) {
        self.minResource = minResource
        self.maxResource = maxResource
        self.reduction = reduction
        var resources: [Int] = []
        var r = max(minResource, 1)
        while r < maxResource {
            resources.append(r)
            let (next, overflow) = r.multipliedReportingOverflow(by: max(reduction, 2))
            if overflow { break }
            r = next
        }
        self.resources = resources
    }

    /// The rung a trial reaches with a report at `step` when its previous report was at `previousStep` (nil for its
    /// first report): the highest rung with `previousStep < resource ≤ step`, or nil when the report crosses none.
    public func rungCrossed(previousStep: Int?, step: Int) -> Int? {
        var crossed: Int?
        for (k, r) in resources.enumerated() where r <= step && (previousStep.map { $0 < r } ?? true) {
            crossed = k
        }
        return crossed
    }

    /// A trial's value at rung `k`: its intermediate value at the first step ≥ the rung's resource.
    public func value(at k: Int, in intermediate: [Int: Double]) -> Double? {
        guard resources.indices.contains(k) else { return nil }
        let r = resources[k]
        var firstStep = Int.max
        var found: Double?
        for (s, v) in intermediate where s >= r && s < firstStep {
            firstStep = s
            found = v
        }
        return found
    }

    /// How many of `count` trials at a rung are promoted: the top `count / reduction`, but every trial while the rung
    /// holds at most `reduction` trials (a trial with fewer than `reduction` rung-mates is promoted).
    public func promotedCount(of count: Int) -> Int {
        count <= reduction ? count : count / reduction
    }
}
