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

    /// `cache` (the sampler's) narrows the trials looked at when the history only grew since the last call; the
    /// result is the same with or without it.
    static func ranked(history: TrialHistory, wanted: Int, cache: LeadingFrontCache? = nil, prefilter: Bool = true) -> Ranked {
        let completed = CompletedLosses(history: history, reusing: cache?.lastLosses)
        let excluded = history.goals.isMultiObjective ? Set(completed.unusable) : []
        var (feasible, feasibleKnown, infeasible) = completed.candidates(cache: cache, covering: wanted)
        // Two or three objectives: counts kept between calls; more: no prefilter.
        let counted = prefilter && (completed.objectives == 2 || completed.objectives == 3)
        var counts: [Int] = []
        if counted {
            (feasible, counts) = completed.dominatorCounts(feasible, count: wanted, known: feasibleKnown)
        } else if prefilter {
            feasible = completed.fewDominators(feasible, count: wanted)
        }
        var order: [Int] = []
        let fronts = completed.leadingFronts(feasible, covering: wanted, beaten: counted ? counts : nil)
        let byViolation = infeasible.sorted { completed.violations[$0] < completed.violations[$1] }.prefix(wanted)
        let kept = completed.objectives == 2 || counted ? feasible : fronts.flatMap { $0.map { feasible[$0] } }
        cache?.store(
            completed, kept: kept + byViolation, counts: counted ? counts + Array(repeating: -1, count: byViolation.count) : nil,
            covering: wanted)
        for front in fronts {
            guard order.count < wanted else { break }
            let room = wanted - order.count
            if front.count <= room {
                // Inside a front, the first objective orders (a stable order for the rank weights).
                order += front.sorted { completed.loss(feasible[$0], 0) < completed.loss(feasible[$1], 0) }.map { completed.positions[feasible[$0]] }
            } else {
                let points = front.map { completed.lossVector(feasible[$0]) }
                let chosen = cache?.cut(points, count: room) { hypervolumeSubset(points, count: room) } ?? hypervolumeSubset(points, count: room)
                order += chosen.map { completed.positions[feasible[front[$0]]] }
            }
        }
        if order.count < wanted {
            order += byViolation.prefix(wanted - order.count).map { completed.positions[$0] }
        }
        return Ranked(order: order, finished: completed.count, excluded: excluded)
    }

    /// Greedy hypervolume subset selection, as Optuna's `_solve_hssp`: `count` of `points` (losses), each step adding
    /// the point that adds the most hypervolume, against Optuna's reference (each worst loss pushed out by 10%).
    ///
    /// Lazy: a point's gain can only shrink as points are chosen (hypervolume is submodular), so its last computed
    /// gain bounds the next one, and each step computes gains from the largest bound down only until the best gain so
    /// far exceeds every remaining bound. The choice is the plain greedy's (ties go to the earlier point). Fronts of
    /// more than `exactLimit` points with three or more objectives are cut by crowding distance instead (a bounded
    /// cost on very long histories).
    static func hypervolumeSubset(_ points: [[Double]], count: Int, exactLimit: Int = 1_000) -> [Int] {
        guard count < points.count else { return Array(points.indices) }
        let reference = points[0].indices.map { m -> Double in
            let worst = points.map { $0[m] }.max() ?? 0
            return Swift.max(1.1 * worst, 0.9 * worst) + (worst == 0 ? 1e-6 : 0)
        }
        if points[0].count > 2 && points.count > exactLimit {
            let crowding = Pareto.crowding(points)
            return points.indices.sorted { crowding[$0] > crowding[$1] }.prefix(count).map { $0 }
        }
        // A point alone adds its own box: the exact first gain, and a bound on every later one.
        var bound = points.map { p in zip(reference, p).reduce(1.0) { $0 * Swift.max($1.0 - $1.1, 0) } }
        var chosen: [Int] = []
        var chosenPoints: [[Double]] = []
        var left = Array(points.indices)
        var volume = 0.0
        var exact = true
        while chosen.count < count, !left.isEmpty {
            var bestGain = -Double.infinity
            var bestK = 0
            if exact {
                for (k, i) in left.enumerated() where bound[i] > bestGain {
                    bestGain = bound[i]
                    bestK = k
                }
            } else {
                let order = left.indices.sorted { bound[left[$0]] > bound[left[$1]] || (bound[left[$0]] == bound[left[$1]] && $0 < $1) }
                for k in order {
                    let i = left[k]
                    guard bound[i] >= bestGain else { break }
                    let gain = Pareto.hypervolume(chosenPoints + [points[i]], reference: reference) - volume
                    bound[i] = gain
                    if gain > bestGain || (gain == bestGain && k < bestK) {
                        bestGain = gain
                        bestK = k
                    }
                }
            }
            let i = left.remove(at: bestK)
            chosen.append(i)
            chosenPoints.append(points[i])
            volume += bestGain
            exact = false
        }
        return chosen
    }
}
