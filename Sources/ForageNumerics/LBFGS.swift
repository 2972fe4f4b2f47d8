/// Limited-memory BFGS minimisation with a backtracking (Armijo) line search, for smooth convex objectives such as
/// regularised logistic regression.
///
/// It stops like scipy's L-BFGS-B as scikit-learn calls it (`gtol = tol`, `ftol = 64·ε`): when the largest gradient
/// component is at most `gradientTolerance`, or when an iteration no longer lowers the value by more than a relative
/// 64·ε. The first step is scaled to unit length, later ones start at 1 (almost always accepted), so an iteration costs
/// about one evaluation. Vectors are reused across iterations: an iteration allocates nothing.
public enum LBFGS {
    /// Where the search stopped.
    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var iterations: Int
        public var evaluations: Int
        public var converged: Bool
        /// True when `shouldStop` ended the search before it converged or ran out of iterations.
        public var stopped: Bool = false
    }

    /// The relative decrease below which the search stops (scipy's `ftol` as scikit-learn sets it).
    public static let relativeDecreaseTolerance = 64 * Double.ulpOfOne

    /// Minimises `objective` from `start`. The objective returns the value and writes the gradient into its second
    /// argument (which has `start.count` elements). `shouldStop` is asked after every iteration; when it says so
    /// the search returns the point it has (`stopped`).
    public static func minimize(
        start: [Double], memory: Int = 10, maxIterations: Int, gradientTolerance: Double = 1e-6,
        shouldStop: () -> Bool = { false },
        objective: (_ x: [Double], _ gradient: inout [Double]) -> Double
    ) -> Result {
        let count = start.count
        var x = start
        var gradient = [Double](repeating: 0, count: count)
        var value = objective(x, &gradient)
        var evaluations = 1
        // Ring buffers of the last `memory` pairs (s = x' − x, y = g' − g).
        let memory = max(memory, 1)
        var sHistory = [[Double]](repeating: [Double](repeating: 0, count: count), count: memory)
        var yHistory = sHistory
        var rhoHistory = [Double](repeating: 0, count: memory)
        var alphas = [Double](repeating: 0, count: memory)
        var stored = 0
        var newest = -1
        var direction = [Double](repeating: 0, count: count)
        var candidate = x
        var candidateGradient = gradient
        var iteration = 0
        while iteration < maxIterations {
            if maxAbs(gradient) <= gradientTolerance {
                return Result(x: x, value: value, iterations: iteration, evaluations: evaluations, converged: true)
            }
            // Two-loop recursion: direction = −H·g.
            for i in 0..<count { direction[i] = gradient[i] }
            for j in 0..<stored {
                let slot = (newest - j + memory) % memory
                alphas[slot] = rhoHistory[slot] * dot(sHistory[slot], direction)
                axpy(-alphas[slot], yHistory[slot], &direction)
            }
            if stored > 0 {
                let gamma = dot(sHistory[newest], yHistory[newest]) / max(dot(yHistory[newest], yHistory[newest]), 1e-300)
                scale(&direction, by: gamma)
            } else {
                scale(&direction, by: min(1 / max(norm(gradient), 1e-12), 1))
            }
            for j in stride(from: stored - 1, through: 0, by: -1) {
                let slot = (newest - j + memory) % memory
                let beta = rhoHistory[slot] * dot(yHistory[slot], direction)
                axpy(alphas[slot] - beta, sHistory[slot], &direction)
            }
            scale(&direction, by: -1)
            var slope = dot(gradient, direction)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                for i in 0..<count { direction[i] = -gradient[i] }
                slope = -dot(gradient, gradient)
                stored = 0
            }
            var step = 1.0
            var candidateValue = value
            var accepted = false
            for _ in 0..<40 {
                for i in 0..<count { candidate[i] = x[i] + step * direction[i] }
                candidateValue = objective(candidate, &candidateGradient)
                evaluations += 1
                if candidateValue.isFinite, candidateValue <= value + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            iteration += 1
            guard accepted else {
                return Result(x: x, value: value, iterations: iteration, evaluations: evaluations, converged: true)
            }
            // The new pair replaces the oldest one; it is kept only when the curvature is positive.
            var sy = 0.0
            for i in 0..<count { sy += (candidate[i] - x[i]) * (candidateGradient[i] - gradient[i]) }
            if sy > 1e-10 {
                let slot = (newest + 1) % memory
                for i in 0..<count {
                    sHistory[slot][i] = candidate[i] - x[i]
                    yHistory[slot][i] = candidateGradient[i] - gradient[i]
                }
                rhoHistory[slot] = 1 / sy
                newest = slot
                stored = min(stored + 1, memory)
            }
            let previous = value
            swap(&x, &candidate)
            swap(&gradient, &candidateGradient)
            value = candidateValue
            if previous - value <= relativeDecreaseTolerance * max(abs(previous), abs(value), 1) {
                return Result(x: x, value: value, iterations: iteration, evaluations: evaluations, converged: true)
            }
            if iteration < maxIterations, shouldStop() {
                return Result(
                    x: x, value: value, iterations: iteration, evaluations: evaluations,
                    converged: maxAbs(gradient) <= gradientTolerance, stopped: true)
            }
        }
        return Result(
            x: x, value: value, iterations: iteration, evaluations: evaluations,
            converged: maxAbs(gradient) <= gradientTolerance)
    }

    public static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var total = 0.0
        for i in a.indices { total += a[i] * b[i] }
        return total
    }

    public static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    public static func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }

    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += alpha * x[i] }
    }

    public static func scale(_ a: inout [Double], by factor: Double) {
        for i in a.indices { a[i] *= factor }
    }
}
