import ForageCore

/// Hyperband (`scheduler: hyperband`, Li et al. 2018) run asynchronously: several ASHA brackets that trade the number
/// of trials against how early they are judged.
///
/// Bracket `b` is an ASHA whose first rung is at `minResource · reduction^b` (bracket 0 is the most aggressive;
/// the last bracket may have no rung at all and lets its trials run to the end). A trial's bracket is a fixed
/// function of its number, following Hyperband's allocation: with `B` brackets, bracket `b` (which has
/// `s = B − 1 − b` halvings) gets a share `⌈B · reduction^s / (s + 1)⌉` of the trial numbers, taken in turn
/// (trial `n` falls at position `n mod Σ shares`). Trials only compete with trials of their own bracket.
public struct HyperbandScheduler: TrialScheduler {
    public let brackets: [ASHAScheduler]
    /// The share of trial numbers of each bracket, in bracket order.
    public let shares: [Int]

    /// The number of brackets that fit between `minResource` and `maxResource`: those with a first resource ≤ max.
    public static func bracketsThatFit(minResource: Int, maxResource: Int, reduction: Int) -> Int {
        var count = 0
        var r = max(minResource, 1)
        while r <= maxResource {
            count += 1
            let (next, overflow) = r.multipliedReportingOverflow(by: max(reduction, 2))
            if overflow { break }
            r = next
        }
        return max(count, 1)
    }

    /// Builds `brackets` brackets (default: all that fit).
    public init(minResource: Int, maxResource: Int, reduction: Int, brackets: Int? = nil) {
        let count = brackets ?? Self.bracketsThatFit(minResource: minResource, maxResource: maxResource, reduction: reduction)
        var shares: [Int] = []
        for b in 0..<count {
            let s = count - 1 - b
            var power = 1.0
            for _ in 0..<s { power *= Double(reduction) }
            shares.append(Int(min((Double(count) * power / Double(s + 1)).rounded(.up), 1e9)))
        }
        self.shares = shares
        let total = shares.reduce(0, +)
        var scheduled: [ASHAScheduler] = []
        var first = minResource
        for b in 0..<count {
            let rungs = ASHARungs(minResource: first, maxResource: maxResource, reduction: reduction)
            let cumulative = shares[..<b].reduce(0, +)
            let share = shares[b]
            let mate: @Sendable (Int) -> Bool = { number in
                let position = ((number % total) + total) % total
                return position >= cumulative && position < cumulative + share
            }
            scheduled.append(ASHAScheduler(rungs: rungs, label: "bracket \(b): ", isRungMate: mate))
            first = first.multipliedReportingOverflow(by: reduction).overflow ? Int.max : first * reduction
        }
        self.brackets = scheduled
    }

    public var judgesReports: Bool { true }

    /// The bracket trial `number` belongs to.
    public func bracket(of number: Int) -> Int {
        let total = shares.reduce(0, +)
        var position = ((number % total) + total) % total
        for (b, share) in shares.enumerated() {
            if position < share { return b }
            position -= share
        }
        return shares.count - 1
    }

    public func decide(trial number: Int, step: Int, value: Double, history: TrialHistory) -> SchedulerDecision {
        brackets[bracket(of: number)].decide(trial: number, step: step, value: value, history: history)
    }
}

extension HyperbandScheduler {
    /// `scheduler: {algorithm: hyperband, resource, min, max, reduction, brackets}`.
    public static let entry = SchedulerEntry(
        name: "hyperband", summary: "several ASHA brackets trading trial count against how early they are judged",
        options: ResourceOptions.keys + [.int("brackets", min: 1, "how many brackets (default: all that fit between min and max)")]
    ) { context in
        let resources = try ResourceOptions(context, scheduler: "hyperband")
        let fit = bracketsThatFit(minResource: resources.minResource, maxResource: resources.maxResource, reduction: resources.reduction)
        let brackets = context.options.int("brackets")
        if let brackets, brackets < 1 || brackets > fit {
            throw SchedulerError(
                "scheduler hyperband: brackets must be between 1 and \(fit) for min \(resources.minResource), "
                    + "max \(resources.maxResource) and reduction \(resources.reduction) (got \(brackets))", key: "brackets")
        }
        return HyperbandScheduler(
            minResource: resources.minResource, maxResource: resources.maxResource, reduction: resources.reduction, brackets: brackets)
    }
}
