import Foundation
import ForageCore

/// One parameter as the Parzen estimators see it: a numeric coordinate (in log space for `log: true`, with cells for
/// integers and stepped floats) or a categorical index.
struct TPEAxis: Sendable {
    enum Kind: Sendable {
        /// A real coordinate in `[low, high]` (log of the value when `log`); a `step` makes values discrete, each owning a
        /// cell `step` wide in value space.
        case numeric(low: Double, high: Double, log: Bool, step: Double?)
        /// One of `count` choices.
        case categorical(count: Int)
    }

    let distribution: Distribution
    let kind: Kind

    /// Nil for a parameter with a single possible value (nothing to model).
    init?(_ distribution: Distribution) {
        self.distribution = distribution
        switch distribution {
        case .float(let low, let high, let log, let step):
            guard high > low else { return nil }
            if log && low > 0 {
                kind = .numeric(low: Foundation.log(low), high: Foundation.log(high), log: true, step: nil)
            } else if let step, step > 0 {
                kind = .numeric(low: low - step / 2, high: high + step / 2, log: false, step: step)
            } else {
                kind = .numeric(low: low, high: high, log: false, step: nil)
            }
        case .int(let low, let high, let log, let step):
            guard high > low else { return nil }
            let half = Double(max(step, 1)) / 2
            if log && Double(low) - half > 0 {
                kind = .numeric(
                    low: Foundation.log(Double(low) - half), high: Foundation.log(Double(high) + half), log: true, step: Double(max(step, 1)))
            } else {
                kind = .numeric(low: Double(low) - half, high: Double(high) + half, log: false, step: Double(max(step, 1)))
            }
        case .categorical(let choices):
            guard choices.count > 1 else { return nil }
            kind = .categorical(count: choices.count)
        }
    }

    /// The coordinate of an observed value, or nil when it does not belong to the distribution.
    func coordinate(of value: ParameterValue) -> Double? {
        switch kind {
        case .categorical:
            guard case .categorical(let choices) = distribution, let index = choices.firstIndex(of: value) else { return nil }
            return Double(index)
        case .numeric(_, _, let log, _):
            guard distribution.contains(value), let x = value.doubleValue else { return nil }
            return log ? Foundation.log(x) : x
        }
    }

    /// The value at coordinate `t` (snapped to the distribution), and the snapped coordinate.
    func value(at t: Double) -> (value: ParameterValue, coordinate: Double) {
        switch distribution {
        case .categorical(let choices):
            let index = min(max(Int(t.rounded()), 0), choices.count - 1)
            return (choices[index], Double(index))
        case .float(let low, let high, _, let step):
            let isLog: Bool
            if case .numeric(_, _, let log, _) = kind { isLog = log } else { isLog = false }
            var x = isLog ? Foundation.exp(t) : t
            if let step, step > 0 {
                x = low + ((x - low) / step).rounded() * step
                if x > high + 1e-12 * max(1, abs(high)) { x -= step }
            }
            x = min(max(x, low), high)
            return (.double(x), isLog ? Foundation.log(x) : x)
        case .int(let low, let high, _, let step):
            let isLog: Bool
            if case .numeric(_, _, let log, _) = kind { isLog = log } else { isLog = false }
            let x = isLog ? Foundation.exp(t) : t
            let step = max(step, 1)
            let count = (high - low) / step + 1
            let k = min(max(Int(((x - Double(low)) / Double(step)).rounded()), 0), count - 1)
            let v = low + k * step
            return (.int(v), isLog ? Foundation.log(Double(v)) : Double(v))
        }
    }

    /// For a discrete numeric axis, the cell `[lo, hi]` (in coordinates) of the value at snapped coordinate `t`.
    func cell(around t: Double) -> (Double, Double)? {
        guard case .numeric(let low, let high, let log, let step) = kind, let step else { return nil }
        if log {
            let x = Foundation.exp(t)
            return (max(Foundation.log(max(x - step / 2, 1e-300)), low), min(Foundation.log(x + step / 2), high))
        }
        return (max(t - step / 2, low), min(t + step / 2, high))
    }

    /// Width of the coordinate range (the prior's bandwidth).
    var range: Double {
        switch kind {
        case .numeric(let low, let high, _, _): return high - low
        case .categorical(let count): return Double(count)
        }
    }
}
