import ForageCore

/// TPE's good set when the history has several objectives or constraints, as Optuna's TPE makes it:
/// - constraints: feasible trials come first; infeasible ones follow by total violation (the smallest first), so
///   they are good only while too few trials are feasible;
/// - several objectives (MOTPE): feasible trials are taken front by front (non-domination rank); the front that
///   does not fit whole is cut by greedy hypervolume subset selection (each step adds the trial contributing the
///   most hypervolume to those chosen);
/// - one objective with constraints: feasible trials by loss.
enum MultiObjectiveSplit {
    struct Ranked {
        /// Indices into `history.trials` of the good trials, best first.
        var order: [Int]
        /// Completed trials considered.
        var finished: Int
        /// Finished trials left out of both sets (pruned trials of a multi-objective experiment, which have one
        /// value only).
        var excluded: Set<Int>
    }

    static func ranked(history: TrialHistory, wanted: Int) -> Ranked {
        var feasible: [(index: Int, losses: [Double])] = []
        var infeasible: [(index: Int, violation: Double)] = []
        var excluded = Set<Int>()
        for (index, trial) in history.trials.enumerated() where trial.state == .completed || trial.state == .pruned {
            guard trial.state == .completed, let losses = history.losses(trial), losses.allSatisfy(\.isFinite) else {
                if trial.value != nil, history.goals.isMultiObjective { excluded.insert(index) }
                continue
            }
            if trial.isFeasible { feasible.append((index, losses)) } else { infeasible.append((index, trial.violation ?? .infinity)) }
        }
        var order: [Int] = []
        let fronts = Pareto.leadingFronts(feasible.map(\.losses), covering: wanted)
        for front in fronts {
            guard order.count < wanted else { break }
            let room = wanted - order.count
            if front.count <= room {
                // Inside a front, the first objective orders (a stable order for the rank weights).
                order += front.sorted { feasible[$0].losses[0] < feasible[$1].losses[0] }.map { feasible[$0].index }
            } else {
                order += hypervolumeSubset(front.map { feasible[$0].losses }, count: room).map { feasible[front[$0]].index }
            }
        }
        if order.count < wanted {
            order += infeasible.sorted { $0.violation < $1.violation }.prefix(wanted - order.count).map(\.index)
        }
        return Ranked(order: order, finished: feasible.count + infeasible.count, excluded: excluded)
    }

    /// Greedy hypervolume subset selection: `count` of `points` (losses), each step adding the point that adds the
    /// most hypervolume, against Optuna's reference (each worst loss pushed out by 10%).
    static func hypervolumeSubset(_ points: [[Double]], count: Int) -> [Int] {
        guard count < points.count else { return Array(points.indices) }
        let reference = points[0].indices.map { m -> Double in
            let worst = points.map { $0[m] }.max() ?? 0
            return Swift.max(1.1 * worst, 0.9 * worst) + (worst == 0 ? 1e-6 : 0)
        }
        // Large fronts of three or more objectives: contributions are expensive, so crowding decides instead.
        if points[0].count > 2 && points.count > 64 {
            let crowding = Pareto.crowding(points)
            return points.indices.sorted { crowding[$0] > crowding[$1] }.prefix(count).map { $0 }
        }
        var chosen: [Int] = []
        var chosenPoints: [[Double]] = []
        var left = Array(points.indices)
        var volume = 0.0
        while chosen.count < count, !left.isEmpty {
            var bestGain = -Double.infinity
            var bestK = 0
            for (k, i) in left.enumerated() {
                let gain = Pareto.hypervolume(chosenPoints + [points[i]], reference: reference) - volume
                if gain > bestGain {
                    bestGain = gain
                    bestK = k
                }
            }
            let i = left.remove(at: bestK)
            chosen.append(i)
            chosenPoints.append(points[i])
            volume += bestGain
        }
        return chosen
    }
}
