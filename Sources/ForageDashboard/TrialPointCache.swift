import ForageStore

/// An experiment's trial points as the dashboard last read them. A trial in a final state (completed, pruned,
/// failed) is never written again, so a refresh reads only from the first trial that was still queued or running
/// when last read (and the new ones after it): a watched 100 000-trial search costs a few rows per refresh, and the
/// read transaction stays short.
struct TrialPointCache: Sendable {
    /// The experiment these points belong to (a store re-created under the same name starts over).
    private var experimentID: Int64?
    /// Every trial read so far, by number.
    private(set) var points: [TrialPoint] = []
    /// The number to read from next time: every cached trial below it was final when read.
    private var firstOpen = Int.min

    /// Brings the points up to date with the store and returns them.
    mutating func refresh(from store: any ExperimentReader, experiment: ExperimentRecord) async throws -> [TrialPoint] {
        if experimentID != experiment.id {
            self = TrialPointCache()
            experimentID = experiment.id
        }
        let fresh = try await store.trialPoints(experiment, from: firstOpen)
        points.removeSubrange(Self.firstIndex(in: points, atLeast: firstOpen)...)
        let start = points.count
        points += fresh
        if let open = points[start...].first(where: { !$0.state.isFinal }) {
            firstOpen = open.number
        } else if let last = points.last {
            firstOpen = last.number + 1
        }
        return points
    }

    /// The index of the first point numbered `number` or more (points are sorted by number).
    static func firstIndex(in points: [TrialPoint], atLeast number: Int) -> Int {
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].number < number { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
