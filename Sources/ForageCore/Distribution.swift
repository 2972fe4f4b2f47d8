import Foundation

/// The set of values one hyperparameter may take.
public enum Distribution: Sendable, Equatable {
    /// A real number in `[low, high]`; `log` samples uniformly in log space; `step` quantises to `low + k·step`.
    case float(low: Double, high: Double, log: Bool, step: Double?)
    /// An integer in `[low, high]` (both included), a multiple of `step` away from `low`; `log` samples in log space.
    case int(low: Int, high: Int, log: Bool, step: Int)
    /// One of a fixed list of values.
    case categorical(choices: [ParameterValue])

    /// Whether `value` lies in this distribution (with a small tolerance for floats).
    public func contains(_ value: ParameterValue) -> Bool {
        switch self {
        case .float(let low, let high, _, let step):
            guard let number = value.doubleValue, number.isFinite else { return false }
            let tolerance = 1e-9 * max(1, abs(low), abs(high))
            guard number >= low - tolerance, number <= high + tolerance else { return false }
            if let step {
                let k = (number - low) / step
                return abs(k - k.rounded()) < 1e-6
            }
            return true
        case .int(let low, let high, _, let step):
            guard case .int(let number) = value else { return false }
            return number >= low && number <= high && (number - low) % step == 0
        case .categorical(let choices):
            return choices.contains(value)
        }
    }

    /// Maps a point `u` of the unit interval to a value: the inverse of the distribution's (log-)uniform CDF,
    /// used by random, Sobol and grid searchers. `u` is clamped into `[0, 1]`.
    public func value(atUnit u: Double) -> ParameterValue {
        let u = min(max(u, 0), 1)
        switch self {
        case .float(let low, let high, let log, let step):
            var x = log ? _exp(_log(low) + u * (_log(high) - _log(low))) : low + u * (high - low)
            if let step {
                let k = ((x - low) / step).rounded()
                x = low + k * step
                if x > high + 1e-12 { x -= step }
            }
            return .double(min(max(x, low), high))
        case .int(let low, let high, let log, let step):
            let count = (high - low) / step + 1
            if log {
                // Uniform in log space over [low - 0.5, high + 0.5], then snapped to the step grid.
                let a = _log(Double(low) - 0.5 + 1e-9 + (low <= 0 ? 1 : 0))
                let b = _log(Double(high) + 0.5)
                let x = _exp(a + u * (b - a))
                let k = Int(((x - Double(low)) / Double(step)).rounded())
                return .int(low + min(max(k, 0), count - 1) * step)
            }
            let k = min(Int(u * Double(count)), count - 1)
            return .int(low + k * step)
        case .categorical(let choices):
            let k = min(Int(u * Double(choices.count)), choices.count - 1)
            return choices[k]
        }
    }

    /// Maps a value back to the unit interval (the middle of its cell for discrete values); nil when outside.
    public func unit(of value: ParameterValue) -> Double? {
        switch self {
        case .float(let low, let high, let log, _):
            guard let x = value.doubleValue, high > low else { return value.doubleValue == nil ? nil : 0.5 }
            if log { return (_log(x) - _log(low)) / (_log(high) - _log(low)) }
            return (x - low) / (high - low)
        case .int(let low, let high, let log, let step):
            guard case .int(let x) = value else { return nil }
            if log {
                let a = _log(Double(low) - 0.5 + 1e-9 + (low <= 0 ? 1 : 0))
                let b = _log(Double(high) + 0.5)
                return (_log(Double(x)) - a) / (b - a)
            }
            let count = (high - low) / step + 1
            return (Double((x - low) / step) + 0.5) / Double(count)
        case .categorical(let choices):
            guard let index = choices.firstIndex(of: value) else { return nil }
            return (Double(index) + 0.5) / Double(choices.count)
        }
    }

    /// `n` evenly spaced values for a grid search (every value for categoricals and small integer ranges).
    ///
    /// Both bounds are always included exactly. Floats are evenly spaced (geometrically with `log: true`); with a
    /// `step` they are rounded to the step. Integers are the nearest value of the range to each evenly spaced position
    /// (ties go to the lower value), and always distinct: `0…3` with 3 points gives 0, 1, 3. A range with at most `n`
    /// values gives all of them.
    public func gridValues(points n: Int) -> [ParameterValue] {
        guard n >= 1 else { return [] }
        switch self {
        case .categorical(let choices):
            return choices
        case .int(let low, let high, let log, let step):
            let count = (high - low) / step + 1
            if count <= n { return (0..<count).map { .int(low + $0 * step) } }
            if n == 1 { return [.int(low + (count - 1) / 2 * step)] }
            let indices = log
                ? Self.logGridIndices(low: low, high: high, step: step, count: count, points: n)
                : (0..<n).map { i in Self.roundHalfDown(i * (count - 1), over: n - 1) }
            return indices.map { .int(low + $0 * step) }
        case .float(let low, let high, let log, let step):
            if n == 1 || low == high {
                let middle = log ? _exp((_log(low) + _log(high)) / 2) : low + (high - low) / 2
                return [.double(low == high ? low : Self.onStep(middle, low: low, high: high, step: step))]
            }
            var values: [ParameterValue] = []
            for i in 0..<n {
                let t = Double(i) / Double(n - 1)
                let x: Double
                if i == 0 {
                    x = low
                } else if i == n - 1 {
                    x = high
                } else {
                    x = log ? _exp(_log(low) + t * (_log(high) - _log(low))) : low + t * (high - low)
                }
                let v = ParameterValue.double(Self.onStep(x, low: low, high: high, step: step))
                if !values.contains(v) { values.append(v) }
            }
            return values
        }
    }

    /// `numerator / denominator` rounded to the nearest integer, ties down (exact integer arithmetic).
    private static func roundHalfDown(_ numerator: Int, over denominator: Int) -> Int {
        let (q, r) = numerator.quotientAndRemainder(dividingBy: denominator)
        return 2 * r > denominator ? q + 1 : q
    }

    /// Step indices (`0..<count`) nearest to `points` log-spaced positions between `low` and `high`, made strictly
    /// increasing so that they are distinct and both ends are kept (`count > points`).
    private static func logGridIndices(low: Int, high: Int, step: Int, count: Int, points n: Int) -> [Int] {
        let a = _log(Double(max(low, 1)))
        let b = _log(Double(high))
        var indices: [Int] = []
        for i in 0..<n {
            let t = Double(i) / Double(n - 1)
            let x = _exp(a + t * (b - a))
            let position = (x - Double(low)) / Double(step)
            var k = i == 0 ? 0 : i == n - 1 ? count - 1 : Int((position - 0.5).rounded(.up))  // nearest, ties down
            k = max(k, (indices.last ?? -1) + 1, 0)
            k = min(k, count - n + i)
            indices.append(k)
        }
        return indices
    }

    /// `x` rounded to the grid of `step` from `low` (when there is a step), kept within `high`.
    private static func onStep(_ x: Double, low: Double, high: Double, step: Double?) -> Double {
        guard let step else { return x }
        return min(low + ((x - low) / step).rounded() * step, high)
    }

    /// The number of distinct values, or nil for a continuous range.
    public var cardinality: Int? {
        switch self {
        case .float(let low, let high, _, let step):
            guard let step else { return nil }
            return Int(((high - low) / step).rounded(.down)) + 1
        case .int(let low, let high, _, let step): return (high - low) / step + 1
        case .categorical(let choices): return choices.count
        }
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _exp(_ x: Double) -> Double { Foundation.exp(x) }
