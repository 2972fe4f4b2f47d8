import Foundation

/// Maps a data interval onto a pixel interval, linearly or on a log10 scale, and chooses readable ticks.
public struct Scale: Sendable {
    public var lower: Double
    public var upper: Double
    public var from: Double
    public var to: Double
    public var logarithmic: Bool

    /// A scale over `values` (non-finite ones ignored), padded by 4 % so points do not sit on the frame.
    public init(covering values: [Double], pixels from: Double, _ to: Double, logarithmic: Bool = false, padded: Bool = true) {
        let finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        var low = finite.min() ?? 0
        var high = finite.max() ?? 1
        let log = logarithmic && !finite.isEmpty
        if log {
            low = Foundation.log10(low)
            high = Foundation.log10(high)
        }
        if high - low < 1e-12 * max(1, abs(high)) {
            low -= 0.5 * max(1e-9, abs(low) * 0.1 + (log ? 0.5 : 0.5))
            high += 0.5 * max(1e-9, abs(high) * 0.1 + (log ? 0.5 : 0.5))
        } else if padded {
            let pad = (high - low) * 0.04
            low -= pad
            high += pad
        }
        self.lower = low
        self.upper = high
        self.from = from
        self.to = to
        self.logarithmic = log
    }

    /// The pixel position of a data value.
    public func callAsFunction(_ value: Double) -> Double {
        let v = logarithmic ? Foundation.log10(max(value, 1e-300)) : value
        return from + (v - lower) / (upper - lower) * (to - from)
    }

    /// About `count` tick values at round numbers inside the domain (powers of ten on a log scale).
    public func ticks(_ count: Int = 5) -> [Double] {
        if logarithmic {
            let first = Int(Foundation.ceil(lower)), last = Int(Foundation.floor(upper))
            guard first <= last else { return [Foundation.pow(10, (lower + upper) / 2)] }
            let step = max(1, (last - first + 1) / max(1, count))
            return stride(from: first, through: last, by: step).map { Foundation.pow(10, Double($0)) }
        }
        let span = upper - lower
        let raw = span / Double(max(1, count))
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var tick = Foundation.ceil(lower / step) * step
        while tick <= upper + step * 1e-9, ticks.count < 50 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return ticks
    }

    /// A short label for a tick or a value.
    public static func label(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-3) { return String(format: "%.2g", value) }
        if value == value.rounded() { return String(Int(value)) }
        return String(format: "%.4g", value)
    }
}
