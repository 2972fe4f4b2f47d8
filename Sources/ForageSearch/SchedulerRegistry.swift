import ForageCore

/// Every early-stopping scheduler Forage knows, by spec name. Adding one is one file declaring its `SchedulerEntry`
/// plus one line here (and one row in the scheduler contract test).
public enum SchedulerRegistry {
    public static let entries: [SchedulerEntry] = [
        NoScheduler.entry,
        MedianScheduler.entry,
        ASHAScheduler.entry,
        HyperbandScheduler.entry,
    ]

    public static var names: [String] { entries.map(\.name) }

    public static func entry(named name: String) -> SchedulerEntry? {
        entries.first { $0.name == name }
    }

    /// The scheduler `spec` names; `trialSteps` is the trial block's `steps` (the default largest resource).
    /// Throws a `SchedulerError` naming the option when the options do not fit together.
    public static func make(_ spec: SchedulerSpec, trialSteps: Int? = nil) throws -> any TrialScheduler {
        guard let entry = entry(named: spec.algorithm) else {
            throw SchedulerError("'\(spec.algorithm)' is not a scheduler; allowed: \(names.joined(separator: ", "))")
        }
        return try entry.build(SchedulerContext(options: spec.options, trialSteps: trialSteps))
    }
}
