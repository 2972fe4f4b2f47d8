import ForageCore

/// The resource options successive-halving schedulers share (`resource`, `min`, `max`, `reduction`), read and
/// checked once for ASHA and Hyperband.
struct ResourceOptions {
    var minResource: Int
    var maxResource: Int
    var reduction: Int

    /// The keys, for the schedulers' entries.
    static let keys: [OptionKey] = [
        OptionKey("resource", .string, "the resource's name; reported steps count it (informational, default step)"),
        .int("min", min: 1, "the smallest resource (step) a trial gets (default 1)"),
        .int("max", min: 1, "the largest resource (default: the trial's `steps`, else 100)"),
        .int("reduction", min: 2, "the reduction factor η between rungs (default 3)"),
    ]

    /// Reads the options of `scheduler` (its spec name, for errors) and checks that they fit together.
    init(_ context: SchedulerContext, scheduler: String) throws {
        minResource = context.options.int("min", default: 1)
        maxResource = context.options.int("max", default: context.trialSteps ?? 100)
        reduction = context.options.int("reduction", default: 3)
        guard minResource >= 1 else { throw SchedulerError("scheduler \(scheduler): min must be at least 1 (got \(minResource))", key: "min") }
        guard minResource < maxResource else {
            throw SchedulerError("scheduler \(scheduler): min (\(minResource)) must be smaller than max (\(maxResource))", key: "min")
        }
        guard reduction >= 2 else { throw SchedulerError("scheduler \(scheduler): reduction must be at least 2 (got \(reduction))", key: "reduction") }
    }
}
