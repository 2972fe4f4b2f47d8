/// Limited-memory BFGS minimisation with a backtracking (Armijo) line search, for smooth convex objectives such as
/// regularised logistic regression.
enum LBFGS {
    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Minimises `objective` (returning value and gradient) from `start`.
    static func minimize(
        start: [Double], memory: Int = 10, maxIterations: Int, gradientTolerance: Double = 1e-6,
        objective: ([Double]) -> (Double, [Double])
    ) -> Result {
        var x = start
        var (value, gradient) = objective(x)
        var sHistory: [[Double]] = []
        var yHistory: [[Double]] = []
        var rhoHistory: [Double] = []
        var iteration = 0
        while iteration < maxIterations {
            if maxAbs(gradient) < gradientTolerance { return Result(x: x, value: value, iterations: iteration, converged: true) }
            // Two-loop recursion: direction = -H·g.
            var q = gradient
            var alphas = [Double](repeating: 0, count: sHistory.count)
            for i in stride(from: sHistory.count - 1, through: 0, by: -1) {
                alphas[i] = rhoHistory[i] * dot(sHistory[i], q)
                axpy(-alphas[i], yHistory[i], &q)
            }
            if let lastS = sHistory.last, let lastY = yHistory.last {
                let gamma = dot(lastS, lastY) / max(dot(lastY, lastY), 1e-300)
                for i in q.indices { q[i] *= gamma }
            } else {
                let scale = 1 / max(norm(gradient), 1e-12)
                for i in q.indices { q[i] *= min(scale, 1) }
            }
            for i in 0..<sHistory.count {
                let beta = rhoHistory[i] * dot(yHistory[i], q)
                axpy(alphas[i] - beta, sHistory[i], &q)
            }
            var direction = q.map { -$0 }
            var slope = dot(gradient, direction)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                direction = gradient.map { -$0 }
                slope = -dot(gradient, gradient)
                sHistory.removeAll()
                yHistory.removeAll()
                rhoHistory.removeAll()
            }
            var step = 1.0
            var candidate = x
            var candidateValue = value
            var candidateGradient = gradient
            var accepted = false
            for _ in 0..<40 {
                for i in x.indices { candidate[i] = x[i] + step * direction[i] }
                (candidateValue, candidateGradient) = objective(candidate)
                if candidateValue.isFinite, candidateValue <= value + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            iteration += 1
            guard accepted else { return Result(x: x, value: value, iterations: iteration, converged: true) }
            let s = zip(candidate, x).map { $0 - $1 }
            let y = zip(candidateGradient, gradient).map { $0 - $1 }
            let sy = dot(s, y)
            let previous = value
            x = candidate
            value = candidateValue
            gradient = candidateGradient
            if sy > 1e-10 {
                sHistory.append(s)
                yHistory.append(y)
                rhoHistory.append(1 / sy)
                if sHistory.count > memory {
                    sHistory.removeFirst()
                    yHistory.removeFirst()
                    rhoHistory.removeFirst()
                }
            }
            if abs(previous - value) <= 1e-12 * max(abs(previous), abs(value), 1) {
                return Result(x: x, value: value, iterations: iteration, converged: true)
            }
        }
        return Result(x: x, value: value, iterations: iteration, converged: maxAbs(gradient) < gradientTolerance)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var total = 0.0
        for i in a.indices { total += a[i] * b[i] }
        return total
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    static func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }

    static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += alpha * x[i] }
    }
}
