import Foundation

/// A validated experiment: what a trial runs, over which space, with which searcher, scheduler and budget.
/// Built by `ForageSpec` from a YAML or JSON file; every field here has already been checked.
public struct ExperimentSpec: Sendable, Equatable {
    public var name: String
    /// Every objective (`objective:` gives one, `objectives:` several) and the `constraints:`.
    public var goals: ObjectiveSet
    /// The primary (first) objective: the trial's `value`, what schedulers and single-objective samplers use.
    public var objective: Objective {
        get { goals.primary }
        set { goals.objectives[0] = newValue }
    }
    public var trial: TrialSpec
    public var data: DataSpec?
    public var searchSpace: SearchSpace
    public var searcher: SearcherSpec
    public var scheduler: SchedulerSpec
    public var budget: Budget
    public var promote: PromoteSpec?
    /// The GPUs command trials share (`resources:`), or nil.
    public var resources: ResourceSpec?
    /// `refit:` — retrain the best configuration on training + validation rows when the search ends. Nil = the
    /// default: on for `model:` trials, off otherwise (only built-in models can be refitted).
    public var refit: Bool?
    /// `enqueue:` — exact parameter sets that run before any sampled trial (checked against the space), queued in
    /// the store when the experiment is created.
    public var enqueue: [ParameterSet] = []
    /// `warm_start:` — another experiment whose completed trials the sampler learns from, or nil.
    public var warmStart: WarmStartSpec?
    /// The spec's text as given, kept in the store with its SHA-256.
    public var source: String
    /// The folder relative paths (data, commands' working directory) are resolved against.
    public var baseDirectory: String

    public init(
        name: String, objective: Objective, trial: TrialSpec, data: DataSpec? = nil, searchSpace: SearchSpace,
        searcher: SearcherSpec = SearcherSpec(), scheduler: SchedulerSpec = SchedulerSpec(), budget: Budget = Budget(),
        promote: PromoteSpec? = nil, source: String = "", baseDirectory: String = "."
    ) {
        self.name = name
        self.goals = ObjectiveSet(objective)
        self.trial = trial
        self.data = data
        self.searchSpace = searchSpace
        self.searcher = searcher
        self.scheduler = scheduler
        self.budget = budget
        self.promote = promote
        self.source = source
        self.baseDirectory = baseDirectory
    }

    /// Whether the search ends with a refit: `refit:` as given, else true for `model:` trials.
    public var refitsAtEnd: Bool {
        guard case .model = trial.kind else { return false }
        return refit ?? true
    }
}

/// What one trial runs.
public struct TrialSpec: Sendable, Equatable {
    /// What runs: a shell command, a built-in function, a Forage trainer, or nothing here (ask/tell).
    public enum Kind: Sendable, Equatable {
        /// A built-in benchmark function (branin, hartmann6, rosenbrock, ackley, sphere, styblinski, zdt1, dtlz2, noop, sleep…).
        case function(name: String)
        /// A built-in trainer (ridge, logistic, mlp, gbdt, auto) on the spec's `data:`.
        case model(family: String)
        /// Any program, run per DESIGN §5; `arguments[0]` is looked up on PATH when it has no slash.
        case command(arguments: [String])
        /// Trials run by a loop Forage does not run (`external: true`): `forage ask` hands out parameters and
        /// `forage tell` records results.
        case external
    }

    public var kind: Kind
    /// Built-in functions: report this many intermediate values before the final one.
    public var steps: Int?
    /// Per-trial wall-clock limit in seconds.
    public var timeout: Double?
    /// Seconds between SIGTERM and SIGKILL when a command is stopped.
    public var gracePeriod: Double
    /// Extra environment variables for command trials.
    public var environment: [String: String]
    /// True when `command` was one shell string (run as `/bin/sh -c STRING`): placeholder values are then quoted
    /// for the shell. False for an argv array, whose values are substituted as they are.
    public var isShellString = false
    /// How the command prints its metrics (`trial.metrics`); JSON lines by default.
    public var metricFormat: MetricFormat = .json
    /// How parameters reach the command besides placeholders and the environment (`trial.args`).
    public var argumentStyle: ArgumentStyle = .placeholders
    /// `function: dtlz2`: how many objectives it reports (`trial.objectives`, 3 when nil).
    public var functionObjectives: Int?
    /// External trials: seconds an asked trial's lease lives without a `tell` (`trial.lease`); then it fails as
    /// `lost-worker` and is re-queued.
    public var leaseTimeout: Double = 600

    public init(kind: Kind, steps: Int? = nil, timeout: Double? = nil, gracePeriod: Double = 5, environment: [String: String] = [:]) {
        self.kind = kind
        self.steps = steps
        self.timeout = timeout
        self.gracePeriod = gracePeriod
        self.environment = environment
    }
}

/// The dataset of a `model:` trial.
public struct DataSpec: Sendable, Equatable {
    /// What the model predicts: a class or a number.
    public enum Task: String, Sendable, Codable, CaseIterable {
        case classification
        case regression
    }

    /// What to do with a row that has an empty cell (`data.missing`).
    public enum MissingValues: String, Sendable, Codable, CaseIterable {
        case error
        case mean
        case median
        case drop
        /// Keep missing numeric cells: gbdt sends them down a learned side of each split; the other families
        /// train on the training mean in their place.
        case native
    }

    /// How a model trial's configuration is scored (`data.evaluation`).
    public enum Evaluation: String, Sendable, Codable, CaseIterable {
        /// Cross-validation for small data under `budget.time`, holdout otherwise (the rule is in README's spec
        /// reference and `ModelEvaluation.resolve`).
        case auto
        /// Train on the training rows, score on the validation rows.
        case holdout
        /// k-fold cross-validation on training + validation rows (`data.folds`); the mean over the folds is scored.
        case cv
    }

    /// The CSV file, already resolved against the spec's folder.
    public var path: String
    public var target: String
    public var task: Task
    public var validation: Double
    public var test: Double
    public var seed: UInt64
    public var categorical: [String]
    public var missing: MissingValues
    /// The CSV field separator (`data.delimiter`): one ASCII character, a comma by default.
    public var delimiter: UInt8
    /// How trials are scored: holdout or k-fold cross-validation (`data.evaluation`, `auto` by default).
    public var evaluation: Evaluation = .auto
    /// The number of folds when trials are cross-validated (`data.folds`, 5 by default).
    public var folds: Int = 5

    public init(
        path: String, target: String, task: Task, validation: Double = 0.2, test: Double = 0.2, seed: UInt64 = 0,
        categorical: [String] = [], missing: MissingValues = .error, delimiter: UInt8 = UInt8(ascii: ",")
    ) {
        self.delimiter = delimiter
        self.path = path
        self.target = target
        self.task = task
        self.validation = validation
        self.test = test
        self.seed = seed
        self.categorical = categorical
        self.missing = missing
    }
}

/// Which searcher proposes parameters, with its options. The algorithm is named by its spec name (`tpe`, `cmaes`, …)
/// and its options are kept by key: ForageSearch's sampler registry declares, checks and interprets them, so adding a
/// sampler changes nothing here.
public struct SearcherSpec: Sendable, Equatable {
    /// The sampler's spec name, as registered in ForageSearch (`SamplerRegistry`).
    public var algorithm: String
    public var seed: UInt64
    /// The section's other keys, checked against the sampler's declared options.
    public var options: AlgorithmOptions

    public init(algorithm: String = "random", seed: UInt64 = 0, options: AlgorithmOptions = [:]) {
        self.algorithm = algorithm
        self.seed = seed
        self.options = options
    }
}

/// Which early-stopping scheduler judges intermediate reports, with its options (by key, interpreted by
/// ForageSearch's scheduler registry).
public struct SchedulerSpec: Sendable, Equatable {
    /// The scheduler's spec name, as registered in ForageSearch (`SchedulerRegistry`).
    public var algorithm: String
    /// The section's other keys, checked against the scheduler's declared options.
    public var options: AlgorithmOptions

    public init(algorithm: String = "none", options: AlgorithmOptions = [:]) {
        self.algorithm = algorithm
        self.options = options
    }
}

/// How much the experiment may spend.
public struct Budget: Sendable, Equatable {
    /// Total trials that reach a final state (re-queued attempts excepted).
    public var trials: Int
    /// Trials run at once in this process.
    public var parallel: Int
    /// Wall-clock limit for the whole run, in seconds: a hard stop that interrupts running trials (re-queued).
    public var timeout: Double?
    /// Search time, in seconds (`budget.time`): no trial starts after it; running ones finish (model trials end
    /// their training loop at it and complete with the model they have). Nil: no time limit.
    public var time: Double?
    /// Stop the run after this many failed trials.
    public var maxFailures: Int?
    /// Re-run an attempt that failed with an error or timeout this many times, with the same parameters.
    public var retries: Int

    /// The trial count of a budget that gives `time` and no `trials`: the clock decides.
    public static let trialsUnderTimeOnly = 10_000

    public init(trials: Int = 20, parallel: Int = 1, timeout: Double? = nil, time: Double? = nil, maxFailures: Int? = nil, retries: Int = 0) {
        self.trials = trials
        self.time = time
        self.parallel = parallel
        self.timeout = timeout
        self.maxFailures = maxFailures
        self.retries = retries
    }
}

/// After the run, promote the best trial's model into the registry.
public struct PromoteSpec: Sendable, Equatable {
    public var model: String
    public var alias: String?
    public var ifBetter: Bool

    public init(model: String, alias: String? = nil, ifBetter: Bool = false) {
        self.model = model
        self.alias = alias
        self.ifBetter = ifBetter
    }
}
