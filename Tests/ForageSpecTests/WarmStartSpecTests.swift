import ForageCore
import ForageSpec
import Foundation
import Testing

/// `enqueue:` and `warm_start:` in a spec: exact parameter sets checked against the space, with the key path of a
/// bad value; the other experiment to learn from.
@Suite struct WarmStartSpecTests {
    func parse(_ extra: String) throws -> ExperimentSpec {
        try SpecLoader.parse(
            """
            name: w
            objective: {metric: loss, direction: minimize}
            trial: {function: noop}
            search_space:
              lr: {type: float, low: 1.0e-4, high: 0.3, log: true}
              hidden: {type: int, low: 16, high: 256}
              act: {type: categorical, choices: [relu, tanh]}
              l2: {type: float, low: 0, high: 1, when: {act: [tanh]}}
            \(extra)
            """, file: "w.yaml", baseDirectory: "/tmp/specs")
    }

    @Test func enqueuedParametersAreMadeExactForTheSpace() throws {
        let spec = try parse("enqueue: [{lr: 0.01, hidden: 64.0, act: relu}, {lr: 0.3, hidden: 32, act: tanh, l2: 0}]")
        #expect(spec.enqueue == [
            ParameterSet(["lr": .double(0.01), "hidden": .int(64), "act": .string("relu")]),
            ParameterSet(["lr": .double(0.3), "hidden": .int(32), "act": .string("tanh"), "l2": .double(0)]),
        ])
    }

    @Test(arguments: [
        ("enqueue: [{lr: 0.01, hidden: 64, act: relu}, {lr: 0.5, hidden: 64, act: relu}]", "enqueue[1].lr", "is 0.5, outside the space: allowed a number in [0.0001, 0.3] (log scale)"),
        ("enqueue: [{lr: 0.01, hiden: 64, act: relu}]", "enqueue[0].hiden", "is not a parameter of the search space (did you mean 'hidden'?)"),
        ("enqueue: [{lr: 0.01, act: relu}]", "enqueue[0]", "'hidden' is missing: give a value an integer in [16, 256]"),
        ("enqueue: [{lr: 0.01, hidden: 64, act: relu, l2: 0.5}]", "enqueue[0].l2", "is inactive for these values (it exists only when act in [tanh])"),
        ("enqueue: [{lr: 0.01, hidden: 64, act: gelu}]", "enqueue[0].act", "allowed one of \"relu\", \"tanh\""),
        ("enqueue: {lr: 0.01}", "enqueue", "expected a list"),
        ("warm_start: {experiment: old, stroe: x}", "warm_start.stroe", "unknown key (did you mean 'store'?)"),
        ("warm_start: {experiment: w}", "warm_start", "names the experiment itself"),
    ])
    func aBadValueNamesItsKeyPath(extra: String, keyPath: String, fragment: String) throws {
        let error = #expect(throws: SpecError.self) { try parse(extra) }
        #expect(error?.keyPath == keyPath, "\(String(describing: error))")
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func warmStartNamesAnExperimentAndOptionallyAStoreBesideTheSpec() throws {
        #expect(try parse("warm_start: {experiment: old}").warmStart == WarmStartSpec(experiment: "old"))
        #expect(try parse("warm_start: {experiment: old, store: ../other}").warmStart == WarmStartSpec(experiment: "old", store: "/tmp/other"))
        #expect(try parse("warm_start: {experiment: old, store: \"postgres://db/x\"}").warmStart?.store == "postgres://db/x")
    }
}
