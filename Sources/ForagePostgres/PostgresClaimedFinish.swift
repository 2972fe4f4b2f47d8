import ForageCore
import ForageStore
import Foundation
import PostgresNIO

/// A worker's batch of finishes as ONE set-wise statement: the fenced `UPDATE … FROM unnest(…)` of every trial
/// still `running` under the claim with the finishing attempt, and, in data-modifying CTEs of the same statement,
/// the final metrics and buffered reports of exactly the trials that update changed. One statement is atomic on its
/// own, so a batch costs one round trip and no transaction, however many trials it holds.
///
/// When `recognising`, the statement also answers true for a trial that is already finished exactly as asked
/// (same claim, attempt, state and finish time): that is a retried finish whose first try landed before its
/// connection was lost, and it is recognised rather than reported as refused (nothing is written twice).
struct PostgresClaimedFinish {
    let experiment: Int64
    let claim: ClaimIdentity
    let finishes: [TrialFinish]
    let reports: [Int: [MetricReport]]

    /// The statement; its rows are the numbers of the trials recorded.
    func query(recognising: Bool) -> PostgresQuery {
        let id = experiment
        // Arrays carry no NULLs here: an absent value goes in as NaN, an absent text as '' (or with a flag).
        let numbers = finishes.map(\.number)
        let attempts = finishes.map(\.attempt)
        let states = finishes.map(\.state.rawValue)
        let values = finishes.map { $0.value ?? .nan }
        let reasons = finishes.map { $0.reason?.rawValue ?? "" }
        let hasMessage = finishes.map { $0.message != nil }
        let messages = finishes.map { $0.message ?? "" }
        let requeued = finishes.map(\.requeued)
        let finishedAt = finishes.map(\.finishedAt.timeIntervalSince1970)
        let hasLastStep = finishes.map { $0.lastStep != nil }
        let lastSteps = finishes.map { $0.lastStep ?? 0 }
        let curves = finishes.map { Self.curvePoints(reports[$0.number] ?? []) }
        let topSteps = curves.map { $0.map(\.step).max() ?? -1 }
        let hasObjectives = finishes.map { $0.values != nil || $0.violation != nil }
        let objectives = finishes.map { ObjectiveValuesText.encode($0.values) ?? "" }
        let violations = finishes.map { $0.violation ?? .nan }
        var metricTrials: [Int] = [], metricNames: [String] = [], metricValues: [Double] = []
        for finish in finishes {
            for (name, value) in finish.metrics.sorted(by: { $0.key < $1.key }) where value.isFinite {
                metricTrials.append(finish.number)
                metricNames.append(name)
                metricValues.append(value)
            }
        }
        var curveTrials: [Int] = [], curveNames: [String] = [], curveSteps: [Int] = [], curveValues: [Double] = []
        for (finish, points) in zip(finishes, curves) {
            for point in points {
                curveTrials.append(finish.number)
                curveNames.append(point.name)
                curveSteps.append(point.step)
                curveValues.append(point.value)
            }
        }
        return """
            WITH f AS (
                SELECT * FROM unnest(\(numbers)::bigint[], \(attempts)::bigint[], \(states)::text[], \(values)::float8[], \(reasons)::text[],
                    \(hasMessage)::bool[], \(messages)::text[], \(requeued)::bool[], \(finishedAt)::float8[], \(hasLastStep)::bool[],
                    \(lastSteps)::bigint[], \(topSteps)::bigint[], \(hasObjectives)::bool[], \(objectives)::text[], \(violations)::float8[])
                    AS f(n, a, s, v, r, hm, m, q, fa, hl, ls, top, ho, ov, vi)
            ), done AS (
                UPDATE trials t SET state = f.s, value = NULLIF(f.v, 'NaN'::float8), reason = NULLIF(f.r, ''),
                    message = CASE WHEN f.hm THEN f.m END, requeued = f.q, finished_at = f.fa, lease_until = NULL,
                    last_step = CASE WHEN f.hl THEN f.ls ELSE GREATEST(NULLIF(f.top, -1),
                        (SELECT MAX(i.step) FROM intermediate_values i WHERE i.experiment_id = \(id) AND i.trial = f.n)) END,
                    objective_values = CASE WHEN f.ho THEN NULLIF(f.ov, '') ELSE t.objective_values END,
                    violation = CASE WHEN f.ho THEN NULLIF(f.vi, 'NaN'::float8) ELSE t.violation END
                FROM f WHERE t.experiment_id = \(id) AND t.number = f.n AND t.state = 'running' AND t.attempt = f.a
                    AND t.claim_token = \(claim.token)
                RETURNING t.number
            ), metrics AS (
                INSERT INTO trial_metrics (experiment_id, trial, name, value)
                SELECT \(id), m.t, m.n, m.v FROM unnest(\(metricTrials)::bigint[], \(metricNames)::text[], \(metricValues)::float8[]) AS m(t, n, v)
                JOIN done ON done.number = m.t
                ON CONFLICT (experiment_id, trial, name) DO UPDATE SET value = excluded.value
            ), curves AS (
                INSERT INTO intermediate_values (experiment_id, trial, name, step, value)
                SELECT \(id), c.t, c.n, c.s, c.v
                FROM unnest(\(curveTrials)::bigint[], \(curveNames)::text[], \(curveSteps)::bigint[], \(curveValues)::float8[]) AS c(t, n, s, v)
                JOIN done ON done.number = c.t
                ON CONFLICT (experiment_id, trial, name, step) DO UPDATE SET value = excluded.value
            )
            SELECT number FROM done
            UNION
            SELECT t.number FROM trials t JOIN f ON t.number = f.n
            WHERE \(recognising) AND t.experiment_id = \(id) AND t.claim_token = \(claim.token) AND t.attempt = f.a AND t.state = f.s
                AND t.finished_at = f.fa
            """
    }

    /// A trial's buffered reports as curve points: the later report of a step wins, final reports (no step) and NaN
    /// values are left out.
    static func curvePoints(_ reports: [MetricReport]) -> [(name: String, step: Int, value: Double)] {
        var latest: [String: Int] = [:]
        var points: [(name: String, step: Int, value: Double)] = []
        for report in reports {
            guard let step = report.step else { continue }
            for (name, value) in report.values.sorted(by: { $0.key < $1.key }) where !value.isNaN {
                let key = "\(step)\u{0}\(name)"
                if let index = latest[key] {
                    points[index].value = value
                } else {
                    latest[key] = points.count
                    points.append((name, step, value))
                }
            }
        }
        return points
    }
}
