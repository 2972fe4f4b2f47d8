import ForageTesting
import Foundation
import Testing

/// The Python that runs ONNX Runtime: `$FORAGE_TEST_PYTHON` (`make test` sets it to its venv), else `python3`, if it can
/// import onnxruntime and numpy.
enum ONNXRuntimePython {
    static let path: String? = {
        let candidate = ProcessInfo.processInfo.environment["FORAGE_TEST_PYTHON"] ?? "/usr/bin/python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: candidate)
        process.arguments = ["-c", "import onnxruntime, numpy"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? candidate : nil
    }()

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/onnx_predict.py").path
    }
}

/// End-to-end ONNX export: for each family on the shipped datasets (and a table with a categorical column and
/// missing numbers), `forage models export M@prod DIR --format onnx` writes a model that ONNX Runtime loads from the
/// raw columns (and `onnx.checker` accepts, when the Python has `onnx`), and its labels equal `forage predict`'s, its probabilities within 1e-5, its regression values
/// within 1e-5 of their size (max(1, |value|)).
@Suite(.serialized, .enabled(if: ONNXRuntimePython.path != nil, "needs a Python with onnxruntime and numpy (FORAGE_TEST_PYTHON=.build/venv/bin/python)"))
struct ONNXExportTests {
    struct Case: Sendable, CustomStringConvertible {
        var data: String
        var target: String
        var task: String
        var model: String
        var space: String
        var extra = ""
        var description: String { "\(model) on \(data)" }
    }

    static let mlp = "{hidden: {type: categorical, choices: [16]}, layers: {type: categorical, choices: [2]}, activation: {type: categorical, choices: [tanh]}, epochs: {type: categorical, choices: [15]}, lr: {type: categorical, choices: [0.01]}}"
    static let cases: [Case] = [
        Case(data: "diabetes.csv", target: "progression", task: "regression", model: "ridge", space: "{alpha: {type: categorical, choices: [0.5]}}"),
        Case(data: "iris.csv", target: "species", task: "classification", model: "logistic", space: "{l2: {type: categorical, choices: [0.001]}}"),
        Case(data: "breast_cancer.csv", target: "diagnosis", task: "classification", model: "logistic", space: "{l2: {type: categorical, choices: [0.01]}}"),
        Case(data: "digits.csv", target: "digit", task: "classification", model: "logistic", space: "{l2: {type: categorical, choices: [0.01]}}"),
        Case(data: "iris.csv", target: "species", task: "classification", model: "mlp", space: mlp),
        Case(data: "diabetes.csv", target: "progression", task: "regression", model: "mlp", space: mlp),
        Case(data: "mixed.csv", target: "label", task: "classification", model: "logistic", space: "{l2: {type: categorical, choices: [0.01]}}",
            extra: ", categorical: [color], missing: mean"),
        // gbdt: ten classes (one tree per class a round), two classes, regression, and native missing values
        // (NaN follows each split's learned default direction) beside a one-hot column.
        Case(data: "digits.csv", target: "digit", task: "classification", model: "gbdt", space: gbdt(rounds: 12, leaves: 8)),
        Case(data: "breast_cancer.csv", target: "diagnosis", task: "classification", model: "gbdt", space: gbdt(rounds: 40, leaves: 15)),
        Case(data: "diabetes.csv", target: "progression", task: "regression", model: "gbdt", space: gbdt(rounds: 40, leaves: 15)),
        Case(data: "mixed.csv", target: "label", task: "classification", model: "gbdt", space: gbdt(rounds: 30, leaves: 6, minChild: 3),
            extra: ", categorical: [color], missing: native"),
    ]

    static func gbdt(rounds: Int, leaves: Int, minChild: Int = 20) -> String {
        "{rounds: {type: categorical, choices: [\(rounds)]}, max_leaves: {type: categorical, choices: [\(leaves)]}, min_child_samples: {type: categorical, choices: [\(minChild)]}}"
    }

    /// A small table with a categorical column and missing numbers (for the one-hot and imputation nodes).
    static let mixed: String = {
        var lines = ["a,b,color,label"]
        for i in 0..<120 {
            let color = ["red", "green", "blue"][i % 3]
            let a = i % 11 == 0 ? "" : String(Double(i % 13) * 0.7)
            let label = (Double(i % 13) * 0.7 + (color == "red" ? 3 : 0) + Double(i % 5)) > 6 ? "hi" : "lo"
            lines.append("\(a),\(Double(i % 5)),\(color),\(label)")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test(arguments: cases) func onnxRuntimeGivesForagesPredictions(_ c: Case) throws {
        let python = try #require(ONNXRuntimePython.path)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        if c.data == "mixed.csv" {
            try directory.write("data.csv", Self.mixed)
        } else {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Experiments/data/\(c.data)")
            try FileManager.default.copyItem(at: source, to: directory.url.appendingPathComponent("data.csv"))
        }
        let metric = c.task == "regression" ? "val_rmse" : "val_accuracy"
        try directory.write("m.yaml", """
            objective: {metric: \(metric), direction: \(c.task == "regression" ? "minimize" : "maximize")}
            trial: {model: \(c.model)}
            data: {path: data.csv, target: \(c.target), task: \(c.task), validation: 0.2, test: 0.2, seed: 0\(c.extra)}
            search_space: \(c.space)
            searcher: {algorithm: random, seed: 1}
            budget: {trials: 1, parallel: 1}
            promote: {model: m, alias: prod}
            refit: false
            """)
        for arguments in [["run", "m.yaml"], ["models", "export", "m@prod", "out", "--format", "onnx"]] {
            let output = try ForageProcess.run(arguments, in: directory.url)
            try #require(output.status == 0, "forage \(arguments.joined(separator: " ")): \(output.stderr)")
        }
        let forage = try ForageProcess.run(["predict", "m@prod", "--input", "data.csv", "--proba"], in: directory.url)
        try #require(forage.status == 0, "\(forage.stderr)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [ONNXRuntimePython.script, directory.url.appendingPathComponent("out/model.onnx").path, directory.url.appendingPathComponent("data.csv").path]
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let onnxText = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "onnxruntime: \(stderr)")

        let ours = forage.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let theirs = onnxText.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(ours.count == theirs.count && !ours.isEmpty)
        var worst = 0.0
        var labelMismatches = 0
        for (a, b) in zip(ours, theirs) {
            #expect(a.count == b.count)
            if c.task == "classification", a.first != b.first { labelMismatches += 1 }
            let numbers = c.task == "classification" ? 1 : 0
            for (x, y) in zip(a.dropFirst(numbers), b.dropFirst(numbers)) {
                // Probabilities: absolute; regression values (which can be in the hundreds): relative to the value's
                // size, as the MLP runs in float32 in both engines.
                let ours = Double(x) ?? .nan
                let difference = abs(ours - (Double(y) ?? .nan)) / (c.task == "regression" ? max(1, abs(ours)) : 1)
                worst = difference.isNaN ? .infinity : max(worst, difference)
            }
        }
        #expect(labelMismatches == 0)
        #expect(worst <= 1e-5, "largest difference \(worst)")
    }
}
