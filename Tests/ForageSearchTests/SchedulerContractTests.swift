import ForageCore
import Testing

@testable import ForageSearch

/// The contract every scheduler keeps, checked over each registered one: it builds from its options, its decisions
/// are a function of the history, and options that do not fit together are refused with a `SchedulerError`.
@Suite struct SchedulerContractTests {
    /// One row: a registered scheduler with options, and options it must refuse (nil when it has none to refuse).
    /// Adding a scheduler adds one row here.
    struct Case: CustomTestStringConvertible, Sendable {
        var algorithm: String
        var options: AlgorithmOptions
        var refused: AlgorithmOptions?
        var testDescription: String { algorithm }

        func make(_ options: AlgorithmOptions? = nil) throws -> any TrialScheduler {
            try SchedulerRegistry.make(SchedulerSpec(algorithm: algorithm, options: options ?? self.options), trialSteps: 27)
        }
    }

    static let cases: [Case] = [
        Case(algorithm: "none", options: [:], refused: nil),
        Case(algorithm: "median", options: ["n_startup": .int(2)], refused: nil),
        Case(algorithm: "asha", options: ["min": .int(1), "reduction": .int(3)], refused: ["min": .int(27)]),
        Case(algorithm: "hyperband", options: ["min": .int(1), "max": .int(27)], refused: ["brackets": .int(9)]),
    ]

    /// Ten trials with decreasing curves at steps 1…9; trial 9 is running and has reported step 3.
    static let history: TrialHistory = {
        var curves: [[Int: Double]] = []
        for number in 0..<10 {
            var curve: [Int: Double] = [:]
            for step in 1...(number == 9 ? 3 : 9) { curve[step] = Double((number * 7) % 10) + 1 / Double(step) }
            curves.append(curve)
        }
        var states = [TrialState](repeating: .completed, count: 10)
        states[9] = .running
        return TestSupport.history(curves, states: states)
    }()

    @Test func everyRegisteredSchedulerHasARow() {
        for entry in SchedulerRegistry.entries {
            #expect(Self.cases.contains { $0.algorithm == entry.name }, "\(entry.name) has no row in the contract table")
        }
        #expect(throws: SchedulerError.self) { try SchedulerRegistry.make(SchedulerSpec(algorithm: "annealing")) }
    }

    @Test(arguments: cases) func decisionsAreAFunctionOfTheHistory(_ c: Case) throws {
        let value = Self.history[9]?.intermediate[3] ?? 0
        let first = try c.make().decide(trial: 9, step: 3, value: value, history: Self.history)
        let second = try c.make().decide(trial: 9, step: 3, value: value, history: Self.history)
        #expect(first == second)
        if !(try c.make().judgesReports) { #expect(first == .proceed(step: 3, value: value)) }
    }

    @Test(arguments: cases.filter { $0.refused != nil }) func refusesOptionsThatDoNotFitTogether(_ c: Case) {
        #expect(throws: SchedulerError.self) { try c.make(c.refused) }
    }
}
