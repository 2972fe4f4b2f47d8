import ForageCore
import ForageML
import ForageSearch
import Foundation

/// Release-build trainer benchmark behind `forage bench trainers`: fit time and test accuracy / R² of ridge,
/// logistic regression and the MLP on `digits.csv` (and `diabetes.csv` for ridge) and on generated 100 000 × 50
/// tables, plus the MLP training loop's GFLOP/s against a measured sgemm peak. Returns the report as text.
public enum TrainerBenchmark {
    /// Runs every case (or those of the `only` families). `dataDirectory` holds the example CSV files; `threads` is
    /// OpenBLAS's thread count; `largeRows` sizes the generated tables (100 000 by default).
    public static func run(dataDirectory: String, threads: Int = 1, largeRows: Int = 100_000, only: Set<String> = []) throws
        -> String
    {
        BLASThreads.set(threads)
        var lines = ["ForageML trainer benchmark (OpenBLAS threads: \(threads))", ""]
        lines.append(pad(["dataset", "n_train x d", "model", "fit s", "metric", "steps", "GFLOP/s"]))
        let digits = try Dataset.load(
            DataSpec(path: dataDirectory + "/digits.csv", target: "digit", task: .classification, validation: 0.05, test: 0.2))
        let diabetes = try Dataset.load(
            DataSpec(path: dataDirectory + "/diabetes.csv", target: "progression", task: .regression, validation: 0.05, test: 0.2))
        let (cx, cy) = SyntheticTables.classification(rows: largeRows, features: 50)
        let classification = try Dataset.prepare(
            features: cx, featureNames: (0..<50).map { "f\($0)" }, targets: cy,
            spec: DataSpec(path: "clf", target: "y", task: .classification, validation: 0.05, test: 0.2),
            description: "generated classification")
        let (rx, ry) = SyntheticTables.regression(rows: largeRows, features: 50)
        let regression = try Dataset.prepare(
            features: rx, featureNames: (0..<50).map { "f\($0)" }, targets: ry,
            spec: DataSpec(path: "reg", target: "y", task: .regression, validation: 0.05, test: 0.2),
            description: "generated regression")
        let mlp = ParameterSet(["hidden": .int(64), "epochs": .int(50), "batch_size": .int(200), "lr": .double(1e-3)])
        let cases: [(String, PreparedData, String, ParameterSet)] = [
            ("digits", digits, "logistic", ParameterSet()),
            ("digits", digits, "ridge-classifier", ParameterSet()),
            ("digits", digits, "mlp", mlp),
            ("diabetes", diabetes, "ridge", ParameterSet()),
            ("clf\(largeRows / 1000)k", classification, "logistic", ParameterSet()),
            ("clf\(largeRows / 1000)k", classification, "ridge-classifier", ParameterSet()),
            ("clf\(largeRows / 1000)k", classification, "mlp", mlp),
            ("reg\(largeRows / 1000)k", regression, "ridge", ParameterSet()),
            ("reg\(largeRows / 1000)k", regression, "mlp", mlp),
        ]
        for (name, data, family, params) in cases where only.isEmpty || only.contains(family) {
            let shape = "\(data.train.count)x\(data.featureCount)"
            if family == "ridge-classifier" {
                let (seconds, accuracy) = try ridgeClassifier(data)
                lines.append(pad([name, shape, "ridge (one-vs-all ±1)", format(seconds), "accuracy \(format(accuracy))", "1", "-"]))
                continue
            }
            // Median of three fits for the fast trainers, one for the MLP on the large tables.
            let repeats = family == "mlp" && data.train.count > 10_000 ? 1 : 3
            var results: [ModelTrialResult] = []
            for _ in 0..<repeats {
                results.append(try ModelTrialRunner.run(family: family, params: params, data: data, threads: 0) { _, _ in true })
            }
            results.sort { $0.fitSeconds < $1.fitSeconds }
            let result = results[results.count / 2]
            let metric = data.task == .classification
                ? "accuracy \(format(result.metrics["test_accuracy"] ?? .nan))" : "r2 \(format(result.metrics["test_r2"] ?? .nan))"
            let gflops = family == "mlp" ? format(result.flops / result.fitSeconds / 1e9) : "-"
            lines.append(pad([name, shape, family, format(result.fitSeconds), metric, "\(result.steps)", gflops]))
        }
        lines.append("")
        lines.append("sgemm peak (512×512×512, best of 10): \(format(sgemmPeak())) GFLOP/s")
        lines.append("MLP GFLOP/s counts the forward and backward products (6·n·Σ fan_in·fan_out per epoch) over the whole fit,")
        lines.append("including per-epoch validation scoring and data shuffling.")
        return lines.joined(separator: "\n")
    }

    /// Ridge on ±1 one-vs-all targets, predicting the largest score (scikit-learn's `RidgeClassifier`, alpha = 1).
    static func ridgeClassifier(_ data: PreparedData) throws -> (Double, Double) {
        let k = data.classCount
        let start = ContinuousClock.now
        var targets = Matrix<Double>(rows: data.train.count, columns: k, repeating: -1)
        for (r, label) in data.train.classes.enumerated() { targets[r, label] = 1 }
        let (coef, intercept) = try RidgeTrainer.solve(data.train.features, targets, alpha: 1)
        let seconds = seconds(since: start)
        let scores = LinearScores.compute(data.test.features, coef: coef, intercept: intercept)
        let accuracy = ClassificationMetrics.accuracy(predicted: ClassificationMetrics.argmax(scores), truth: data.test.classes)
        return (seconds, accuracy)
    }

    /// Best sgemm rate on 512³ products, in GFLOP/s.
    public static func sgemmPeak(size: Int = 512, repeats: Int = 10) -> Double {
        var generator = SplitMix64(seed: 1)
        var a = Matrix<Float>(rows: size, columns: size)
        for i in 0..<a.storage.count { a.storage[i] = Float(generator.nextUnit()) }
        let b = a
        var c = Matrix<Float>(rows: size, columns: size)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            Matrix.multiply(a, b, into: &c)
            best = min(best, seconds(since: start))
        }
        return 2 * pow(Double(size), 3) / best / 1e9
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    static func format(_ value: Double) -> String { String(format: value < 0.001 ? "%.2e" : (value < 0.01 ? "%.4f" : "%.3f"), value) }

    static func pad(_ fields: [String]) -> String {
        let widths = [10, 12, 22, 9, 16, 6, 8]
        return zip(fields, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }
            .joined(separator: " ")
    }
}
