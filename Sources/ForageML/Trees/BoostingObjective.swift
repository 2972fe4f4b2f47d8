import ForageCore
import Foundation

/// The loss a boosted ensemble minimises, with its per-row gradients and hessians on the raw scores:
/// squared error (regression), log loss on a sigmoid (two classes), or softmax cross-entropy (more classes, one
/// tree per class and round). Scores are stored class-major: `scores[k · n + i]`.
enum BoostingObjective: Sendable {
    case squaredError
    case binaryLogLoss
    case softmax(classes: Int)

    /// Trees per round.
    var outputs: Int {
        if case .softmax(let classes) = self { return classes }
        return 1
    }

    /// The starting score of every row (the mean target, the log-odds, the log class priors).
    func initialScores(targets: [Double], classes: [Int]) -> [Double] {
        switch self {
        case .squaredError:
            return [targets.isEmpty ? 0 : targets.reduce(0, +) / Double(targets.count)]
        case .binaryLogLoss:
            let positive = Double(classes.reduce(0) { $0 + ($1 == 1 ? 1 : 0) })
            let p = min(max(positive / Double(max(classes.count, 1)), 1e-15), 1 - 1e-15)
            return [log(p / (1 - p))]
        case .softmax(let k):
            var counts = [Double](repeating: 0, count: k)
            for c in classes { counts[c] += 1 }
            let n = Double(max(classes.count, 1))
            return counts.map { log(max($0 / n, 1e-15)) }
        }
    }

    /// Writes gradients and hessians of output `k` for every row into `gradients` and `hessians` (length n).
    func gradients(
        output k: Int, scores: UnsafePointer<Double>, n: Int, targets: [Double], classes: [Int],
        gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>
    ) {
        switch self {
        case .squaredError:
            for i in 0..<n {
                gradients[i] = scores[i] - targets[i]
                hessians[i] = 1
            }
        case .binaryLogLoss:
            for i in 0..<n {
                let p = 1 / (1 + exp(-scores[i]))
                gradients[i] = p - (classes[i] == 1 ? 1 : 0)
                hessians[i] = max(p * (1 - p), 1e-16)
            }
        case .softmax(let classCount):
            let factor = Double(classCount) / Double(classCount - 1)
            for i in 0..<n {
                var top = -Double.infinity
                for c in 0..<classCount { top = max(top, scores[c * n + i]) }
                var total = 0.0
                for c in 0..<classCount { total += exp(scores[c * n + i] - top) }
                let p = exp(scores[k * n + i] - top) / total
                gradients[i] = p - (classes[i] == k ? 1 : 0)
                hessians[i] = max(factor * p * (1 - p), 1e-16)
            }
        }
    }

    /// The mean loss of class-major scores (log loss, or mean squared error).
    func loss(scores: [Double], n: Int, targets: [Double], classes: [Int]) -> Double {
        guard n > 0 else { return 0 }
        var total = 0.0
        switch self {
        case .squaredError:
            for i in 0..<n { total += (scores[i] - targets[i]) * (scores[i] - targets[i]) }
        case .binaryLogLoss:
            for i in 0..<n {
                let p = 1 / (1 + exp(-scores[i]))
                total -= log(max(classes[i] == 1 ? p : 1 - p, 1e-15))
            }
        case .softmax(let classCount):
            for i in 0..<n {
                var top = -Double.infinity
                for c in 0..<classCount { top = max(top, scores[c * n + i]) }
                var sum = 0.0
                for c in 0..<classCount { sum += exp(scores[c * n + i] - top) }
                total -= max(scores[classes[i] * n + i] - top - log(sum), log(1e-15))
            }
        }
        return total / Double(n)
    }

    /// Class probabilities (`n × classes`) from class-major scores; nil for regression.
    func probabilities(scores: [Double], n: Int, classCount: Int) -> Matrix<Double>? {
        switch self {
        case .squaredError:
            return nil
        case .binaryLogLoss:
            var result = Matrix<Double>(rows: n, columns: 2)
            for i in 0..<n {
                let p = 1 / (1 + exp(-scores[i]))
                result[i, 0] = 1 - p
                result[i, 1] = p
            }
            return result
        case .softmax:
            var result = Matrix<Double>(rows: n, columns: classCount)
            for i in 0..<n {
                var top = -Double.infinity
                for c in 0..<classCount { top = max(top, scores[c * n + i]) }
                var sum = 0.0
                for c in 0..<classCount {
                    let e = exp(scores[c * n + i] - top)
                    result[i, c] = e
                    sum += e
                }
                for c in 0..<classCount { result[i, c] /= sum }
            }
            return result
        }
    }

    /// The objective for a task and class count.
    static func forTask(_ task: DataSpec.Task, classCount: Int) -> BoostingObjective {
        switch task {
        case .regression: return .squaredError
        case .classification: return classCount == 2 ? .binaryLogLoss : .softmax(classes: classCount)
        }
    }
}
