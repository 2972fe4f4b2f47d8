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

    func spans(gpus: String, perTrial: String, in directory: TemporaryDirectory, name: String) throws -> [Span] {
        try directory.write("\(name).yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: [python3, gpu.py]}
            search_space: {x: {type: float, low: 0, high: 1}}
            resources: {gpus: \(gpus), gpus_per_trial: \(perTrial)}
            budget: {trials: 12, parallel: 8}
            """)
        let run = try ForageProcess.run(["run", "\(name).yaml"], in: directory.url)
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

    @Test func oneGPUPerTrialCapsEightSlotsAtFourAndNoTwoRunningTrialsShareAGPU() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("gpu.py", Self.script)
        let whole = try spans(gpus: "[0, 1, 2, 3]", perTrial: "1", in: directory, name: "g")
        #expect(whole.allSatisfy { $0.gpus.count == 1 && (0..<4).contains($0.slot) && $0.gpus == [String($0.slot)] })
        let peaks = Self.peaks(whole)
        #expect(peaks.running <= 4 && peaks.running >= 2, "\(peaks)")
        #expect(peaks.perGPU == 1)

        let half = try spans(gpus: "[0, 1]", perTrial: "0.5", in: directory, name: "h")
        #expect(half.allSatisfy { $0.gpus.count == 1 && (0..<4).contains($0.slot) && $0.gpus == [String($0.slot / 2)] })
        let halfPeaks = Self.peaks(half)
        #expect(halfPeaks.running <= 4, "\(halfPeaks)")
        #expect(halfPeaks.perGPU <= 2, "\(halfPeaks)")
    }
}
