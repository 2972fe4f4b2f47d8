import ForageCore
import Foundation
import Testing

@testable import ForageSearch

@Suite struct ASHARungTests {
    let rungs = ASHARungs(minResource: 1, maxResource: 27, reduction: 3)

    @Test func rungsSitAtPowersOfTheReductionBelowTheMaximum() {
        #expect(rungs.resources == [1, 3, 9])
        #expect(ASHARungs(minResource: 2, maxResource: 100, reduction: 4).resources == [2, 8, 32])
        #expect(ASHARungs(minResource: 5, maxResource: 5, reduction: 2).resources.isEmpty)
    }

    @Test func aReportCrossesTheHighestRungSinceThePreviousOne() {
        #expect(rungs.rungCrossed(previousStep: nil, step: 1) == 0)
        #expect(rungs.rungCrossed(previousStep: 1, step: 2) == nil)
        #expect(rungs.rungCrossed(previousStep: 2, step: 3) == 1)
        #expect(rungs.rungCrossed(previousStep: 2, step: 5) == 1)
        #expect(rungs.rungCrossed(previousStep: 3, step: 4) == nil)
        #expect(rungs.rungCrossed(previousStep: 0, step: 10) == 2)
        #expect(rungs.rungCrossed(previousStep: 9, step: 27) == nil)
    }

    @Test func aTrialsRungValueIsItsFirstReportAtOrPastTheRung() {
        #expect(rungs.value(at: 1, in: [1: 0.9, 2: 0.8, 4: 0.7, 5: 0.6]) == 0.7)
        #expect(rungs.value(at: 2, in: [1: 0.9, 4: 0.7]) == nil)
    }

    @Test func theCutoffIsTheOtherTrialsOrderStatisticAtOneOverTheReduction() {
        #expect(rungs.cutoff(losses: []) == nil)
        #expect(rungs.cutoff(losses: [0.5]) == 0.5)
        #expect(rungs.cutoff(losses: [0.9, 0.5]) == 0.5)
        #expect(rungs.cutoff(losses: [0.4, 0.1, 0.3]) == 0.1)
        #expect(rungs.cutoff(losses: [0.4, 0.1, 0.3, 0.2]) == 0.2)
        #expect(rungs.cutoff(losses: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) == 0.3)
        #expect(rungs.cutoff(losses: [0.3, .nan, 0.1]) == 0.1)
    }
}

@Suite struct ASHASchedulerTests {
    let scheduler = ASHAScheduler(minResource: 1, maxResource: 27, reduction: 3)

    /// Five trials that reported 0.1 … 0.5 at step 1, and trial 5 that has just reported `value` at step 1.
    func history(_ value: Double, direction: Direction = .minimize) -> TrialHistory {
        var curves: [[Int: Double]] = [[1: 0.1], [1: 0.2], [1: 0.3], [1: 0.4], [1: 0.5]]
        curves.append([1: value])
        return TestSupport.history(curves, states: [.completed, .pruned, .pruned, .running, .pruned, .running], direction: direction)
    }

    @Test func aTrialOutsideTheTopThirdIsStoppedWithTheExactCutoff() {
        // The other five recorded 0.1 … 0.5: the cutoff is the second best, 0.2.
        let decision = scheduler.decide(trial: 5, step: 1, value: 0.25, history: history(0.25))
        #expect(decision.action == .stop)
        #expect(decision.rung == 0)
        #expect(decision.cutoff == 0.2)
        #expect(decision.reason == "value 0.25 at rung 0 (step 1) is not in the top 1/3 at the rung (cutoff 0.2 from 5 other trials)")
    }

    @Test func aTrialInTheTopThirdIsPromotedWithANote() {
        let decision = scheduler.decide(trial: 5, step: 1, value: 0.15, history: history(0.15))
        #expect(decision.action == .continue)
        #expect(decision.isNotable)
        #expect(decision.cutoff == 0.2)
        #expect(decision.reason?.hasSuffix("is in the top 1/3 at the rung (cutoff 0.2 from 5 other trials): promoted") == true)
    }

    @Test func maximisationRanksTheOtherWay() {
        let decision = scheduler.decide(trial: 5, step: 1, value: 0.45, history: history(0.45, direction: .maximize))
        #expect(decision.action == .continue)
        #expect(decision.cutoff == 0.4)
        let stopped = scheduler.decide(trial: 5, step: 1, value: 0.35, history: history(0.35, direction: .maximize))
        #expect(stopped.action == .stop)
        #expect(stopped.cutoff == 0.4)
    }

    @Test func theFirstTrialAtARungGoesOnAndTheSecondIsJudged() {
        let first = scheduler.decide(trial: 0, step: 1, value: 0.9, history: TestSupport.history([[1: 0.9]], states: [.running]))
        #expect(first.action == .continue)
        #expect(first.isNotable)
        #expect(first.reason == "value 0.9 at rung 0 (step 1) is the first at its rung: promoted")
        // From the second trial on, a trial worse than the recorded cutoff stops, even while the rung holds few trials.
        let history = TestSupport.history([[1: 0.1], [1: 0.9]], states: [.completed, .running])
        let second = scheduler.decide(trial: 1, step: 1, value: 0.9, history: history)
        #expect(second.action == .stop)
        #expect(second.cutoff == 0.1)
        let better = TestSupport.history([[1: 0.5], [1: 0.2]], states: [.completed, .running])
        #expect(scheduler.decide(trial: 1, step: 1, value: 0.2, history: better).action == .continue)
    }

    @Test func aTieWithTheCutoffStopsUnlessItTiesTheBest() {
        // Others 0.1 … 0.5: the cutoff 0.2 is not the best, so a trial at exactly 0.2 is not in the top third.
        #expect(scheduler.decide(trial: 5, step: 1, value: 0.2, history: history(0.2)).action == .stop)
        // Others 0.3 and 0.3: the cutoff is the best value, and a trial as good as the best goes on.
        let tied = TestSupport.history([[1: 0.3], [1: 0.3], [1: 0.3]], states: [.completed, .completed, .running])
        #expect(scheduler.decide(trial: 2, step: 1, value: 0.3, history: tied).action == .continue)
    }

    /// Seeded random searches whose learning curves (27 epochs each) approach their own final loss, run one trial
    /// after the other under ASHA (min 3, max 27, reduction 3): the epochs spent, averaged over 8 seeds, are about
    /// successive halving's own arithmetic, 2/3 · 3 + 2/9 · 9 + 1/9 · 27 = 7 of 27 per trial (26%), and the best
    /// completed trial of each search is close to the best of all. With `quantum`, losses are rounded to it, like accuracy on a small validation
    /// split, whose many ties must not promote more trials.
    @Test(arguments: [(200, 0.0), (90, 0.1), (90, 0.05)])
    func theEpochsSpentFollowSuccessiveHalvingsArithmetic(trials: Int, quantum: Double) {
        let seeds: [UInt64] = Array(1...8)
        var fractions: [Double] = []
        for seed in seeds {
            let (fraction, regret) = Self.search(seed: seed, trials: trials, quantum: quantum)
            fractions.append(fraction)
            #expect(regret <= 0.05, "seed \(seed): the best completed trial's final loss is \(regret) behind the best trial's")
        }
        let mean = fractions.reduce(0, +) / Double(fractions.count)
        #expect(abs(mean - 7.0 / 27) < 0.04, "ASHA spent \(mean) of the unpruned searches' epochs (\(fractions)); SH's arithmetic gives 0.259")
    }

    /// One search: the fraction of the unpruned search's epochs spent, and how far the best completed trial's final
    /// loss is behind the best of all trials (the final losses are uniform in [0, 1)).
    static func search(seed: UInt64, trials: Int, quantum: Double) -> (fraction: Double, regret: Double) {
        let asha = ASHAScheduler(minResource: 3, maxResource: 27, reduction: 3)
        var rng = SplitMix64(seed: seed)
        var history = TrialHistory(objective: Objective(metric: "loss", direction: .minimize))
        var spent = 0
        var finals: [(final: Double, completed: Bool)] = []
        for number in 0..<trials {
            let final = rng.nextUnit()  // the loss this trial's curve converges to
            let speed = 2 + 6 * rng.nextUnit()
            history.upsert(TrialSnapshot(number: number, state: .running, params: ParameterSet()))
            var completed = true
            for epoch in 1...27 {
                spent += 1
                let noise = 0.02 * (rng.nextUnit() - 0.5)
                var loss = final + (1.5 - final) * _exp(-Double(epoch) / speed) + noise
                if quantum > 0 { loss = (loss / quantum).rounded() * quantum }
                history.record(number: number, step: epoch, value: loss)
                if asha.decide(trial: number, step: epoch, value: loss, history: history).action == .stop {
                    completed = false
                    break
                }
            }
            history.finish(number: number, state: completed ? .completed : .pruned, value: nil)
            finals.append((final, completed))
        }
        let best = finals.map(\.final).min() ?? 0
        let found = finals.filter(\.completed).map(\.final).min() ?? 1
        return (Double(spent) / Double(trials * 27), found - best)
    }
}

@Suite struct MedianSchedulerTests {
    /// Three completed trials with values at steps 1 and 3; trial 3 is running.
    func history(current: [Int: Double]) -> TrialHistory {
        TestSupport.history(
            [[1: 1.0, 3: 0.5], [1: 2.0, 3: 0.7], [1: 3.0, 3: 0.9], current], states: [.completed, .completed, .completed, .running])
    }

    @Test func aTrialWorseThanTheMedianIsStopped() {
        let scheduler = MedianScheduler(startupTrials: 2, warmupSteps: 0)
        let decision = scheduler.decide(trial: 3, step: 2, value: 2.5, history: history(current: [2: 2.5]))
        // At step 2 the others' latest values are those of step 1: 1, 2, 3 → median 2.
        #expect(decision.action == .stop)
        #expect(decision.cutoff == 2.0)
        #expect(decision.step == 2)
        #expect(decision.value == 2.5)
        #expect(decision.reason == "value 2.5 at step 2 is worse than the median 2 of 3 completed trials at that step")
    }

    @Test func aTrialAtOrBetterThanTheMedianContinues() {
        let scheduler = MedianScheduler(startupTrials: 2, warmupSteps: 0)
        let decision = scheduler.decide(trial: 3, step: 3, value: 0.7, history: history(current: [3: 0.7]))
        #expect(decision.action == .continue)
        #expect(decision.cutoff == 0.7)
        #expect(!decision.isNotable)
    }

    @Test func nothingIsStoppedDuringWarmupOrStartup() {
        let warm = MedianScheduler(startupTrials: 0, warmupSteps: 3)
        #expect(warm.decide(trial: 3, step: 2, value: 9, history: history(current: [2: 9])).action == .continue)
        let young = MedianScheduler(startupTrials: 4, warmupSteps: 0)
        #expect(young.decide(trial: 3, step: 2, value: 9, history: history(current: [2: 9])).action == .continue)
    }

    @Test func theSameHistoryGivesTheSameDecision() {
        let scheduler = MedianScheduler(startupTrials: 1, warmupSteps: 0)
        let h = history(current: [2: 2.5])
        #expect(scheduler.decide(trial: 3, step: 2, value: 2.5, history: h) == scheduler.decide(trial: 3, step: 2, value: 2.5, history: h))
    }
}

@Suite struct HyperbandSchedulerTests {
    let scheduler = HyperbandScheduler(minResource: 1, maxResource: 27, reduction: 3)

    @Test func bracketsFollowHyperbandsAllocation() {
        #expect(scheduler.brackets.count == 4)
        #expect(scheduler.shares == [27, 12, 6, 4])
        #expect(scheduler.brackets.map(\.rungs.resources) == [[1, 3, 9], [3, 9], [9], []])
        #expect(scheduler.bracket(of: 0) == 0)
        #expect(scheduler.bracket(of: 26) == 0)
        #expect(scheduler.bracket(of: 27) == 1)
        #expect(scheduler.bracket(of: 39) == 2)
        #expect(scheduler.bracket(of: 45) == 3)
        #expect(scheduler.bracket(of: 48) == 3)
        #expect(scheduler.bracket(of: 49) == 0)
        #expect(HyperbandScheduler(minResource: 1, maxResource: 27, reduction: 3, brackets: 2).shares == [3, 2])
    }

    @Test func trialsOnlyCompeteWithinTheirBracket() {
        // Trials 0…3 in bracket 0 report at step 1; trial 27 (bracket 1) reports at step 1 and 3.
        var curves = [[Int: Double]](repeating: [:], count: 28)
        curves[0] = [1: 0.1]
        curves[1] = [1: 0.2]
        curves[2] = [1: 0.3]
        curves[3] = [1: 0.9]
        curves[27] = [1: 5, 3: 5]
        let h = TestSupport.history(curves)
        let stopped = scheduler.decide(trial: 3, step: 1, value: 0.9, history: h)
        #expect(stopped.action == .stop)
        #expect(stopped.reason?.hasPrefix("bracket 0: ") == true)
        // Bracket 1's first rung is at step 3, and trial 27 is alone there.
        #expect(scheduler.decide(trial: 27, step: 1, value: 5, history: h) == .proceed(step: 1, value: 5))
        #expect(scheduler.decide(trial: 27, step: 3, value: 5, history: h).action == .continue)
        // Bracket 3 has no rung: its trials always run on.
        #expect(scheduler.decide(trial: 45, step: 1, value: 99, history: h) == .proceed(step: 1, value: 99))
    }
}

private func _exp(_ x: Double) -> Double { Foundation.exp(x) }
