import Foundation

/// Classification metrics from predicted class probabilities: `accuracy`, `logloss`, `f1_macro`, and `roc_auc`
/// (binary tasks only).
public enum ClassificationMetrics {
    /// All metrics for `probabilities` (n × classes, rows sum to 1) against the true class indices.
    public static func compute(probabilities: Matrix<Double>, truth: [Int]) -> [String: Double] {
        let predicted = argmax(probabilities)
        var metrics: [String: Double] = [
            "accuracy": accuracy(predicted: predicted, truth: truth),
            "logloss": logLoss(probabilities: probabilities, truth: truth),
            "f1_macro": f1Macro(predicted: predicted, truth: truth, classCount: probabilities.columns),
        ]
        if probabilities.columns == 2 {
            let scores = (0..<probabilities.rows).map { probabilities[$0, 1] }
            if let auc = rocAUC(scores: scores, positives: truth.map { $0 == 1 }) { metrics["roc_auc"] = auc }
        }
        return metrics
    }

    /// The index of the largest entry of each row (the first one on ties).
    public static func argmax(_ probabilities: Matrix<Double>) -> [Int] {
        (0..<probabilities.rows).map { r in
            var best = 0
            for c in 1..<max(probabilities.columns, 1) where probabilities[r, c] > probabilities[r, best] { best = c }
            return best
        }
    }

    /// Fraction of rows predicted right.
    public static func accuracy(predicted: [Int], truth: [Int]) -> Double {
        guard !truth.isEmpty else { return 0 }
        return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }

    /// Mean negative log-likelihood of the true class, probabilities clipped to [1e-15, 1 - 1e-15].
    public static func logLoss(probabilities: Matrix<Double>, truth: [Int]) -> Double {
        guard !truth.isEmpty else { return 0 }
        var total = 0.0
        for (r, label) in truth.enumerated() {
            let p = min(max(probabilities[r, label], 1e-15), 1 - 1e-15)
            total -= log(p)
        }
        return total / Double(truth.count)
    }

    /// Unweighted mean of the per-class F1 scores over the classes that occur in the truth or the predictions.
    public static func f1Macro(predicted: [Int], truth: [Int], classCount: Int) -> Double {
        var truePositive = [Int](repeating: 0, count: classCount)
        var predictedCount = [Int](repeating: 0, count: classCount)
        var actualCount = [Int](repeating: 0, count: classCount)
        for (p, t) in zip(predicted, truth) {
            predictedCount[p] += 1
            actualCount[t] += 1
            if p == t { truePositive[t] += 1 }
        }
        var sum = 0.0
        var classes = 0
        for k in 0..<classCount where predictedCount[k] + actualCount[k] > 0 {
            classes += 1
            sum += 2 * Double(truePositive[k]) / Double(predictedCount[k] + actualCount[k])
        }
        return classes == 0 ? 0 : sum / Double(classes)
    }

    /// Area under the ROC curve (the Mann–Whitney statistic, tied scores counted as half), or nil when one class
    /// is absent.
    public static func rocAUC(scores: [Double], positives: [Bool]) -> Double? {
        let positiveCount = positives.filter { $0 }.count
        let negativeCount = positives.count - positiveCount
        guard positiveCount > 0, negativeCount > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositive = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let averageRank = Double(i + j) / 2 + 1
            for k in i...j where positives[order[k]] { rankSumPositive += averageRank }
            i = j + 1
        }
        let p = Double(positiveCount)
        return (rankSumPositive - p * (p + 1) / 2) / (p * Double(negativeCount))
    }
}
