import ForageReport
import Foundation

/// The parameter importance the dashboard shows for one experiment. Fitting the forest is the costliest part of a
/// page, so while the search runs the forest is fitted to at most 500 trials and refitted only when the completed
/// trials doubled (no sooner than 10 s after the last fit) or after a minute (always below 200 trials, where it is
/// cheap). Once the search stops, it is fitted to the final trials as the report does. The page says how many
/// trials the forest was fitted to.
struct ImportanceCache: Sendable {
    private var fittedTo: Int?
    private var fittedAt = Date.distantPast
    private var importance: ParameterImportance?

    mutating func importance(for data: ReportData, now: Date = Date()) -> ParameterImportance? {
        let completed = data.counts.completed
        let running = data.experiment.state == .running
        if let fittedTo, fittedTo == completed || (running && Self.recentEnough(fittedTo, completed, now.timeIntervalSince(fittedAt))) {
            return importance
        }
        importance = ReportBuilder.importance(of: data, maxTrials: running ? 500 : 2000)
        fittedTo = completed
        fittedAt = now
        return importance
    }

    /// Whether a forest fitted to `fitted` trials `age` seconds ago still stands for `completed` trials of a running
    /// search.
    static func recentEnough(_ fitted: Int, _ completed: Int, _ age: TimeInterval) -> Bool {
        guard completed >= 200, completed >= fitted, age < 60 else { return false }
        return completed < 2 * fitted || age < 10
    }
}
