import ForageReport
import Foundation

/// The parameter importance the dashboard shows for one experiment. Refitting the forest is the costliest part of
/// a page, so while the search runs it is refitted only when the completed trials doubled, or grew at all after a
/// minute (always below 200 trials, where it is cheap); once the search stops, it is refitted to the final trials.
/// The page says how many trials the forest was fitted to.
struct ImportanceCache: Sendable {
    private var fittedTo: Int?
    private var fittedAt = Date.distantPast
    private var importance: ParameterImportance?

    mutating func importance(for data: ReportData, now: Date = Date()) -> ParameterImportance? {
        let completed = data.counts.completed
        if let fittedTo,
            fittedTo == completed
                || (data.experiment.state == .running && Self.recentEnough(fittedTo, completed, now.timeIntervalSince(fittedAt)))
        {
            return importance
        }
        importance = ReportBuilder.importance(of: data)
        fittedTo = completed
        fittedAt = now
        return importance
    }

    /// Whether a forest fitted to `fitted` trials `age` seconds ago still stands for `completed` trials of a running search.
    static func recentEnough(_ fitted: Int, _ completed: Int, _ age: TimeInterval) -> Bool {
        completed >= 200 && completed >= fitted && completed < 2 * fitted && age < 60
    }
}
