import ForageCore
import ForageTesting
import Foundation
import Testing

/// Other tools' scripts run unchanged: an argparse script with `trial.args: flags`, Katib's `name=value` lines,
/// Syne Tune's `[tune-metric]:` lines, and a conditional parameter that is never passed while inactive.
@Suite(.serialized) struct MetricFormatRunTests {
    func run(_ spec: String, script: String, in directory: TemporaryDirectory) async throws -> [[String: Any]] {
        try directory.write("t.py", script)
        try directory.write("m.yaml", spec)
        let run = try await ForageProcess.runDetached(["run", "m.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try await ForageProcess.runDetached(["trials", "m", "--format", "json"], in: directory.url)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        defer { try? FileManager.default.removeItem(at: directory.url.appendingPathComponent(".forage")) }
        return object?["trials"] as? [[String: Any]] ?? []
    }

    @Test func anArgparseScriptWithKeyValueLinesRunsUnchanged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let trials = try await run(
            """
            objective: {metric: accuracy, direction: maximize}
            trial: {command: [python3, t.py], args: flags, metrics: key-value}
            search_space:
              lr: {type: float, low: 0.001, high: 0.1, log: true}
              layers: {type: int, low: 1, high: 3}
              opt: {type: categorical, choices: [sgd, adam]}
              beta: {type: float, low: 0.5, high: 0.99, when: {opt: [adam]}}
            searcher: {algorithm: random, seed: 4}
            budget: {trials: 6, parallel: 2}
            """,
            script: """
                import argparse, sys
                parser = argparse.ArgumentParser()
                parser.add_argument("--lr", type=float, required=True)
                parser.add_argument("--layers", type=int, required=True)
                parser.add_argument("--opt", choices=["sgd", "adam"], required=True)
                parser.add_argument("--beta", type=float)
                args = parser.parse_args()
                assert (args.beta is not None) == (args.opt == "adam"), sys.argv
                for epoch in range(1, 3):
                    print(f"epoch {epoch}: step={epoch} accuracy={0.5 + epoch * 0.1 + args.layers * 0.01:.4f}")
                print(f"accuracy={args.lr + args.layers:.6f} loss=0.1")
                """, in: directory)
        #expect(trials.count == 6)
        for trial in trials {
            let params = trial["params"] as? [String: Any] ?? [:]
            let expected = (params["lr"] as? Double ?? 0) + Double(params["layers"] as? Int ?? 0)
            #expect(trial["state"] as? String == "completed", "\(trial)")
            #expect(abs((trial["value"] as? Double ?? -1) - expected) < 1e-5)
            #expect(trial["last_step"] as? Int == 2)
        }
        #expect(trials.contains { ($0["params"] as? [String: Any])?["opt"] as? String == "sgd" })
    }

    @Test func syneTuneLinesAndARegexAreRead() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tune = try await run(
            """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, t.py, "{x}"]}
            search_space: {x: {type: float, low: 0, high: 1}}
            budget: {trials: 2}
            """,
            script: """
                import json, sys
                x = float(sys.argv[1])
                for epoch in range(1, 4):
                    print("[tune-metric]: " + json.dumps({"epoch": epoch, "loss": x + 1.0 / epoch}))
                print("[tune-metric]: " + json.dumps({"loss": 0.2}))
                """, in: directory)
        #expect(tune.allSatisfy { $0["value"] as? Double == 0.2 && $0["last_step"] as? Int == 3 }, "\(tune)")

        let regex = try await run(
            """
            objective: {metric: accuracy, direction: maximize}
            trial: {command: [python3, t.py], metrics: {regex: 'val (?P<name>[a-z_]+): (?P<value>[-+.0-9eE]+)'}}
            search_space: {x: {type: float, low: 0, high: 1}}
            budget: {trials: 2}
            """,
            script: """
                print("train loss: 3.0")
                print("val accuracy: 0.91 val loss: 0.3")
                """, in: directory)
        #expect(regex.allSatisfy { $0["value"] as? Double == 0.91 && ($0["metrics"] as? [String: Double])?["loss"] == 0.3 }, "\(regex)")
    }
}
