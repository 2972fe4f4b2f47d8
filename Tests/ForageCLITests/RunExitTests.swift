import ForageTesting
import Foundation
import Testing

/// How `forage run`/`resume` end: a run with no completed trial is an error, a met budget is said so.
@Suite struct RunExitTests {
    @Test func aRunInWhichNoTrialCompletedExitsNonZeroWithTheReasons() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The objective is misspelt: every trial reports `loss`, none `los`.
        try directory.write("typo.yaml", """
            objective: {metric: los, direction: minimize}
            trial: {command: [/bin/echo, '{"loss": 0.5}']}
            search_space: {x: {type: float, low: 0, high: 1}}
            budget: {trials: 3, parallel: 1}
            """)
        let run = try ForageProcess.run(["run", "typo.yaml"], in: directory.url)
        #expect(run.status != 0)
        #expect(run.stdout.contains("failed: 3/3 trials, 3 failed"), "\(run.stdout)")
        #expect(run.stderr.contains("error: no trial completed: all 3 trials failed — error: 3 (e.g. trial 0: "), "\(run.stderr)")
        #expect(run.stderr.contains("'los'"), "\(run.stderr)")
        let status = try ForageProcess.run(["status", "typo", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "failed")
        // `forage run … && forage promote …` stops at the run.
        let chained = try ForageProcess.runShell(
            "\(ForageProcess.binary.path) run typo.yaml --name typo2 2>/dev/null && echo promoted-anyway || echo stopped", in: directory.url)
        #expect(chained.contains("stopped") && !chained.contains("promoted-anyway"), "\(chained)")
    }

    @Test func resumeWithABudgetAlreadyMetSaysSo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sphere}
            search_space: {x0: {type: float, low: -1, high: 1}}
            budget: {trials: 8}
            """)
        let run = try ForageProcess.run(["run", "s.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let resume = try ForageProcess.run(["resume", "s", "--trials", "5"], in: directory.url)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stderr.contains("the budget is already met: 8 trials are done and the budget is 5 in all"), "\(resume.stderr)")
        #expect(resume.stdout.contains("8 trials done, more than the budget of 5, which is already met"), "\(resume.stdout)")
        #expect(!resume.stdout.contains("8/5"), "\(resume.stdout)")
        let again = try ForageProcess.run(["resume", "s"], in: directory.url)
        #expect(again.stderr.contains("the budget is already met: 8 trials are done and the budget is"), "\(again.stderr)")
    }

    /// `--trials +N` adds N trials to the budget so far (`--trials N` stays the total), on `run` and on `resume`.
    @Test func plusNTrialsExtendsTheBudgetSoFar() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("s.yaml", """
            objective: {metric: value, direction: minimize}
            trial: {function: sphere}
            search_space: {x0: {type: float, low: -1, high: 1}}
            budget: {trials: 4}
            """)
        let run = try ForageProcess.run(["run", "s.yaml", "--trials", "+2"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("6/6 trials"), "\(run.stdout)")
        let resume = try ForageProcess.run(["resume", "s", "--trials", "+3"], in: directory.url)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stdout.contains("9/9 trials"), "\(resume.stdout)")
        let trials = try ForageProcess.run(["trials", "s", "--format", "csv"], in: directory.url)
        #expect(trials.stdout.split(separator: "\n").count == 10, "\(trials.stdout)")
        let zero = try ForageProcess.run(["resume", "s", "--trials", "+0"], in: directory.url)
        #expect(zero.status != 0)
        #expect(zero.stderr.contains("--trials must be a positive integer (the experiment's total) or +N (N more), got +0"), "\(zero.stderr)")
    }
}
