import ForageCore
import ForageStore
import Foundation

/// Parameter importance by permutation on a random-forest surrogate, after Breiman (2001): a seeded forest of 32
/// regression trees is fitted to the completed trials (parameters → objective); for each tree, the mean squared
/// error on its out-of-bag trials is measured before and after shuffling one parameter's values among them. A
/// parameter's importance is the mean increase in error, clamped at zero and normalised so all sum to 1.
/// Categorical parameters enter as category indices; parameters absent from a trial (conditional) as a value below
/// every observed one. At most 2 000 trials (a seeded sample) are used.
public struct ParameterImportance: Sendable {
    /// The method as the report names it.
    public static let method = """
        Permutation importance on a random-forest surrogate (Breiman 2001): 32 seeded CART regression trees \
        fitted to the completed trials (parameters → objective); each parameter's importance is the mean increase \
        of the out-of-bag squared error when that parameter is shuffled, normalised to sum to 1.
        """

    /// Each parameter's share of the importance, largest first.
    public var scores: [(name: String, importance: Double)]
    /// How many completed trials the forest was fitted to.
    public var trialsUsed: Int

    /// Computes importances from completed trials; nil when there are fewer than 8 or no parameters.
    public static func compute(parameters: [String], trials: [TrialPoint], seed: UInt64, maxTrials: Int = 2000) -> ParameterImportance? {
        var rng = SplitMix64(seed: seed, stream: 0x1A9_0A7A)
        var usable = trials.filter { $0.state == .completed && ($0.value?.isFinite ?? false) }
        guard usable.count >= 8, !parameters.isEmpty else { return nil }
        if usable.count > maxTrials {
            usable.shuffle(using: &rng)
            usable = Array(usable.prefix(maxTrials))
        }
        let x = encode(parameters: parameters, trials: usable)
        let y = usable.map { $0.value ?? 0 }
        let forest = RegressionForest(x: x, y: y, rng: &rng)
        var increase = [Double](repeating: 0, count: parameters.count)
        var counted = 0
        for tree in forest.trees where tree.outOfBag.count >= 2 {
            counted += 1
            let rows = tree.outOfBag
            let base = meanSquaredError(tree, rows.map { x[$0] }, rows.map { y[$0] })
            for feature in parameters.indices {
                var shuffled = rows.map { x[$0][feature] }
                shuffled.shuffle(using: &rng)
                let permuted = rows.enumerated().map { k, row -> [Double] in
                    var copy = x[row]
                    copy[feature] = shuffled[k]
                    return copy
                }
                increase[feature] += meanSquaredError(tree, permuted, rows.map { y[$0] }) - base
            }
        }
        let clamped = increase.map { max(0, $0 / Double(max(1, counted))) }
        let total = clamped.reduce(0, +)
        var scores: [(name: String, importance: Double)] = []
        for (name, raw) in zip(parameters, clamped) {
            let share: Double = total > 0 ? raw / total : 0
            scores.append((name: name, importance: share))
        }
        scores.sort { a, b in a.importance == b.importance ? a.name < b.name : a.importance > b.importance }
        return ParameterImportance(scores: scores, trialsUsed: usable.count)
    }

    /// Trials as rows of numbers, one column per parameter.
    static func encode(parameters: [String], trials: [TrialPoint]) -> [[Double]] {
        var categories: [String: [String: Double]] = [:]
        var lowest: [String: Double] = [:]
        for name in parameters {
            let strings = Set(
                trials.compactMap { point -> String? in
                    if case .string(let s)? = point.params[name] { return s }
                    return nil
                }
            ).sorted()
            categories[name] = Dictionary(uniqueKeysWithValues: strings.enumerated().map { ($1, Double($0)) })
            let numbers = trials.compactMap { $0.params[name]?.doubleValue }
            lowest[name] = (numbers.min() ?? 0) - 1
        }
        return trials.map { point in
            parameters.map { name -> Double in
                switch point.params[name] {
                case .string(let s)?: return categories[name]?[s] ?? -1
                case let value?: return value.doubleValue ?? -1
                case nil: return min(-1, lowest[name] ?? -1)
                }
            }
        }
    }

    private static func meanSquaredError(_ tree: RegressionForest.Tree, _ x: [[Double]], _ y: [Double]) -> Double {
        var sum = 0.0
        for (row, target) in zip(x, y) {
            let d = tree.predict(row) - target
            sum += d * d
        }
        return sum / Double(max(1, y.count))
    }
}
