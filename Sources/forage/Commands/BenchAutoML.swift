import ArgumentParser
import ForageBench
import Foundation

extension Forage.Bench {
    /// `forage bench automl`: gbdt's fit time and test score on the shipped and generated tables (the Forage side of
    /// `Experiments/bench/compare_gbdt.py`, which also exports the tables for the peers).
    struct AutoML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "automl",
            abstract: "gbdt fit time and test score (1 and 2 threads) on Experiments/data and the generated 100 000 × 50 tables.")

        @Option(help: "Folder with digits.csv, breast_cancer.csv, diabetes.csv and iris.csv.")
        var data: String = "Experiments/data"

        @Option(help: "Rows of the generated tables.")
        var rows: Int = 100_000

        @Option(help: "Fits per case (the median fit time is shown).")
        var repeats: Int = 3

        @Option(help: "Thread counts to measure; repeat the option for several.")
        var threads: [Int] = [1, 2]

        @Option(help: "Write each table's training and test rows as CSV to this folder (for the peers' script).")
        var export: String?

        @Flag(help: "Print the rows as JSON (one object per line) instead of a table.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let tables = try GBDTBenchmark.tables(dataDirectory: data, largeRows: rows)
                if let export { try GBDTBenchmark.export(tables, to: export) }
                let results = try GBDTBenchmark.run(tables: tables, threads: threads, repeats: repeats)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    for row in results { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
                } else {
                    print(GBDTBenchmark.table(results))
                }
            }
        }
    }
}
