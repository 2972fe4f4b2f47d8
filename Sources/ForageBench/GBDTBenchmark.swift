import ForageCore
import ForageML
import Foundation

/// The gbdt half of `forage bench automl`: gbdt's fit time and test score with 1 and 2 threads on the shipped
/// datasets and the generated 100 000 × 50 tables, with the same rounds, leaves and learning rate that
/// `Experiments/bench/compare_gbdt.py` gives LightGBM and scikit-learn. It can write each table's training and
/// test rows as CSV (the features as Forage encodes them) so the peers fit on exactly the same rows.
public enum GBDTBenchmark {
    /// One dataset of the benchmark, prepared with the benchmark's split.
    public struct Table: Sendable {
        public let name: String
        public let data: PreparedData
    }

    /// One measured fit.
    public struct Row: Sendable, Codable {
        public let dataset: String
        public let rows: Int
        public let features: Int
        public let threads: Int
        public let fitSeconds: Double
        /// Process CPU time of the whole trial (fit, metrics, model file), median over repeats: steadier than wall
        /// time on a busy machine.
        public let cpuSeconds: Double
        /// `accuracy` or `r2`.
        public let metric: String
        public let test: Double
    }

    /// The shipped datasets (validation 5%, test 20%, seed 0) and the two generated tables.
    public static func tables(dataDirectory: String, largeRows: Int) throws -> [Table] {
        func shipped(_ file: String, _ target: String, _ task: DataSpec.Task) throws -> Table {
            Table(
                name: String(file.dropLast(4)),
                data: try Dataset.load(
                    DataSpec(path: dataDirectory + "/" + file, target: target, task: task, validation: 0.05, test: 0.2)))
        }
        let names = (0..<50).map { "f\($0)" }
        let (cx, cy) = SyntheticTables.classification(rows: largeRows, features: 50)
        let (rx, ry) = SyntheticTables.regression(rows: largeRows, features: 50)
        return [
            try shipped("digits.csv", "digit", .classification),
            try shipped("breast_cancer.csv", "diagnosis", .classification),
            try shipped("diabetes.csv", "progression", .regression),
            try shipped("iris.csv", "species", .classification),
            Table(
                name: "clf\(largeRows / 1000)k",
                data: try Dataset.prepare(
                    features: cx, featureNames: names, targets: cy,
                    spec: DataSpec(path: "clf", target: "y", task: .classification, validation: 0.05, test: 0.2),
                    description: "generated classification")),
            Table(
                name: "reg\(largeRows / 1000)k",
                data: try Dataset.prepare(
                    features: rx, featureNames: names, targets: ry,
                    spec: DataSpec(path: "reg", target: "y", task: .regression, validation: 0.05, test: 0.2),
                    description: "generated regression")),
        ]
    }

    /// The parameters every side uses.
    public static let parameters = ParameterSet([
        "rounds": .int(100), "learning_rate": .double(0.1), "max_leaves": .int(31), "min_child_samples": .int(20),
        "max_bins": .int(255),
    ])

    /// Fits gbdt on each table with each thread count, `repeats` times, and keeps the median fit time.
    public static func run(tables: [Table], threads: [Int], repeats: Int) throws -> [Row] {
        var rows: [Row] = []
        for table in tables {
            for count in threads {
                var results: [ModelTrialResult] = []
                var cpu: [Double] = []
                for _ in 0..<max(1, repeats) {
                    let before = OverheadBenchmark.processCPUSeconds()
                    results.append(
                        try ModelTrialRunner.run(family: "gbdt", params: parameters, data: table.data, threads: 1, treeThreads: count) { _, _ in
                            true
                        })
                    cpu.append(OverheadBenchmark.processCPUSeconds() - before)
                }
                results.sort { $0.fitSeconds < $1.fitSeconds }
                cpu.sort()
                let median = results[results.count / 2]
                let classification = table.data.task == .classification
                rows.append(
                    Row(
                        dataset: table.name, rows: table.data.train.count, features: table.data.featureCount, threads: count,
                        fitSeconds: median.fitSeconds, cpuSeconds: cpu[cpu.count / 2], metric: classification ? "accuracy" : "r2",
                        test: median.metrics[classification ? "test_accuracy" : "test_r2"] ?? .nan))
            }
        }
        return rows
    }

    /// Writes `<name>_train.csv` and `<name>_test.csv` (encoded features, then `y`: the class label or the value).
    public static func export(_ tables: [Table], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for table in tables {
            for (part, split) in [("train", table.data.train), ("test", table.data.test)] {
                var text = (table.data.featureNames.indices.map { "f\($0)" } + ["y"]).joined(separator: ",") + "\n"
                for r in 0..<split.count {
                    let label = table.data.task == .classification ? String(split.classes[r]) : String(split.targets[r])
                    text += (split.features.row(r).map { String($0) } + [label]).joined(separator: ",") + "\n"
                }
                try text.write(toFile: directory + "/\(table.name)_\(part).csv", atomically: true, encoding: .utf8)
            }
        }
    }

    /// The rows as a text table.
    public static func table(_ rows: [Row]) -> String {
        var lines = ["dataset      n_train x d   threads  fit s     test"]
        for row in rows {
            lines.append(
                [
                    row.dataset.padding(toLength: 12, withPad: " ", startingAt: 0),
                    "\(row.rows)x\(row.features)".padding(toLength: 13, withPad: " ", startingAt: 0),
                    String(row.threads).padding(toLength: 8, withPad: " ", startingAt: 0),
                    String(format: "%.3f", row.fitSeconds).padding(toLength: 9, withPad: " ", startingAt: 0),
                    "\(row.metric) \(String(format: "%.4f", row.test))",
                ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
