import Foundation
import ForageCore

/// Logistic regression for classification: a sigmoid output for two classes, softmax for more. Minimises the mean
/// cross-entropy plus `l2/2 · ‖W‖²` (the intercepts are not penalised); `LogisticObjective` evaluates it in one
/// blocked pass of BLAS products over the training rows (`Float` features, `Double` parameters and sums). A
/// `StopCheck` is asked after every solver iteration.
///
/// Hyperparameters (defaults): `solver` lbfgs | gd (lbfgs), `l2` >= 0 (1e-3), `epochs` 1…100000 = maximum
/// iterations (200), `lr` > 0 = gradient-descent step (0.5, gd only), `tol` > 0 = gradient tolerance (1e-4, as scikit-learn).
public struct LogisticTrainer: Trainer {
    public static let family = "logistic"
    public static let tasks: Set<DataSpec.Task> = [.classification]

    public let solver: String
    public let l2: Double
    public let maxIterations: Int
    public let learningRate: Double
    public let tolerance: Double

    public init(parameters: ParameterSet, task: DataSpec.Task) throws {
        guard Self.tasks.contains(task) else { throw TrainerError.familyNotForTask(family: Self.family, task: task) }
        let p = HyperParameters(family: Self.family, values: parameters)
        solver = try p.choice("solver", default: "lbfgs", allowed: ["lbfgs", "gd"])
        l2 = try p.double("l2", default: 1e-3, minimum: 0)
        maxIterations = try p.int("epochs", default: 200, minimum: 1, maximum: 100_000)
        learningRate = try p.double("lr", default: 0.5, minimum: 0, exclusiveMinimum: true)
        tolerance = try p.double("tol", default: 1e-4, minimum: 0, exclusiveMinimum: true)
    }

    public var effectiveParameters: ParameterSet {
        ParameterSet([
            "solver": .string(solver), "l2": .double(l2), "epochs": .int(maxIterations), "lr": .double(learningRate),
            "tol": .double(tolerance),
        ])
    }

    public func fit(_ data: PreparedData, report: ProgressCallback) throws -> FitOutcome {
        try fit(data, threads: 1, stop: .never, report: report)
    }

    /// Fits, asking `stop` after every solver iteration (L-BFGS or gradient-descent step): when it says so, the
    /// coefficients reached so far are the model.
    public func fit(_ data: PreparedData, threads: Int, stop: StopCheck, report: ProgressCallback) throws -> FitOutcome {
        let x = data.train.featuresFloat
        let d = x.columns
        let outputs = data.classCount == 2 ? 1 : data.classCount
        var objective = LogisticObjective(x: x, classes: data.train.classes, outputs: outputs, l2: l2)
        var theta = [Double](repeating: 0, count: objective.parameterCount)
        var iterations = 0
        var evaluations = 0
        var stopped = false
        switch solver {
        case "gd":
            var gradient = theta
            for step in 1...maxIterations {
                let value = objective.evaluate(theta, gradient: &gradient)
                evaluations += 1
                guard value.isFinite else { throw TrainerError.diverged(family: Self.family, step: step) }
                if LBFGS.maxAbs(gradient) <= tolerance { break }
                LBFGS.axpy(-learningRate, gradient, &theta)
                iterations = step
                if step < maxIterations, stop.shouldStop {
                    stopped = true
                    break
                }
            }
        default:
            let result = LBFGS.minimize(
                start: theta, maxIterations: maxIterations, gradientTolerance: tolerance, shouldStop: { stop.shouldStop }
            ) {
                objective.evaluate($0, gradient: &$1)
            }
            guard result.value.isFinite else { throw TrainerError.diverged(family: Self.family, step: result.iterations) }
            theta = result.x
            iterations = result.iterations
            evaluations = result.evaluations
            stopped = result.stopped
        }
        let coef = Array(theta[0..<(d * outputs)])
        let intercept = Array(theta[(d * outputs)...])
        // Each evaluation is two matrix products over the training rows (scores and gradient), 2 flops per element each.
        let flopsPerEvaluation = 4 * Double(x.rows) * Double(d) * Double(outputs)
        return FitOutcome(
            tensors: [
                Tensor(name: "coef", shape: [d, outputs], values: .float64(coef)),
                Tensor(name: "intercept", shape: [outputs], values: .float64(intercept)),
            ],
            steps: iterations, stoppedByCheck: stopped, flops: flopsPerEvaluation * Double(max(evaluations, 1)))
    }
}
