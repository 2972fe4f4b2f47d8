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

    /// The loss a trial must match or beat to be promoted from a rung where the other trials recorded `losses`: the
    /// order statistic at the `1/reduction` quantile (NumPy's "lower" percentile: the `⌊(n−1)/reduction⌋`-th best of
    /// the `n`), always one of the recorded values, so at most about `1/reduction` of the trials go on from the second
    /// on. Nil when no other trial has reached the rung: the first one goes on.
    public func cutoff(losses: [Double]) -> Double? {
        let sorted = losses.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return nil }
        return sorted[(sorted.count - 1) / max(reduction, 2)]
    }
}
