import ForageCore
import ForageStore
import Foundation

/// Why a run in which no trial completed is an error: how many trials failed for each reason, with one example
/// message per reason, so `forage run … && forage promote …` stops and the user sees what went wrong.
///
/// Reads like `no trial completed: all 5 trials failed (error: 5, e.g. trial 0: the output had no 'loss' metric …)`.
public struct FailureSummary: Sendable, Equatable {
    /// One failure reason: how many trials failed for it, and the first such trial's number and message.
    public struct Group: Sendable, Equatable {
        public var reason: String
        public var count: Int
        public var exampleTrial: Int
        public var exampleMessage: String
    }

    /// The groups, most frequent first (ties in reason order of first appearance).
    public var groups: [Group]
    /// Trials that reached a final state (completed, pruned or failed, not re-queued).
    public var finalTrials: Int

    /// Tallies the failed trials of an experiment. Re-queued attempts are counted only when no final failure exists
    /// (every attempt was retried), so a retried trial is not counted twice.
    public init(failed trials: [TrialRecord], finalTrials: Int) {
        let final = trials.filter { $0.state == .failed && !$0.requeued }
        let counted = (final.isEmpty ? trials.filter { $0.state == .failed } : final).sorted { $0.number < $1.number }
        var groups: [Group] = []
        for trial in counted {
            let reason = trial.reason?.rawValue ?? FailureReason.error.rawValue
            if let index = groups.firstIndex(where: { $0.reason == reason }) {
                groups[index].count += 1
            } else {
                groups.append(Group(reason: reason, count: 1, exampleTrial: trial.number, exampleMessage: Self.oneLine(trial.message ?? "")))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1.reason, $0) })
        self.groups = groups.sorted { ($0.count, -(order[$0.reason] ?? 0)) > ($1.count, -(order[$1.reason] ?? 0)) }
        self.finalTrials = finalTrials
    }

    /// The number of failed trials counted.
    public var failed: Int { groups.reduce(0) { $0 + $1.count } }

    /// The one-line summary for the run's closing message.
    public var message: String {
        let total = failed
        let head: String
        if total == finalTrials {
            head = total == 1 ? "no trial completed: the only trial failed" : "no trial completed: all \(total) trials failed"
        } else {
            head = "no trial completed: \(total) of \(finalTrials) trials failed"
        }
        let parts = groups.map { group -> String in
            let example = group.exampleMessage.isEmpty ? "" : ": \(group.exampleMessage)"
            return "\(group.reason): \(group.count) (e.g. trial \(group.exampleTrial)\(example))"
        }
        return parts.isEmpty ? head : "\(head) — " + parts.joined(separator: "; ")
    }

    /// A message on one line, cut to a readable length.
    static func oneLine(_ text: String, limit: Int = 200) -> String {
        let flat = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " | ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }
}
