import ForageCore
import ForageML
import ForageSearch

/// Generated tables for the trainer benchmark (in the spirit of scikit-learn's `make_classification` and
/// `make_regression`, not bit-compatible with them).
public enum SyntheticTables {
    /// Two classes, each a mixture of Gaussian clusters at hypercube vertices in `informative` dimensions, plus
    /// noise columns: not linearly separable, so an MLP beats logistic regression.
    public static func classification(rows: Int, features: Int, informative: Int = 20, seed: UInt64 = 0)
        -> (Matrix<Double>, [String])
    {
        var generator = SplitMix64(seed: seed, stream: 1)
        let clustersPerClass = 2
        let centers: [[Double]] = (0..<(2 * clustersPerClass)).map { _ in
            (0..<informative).map { _ in generator.next() & 1 == 0 ? -1.0 : 1.0 }
        }
        var x = Matrix<Double>(rows: rows, columns: features)
        var labels: [String] = []
        labels.reserveCapacity(rows)
        for r in 0..<rows {
            let cluster = Int(generator.next() % UInt64(centers.count))
            for c in 0..<features {
                x[r, c] = generator.nextGaussian() + (c < informative ? centers[cluster][c] : 0)
            }
            labels.append(String(cluster % 2))
        }
        return (x, labels)
    }

    /// A linear target over `informative` of the features with Gaussian noise of standard deviation `noise`.
    public static func regression(rows: Int, features: Int, informative: Int = 10, noise: Double = 10, seed: UInt64 = 0)
        -> (Matrix<Double>, [String])
    {
        var generator = SplitMix64(seed: seed, stream: 2)
        let weights = (0..<features).map { c in c < informative ? 100 * generator.nextUnit() : 0 }
        var x = Matrix<Double>(rows: rows, columns: features)
        var targets: [String] = []
        targets.reserveCapacity(rows)
        for r in 0..<rows {
            var y = 0.0
            for c in 0..<features {
                let value = generator.nextGaussian()
                x[r, c] = value
                y += weights[c] * value
            }
            targets.append(String(y + noise * generator.nextGaussian()))
        }
        return (x, targets)
    }
}
