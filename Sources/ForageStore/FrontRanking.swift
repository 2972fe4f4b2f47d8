import ForageCore
import Foundation

/// What ranking by Pareto front needs of one completed trial: its objective values and constraint violation.
public struct ObjectivePoint: Sendable, Equatable {
    public var number: Int
    /// Every objective's value in objective order.
    public var values: [Double]
    /// Total constraint violation (0 = feasible), or nil without constraints.
    public var violation: Double?

    public init(number: Int, values: [Double], violation: Double?) {
        self.number = number
        self.values = values
        self.violation = violation
    }

    public var isFeasible: Bool { (violation ?? 0) <= 0 }
}

/// The leaderboard order of a multi-objective or constrained experiment: feasible trials by Pareto front (1 =
/// non-dominated), inside a front by the first objective, then by trial number; infeasible trials after all
/// feasible ones, by total violation, then number. Infeasible trials belong to no front.
public struct FrontRanking: Sendable, Equatable {
    /// Trial numbers, best first.
    public let order: [Int]
    /// The front of each feasible trial.
    public let fronts: [Int: Int]
    /// The loss vectors (smaller is better) of the feasible trials, by number.
    public let losses: [Int: [Double]]
    private let positions: [Int: Int]

    public init(points: [ObjectivePoint], goals: ObjectiveSet) {
        let usable = points.filter { $0.values.count == goals.objectives.count && $0.values.allSatisfy(\.isFinite) }
        let feasible = usable.filter(\.isFeasible)
        let infeasible = usable.filter { !$0.isFeasible }
        let lossVectors = feasible.map { goals.losses($0.values) }
        let ranks = Pareto.ranks(lossVectors)
        var fronts: [Int: Int] = [:]
        var losses: [Int: [Double]] = [:]
        for (index, point) in feasible.enumerated() {
            fronts[point.number] = ranks[index]
            losses[point.number] = lossVectors[index]
        }
        let feasibleOrder = feasible.indices.sorted { a, b in
            (ranks[a], lossVectors[a][0], feasible[a].number) < (ranks[b], lossVectors[b][0], feasible[b].number)
        }.map { feasible[$0].number }
        let infeasibleOrder = infeasible.sorted { ($0.violation ?? 0, $0.number) < ($1.violation ?? 0, $1.number) }.map(\.number)
        order = feasibleOrder + infeasibleOrder
        self.fronts = fronts
        self.losses = losses
        positions = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
    }

    /// Where trial `number` stands in `order`, or nil when it is not ranked.
    public func position(of number: Int) -> Int? { positions[number] }

    /// The trials of front 1, best first.
    public var paretoFront: [Int] { order.filter { fronts[$0] == 1 } }

    /// The hypervolume reference point, in losses: per objective, the worst feasible loss plus a tenth of the
    /// feasible range (plus 1 when all trials agree), so every feasible trial adds volume. Nil without feasible trials.
    public var referencePoint: [Double]? {
        guard let first = losses.values.first else { return nil }
        return first.indices.map { m in
            let column = losses.values.map { $0[m] }
            let worst = column.max() ?? 0
            let best = column.min() ?? 0
            return worst + (worst > best ? 0.1 * (worst - best) : 1)
        }
    }

    /// The hypervolume of the front against `reference` (the default reference point when nil).
    public func hypervolume(reference: [Double]? = nil) -> Double {
        guard let reference = reference ?? referencePoint else { return 0 }
        return Pareto.hypervolume(paretoFront.compactMap { losses[$0] }, reference: reference)
    }
}

/// Objective values as stored in one text column: the numbers in objective order, comma-separated in brackets
/// (a JSON array), written with full precision.
public enum ObjectiveValuesText {
    public static func encode(_ values: [Double]?) -> String? {
        values.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }
    }

    public static func decode(_ text: String?) -> [Double]? {
        guard let text else { return nil }
        let inner = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        guard !inner.isEmpty else { return [] }
        var values: [Double] = []
        for part in inner.split(separator: ",") {
            guard let value = Double(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        return values
    }
}

/// An experiment's objectives and constraints as stored in one text column (JSON); nil for one unconstrained
/// objective, which the objective columns already hold.
public enum GoalsText {
    public static func encode(_ goals: ObjectiveSet) -> String? {
        guard goals.ranksByFront, let data = try? JSONEncoder().encode(goals) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The stored goals, or the single `objective` when the column is empty (or unreadable).
    public static func decode(_ text: String?, objective: Objective) -> ObjectiveSet {
        guard let text, let goals = try? JSONDecoder().decode(ObjectiveSet.self, from: Data(text.utf8)), !goals.objectives.isEmpty else {
            return ObjectiveSet(objective)
        }
        return goals
    }
}
