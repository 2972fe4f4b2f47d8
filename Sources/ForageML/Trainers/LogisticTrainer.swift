import Foundation
import ForageCore

/// Logistic regression for classification: a sigmoid output for two classes, softmax for more. Minimises the mean
/// cross-entropy plus `l2/2 · ‖W‖²` (the intercepts are not penalised); scores and gradients go through dgemm.
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
        let x = data.train.features
        let d = x.columns
        let outputs = data.classCount == 2 ? 1 : data.classCount
        let objective = Objective(x: x, classes: data.train.classes, outputs: outputs, l2: l2)
        var theta = [Double](repeating: 0, count: d * outputs + outputs)
        var iterations = 0
        switch solver {
        case "gd":
            for step in 1...maxIterations {
                let (value, gradient) = objective.evaluate(theta)
                guard value.isFinite else { throw TrainerError.diverged(family: Self.family, step: step) }
                if LBFGS.maxAbs(gradient) < tolerance { break }
                LBFGS.axpy(-learningRate, gradient, &theta)
                iterations = step
            }
        default:
            let result = LBFGS.minimize(
                start: theta, maxIterations: maxIterations, gradientTolerance: tolerance, objective: objective.evaluate)
            guard result.value.isFinite else { throw TrainerError.diverged(family: Self.family, step: result.iterations) }
            theta = result.x
            iterations = result.iterations
        }
        let coef = Array(theta[0..<(d * outputs)])
        let intercept = Array(theta[(d * outputs)...])
        let flopsPerEvaluation = 4 * Double(x.rows) * Double(d) * Double(outputs)
        return FitOutcome(
            tensors: [
                Tensor(name: "coef", shape: [d, outputs], values: .float64(coef)),
                Tensor(name: "intercept", shape: [outputs], values: .float64(intercept)),
            ],
            steps: iterations, flops: flopsPerEvaluation * Double(max(iterations, 1)))
    }

    /// Loss and gradient over the flattened parameters `[W (d × outputs, row-major), b (outputs)]`.
    struct Objective {
        let x: Matrix<Double>
        let classes: [Int]
        let outputs: Int
        let l2: Double

        func evaluate(_ theta: [Double]) -> (Double, [Double]) {
            let n = x.rows
            let d = x.columns
            guard let w = Matrix<Double>(rows: d, columns: outputs, storage: Array(theta[0..<(d * outputs)])) else {
                return (.nan, theta)
            }
            let b = Array(theta[(d * outputs)...])
            var g = LinearScores.compute(x, coef: w, intercept: b)  // scores, turned into dLoss/dScores below
            var loss = 0.0
            let scale = 1 / Double(n)
            if outputs == 1 {
                // One exp per row serves both the loss (softplus) and its gradient (sigmoid).
                g.storage.withUnsafeMutableBufferPointer { scores in
                    classes.withUnsafeBufferPointer { labels in
                        for r in 0..<n {
                            let z = scores[r]
                            let y = Double(labels[r])
                            let e = exp(-abs(z))
                            loss += max(z, 0) + log1p(e) - y * z
                            let sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e)
                            scores[r] = (sigmoid - y) * scale
                        }
                    }
                }
            } else {
                Activations.softmaxRows(&g)
                for r in 0..<n {
                    let k = classes[r]
                    loss -= log(max(g[r, k], 1e-300))
                    g[r, k] -= 1
                }
                for i in 0..<g.storage.count { g.storage[i] *= scale }
            }
            loss *= scale
            // Gradient of W: Xᵀ G + l2 · W (one dgemm with beta = 1 over l2 · W).
            var gradW = w
            for i in 0..<gradW.storage.count {
                loss += 0.5 * l2 * w.storage[i] * w.storage[i]
                gradW.storage[i] *= l2
            }
            Matrix.multiply(x, transposeA: true, g, into: &gradW, beta: 1)
            return (loss, gradW.storage + g.columnSums())
        }
    }
}
