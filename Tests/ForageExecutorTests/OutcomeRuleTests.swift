import ForageCore
import ForageExecutor
import Testing

/// The rule every finished trial is judged by, local or remote.
@Suite struct OutcomeRuleTests {
    let objective = Objective(metric: "loss", direction: .minimize)

    func reason(_ outcome: TrialOutcome) -> FailureReason? {
        if case .failed(let reason, _, _) = outcome { return reason }
        return nil
    }

    @Test func aFiniteObjectiveCompletesAndNaNInfiniteOrMissingOnesFail() {
        #expect(OutcomeBuilder.completed(metrics: ["loss": 0.5], objective: objective) == .completed(metrics: ["loss": 0.5]))
        #expect(reason(OutcomeBuilder.completed(metrics: ["loss": .nan], objective: objective)) == .nan)
        #expect(reason(OutcomeBuilder.completed(metrics: ["loss": .infinity], objective: objective)) == .nan)
        #expect(reason(OutcomeBuilder.completed(metrics: ["loss": -.infinity], objective: objective)) == .nan)
        let missing = OutcomeBuilder.completed(metrics: ["acc": 1], objective: objective)
        #expect(reason(missing) == .error)
        if case .failed(_, let message, let metrics) = missing {
            #expect(message.contains("no 'loss'") && message.contains("only acc"))
            #expect(metrics == ["acc": 1])
        }
    }

    @Test func aReportedCompletionIsCheckedWhilePrunedAndFailedOnesStand() {
        #expect(reason(OutcomeBuilder.checked(.completed(metrics: ["loss": .nan]), objective: objective)) == .nan)
        #expect(OutcomeBuilder.checked(.completed(metrics: ["loss": 1]), objective: objective) == .completed(metrics: ["loss": 1]))
        #expect(OutcomeBuilder.checked(.pruned(metrics: ["loss": 2]), objective: objective) == .pruned(metrics: ["loss": 2]))
        let failed = TrialOutcome.failed(reason: .timeout, message: "slow", metrics: [:])
        #expect(OutcomeBuilder.checked(failed, objective: objective) == failed)
    }
}
