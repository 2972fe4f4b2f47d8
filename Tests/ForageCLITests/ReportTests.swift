import ForageTesting
import Foundation
import Testing

/// `forage leaderboard --format html`: one self-contained page with every plot, for an experiment that has
/// completed, pruned and failed trials.
@Suite(.serialized) struct ReportTests {
    /// A command trial reporting a 9-step learning curve of `loss`; it fails (exit 1) when x > 0.85.
    static let script = """
        awk -v x="$1" 'BEGIN { if (x > 0.85) exit 1; for (i = 1; i <= 9; i++) { printf "{\\"step\\": %d, \\"loss\\": %.6f}\\n", i, x * x + 1 / i; fflush(); system("sleep 0.02") } }'
        """

    static let spec = """
        name: curves
        objective: {metric: loss, direction: minimize}
        trial: {command: [sh, t.sh, "{x}"]}
        search_space:
          x: {type: float, low: 0, high: 1}
          act: {type: categorical, choices: [relu, tanh]}
        searcher: {algorithm: random, seed: 3}
        scheduler: {algorithm: asha, min: 1, max: 9, reduction: 3}
        budget: {trials: 24, parallel: 2}
        """

    @Test func theReportHasEveryPlotAndNoOutsideAddress() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("t.sh", Self.script)
        try directory.write("c.yaml", Self.spec)
        let run = try ForageProcess.run(["run", "c.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let status = try ForageProcess.run(["status", "curves", "--format", "json"], in: directory.url)
        let counts = try #require(
            (try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["counts"] as? [String: Int])
        #expect((counts["pruned"] ?? 0) > 0, "\(counts)")
        #expect((counts["failed"] ?? 0) > 0, "\(counts)")
        #expect((counts["completed"] ?? 0) > 0, "\(counts)")

        let made = try ForageProcess.run(["leaderboard", "curves", "--format", "html", "--output", "report.html"], in: directory.url)
        #expect(made.status == 0, "\(made.stderr)")
        let html = try String(contentsOf: directory.url.appendingPathComponent("report.html"), encoding: .utf8)
        for id in ["plot-history", "plot-parallel", "plot-importance", "plot-curves"] {
            #expect(html.contains("<svg id=\"\(id)\""), "missing \(id)")
        }
        for section in ["summary", "history", "parallel", "importance", "intermediate", "leaderboard"] {
            #expect(html.contains("<section id=\"\(section)\""), "missing section \(section)")
        }
        #expect(html.contains("class=\"pt-p\""), "pruned trials are marked")
        #expect(html.contains("class=\"pt-f\""), "failed trials are marked")
        #expect(html.contains("class=\"stop\""), "where pruned trials stopped")
        #expect(html.contains("Why pruned trials stopped"))
        #expect(html.contains("Permutation importance on a random-forest surrogate"))
        #expect(html.contains("spec SHA-256"))
        #expect(!html.contains("http://") && !html.contains("https://"), "no outside address")
        #expect(!html.contains("src=") && !html.contains("url("), "nothing loaded from elsewhere")
        #expect(
            html.components(separatedBy: "<link").count == 2 && html.contains("<link rel=\"icon\" href=\"data:,\">"),
            "only the empty inline icon")
        #expect(html.contains("<table id=\"lb\""))
        #expect(html.components(separatedBy: "<tr><td data-v=").count - 1 == counts["completed"])

        let again = try ForageProcess.run(["leaderboard", "curves", "--format", "html", "--output", "again.html"], in: directory.url)
        #expect(again.status == 0)
        let second = try String(contentsOf: directory.url.appendingPathComponent("again.html"), encoding: .utf8)
        let strip: (String) -> String = { $0.replacingOccurrences(of: #"generated [0-9T:Z-]+"#, with: "", options: .regularExpression) }
        #expect(strip(second) == strip(html), "the same store gives the same report")
    }
}
