import ForageCore
import ForageSpec
import ForageTesting
import Foundation
import Testing

@Suite struct SpecLoaderTests {
    static let valid = """
        name: demo
        objective: {metric: value, direction: minimize}
        trial: {function: branin, steps: 4}
        search_space:
          x: {type: float, low: -5, high: 10}
          y: {type: float, low: 0, high: 15, step: 0.5}
          k: {type: int, low: 1, high: 64, log: true}
          act: {type: categorical, choices: [relu, tanh]}
          alpha: {type: float, low: 1e-4, high: 1, log: true, when: {act: tanh}}
        searcher: {algorithm: random, seed: 7}
        budget: {trials: 12, parallel: 2, timeout: 5m, max_failures: 3, retries: 1}
        """

    func parse(_ text: String) throws -> ExperimentSpec {
        try SpecLoader.parse(text, file: "spec.yaml", baseDirectory: "/tmp")
    }

    @Test func aValidSpecParsesEverySection() throws {
        let spec = try parse(Self.valid)
        #expect(spec.name == "demo")
        #expect(spec.objective == Objective(metric: "value", direction: .minimize))
        #expect(spec.trial.kind == .function(name: "branin"))
        #expect(spec.trial.steps == 4)
        #expect(spec.searchSpace.names == ["x", "y", "k", "act", "alpha"])
        #expect(spec.searchSpace["alpha"]?.condition == ["act": [.string("tanh")]])
        #expect(spec.searchSpace["k"]?.distribution == .int(low: 1, high: 64, log: true, step: 1))
        #expect(spec.budget == Budget(trials: 12, parallel: 2, timeout: 300, maxFailures: 3, retries: 1))
        #expect(spec.searcher.seed == 7)
    }

    @Test func jsonSpecsAreAccepted() throws {
        let json = """
            {"name": "j", "objective": {"metric": "value", "direction": "maximize"}, "trial": {"function": "noop"},
             "search_space": {"a": {"type": "int", "low": 0, "high": 3}}, "budget": {"trials": 3}}
            """
        let spec = try parse(json)
        #expect(spec.objective.direction == .maximize)
        #expect(spec.budget.trials == 3)
    }

    /// Each bad input names the key path and what is allowed.
    @Test(arguments: [
        ("budget: {trials: 3, paralel: 2}", "budget.paralel", "did you mean 'parallel'"),
        ("budget: {trials: -4}", "budget.trials", "at least 1"),
        ("search_space: {x: {type: float, low: 2, high: 1}}", "search_space.x.low", "must not be greater than high"),
        ("search_space: {x: {type: float, low: 0, high: 1, log: true}}", "search_space.x.low", "log: true needs low > 0"),
        ("search_space: {x: {type: categorical, choices: []}}", "search_space.x.choices", "at least one choice"),
        ("searcher: {algorithm: annealing}", "searcher.algorithm", "allowed: grid, random, sobol, tpe, cmaes, gp"),
        ("searcher: {algorithm: cmaess}", "searcher.algorithm", "did you mean 'cmaes'"),
        ("searcher: {algorithm: tpe, gama: 0.2}", "searcher.gama", "did you mean 'gamma'"),
        ("searcher: {algorithm: tpe, gamma: 1.5}", "searcher.gamma", "must be in (0.0, 1.0)"),
        ("searcher: {algorithm: cmaes, sigma0: 0}", "searcher.sigma0", "must be in (0.0, 1.0]"),
        ("searcher: {algorithm: cmaes, restarts: bipop}", "searcher.restarts", "allowed: ipop, none"),
        ("searcher: {algorithm: gp, n_startup: 0}", "searcher.n_startup", "must be at least 1"),
        ("searcher: {algorithm: random, points: 3}", "searcher.points", "unknown key"),
        ("scheduler: {algorithm: asha, min: 9, max: 9}", "scheduler.min", "must be smaller than max"),
        ("scheduler: {algorithm: hyperband, min: 1, max: 9, brackets: 7}", "scheduler.brackets", "brackets must be between 1 and 3"),
        ("scheduler: {algorithm: median, n_warmup: -1}", "scheduler.n_warmup", "must be at least 0"),
        ("objective: {metric: value, direction: minimise}", "objective.direction", "did you mean 'minimize'"),
        ("trial: {function: hartman6}", "trial.function", "did you mean 'hartmann6'"),
        ("search_space: {x: {type: float, low: 0, high: 1, when: {y: 1}}}", "search_space.x.when.y", "unknown key"),
        ("search_space: {x: {type: int, low: 0, high: 10, step: 3}}", "search_space.x.step", "multiple of step"),
        ("budget: {trials: three}", "budget.trials", "expected an integer"),
    ])
    func badInputNamesTheKeyPath(override: String, keyPath: String, fragment: String) throws {
        let base: [String: String] = [
            "objective": "objective: {metric: value, direction: minimize}",
            "trial": "trial: {function: noop}",
            "search_space": "search_space: {x: {type: float, low: 0, high: 1}}",
        ]
        let section = String(override.prefix(while: { $0 != ":" }))
        var lines = base.filter { $0.key != section }.map(\.value)
        lines.append(override)
        if section == "trial" { lines.append("") }
        let text = lines.joined(separator: "\n")
        let error = #expect(throws: SpecError.self) { try parse(text) }
        #expect(error?.keyPath == keyPath, "\(String(describing: error))")
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("spec.yaml") == true)
    }

    @Test func missingObjectiveEmptyAndMalformedFilesAreErrors() throws {
        let noObjective = #expect(throws: SpecError.self) {
            try parse("trial: {function: noop}\nsearch_space: {x: {type: float, low: 0, high: 1}}")
        }
        #expect(noObjective?.keyPath == "objective")
        let empty = #expect(throws: SpecError.self) { try parse("") }
        #expect(empty?.description.contains("is empty") == true)
        let malformed = #expect(throws: SpecError.self) { try parse("objective: {metric: value\n  direction: [") }
        #expect(malformed?.description.contains("not valid YAML") == true)
        let missing = #expect(throws: SpecError.self) { try SpecLoader.load(path: "/nonexistent/forage/spec.yaml") }
        #expect(missing?.description == "/nonexistent/forage/spec.yaml: no such file")
    }

    @Test func searchSpaceFilesResolveAgainstTheSpec() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("Search/space.yaml", "lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n")
        let spec = try directory.write("Experiments/x.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {command: "echo {lr}"}
            search_space: ../Search/space.yaml
            """)
        let loaded = try SpecLoader.load(path: spec.path)
        #expect(loaded.name == "x")
        #expect(loaded.searchSpace.names == ["lr"])
        #expect(loaded.trial.kind == .command(arguments: ["/bin/sh", "-c", "echo {lr}"]))
    }
}
