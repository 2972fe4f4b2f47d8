import ForageCore
import ForageStore
import Foundation

/// The machine-readable shapes of DESIGN §4, built as plain JSON objects.
enum RecordJSON {
    static func trial(_ record: TrialRecord) -> [String: Any] {
        var params: [String: Any] = [:]
        for (name, value) in record.params { params[name] = parameter(value) }
        var object: [String: Any] = [
            "number": record.number,
            "state": record.state.rawValue,
            "params": params,
            "value": number(record.value),
            "metrics": record.metrics.mapValues { number($0) },
            "last_step": record.lastStep.map { $0 as Any } ?? NSNull(),
            "reason": record.reasonText.map { $0 as Any } ?? NSNull(),
            "message": record.message.map { $0 as Any } ?? NSNull(),
            "attempt": record.attempt,
            "retry_of": record.retryOf.map { $0 as Any } ?? NSNull(),
            "requeued": record.requeued,
            "worker": record.worker.map { $0 as Any } ?? NSNull(),
            "data_version": record.dataVersion.map { $0 as Any } ?? NSNull(),
            "decisions": record.decisions.map(decision),
            "started_at": Format.timestamp(record.startedAt).map { $0 as Any } ?? NSNull(),
            "finished_at": Format.timestamp(record.finishedAt).map { $0 as Any } ?? NSNull(),
            "duration_s": number(record.duration),
        ]
        if let values = record.values { object["values"] = values.map { number($0) } }
        if let violation = record.violation {
            object["violation"] = number(violation)
            object["feasible"] = violation <= 0
        }
        if let front = record.front { object["front"] = front }
        return object
    }

    static func status(
        _ experiment: ExperimentRecord, counts: TrialCounts, best: TrialRecord?, front: FrontSummary? = nil, enqueued: Int? = nil
    ) -> [String: Any] {
        let end = experiment.finishedAt ?? Date()
        var object: [String: Any] = [
            "name": experiment.name,
            "state": experiment.state.rawValue,
            "objective": ["metric": experiment.objective.metric, "direction": experiment.objective.direction.rawValue],
            "budget": ["trials": experiment.budgetTrials, "parallel": experiment.budgetParallel],
            "counts": [
                "queued": counts.queued, "running": counts.running, "completed": counts.completed, "pruned": counts.pruned,
                "failed": counts.failed,
            ],
            "best": best.map { trial($0) as Any } ?? NSNull(),
            "started_at": Format.timestamp(experiment.startedAt).map { $0 as Any } ?? NSNull(),
            "finished_at": Format.timestamp(experiment.finishedAt).map { $0 as Any } ?? NSNull(),
            "elapsed_s": experiment.startedAt.map { end.timeIntervalSince($0) as Any } ?? NSNull(),
            "message": experiment.message.map { $0 as Any } ?? NSNull(),
            "spec_sha256": experiment.specSHA256,
            "seed": experiment.seed,
            "forage_version": experiment.forageVersion,
        ]
        object["tags"] = experiment.tags
        if let enqueued { object["enqueued_pending"] = enqueued }
        if experiment.goals.ranksByFront {
            object["objectives"] = experiment.goals.objectives.map { ["metric": $0.metric, "direction": $0.direction.rawValue] }
            object["constraints"] = experiment.goals.constraints.map(\.description)
        }
        if let front {
            object["pareto"] = [
                "front_size": front.size, "feasible": front.feasible, "hypervolume": number(front.hypervolume),
                "reference_point": front.reference.map { $0.map { number($0) } as Any } ?? NSNull(),
            ] as [String: Any]
        }
        if experiment.dataVersions.count > 1 {
            object["data_versions"] = experiment.dataVersions.map { ["path": $0.path, "sha256": $0.sha256, "rows": $0.rows] as [String: Any] }
        }
        if let data = experiment.data {
            object["data"] = [
                "path": data.path, "sha256": data.sha256, "rows": data.rows, "columns": data.columns,
                "train": data.trainRows, "validation": data.validationRows, "test": data.testRows,
            ]
        }
        return object
    }

    static func decision(_ decision: DecisionRecord) -> [String: Any] {
        [
            "step": decision.step, "action": decision.action, "reason": decision.reason.map { $0 as Any } ?? NSNull(),
            "rung": decision.rung.map { $0 as Any } ?? NSNull(), "cutoff": number(decision.cutoff), "value": number(decision.value),
        ]
    }

    static func parameter(_ value: ParameterValue) -> Any {
        switch value {
        case .double(let number): return number
        case .int(let number): return number
        case .string(let text): return text
        case .bool(let flag): return flag
        }
    }

    static func number(_ value: Double?) -> Any {
        guard let value, value.isFinite else { return NSNull() }
        return value
    }

    /// Pretty, key-sorted JSON text.
    static func text(_ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// What `status` shows of a multi-objective or constrained experiment's Pareto front.
struct FrontSummary {
    /// Trials on front 1.
    var size: Int
    /// Feasible completed trials.
    var feasible: Int
    var hypervolume: Double
    /// The reference point in the objectives' own units and directions (`FrontRanking.referencePoint`, turned back
    /// from losses).
    var reference: [Double]?

    init(_ ranking: FrontRanking, goals: ObjectiveSet) {
        size = ranking.paretoFront.count
        feasible = ranking.fronts.count
        hypervolume = ranking.hypervolume()
        reference = ranking.referencePoint.map { point in zip(goals.objectives, point).map { $0.direction == .minimize ? $1 : -$1 } }
    }
}
