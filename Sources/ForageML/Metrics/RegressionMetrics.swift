/// Regression metrics: `rmse`, `mae` and `r2` (coefficient of determination; 0 when the truth is constant).
public enum RegressionMetrics {
    /// All three metrics of `predicted` against `truth`.
    public static func compute(predicted: [Double], truth: [Double]) -> [String: Double] {
        let n = Double(max(truth.count, 1))
        var squared = 0.0
        var absolute = 0.0
        for (p, t) in zip(predicted, truth) {
            squared += (p - t) * (p - t)
            absolute += abs(p - t)
        }
        let mean = truth.reduce(0, +) / n
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return [
            "rmse": (squared / n).squareRoot(),
            "mae": absolute / n,
            "r2": total > 0 ? 1 - squared / total : 0,
        ]
    }
}

extension Dictionary where Key == String, Value == Double {
    /// The same metrics with every name prefixed (`val_`, `test_`).
    public func prefixed(_ prefix: String) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: map { (prefix + $0.key, $0.value) })
    }
}
