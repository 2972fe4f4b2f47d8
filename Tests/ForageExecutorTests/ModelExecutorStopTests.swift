import ForageCore
import ForageExecutor
import ForageML
import Foundation
import Synchronization
import Testing

/// A built-in model trial asks its stop check every boosting round: past `budget.time`'s deadline it completes with
/// the model it has (`stopped_at_deadline`, its last step reported), and once interrupted it ends as `interrupted`.
@Suite struct ModelExecutorStopTests {
    static func iris() throws -> PreparedData {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Experiments/data/iris.csv").path
        return try Dataset.load(DataSpec(path: path, target: "species", task: .classification, seed: 0))
    }

    static func invocation(in directory: URL, deadline: TrialDeadline?) -> TrialInvocation {
        // A run that would take minutes and reports only at its end: only the stop check can end it early.
        var invocation = TrialInvocation(
            experiment: "e", number: 0, attempt: 0,
            params: ParameterSet(["rounds": .int(100_000), "learning_rate": .double(0.001), "report_every": .int(100_000)]),
            spec: TrialSpec(kind: .model(family: "gbdt")), objective: Objective(metric: "val_loss", direction: .minimize),
            declaredParameters: [], trialsDirectory: directory, workingDirectory: directory)
        invocation.deadline = deadline
        return invocation
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("forage-stop-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aTrialPastTheDeadlineCompletesAfterOneRoundAndSaysSo() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let steps = Mutex<[Int]>([])
        let reporter = TrialReporter(judges: false, submit: { step, _ in steps.withLock { $0.append(step) } }, judge: { _, _ in .continue })
        let passed = TrialDeadline(ContinuousClock.now - .seconds(1))
        let outcome = await ModelExecutor(data: try Self.iris(), family: "gbdt").run(
            Self.invocation(in: directory, deadline: passed), reporter: reporter)
        guard case .completed(let metrics) = outcome else {
            Issue.record("expected a completed trial, got \(outcome)")
            return
        }
        #expect(metrics["stopped_at_deadline"] == 1)
        #expect(metrics["val_loss"] != nil)
        // Its last step is the one round it ran, reported, and the model file was written with it.
        #expect(steps.withLock { $0 } == [1])
        let model = try ModelFile.read(from: directory.appendingPathComponent("0/model.forage").path)
        #expect(model.header.settings["rounds"] == "1")
        #expect(model.header.metrics["stopped_at_deadline"] == 1)
    }

    @Test func anInterruptedTrialEndsAsInterruptedNotAsASuccess() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let flag = CancellationFlag()
        flag.cancel()
        let reporter = TrialReporter(judges: false, cancellation: flag, submit: { _, _ in }, judge: { _, _ in .continue })
        let outcome = await ModelExecutor(data: try Self.iris(), family: "gbdt").run(
            Self.invocation(in: directory, deadline: nil), reporter: reporter)
        guard case .failed(let reason, _, _) = outcome else {
            Issue.record("expected a failed (interrupted) trial, got \(outcome)")
            return
        }
        #expect(reason == .interrupted)
    }
}
