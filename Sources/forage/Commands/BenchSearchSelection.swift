import Foundation
import ForageBench

/// The searchers and functions `forage bench search --searchers … --problems …` names (all of them without the
/// options), so a long comparison can be run in parts.
struct BenchSearchSelection {
    var searchers: [SearchQualityBenchmark.Searcher]
    var problems: [SearchQualityBenchmark.Problem]

    /// Parses the comma-separated lists; an unknown name is a `CLIError` listing the known ones.
    init(searchers: String?, problems: String?) throws {
        self.searchers = try Self.pick(searchers, from: SearchQualityBenchmark.searchers, name: \.name, option: "--searchers")
        self.problems = try Self.pick(problems, from: SearchQualityBenchmark.problems, name: \.name, option: "--problems")
    }

    private static func pick<T>(_ list: String?, from all: [T], name: (T) -> String, option: String) throws -> [T] {
        guard let list else { return all }
        let wanted = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known = all.map(name)
        if let unknown = wanted.first(where: { !known.contains($0) }) {
            throw CLIError("\(option): no \(unknown) here; known: \(known.joined(separator: ", "))")
        }
        // In the benchmark's own order, each once.
        return all.filter { wanted.contains(name($0)) }
    }
}
