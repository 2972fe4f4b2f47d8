import ArgumentParser
import ForageBackends
import ForageCore
import ForageEngine
import ForageExecutor
import ForageRegistry
import ForageRemote
import ForageServer
import ForageCoordinator
import ForageHTTP
import ForageML
import ForageSpec
import ForageStore
import Foundation

extension Forage {
    /// `forage run SPEC`: create an experiment and run it to its budget.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an experiment from a spec file and run it to its budget.")

        @Argument(help: "The experiment spec (YAML or JSON).")
        var spec: String

        @Option(help: "Name of the experiment (default: the spec's name).")
        var name: String?

        @OptionGroup var budget: BudgetOverrides

        @Option(parsing: .unconditional, help: "Searcher seed (overrides searcher.seed).")
        var seed: Int?

        @Option(name: .customLong("tag"), help: "A tag KEY=VALUE for the experiment (repeatable).")
        var tags: [String] = []

        @OptionGroup var coordinator: CoordinatorOptions

        @Flag(help: "On a PostgreSQL store: let `forage worker --store` processes claim this experiment's trials, and take the driver's role over if this process dies.")
        var shared = false

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if shared && coordinator.listen != nil { throw ValidationError("--shared and --listen are two ways to add workers; use one") }
            _ = try TagArguments.parse(tags)
            if let seed, seed < 0 { throw ValidationError("--seed must be a non-negative integer, got \(seed)") }
            if let name, !ExperimentName.isValid(name) {
                throw ValidationError("--name '\(name.prefix(40))' is not a valid experiment name (\(ExperimentName.rule))")
            }
        }

        func run() async throws {
            try await reportingErrors {
                // budget.time counts from the process's start: starting, loading the data and the refit are inside it.
                let origin = ContinuousClock.now - ProcessAge.current()
                var experiment = try SpecLoader.load(path: spec)
                if let name { experiment.name = name }
                if let seed { experiment.searcher.seed = UInt64(seed) }
                if let parallel = budget.parallel { experiment.budget.parallel = parallel }
                let (executor, data, prepared) = try TrialSetup.makeWithData(for: experiment)
                let trials = budget.totalTrials(from: experiment.budget.trials)
                var options = RunOptions(trials: trials, parallel: budget.parallel, progress: ProgressPrinter.make())
                options.remote = coordinator.remote
                options.timeOrigin = origin
                let folds = prepared.flatMap { ModelEvaluation.resolve(experiment, data: $0).folds }
                if let folds, let prepared {
                    printNote("trials are scored by \(folds)-fold cross-validation on the \(prepared.train.count + prepared.validation.count) training + validation rows (data.evaluation: \(experiment.data?.evaluation.rawValue ?? "auto"))")
                }
                if experiment.refitsAtEnd, let data {
                    options.refitEstimate = { seconds in
                        Refit.estimatedSeconds(bestTrialSeconds: seconds, trainRows: data.trainRows, validationRows: data.validationRows, folds: folds)
                    }
                }
                options.warmStartStore = try await WarmStartSetup.store(for: experiment)
                let listener = try coordinator.configuration()
                // A busy --listen port is refused before the experiment exists, so a corrected `run` is not refused.
                if let listener {
                    try ListenError.probe(
                        host: listener.host, port: listener.port, busyHint: "is another coordinator running? --listen HOST:0 picks a free port")
                }
                // Everything that can refuse the run is checked before the store is touched.
                var checked = experiment
                if let trials { checked.budget.trials = trials }
                if shared {
                    try await runShared(checked, data: data, prepared: prepared)
                    return
                }
                try SearchEngine.validate(checked, options: options)
                let store = try await storeOptions.open(.create)
                let engine = try await ExperimentRunner.start(
                    spec: experiment, specPath: URL(fileURLWithPath: spec).standardized.path, data: data, store: store.experiments,
                    executor: executor, options: options)
                WarmStartSetup.note(engine.warmStart, spec: experiment)
                if !tags.isEmpty { _ = try await store.experiments.tagExperiment(experiment.name, try TagArguments.parse(tags)) }
                if case .external = experiment.trial.kind {
                    // Its trials run elsewhere: the experiment is created and released at once.
                    try await engine.closeExternal()
                    print(
                        "created external experiment '\(experiment.name)' (budget \(trials ?? experiment.budget.trials) trials): "
                            + "`forage ask \(experiment.name)` hands out a trial, `forage tell \(experiment.name) TRIAL --metrics '{\"\(experiment.objective.metric)\": …}'` records it")
                    return
                }
                try await RunSession.run(
                    engine, store: store, name: experiment.name, promote: experiment.promotionRequest, refit: experiment,
                    refitData: prepared, coordinator: listener.map { ($0, CoordinatorOptions.document(for: experiment, specPath: spec)) })
            }
        }

        /// `run --shared`: creates the experiment, then drives it and runs its local slots as a store worker. When the
        /// search finishes while this process takes part, it refits and promotes as a local run does (the trials' model
        /// files are in the store, so it may promote a trial another machine ran).
        private func runShared(_ spec: ExperimentSpec, data: DataInfo?, prepared: PreparedData?) async throws {
            let started = Date()
            let store = try await storeOptions.open(.create)
            let shared = try SharedSearch.shared(store, "--shared")
            var options = SharedRunOptions()
            options.leaseSeconds = coordinator.leaseTimeout
            options.log = { printNote($0) }
            let record = try await ExperimentRunner.startShared(
                spec: spec, specPath: URL(fileURLWithPath: self.spec).standardized.path, data: data, store: shared, options: options)
            if !tags.isEmpty { _ = try await store.experiments.tagExperiment(spec.name, try TagArguments.parse(tags)) }
            let (parsed, executor) = try SharedSearch.prepare(record, directory: nil)
            printNote("experiment '\(spec.name)' is shared: `forage worker --store URL --experiment \(spec.name)` adds workers")
            if spec.budget.timeout != nil {
                printNote("budget.timeout is not applied on a shared run (its trials run on other machines' workers); budget.time and budget.trials are")
            }
            _ = try await SharedSearch.participate(
                store: shared, record: record, spec: parsed, executor: executor, slots: spec.budget.parallel,
                name: "\(ProcessInfo.processInfo.hostName)-\(getpid())", options: options)
            let state = try await SharedSearch.finish(store: shared, name: spec.name, started: started)
            guard state == ExperimentState.finished.rawValue else { return }
            if spec.refitsAtEnd, prepared != nil, try await shared.best(try await shared.requireExperiment(spec.name)) != nil {
                let record = try await Refit.run(spec: spec, name: spec.name, store: store.experiments, data: prepared)
                print(Forage.RefitCommand.summary(record))
            }
            if let promote = spec.promotionRequest { try await AutoPromotion.run(promote, store: store) }
        }
    }

    /// `forage resume NAME`: continue an interrupted experiment.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Continue an interrupted experiment: only the missing trials run, and nothing finished runs again.")

        @Argument(help: "The experiment's name.")
        var name: String

        @OptionGroup var budget: BudgetOverrides

        @Flag(help: "Take the experiment over even while its owner still runs (that owner is fenced out and stops).")
        var force = false

        @Flag(help: "Resume even though the data file changed: its new version is recorded beside the old one.")
        var allowDataChange = false

        @OptionGroup var coordinator: CoordinatorOptions

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = try await storeOptions.open(.write)
                let record = try await store.experiments.requireExperiment(name)
                if let shared = store.experiments as? any SharedTrialStore, try await shared.sharedExperiments().contains(where: { $0.name == name }) {
                    // A shared experiment goes on where it is: this process joins it (driving when the role is free).
                    let started = Date()
                    let (spec, executor) = try SharedSearch.prepare(record, directory: nil)
                    var options = SharedRunOptions()
                    options.leaseSeconds = try await shared.queueState(experiment: record.id).claimLease ?? coordinator.leaseTimeout
                    options.log = { printNote($0) }
                    _ = try await SharedSearch.participate(
                        store: shared, record: record, spec: spec, executor: executor, slots: budget.parallel ?? spec.budget.parallel,
                        name: "\(ProcessInfo.processInfo.hostName)-\(getpid())", options: options)
                    try await SharedSearch.finish(store: shared, name: name, started: started)
                    return
                }
                let done = try await store.experiments.counts(experiment: record.id).finished
                let total = budget.totalTrials(from: record.budgetTrials) ?? record.budgetTrials
                if total <= done {
                    printNote(
                        "the budget is already met: \(done) trial\(done == 1 ? " is" : "s are") done and the budget is \(total) in all; "
                            + "nothing new runs (--trials is the experiment's total: pass more than \(done), or +N for N more, to run more)")
                }
                let base = record.specPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
                var experiment = try SpecLoader.parse(record.spec, file: record.specPath ?? name, baseDirectory: base)
                experiment.name = record.name
                experiment.searcher.seed = record.seed
                if case .external = experiment.trial.kind {
                    throw CLIError("experiment '\(name)' is external: its trials run through `forage ask \(name)` and `forage tell`, not resume")
                }
                if let parallel = budget.parallel { experiment.budget.parallel = parallel }
                let (executor, data) = try TrialSetup.make(for: experiment)
                var options = RunOptions(
                    trials: total, parallel: budget.parallel, progress: ProgressPrinter.make())
                options.remote = coordinator.remote
                options.warmStartStore = try await WarmStartSetup.store(for: experiment)
                let listener = try coordinator.configuration()
                let engine = try await ExperimentRunner.resume(
                    spec: experiment, store: store.experiments, executor: executor, options: options, force: force, data: data,
                    allowDataChange: allowDataChange)
                WarmStartSetup.note(engine.warmStart, spec: experiment)
                if let data, data.sha256 != record.data?.sha256 {
                    printNote("recorded a new data version: \(data.path) sha256 \(data.sha256.prefix(12))…, \(data.rows) rows (was \(record.data.map { "\($0.sha256.prefix(12))…, \($0.rows) rows" } ?? "none"))")
                }
                try await RunSession.run(
                    engine, store: store, name: record.name, promote: experiment.promotionRequest, refit: experiment,
                    coordinator: listener.map { ($0, CoordinatorOptions.document(for: experiment, specPath: record.specPath)) })
            }
        }
    }
}

extension ExperimentSpec {
    /// The spec's `promote:` block as a request for its best trial.
    var promotionRequest: PromotionRequest? {
        promote.map { PromotionRequest(experiment: name, model: $0.model, alias: $0.alias, ifBetter: $0.ifBetter) }
    }
}

/// `--trials` and `--parallel`, shared by `run` (overriding the spec) and `resume` (changing the stored budget).
struct BudgetOverrides: ParsableArguments {
    // `.unconditional` takes `-2` as the value (to be refused below), not as an unknown option.
    @Option(
        parsing: .unconditional,
        help: "Total number of trials for the experiment (overrides budget.trials), or +N for N more than its budget so far.")
    var trials: TrialCount?

    @Option(parsing: .unconditional, help: "Trials run at once (overrides budget.parallel).")
    var parallel: Int?

    /// The experiment's total budget given the budget it had so far (the spec's, or the one recorded in the store).
    func totalTrials(from current: Int) -> Int? { trials?.total(from: current) }

    func validate() throws {
        if let trials, !trials.isPositive {
            throw ValidationError("--trials must be a positive integer (the experiment's total) or +N (N more), got \(trials.written)")
        }
        if let parallel, parallel < 0 {
            throw ValidationError("--parallel must be a non-negative integer (0 runs trials only on remote workers, with --listen), got \(parallel)")
        }
    }
}

/// `--trials N` (the experiment's total) or `--trials +N` (N more than its budget so far).
enum TrialCount: ExpressibleByArgument, Equatable {
    case total(Int)
    case more(Int)

    init?(argument: String) {
        let relative = argument.hasPrefix("+")
        let digits = relative ? String(argument.dropFirst()) : argument
        guard !digits.hasPrefix("+"), let count = Int(digits) else { return nil }
        self = relative ? .more(count) : .total(count)
    }

    /// The count as the user wrote it, for messages.
    var written: String {
        switch self {
        case .total(let count): "\(count)"
        case .more(let count): "+\(count)"
        }
    }

    /// Whether the count is at least one.
    var isPositive: Bool {
        switch self {
        case .total(let count), .more(let count): count >= 1
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// The total budget this count asks for, given the budget so far.
    func total(from current: Int) -> Int {
        switch self {
        case .total(let count): count
        case .more(let count): current + count
        }
    }
}

/// Runs an engine with Ctrl-C / SIGTERM handling and prints the closing summary.
enum RunSession {
    /// Why the refit does not run: its estimate would end after `budget.time`. Nil when it runs (no time budget, or it fits).
    static func refitSkip(_ engine: SearchEngine, data: PreparedData?, spec: ExperimentSpec?) async -> String? {
        guard let end = engine.budgetEnd, let data, let seconds = await engine.bestTrialSeconds else { return nil }
        let folds = spec.flatMap { ModelEvaluation.resolve($0, data: data).folds }
        let estimate = Refit.estimatedSeconds(
            bestTrialSeconds: seconds, trainRows: data.train.count, validationRows: data.validation.count, folds: folds, margin: false)
        let left = ContinuousClock.now.duration(to: end)
        let leftSeconds = Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18
        guard estimate > leftSeconds else { return nil }
        return String(
            format: "refit skipped: it would take about %.1f s and budget.time has %.1f s left; promote takes the best trial's model",
            estimate, max(0, leftSeconds))
    }

    /// Runs the engine; when it finished and `promote` is given (the spec's `promote:` block), promotes the best trial.
    /// With `coordinator`, the run also serves the workers' API (`--listen`) until it ends.
    /// `say` writes the closing summary (stdout; `forage pipeline --format json` sends it to stderr).
    static func run(
        _ engine: SearchEngine, store: OpenStore, name: String, promote: PromotionRequest? = nil, refit: ExperimentSpec? = nil,
        refitData: PreparedData? = nil, coordinator: (CoordinatorConfiguration, CoordinatorAPI.SpecDocument)? = nil, say: (String) -> Void = { print($0) }
    ) async throws {
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                Task { await engine.interrupt(number == SIGINT ? "interrupted by Ctrl-C" : "stopped by SIGTERM") }
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let summary: RunSummary
        if let (configuration, document) = coordinator {
            summary = try await Coordinator.run(engine, spec: document, configuration: configuration, logger: ServerLogging.logger(level: .warning)) { host, port in
                let scope = configuration.isLoopback
                    ? "loopback only; --listen 0.0.0.0:\(port) accepts workers from other machines"
                    : "reachable from other machines: \(configuration.tls == nil ? "plain HTTP" : "TLS"), bearer token required"
                printNote("coordinator listening on \(configuration.tls == nil ? "http" : "https")://\(host):\(port) (\(scope))")
            }
        } else {
            summary = try await engine.run()
        }
        ProgressPrinter.finish()
        var line = summary.done > summary.total
            ? "\(summary.state): \(summary.done) trials done, more than the budget of \(summary.total), which is already met"
            : "\(summary.state): \(summary.done)/\(summary.total) trials"
        if summary.failed > 0 { line += ", \(summary.failed) failed" }
        if let best = summary.best, let trial = summary.bestTrial { line += ", best \(Format.number(best)) (trial \(trial))" }
        line += String(format: ", %.1f s", summary.elapsed)
        say(line)
        if let message = summary.message { summary.isError ? printError(message) : printNote(message) }
        if summary.isError { throw ExitCode.failure }
        if summary.state == "interrupted" { throw ExitCode(130) }
        if let refit, refit.refitsAtEnd, summary.state == "finished", summary.bestTrial != nil {
            if let skip = await refitSkip(engine, data: refitData, spec: refit) {
                printNote(skip)
            } else {
                let record = try await Refit.run(spec: refit, name: name, store: store.experiments, data: refitData)
                say(Forage.RefitCommand.summary(record))
            }
        }
        if let promote, summary.state == "finished" {
            try await AutoPromotion.run(promote, store: store)
        }
    }
}
