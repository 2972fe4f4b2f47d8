import ForageCore

extension ExperimentReader {
    /// The front ranking of a multi-objective or constrained experiment's completed trials, from their objective
    /// values alone (no metrics, no decisions).
    public func frontRanking(_ experiment: ExperimentRecord) async throws -> FrontRanking {
        FrontRanking(points: try await objectivePoints(experiment), goals: experiment.goals)
    }

    /// Completed trials in front order (`FrontRanking`), each carrying its front: the ranking is computed once from
    /// the objective values, then the records are read page by page.
    /// With `paretoOnly`, only front 1 (which leads the order).
    public func frontRankedTrials(
        _ experiment: ExperimentRecord, top: Int? = nil, pageSize: Int = 2000, detail: RecordDetail = .full, paretoOnly: Bool = false
    ) -> TrialStream {
        let loader = FrontRankingLoader(reader: self, experiment: experiment)
        return TrialStream(limit: top) { last in
            let ranking = try await loader.ranking()
            let end = paretoOnly ? ranking.paretoFront.count : ranking.order.count
            let start = last.flatMap { ranking.position(of: $0.number).map { $0 + 1 } } ?? 0
            guard start < end else { return [] }
            let numbers = Array(ranking.order[start..<min(end, start + pageSize)])
            let byNumber = Dictionary(
                try await self.trials(experiment, numbers: numbers, detail: detail).map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
            return numbers.compactMap { number in
                guard var record = byNumber[number] else { return nil }
                record.front = ranking.fronts[number]
                return record
            }
        }
    }

    /// The best `top` trials of a front-ranked experiment, best first.
    public func frontRankedLeaderboard(_ experiment: ExperimentRecord, top: Int) async throws -> [TrialRecord] {
        try await frontRankedTrials(experiment, top: top, pageSize: max(1, min(top, 2000)), detail: .full).collect()
    }
}

/// Computes an experiment's front ranking on first use and keeps it for the pages of one listing.
actor FrontRankingLoader {
    let reader: any ExperimentReader
    let experiment: ExperimentRecord
    private var cached: FrontRanking?

    init(reader: any ExperimentReader, experiment: ExperimentRecord) {
        self.reader = reader
        self.experiment = experiment
    }

    func ranking() async throws -> FrontRanking {
        if let cached { return cached }
        let ranking = try await reader.frontRanking(experiment)
        cached = ranking
        return ranking
    }
}
