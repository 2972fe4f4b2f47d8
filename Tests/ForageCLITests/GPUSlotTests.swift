import ForageCore
import ForageTesting
import Foundation
import Testing

/// GPU slots (`resources:`), checked without GPUs through the assignments of concurrently running trials.
@Suite(.serialized) struct GPUSlotTests {
    struct Span {
        var gpus: Set<String>
        var slot: Int
        var start: Double
        var end: Double
    }

    static let script = """
        import json, os, time
        start = time.time()
        time.sleep(0.4)
        with open(os.path.join(os.environ["FORAGE_TRIAL_DIR"], "gpu.json"), "w") as f:
            json.dump({"gpus": os.environ["CUDA_VISIBLE_DEVICES"], "slot": int(os.environ["FORAGE_SLOT"]), "start": start, "end": time.time()}, f)
        print(json.dumps({"loss": 1.0}))
        """

    func spans(gpus: String, perTrial: String, in directory: TemporaryDirectory, name: String) async throws -> [Span] {
        try directory.write("\(name).yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, gpu.py]}
            search_space: {x: {type: float, low: 0, high: 1}}
            resources: {gpus: \(gpus), gpus_per_trial: \(perTrial)}
            budget: {trials: 12, parallel: 8}
            """)
        let run = try await ForageProcess.runDetached(["run", "\(name).yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        return try (0..<12).map { number in
            let data = try Data(contentsOf: directory.url.appendingPathComponent(".forage/trials/\(name)/\(number)/gpu.json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let ids = (object["gpus"] as? String ?? "").split(separator: ",").map(String.init)
            return Span(gpus: Set(ids), slot: object["slot"] as? Int ?? -1, start: object["start"] as? Double ?? 0, end: object["end"] as? Double ?? 0)
        }
    }

    /// The most spans running at one instant, and the most of them holding one GPU.
    static func peaks(_ spans: [Span]) -> (running: Int, perGPU: Int) {
        var running = 0
        var perGPU = 0
        for span in spans {
            let overlapping = spans.filter { $0.start <= span.start && span.start < $0.end }
            running = max(running, overlapping.count)
            for gpu in span.gpus { perGPU = max(perGPU, overlapping.filter { $0.gpus.contains(gpu) }.count) }
        }
        return (running, perGPU)
    }

    @Test func oneGPUPerTrialCapsEightSlotsAtFourAndNoTwoRunningTrialsShareAGPU() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("gpu.py", Self.script)
        let whole = try await spans(gpus: "[0, 1, 2, 3]", perTrial: "1", in: directory, name: "g")
        #expect(whole.allSatisfy { $0.gpus.count == 1 && (0..<4).contains($0.slot) && $0.gpus == [String($0.slot)] })
        let peaks = Self.peaks(whole)
        #expect(peaks.running <= 4 && peaks.running >= 2, "\(peaks)")
        #expect(peaks.perGPU == 1)

        let half = try await spans(gpus: "[0, 1]", perTrial: "0.5", in: directory, name: "h")
        #expect(half.allSatisfy { $0.gpus.count == 1 && (0..<4).contains($0.slot) && $0.gpus == [String($0.slot / 2)] })
        let halfPeaks = Self.peaks(half)
        #expect(halfPeaks.running <= 4, "\(halfPeaks)")
        #expect(halfPeaks.perGPU <= 2, "\(halfPeaks)")
    }

    @Test func aWorkerHandsItsOwnGPUsToItsSlotsAndCapsItsParallelism() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("gpu.py", Self.script)
        try directory.write("token", RemoteWorkerTests.token)
        try directory.write("w.yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, gpu.py]}
            search_space: {x: {type: float, low: 0, high: 1}}
            budget: {trials: 6, parallel: 0}
            """)
        let server = try LoggedProcess.start(["run", "w.yaml", "--listen", "127.0.0.1:0", "--token-file", "token"], in: directory.url, label: "coordinator")
        defer { server.kill() }
        let line = try #require(try await server.waitForStderrLine(containing: "coordinator listening on"), "\(server.stderr)")
        let digits = line.split(separator: "http://127.0.0.1:").last?.prefix(while: \.isNumber)
        let port = try #require(digits.flatMap { Int($0) }, "no port in \(line)")
        let worker = try LoggedProcess.start(
            ["worker", "--coordinator", "http://127.0.0.1:\(port)", "--token-file", "token", "--gpus", "7,9", "--parallel", "4"], in: directory.url,
            label: "worker")
        defer { worker.kill() }
        #expect(try await server.waitForExit(timeout: 60), "the run did not finish: \(server.stderr)")
        #expect(try await worker.waitForExit(timeout: 10))
        let log = worker.stdout
        #expect(log.contains("2 slot(s)"), "\(log)")
        let spans = try (0..<6).map { number -> Span in
            let data = try Data(contentsOf: directory.url.appendingPathComponent(".forage-worker/trials/w/\(number)/gpu.json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return Span(
                gpus: [object["gpus"] as? String ?? ""], slot: object["slot"] as? Int ?? -1, start: object["start"] as? Double ?? 0,
                end: object["end"] as? Double ?? 0)
        }
        #expect(spans.allSatisfy { ($0.slot == 0 && $0.gpus == ["7"]) || ($0.slot == 1 && $0.gpus == ["9"]) }, "\(spans.map(\.gpus))")
        let peaks = Self.peaks(spans)
        #expect(peaks.running <= 2 && peaks.perGPU == 1, "\(peaks)")
    }
}
