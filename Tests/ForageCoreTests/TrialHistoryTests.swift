import ForageCore
import Testing

/// `TrialHistory.revisions`: renewed by every change of a trial and nothing else, unique across histories, and no
/// part of equality.
@Suite struct TrialHistoryTests {
    static let objective = Objective(metric: "loss", direction: .minimize)

    static func trial(_ number: Int, _ x: Double) -> TrialSnapshot {
        TrialSnapshot(number: number, state: .running, params: ParameterSet(["x": .double(x)]))
    }

    @Test func aTrialsRevisionChangesWithItAndOnlyWithIt() {
        var history = TrialHistory(objective: Self.objective)
        history.upsert(Self.trial(0, 0.1))
        history.upsert(Self.trial(1, 0.2))
        #expect(history.revisions.count == 2 && history.revisions[0] != history.revisions[1])
        let before = history.revisions
        history.finish(number: 1, state: .completed, value: 3)
        #expect(history.revisions[0] == before[0] && history.revisions[1] != before[1])
        let finished = history.revisions
        history.record(number: 0, step: 1, value: 0.5)
        #expect(history.revisions[0] != finished[0] && history.revisions[1] == finished[1])
        history.upsert(Self.trial(2, 0.3))
        #expect(history.revisions.count == 3 && Array(history.revisions.prefix(2)) == [history.revisions[0], finished[1]])
        // Unknown numbers change nothing.
        let unchanged = history.revisions
        history.finish(number: 9, state: .completed, value: 1)
        history.record(number: 9, step: 1, value: 1)
        #expect(history.revisions == unchanged)
    }

    @Test func equalHistoriesHaveDistinctRevisionsAndStillCompareEqual() {
        let trials = [Self.trial(0, 0.1), Self.trial(1, 0.2)]
        let a = TrialHistory(objective: Self.objective, trials: trials)
        let b = TrialHistory(objective: Self.objective, trials: trials)
        #expect(a == b)
        #expect(Set(a.revisions).isDisjoint(with: b.revisions))
        // A copy changed apart from the original gets revisions of its own.
        var c = a
        c.finish(number: 0, state: .completed, value: 1)
        var d = a
        d.finish(number: 0, state: .completed, value: 2)
        #expect(c.revisions[0] != d.revisions[0] && c.revisions[0] != a.revisions[0])
    }
}
