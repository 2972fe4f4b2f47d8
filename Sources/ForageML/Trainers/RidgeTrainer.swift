import ForageCore

/// Ridge regression: least squares with an L2 penalty, `min ‖y − Xw − b‖² + alpha‖w‖²`, solved in closed form
/// (Gram matrix by dgemm, then LAPACK Cholesky). Regression only.
///
/// Hyperparameters: `alpha` (default 1.0, >= 0).
public struct RidgeTrainer: Trainer {
    public static let family = "ridge"
    public static let tasks: Set<DataSpec.Task> = [.regression]

    /// The L2 penalty.
    public let alpha: Double

    public init(parameters: ParameterSet, task: DataSpec.Task) throws {
        guard Self.tasks.contains(task) else { throw TrainerError.familyNotForTask(family: Self.family, task: task) }
        alpha = try HyperParameters(family: Self.family, values: parameters).double("alpha", default: 1.0, minimum: 0)
    }

    public var effectiveParameters: ParameterSet { ParameterSet(["alpha": .double(alpha)]) }

    public func fit(_ data: PreparedData, report: ProgressCallback) throws -> FitOutcome {
        guard let y = Matrix<Double>(rows: data.train.count, columns: 1, storage: data.train.targets) else {
            throw TrainerError.solverFailed(family: Self.family, reason: "targets do not match the rows")
        }
        let (coef, intercept) = try Self.solve(data.train.features, y, alpha: alpha)
        let d = Double(data.featureCount)
        let n = Double(data.train.count)
        return FitOutcome(
            tensors: [Tensor(name: "coef", matrix: coef), Tensor(name: "intercept", shape: [1], values: .float64(intercept))],
            steps: 1, flops: 2 * n * d * d)
    }

    /// Fits one ridge model per column of `y` with an unpenalised intercept: returns `coef` (features × targets)
    /// and the intercepts.
    public static func solve(_ x: Matrix<Double>, _ y: Matrix<Double>, alpha: Double) throws -> (Matrix<Double>, [Double]) {
        let n = Double(x.rows)
        let d = x.columns
        let xMeans = x.columnSums().map { $0 / n }
        let yMeans = y.columnSums().map { $0 / n }
        var gram = Matrix.product(x, transposeA: true, x)
        var rhs = Matrix.product(x, transposeA: true, y)
        for i in 0..<d {
            for j in 0..<d { gram[i, j] -= n * xMeans[i] * xMeans[j] }
            gram[i, i] += alpha
            for k in 0..<y.columns { rhs[i, k] -= n * xMeans[i] * yMeans[k] }
        }
        let coef: Matrix<Double>
        do {
            coef = try Cholesky.solve(gram, rhs)
        } catch {
            throw TrainerError.solverFailed(
                family: family, reason: "the regularised Gram matrix is singular (\(error)); use alpha > 0")
        }
        let intercept = (0..<y.columns).map { k in
            yMeans[k] - (0..<d).reduce(0) { $0 + xMeans[$1] * coef[$1, k] }
        }
        return (coef, intercept)
    }
}
