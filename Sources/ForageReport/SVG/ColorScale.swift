import Foundation

/// A perceptually even colour ramp (viridis, sampled at nine stops) for colouring by value; `0` is dark purple,
/// `1` bright yellow. Reports map the best values to the bright end.
public struct ColorScale: Sendable {
    static let stops: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (110, 206, 88), (253, 231, 37),
    ]

    public init() {}

    /// The colour at position `t` in 0…1, as `#rrggbb`.
    public func color(_ t: Double) -> String {
        let x = min(1, max(0, t.isFinite ? t : 0)) * Double(Self.stops.count - 1)
        let index = min(Self.stops.count - 2, Int(x))
        let f = x - Double(index)
        let a = Self.stops[index], b = Self.stops[index + 1]
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// A horizontal legend bar: the ramp with its two end labels.
    public func legend(into svg: inout SVGDocument, x: Double, y: Double, width: Double, low: String, high: String) {
        let steps = 24
        for i in 0..<steps {
            let t = Double(i) / Double(steps - 1)
            svg.element(
                "rect",
                [
                    "x": SVGDocument.n(x + Double(i) * width / Double(steps)), "y": SVGDocument.n(y),
                    "width": SVGDocument.n(width / Double(steps) + 0.5),
                    "height": "8", "fill": color(t),
                ])
        }
        svg.text(low, x: x, y: y + 20, anchor: "start")
        svg.text(high, x: x + width, y: y + 20, anchor: "end")
    }
}
