import ForageCore
import Foundation
import Testing

@testable import ForageML

/// The blocked logistic objective against a plain row-by-row computation, and its gradient against finite differences.
@Suite struct LogisticObjectiveTests {
    /// `rows × columns` Gaussian features, labels in `0..<classes`, and parameters of moderate size.
    static func problem(rows: Int, columns: Int, classes: Int, seed: UInt64) -> (Matrix<Float>, [Int], [Double]) {
        var generator = SplitMix64(seed: seed)
        var x = Matrix<Float>(rows: rows, columns: columns)
        for i in 0..<x.storage.count { x.storage[i] = Float(generator.nextGaussian()) }
        let labels = (0..<rows).map { _ in Int(generator.next() % UInt64(classes)) }
        let outputs = classes == 2 ? 1 : classes
        let theta = (0..<(columns * outputs + outputs)).map { _ in 0.3 * generator.nextGaussian() }
        return (x, labels, theta)
    }

    /// Mean cross-entropy + l2/2·‖W‖², one row at a time in Double.
    static func reference(_ x: Matrix<Float>, _ labels: [Int], _ theta: [Double], outputs k: Int, l2: Double) -> Double {
        let d = x.columns
        var loss = 0.0
        for r in 0..<x.rows {
            var z = (0..<k).map { c in theta[d * k + c] }
            for c in 0..<k {
                for j in 0..<d { z[c] += Double(x[r, j]) * theta[j * k + c] }
            }
            if k == 1 {
                let p = 1 / (1 + exp(-z[0]))
                loss -= labels[r] == 1 ? log(p) : log(1 - p)
            } else {
                let largest = z.max() ?? 0
                let total = z.reduce(0) { $0 + exp($1 - largest) }
                loss -= z[labels[r]] - largest - log(total)
            }
        }
        let penalty = theta[0..<(d * k)].reduce(0) { $0 + $1 * $1 }
        return loss / Double(x.rows) + 0.5 * l2 * penalty
    }

    @Test(arguments: [2, 4])
    func valueAndGradientMatchTheDefinition(classes: Int) {
        // 1 000 rows in blocks of 96: ten full blocks and a partial one.
        let (x, labels, theta) = Self.problem(rows: 1_000, columns: 7, classes: classes, seed: UInt64(classes))
        let k = classes == 2 ? 1 : classes
        var objective = LogisticObjective(x: x, classes: labels, outputs: k, l2: 0.01, blockRows: 96)
        var gradient: [Double] = []
        let value = objective.evaluate(theta, gradient: &gradient)
        #expect(abs(value - Self.reference(x, labels, theta, outputs: k, l2: 0.01)) < 1e-6)
        for i in stride(from: 0, to: theta.count, by: 3) {
            var plus = theta
            var minus = theta
            plus[i] += 1e-5
            minus[i] -= 1e-5
            let numeric =
                (Self.reference(x, labels, plus, outputs: k, l2: 0.01) - Self.reference(x, labels, minus, outputs: k, l2: 0.01)) / 2e-5
            #expect(abs(gradient[i] - numeric) < 1e-5, "parameter \(i)")
        }
    }

    @Test func lbfgsMinimisesAQuadraticToTheTolerance() {
        // f(x) = Σ (i+1)/2 · (x_i − 1)²: minimum 0 at x = 1.
        let result = LBFGS.minimize(start: [Double](repeating: 0, count: 8), maxIterations: 200, gradientTolerance: 1e-8) {
            x, gradient in
            var value = 0.0
            for i in x.indices {
                value += Double(i + 1) / 2 * (x[i] - 1) * (x[i] - 1)
                gradient[i] = Double(i + 1) * (x[i] - 1)
            }
            return value
        }
        #expect(result.converged)
        #expect(result.x.allSatisfy { abs($0 - 1) < 1e-6 })
        #expect(result.evaluations <= result.iterations + 5)
    }
}
