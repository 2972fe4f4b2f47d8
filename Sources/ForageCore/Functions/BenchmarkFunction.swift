import Foundation

/// The built-in benchmark functions of DESIGN §4: pure, cheap objectives for testing searchers, schedulers and the
/// engine's own overhead. Inputs are the parameters `x0, x1, …` (Branin: `x`, `y`); the result is `value`.
public enum BenchmarkFunction: String, Sendable, CaseIterable {
    case branin
    case hartmann6
    case rosenbrock
    case ackley
    case sphere
    /// Styblinski–Tang, `½ Σ (xᵢ⁴ − 16xᵢ² + 5xᵢ)`, usually on `[-5, 5]^d`; minimum `−39.16617·d` at `xᵢ ≈ −2.9035`.
    case styblinski
    /// ZDT1 (two objectives `f1`, `f2`; inputs `x0…` in [0, 1], any dimension ≥ 2): a convex Pareto front
    /// `f2 = 1 − √f1` where `x1… = 0`.
    case zdt1
    /// ZDT2: as ZDT1 with a concave front `f2 = 1 − f1²`.
    case zdt2
    /// DTLZ2 (`M` objectives `f1…fM`, `objectives: M` in the `trial:` block, 3 by default; inputs `x0…` in [0, 1],
    /// at least M): the front is the unit sphere's positive orthant, where `x(M-1)… = 0.5`.
    case dtlz2
    /// Branin (`value`, inputs `x`, `y`) with a constraint metric `c1 = (x − 2.5)² + (y − 7.5)²`, feasible when
    /// `c1 <= 50`: two of Branin's three minima lie outside the feasible disc; the constrained minimum is 0.397887
    /// at (π, 2.275).
    case branin_constrained
    case noop
    case sleep

    /// The error raised when a parameter the function needs is missing.
    public struct MissingInput: Error, CustomStringConvertible {
        public var function: BenchmarkFunction
        public var parameter: String
        public var description: String { "function \(function.rawValue) needs a numeric parameter '\(parameter)'" }
    }

    /// Every metric the function reports at `params`: `value` for single-objective functions, `f1…` for the
    /// multi-objective ones (`objectives` sets DTLZ2's count), `value` and `c1` for the constrained Branin.
    public func metrics(_ params: ParameterSet, objectives: Int? = nil) throws -> [String: Double] {
        switch self {
        case .zdt1, .zdt2:
            let f = MultiObjectiveFunctions.zdt(try vector(params.numbers), concave: self == .zdt2)
            return ["f1": f[0], "f2": f[1]]
        case .dtlz2:
            let count = objectives ?? 3
            let x = try vector(params.numbers)
            guard x.count >= count else { throw MissingInput(function: self, parameter: "x\(x.count)") }
            let f = MultiObjectiveFunctions.dtlz2(x, objectives: count)
            return Dictionary(uniqueKeysWithValues: f.enumerated().map { ("f\($0.offset + 1)", $0.element) })
        case .branin_constrained:
            let numbers = params.numbers
            guard let x = numbers["x"] ?? numbers["x0"] else { throw MissingInput(function: self, parameter: "x") }
            guard let y = numbers["y"] ?? numbers["x1"] else { throw MissingInput(function: self, parameter: "y") }
            return ["value": Self.branin(x, y), "c1": (x - 2.5) * (x - 2.5) + (y - 7.5) * (y - 7.5)]
        default:
            return ["value": try evaluate(params)]
        }
    }

    /// The names of the metrics `metrics(_:objectives:)` reports.
    public func metricNames(objectives: Int? = nil) -> [String] {
        switch self {
        case .zdt1, .zdt2: return ["f1", "f2"]
        case .dtlz2: return (1...max(objectives ?? 3, 1)).map { "f\($0)" }
        case .branin_constrained: return ["value", "c1"]
        default: return ["value"]
        }
    }

    /// The function's value at `params` (the first objective `f1` of a multi-objective one). `sleep` returns its
    /// `seconds` without sleeping (the executor waits).
    public func evaluate(_ params: ParameterSet) throws -> Double {
        let numbers = params.numbers
        switch self {
        case .noop:
            return numbers.values.reduce(0, +)
        case .sleep:
            return numbers["seconds"] ?? 0
        case .branin:
            guard let x = numbers["x"] ?? numbers["x0"] else { throw MissingInput(function: self, parameter: "x") }
            guard let y = numbers["y"] ?? numbers["x1"] else { throw MissingInput(function: self, parameter: "y") }
            return Self.branin(x, y)
        case .hartmann6:
            let x = try vector(numbers, count: 6)
            return Self.hartmann6(x)
        case .rosenbrock:
            return Self.rosenbrock(try vector(numbers))
        case .ackley:
            return Self.ackley(try vector(numbers))
        case .sphere:
            return try vector(numbers).reduce(0) { $0 + $1 * $1 }
        case .styblinski:
            return Self.styblinskiTang(try vector(numbers))
        case .zdt1, .zdt2, .dtlz2:
            return try metrics(params)["f1"] ?? 0
        case .branin_constrained:
            return try metrics(params)["value"] ?? 0
        }
    }

    /// The global minimum, for regret computations (nil for noop and sleep).
    public var minimum: Double? {
        switch self {
        case .branin, .branin_constrained: return 0.397_887_357_729_738
        case .zdt1, .zdt2, .dtlz2: return nil
        case .hartmann6: return -3.322_368_011_415_51
        case .rosenbrock, .ackley, .sphere: return 0
        case .noop, .sleep: return nil
        // Depends on the dimension: `styblinskiMinimum(dimensions:)`.
        case .styblinski: return nil
        }
    }

    /// Styblinski–Tang's global minimum in `dimensions` dimensions.
    public static func styblinskiMinimum(dimensions: Int) -> Double {
        -39.166_165_703_771_42 * Double(dimensions)
    }

    public static func styblinskiTang(_ x: [Double]) -> Double {
        0.5 * x.reduce(0) { $0 + $1 * $1 * $1 * $1 - 16 * $1 * $1 + 5 * $1 }
    }

    /// The intermediate value reported at `step` (1…`steps`) of a learning curve converging to `final`.
    public static func curve(final: Double, step: Int, steps: Int) -> Double {
        let remaining = Double(steps - step) / Double(max(steps, 1))
        return final + (abs(final) + 1) * remaining * remaining
    }

    private func vector(_ numbers: [String: Double], count: Int? = nil) throws -> [Double] {
        var x: [Double] = []
        var i = 0
        while let value = numbers["x\(i)"] {
            x.append(value)
            i += 1
            if let count, i == count { break }
        }
        if x.isEmpty || (count != nil && x.count < count!) {
            throw MissingInput(function: self, parameter: "x\(x.count)")
        }
        return x
    }

    public static func branin(_ x: Double, _ y: Double) -> Double {
        let b = 5.1 / (4 * Double.pi * Double.pi)
        let c = 5 / Double.pi
        let t = 1 / (8 * Double.pi)
        let a = y - b * x * x + c * x - 6
        return a * a + 10 * (1 - t) * cos(x) + 10
    }

    public static func hartmann6(_ x: [Double]) -> Double {
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let a: [[Double]] = [
            [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
            [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14],
        ]
        let p: [[Double]] = [
            [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
            [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
        ]
        var total = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in 0..<6 {
                let d = x[j] - p[i][j]
                inner += a[i][j] * d * d
            }
            total += alpha[i] * exp(-inner)
        }
        return -total
    }

    public static func rosenbrock(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        var total = 0.0
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i]
            let b = 1 - x[i]
            total += 100 * a * a + b * b
        }
        return total
    }

    public static func ackley(_ x: [Double]) -> Double {
        let n = Double(x.count)
        let squares = x.reduce(0) { $0 + $1 * $1 }
        let cosines = x.reduce(0) { $0 + cos(2 * Double.pi * $1) }
        return -20 * exp(-0.2 * (squares / n).squareRoot()) - exp(cosines / n) + 20 + exp(1)
    }
}
