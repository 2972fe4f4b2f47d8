import ForageCore

/// What a scheduler is built from: the spec's options and what the trial block says about steps.
public struct SchedulerContext: Sendable {
    public var options: AlgorithmOptions
    /// `trial.steps` of a built-in function (the default largest resource), when given.
    public var trialSteps: Int?

    public init(options: AlgorithmOptions = [:], trialSteps: Int? = nil) {
        self.options = options
        self.trialSteps = trialSteps
    }
}

/// How one early-stopping scheduler plugs into Forage: its spec name, its option keys, and how it is built.
///
/// Each scheduler file declares one (`static let entry`), and `SchedulerRegistry.entries` lists them. `build` must
/// depend on the context alone and throw a `SchedulerError` naming the option when options do not fit together; the
/// spec parser calls it once while reading the spec, so such errors surface before anything runs.
public struct SchedulerEntry: Sendable {
    public let name: String
    public let summary: String
    public let options: [OptionKey]
    public let build: @Sendable (SchedulerContext) throws -> any TrialScheduler

    public init(
        name: String, summary: String, options: [OptionKey] = [], build: @escaping @Sendable (SchedulerContext) throws -> any TrialScheduler
    ) {
        self.name = name
        self.summary = summary
        self.options = options
        self.build = build
    }
}
