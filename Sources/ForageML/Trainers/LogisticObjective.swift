import Foundation

/// The logistic-regression objective: mean cross-entropy plus `l2/2 · ‖W‖²` over the flattened parameters
/// `[W (d × outputs, row-major), b (outputs)]`, with its gradient.
///
/// The parameters, value and gradient are `Double`; the features are the training split's `Float` copy, so the matrix
/// products (sgemv for one output, sgemm otherwise) move half the bytes of a `Double` pass — on a table that does not
/// fit in cache, memory bandwidth is what an evaluation costs. Losses are summed in `Double`, and each block's gradient
/// is added to a `Double` total, so the rounding stays far below the solver's tolerance.
///
/// One evaluation is a single pass over the features in blocks of rows small enough to stay in the core's L2 cache:
/// for each block, the scores `X_b · W + b`, the residuals, then `X_bᵀ · residuals` while the block is still cached.
/// The buffers are allocated once, so an evaluation allocates nothing.
struct LogisticObjective {
    let x: Matrix<Float>
    let classes: [Int]
    /// 1 for two classes (a sigmoid), the class count otherwise (softmax).
    let outputs: Int
    let l2: Double
    /// Rows per block.
    let blockRows: Int
    /// `W` and `b` in `Float`, refreshed at each evaluation.
    private var weights: [Float]
    /// Scores, then dLoss/dScores, of one block (`blockRows × outputs`).
    private var block: [Float]
    /// `X_bᵀ · residuals` of one block (`d × outputs`).
    private var blockGradient: [Float]

    /// Bytes of features per block: a quarter of a 512 KiB L2 cache, so the block survives between its two products.
    static let blockBytes = 128 * 1024

    /// `blockRows` overrides the block size (by default `blockBytes` of features, at least 32 rows).
    init(x: Matrix<Float>, classes: [Int], outputs: Int, l2: Double, blockRows: Int? = nil) {
        self.x = x
        self.classes = classes
        self.outputs = outputs
        self.l2 = l2
        let fitting = max(32, Self.blockBytes / (MemoryLayout<Float>.stride * max(x.columns, 1)))
        self.blockRows = max(1, min(max(x.rows, 1), blockRows ?? fitting))
        weights = [Float](repeating: 0, count: x.columns * outputs + outputs)
        block = [Float](repeating: 0, count: self.blockRows * outputs)
        blockGradient = [Float](repeating: 0, count: x.columns * outputs)
    }

    /// Number of parameters: `d · outputs` weights and `outputs` intercepts.
    var parameterCount: Int { x.columns * outputs + outputs }

    /// The objective at `theta`; writes its gradient into `gradient` (resized to `theta.count` when needed).
    mutating func evaluate(_ theta: [Double], gradient: inout [Double]) -> Double {
        let n = x.rows
        let d = x.columns
        let k = outputs
        let weightCount = d * k
        precondition(theta.count == weightCount + k, "parameter count does not match the objective")
        if gradient.count != theta.count { gradient = [Double](repeating: 0, count: theta.count) }
        var penalty = 0.0
        for i in 0..<weightCount {
            penalty += theta[i] * theta[i]
            gradient[i] = l2 * theta[i]
        }
        for i in weightCount..<(weightCount + k) { gradient[i] = 0 }
        for i in 0..<theta.count { weights[i] = Float(theta[i]) }
        guard n > 0 else { return 0.5 * l2 * penalty }
        let scale = 1 / Double(n)
        let blockRows = self.blockRows
        var loss = 0.0
        x.storage.withUnsafeBufferPointer { features in
            weights.withUnsafeBufferPointer { parameters in
                gradient.withUnsafeMutableBufferPointer { grad in
                    block.withUnsafeMutableBufferPointer { scores in
                        blockGradient.withUnsafeMutableBufferPointer { partial in
                            classes.withUnsafeBufferPointer { labels in
                                guard let xBase = features.baseAddress, let wBase = parameters.baseAddress,
                                    let sBase = scores.baseAddress, let pBase = partial.baseAddress
                                else { return }
                                var start = 0
                                while start < n {
                                    let m = min(blockRows, n - start)
                                    let rowsBase = xBase + start * d
                                    // Scores: intercepts, then + X_b · W.
                                    for r in 0..<m {
                                        for c in 0..<k { scores[r * k + c] = parameters[weightCount + c] }
                                    }
                                    if k == 1 {
                                        Float.gemv(
                                            transA: false, rows: m, columns: d, alpha: 1, a: rowsBase, lda: max(d, 1), x: wBase,
                                            beta: 1, y: sBase)
                                        loss += Self.binaryResiduals(scores, labels: labels, start: start, count: m, scale: scale)
                                        Float.gemv(
                                            transA: true, rows: m, columns: d, alpha: 1, a: rowsBase, lda: max(d, 1), x: sBase,
                                            beta: 0, y: pBase)
                                    } else {
                                        Float.gemm(
                                            transA: false, transB: false, m: m, n: k, k: d, alpha: 1, a: rowsBase,
                                            lda: max(d, 1), b: wBase, ldb: k, beta: 1, c: sBase, ldc: k)
                                        loss += Self.softmaxResiduals(
                                            scores, labels: labels, start: start, count: m, classes: k, scale: scale)
                                        Float.gemm(
                                            transA: true, transB: false, m: d, n: k, k: m, alpha: 1, a: rowsBase,
                                            lda: max(d, 1), b: sBase, ldb: k, beta: 0, c: pBase, ldc: k)
                                    }
                                    for i in 0..<weightCount { grad[i] += Double(partial[i]) }
                                    // Intercept gradient: column sums of the residuals.
                                    for r in 0..<m {
                                        for c in 0..<k { grad[weightCount + c] += Double(scores[r * k + c]) }
                                    }
                                    start += m
                                }
                            }
                        }
                    }
                }
            }
        }
        return loss * scale + 0.5 * l2 * penalty
    }

    /// Turns a block's sigmoid scores into `(σ(z) − y) / n` and returns the block's summed log loss. One `exp` per
    /// row serves both the loss (softplus) and the gradient.
    private static func binaryResiduals(
        _ scores: UnsafeMutableBufferPointer<Float>, labels: UnsafeBufferPointer<Int>, start: Int, count: Int, scale: Double
    ) -> Double {
        var loss = 0.0
        for r in 0..<count {
            let z = Double(scores[r])
            let y = Double(labels[start + r])
            let e = exp(-abs(z))
            // log(1 + e) rather than log1p(e): e ∈ (0, 1], so the absolute error stays below 2.3e-16 and glibc's log
            // is several times faster than its log1p.
            loss += max(z, 0) + log(1 + e) - y * z
            let sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e)
            scores[r] = Float((sigmoid - y) * scale)
        }
        return loss
    }

    /// Turns a block's softmax scores into `(p − onehot(y)) / n` and returns the block's summed log loss.
    private static func softmaxResiduals(
        _ scores: UnsafeMutableBufferPointer<Float>, labels: UnsafeBufferPointer<Int>, start: Int, count: Int, classes k: Int,
        scale: Double
    ) -> Double {
        var loss = 0.0
        for r in 0..<count {
            let base = r * k
            var largest = Double(scores[base])
            for c in 1..<k { largest = max(largest, Double(scores[base + c])) }
            let label = labels[start + r]
            let labelScore = Double(scores[base + label]) - largest
            var total = 0.0
            for c in 0..<k {
                let e = exp(Double(scores[base + c]) - largest)
                scores[base + c] = Float(e)
                total += e
            }
            // −log p_y = log Σ exp(z − max) − (z_y − max), exact even where p_y underflows.
            loss += log(total) - labelScore
            let factor = scale / total
            for c in 0..<k { scores[base + c] = Float(Double(scores[base + c]) * factor) }
            scores[base + label] -= Float(scale)
        }
        return loss
    }
}
