import ForageCore
import ForageTesting
import Foundation
import Testing

/// `forage export --format optuna` and `forage import optuna`, against the real Optuna (`FORAGE_TEST_PYTHON`, the
/// venv `make test` uses; skipped with the reason when that Python has no Optuna).
@Suite(.serialized, .enabled(if: OptunaPython.path != nil, "needs a Python with optuna (FORAGE_TEST_PYTHON=.build/venv/bin/python, as make test sets it)"))
struct OptunaInteropTests {
    static var python: String? { OptunaPython.path }

    func python(_ script: String, in directory: TemporaryDirectory) async throws -> String {
        try directory.write("check.py", script)
        return try await ForageProcess.runShellDetached("'\(Self.python ?? "python3")' check.py 2>&1", in: directory.url)
    }

    static func trials(_ name: String, in directory: TemporaryDirectory) async throws -> [[String: Any]] {
        let json = try await ForageProcess.runDetached(["trials", name, "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        return object?["trials"] as? [[String: Any]] ?? []
    }

    @Test func anExported200TrialTPESearchLoadsInOptunaWithTheSameTrialsAndBest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("b.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: branin, steps: 3}
            search_space:
              x: {type: float, low: -5, high: 10}
              y: {type: float, low: 0, high: 15}
              n: {type: int, low: 1, high: 4}
              c: {type: categorical, choices: [a, b]}
            searcher: {algorithm: tpe, seed: 7}
            scheduler: {algorithm: median, n_startup: 5}
            budget: {trials: 200, parallel: 2}
            """)
        let run = try await ForageProcess.runDetached(["run", "b.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let export = try await ForageProcess.runDetached(["export", "b", "--format", "optuna", "--output", "study.db"], in: directory.url)
        #expect(export.status == 0, "\(export.stderr)")
        let again = try await ForageProcess.runDetached(["export", "b", "--format", "optuna", "--output", "study.db"], in: directory.url)
        #expect(again.status == 1 && again.stderr.contains("study.db exists"), "\(again.stderr)")
        let output = try await python("""
            import json, optuna
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            study = optuna.load_study(study_name="b", storage="sqlite:///study.db")
            trials = [{"number": t.number, "state": t.state.name, "params": t.params, "value": t.value,
                       "steps": sorted(t.intermediate_values), "dist": {k: type(d).__name__ for k, d in t.distributions.items()}}
                      for t in study.trials]
            print(json.dumps({"trials": trials, "best": study.best_trial.number, "best_value": study.best_value,
                              "direction": study.direction.name}))
            """, in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        let exported = try #require(object["trials"] as? [[String: Any]])
        let forage = try await Self.trials("b", in: directory)
        #expect(exported.count == 200)
        #expect(forage.count == 200)
        #expect(object["direction"] as? String == "MINIMIZE")
        let states = ["completed": "COMPLETE", "pruned": "PRUNED", "failed": "FAIL"]
        for (mine, theirs) in zip(forage, exported) {
            #expect(theirs["number"] as? Int == mine["number"] as? Int)
            #expect(theirs["state"] as? String == states[mine["state"] as? String ?? ""])
            let a = mine["params"] as? [String: Any] ?? [:]
            let b = theirs["params"] as? [String: Any] ?? [:]
            #expect(a["x"] as? Double == b["x"] as? Double && a["y"] as? Double == b["y"] as? Double)
            #expect(a["n"] as? Int == b["n"] as? Int && a["c"] as? String == b["c"] as? String)
            if mine["state"] as? String == "completed" { #expect(theirs["value"] as? Double == mine["value"] as? Double) }
        }
        #expect((exported.first?["dist"] as? [String: String]) == ["x": "FloatDistribution", "y": "FloatDistribution", "n": "IntDistribution", "c": "CategoricalDistribution"])
        #expect(exported.contains { ($0["steps"] as? [Int]) == [0, 1, 2] || ($0["steps"] as? [Int])?.isEmpty == false })
        #expect(forage.contains { $0["state"] as? String == "pruned" })
        let leaderboard = try await ForageProcess.runDetached(["leaderboard", "b", "--top", "1", "--format", "json"], in: directory.url)
        let board = try JSONSerialization.jsonObject(with: Data(leaderboard.stdout.utf8)) as? [String: Any]
        let best = (board?["trials"] as? [[String: Any]])?.first
        #expect(best?["number"] as? Int == object["best"] as? Int)
        #expect(best?["value"] as? Double == object["best_value"] as? Double)
    }

    @Test func anImportedOptunaStudyResumesInForage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let made = try await python("""
            import optuna
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            study = optuna.create_study(study_name="o", storage="sqlite:///o.db", sampler=optuna.samplers.TPESampler(seed=1))
            def objective(trial):
                x = trial.suggest_float("x", -5, 10)
                kind = trial.suggest_categorical("kind", ["a", "b"])
                for step in range(2):
                    trial.report(x * x + step, step)
                return (x - 2) ** 2 + (0 if kind == "a" else 1)
            study.optimize(objective, n_trials=20)
            print("made", len(study.trials), study.best_value)
            """, in: directory)
        #expect(made.contains("made 20"), "\(made)")
        try directory.write("s.yaml", """
            name: s
            objective: {metric: value, direction: minimize}
            trial: {command: "python3 -c \\"print('{\\\\\\"value\\\\\\": %s}' % (({x} - 2) ** 2 + (0 if '{kind}' == 'a' else 1)))\\""}
            search_space:
              x: {type: float, low: -5, high: 10}
              kind: {type: categorical, choices: [a, b]}
            searcher: {algorithm: tpe, seed: 2}
            budget: {trials: 20}
            """)
        let bad = try await ForageProcess.runDetached(["import", "optuna", "sqlite:///o.db", "--study", "nope", "--spec", "s.yaml"], in: directory.url)
        #expect(bad.status == 1 && bad.stderr.contains("has no study 'nope'; its studies: o"), "\(bad.stderr)")
        try directory.write("narrow.yaml", """
            name: narrow
            objective: {metric: value, direction: minimize}
            trial: {function: sphere}
            search_space: {x0: {type: float, low: 0, high: 1}, x: {type: float, low: 0, high: 1}, kind: {type: categorical, choices: [a]}}
            """)
        let narrow = try await ForageProcess.runDetached(["import", "optuna", "sqlite:///o.db", "--study", "o", "--spec", "narrow.yaml"], in: directory.url)
        #expect(narrow.status == 1 && narrow.stderr.contains("does not fit the spec's search space"), "\(narrow.stderr)")

        let imported = try await ForageProcess.runDetached(["import", "optuna", "sqlite:///o.db", "--study", "o", "--spec", "s.yaml", "--name", "imp"], in: directory.url)
        #expect(imported.status == 0, "\(imported.stderr)")
        let before = try await Self.trials("imp", in: directory)
        #expect(before.count == 20)
        #expect(before.allSatisfy { $0["state"] as? String == "completed" && $0["last_step"] as? Int == 1 })
        let resume = try await ForageProcess.runDetached(["resume", "imp", "--trials", "26"], in: directory.url)
        #expect(resume.status == 0, "\(resume.stderr)")
        let after = try await Self.trials("imp", in: directory)
        #expect(after.count == 26)
        #expect(after.filter { $0["state"] as? String == "completed" }.count == 26)
        for trial in after.dropFirst(20) {
            let params = trial["params"] as? [String: Any] ?? [:]
            let x = params["x"] as? Double ?? .nan
            let expected = (x - 2) * (x - 2) + (params["kind"] as? String == "a" ? 0 : 1)
            #expect(abs((trial["value"] as? Double ?? .nan) - expected) < 1e-6, "\(trial)")
        }
    }
}

/// The Python with Optuna the interop tests use: `FORAGE_TEST_PYTHON` (set by `make test`), else `python3`.
enum OptunaPython {
    static let path: String? = {
        let candidate = ProcessInfo.processInfo.environment["FORAGE_TEST_PYTHON"] ?? ProcessInfo.processInfo.environment["FORAGE_PYTHON"] ?? "python3"
        let check = (try? ForageProcess.runShell("'\(candidate)' -c 'import optuna' 2>/dev/null && echo yes", in: URL(fileURLWithPath: "/tmp"))) ?? ""
        return check.contains("yes") ? candidate : nil
    }()
}
