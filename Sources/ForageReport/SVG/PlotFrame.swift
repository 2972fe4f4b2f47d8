import Foundation

/// The rectangle a 2-D plot draws in, its two scales, and its axes (ticks, grid lines, titles).
public struct PlotFrame {
    public var left = 64.0, right = 16.0, top = 16.0, bottom = 44.0
    public let width: Double
    public let height: Double
    public var x: Scale
    public var y: Scale

    /// A frame of `width` × `height` pixels whose scales cover `xs` and `ys`.
    public init(width: Double, height: Double, xs: [Double], ys: [Double], xLog: Bool = false, yLog: Bool = false) {
        self.width = width
        self.height = height
        x = Scale(covering: xs, pixels: 64, width - 16, logarithmic: xLog)
        y = Scale(covering: ys, pixels: height - 44, 16, logarithmic: yLog)
    }

    /// Draws the grid, both axes with their ticks and labels, and the axis titles.
    public func drawAxes(into svg: inout SVGDocument, xTitle: String, yTitle: String) {
        svg.group(className: "axes")
        for tick in x.ticks(6) {
            let px = x(tick)
            svg.element(
                "line",
                [
                    "x1": SVGDocument.n(px), "x2": SVGDocument.n(px), "y1": SVGDocument.n(top), "y2": SVGDocument.n(height - bottom),
                    "class": "grid",
                ])
            svg.text(Scale.label(tick), x: px, y: height - bottom + 16)
        }
        for tick in y.ticks(5) {
            let py = y(tick)
            svg.element(
                "line",
                [
                    "x1": SVGDocument.n(left), "x2": SVGDocument.n(width - right), "y1": SVGDocument.n(py), "y2": SVGDocument.n(py),
                    "class": "grid",
                ])
            svg.text(Scale.label(tick), x: left - 6, y: py + 4, anchor: "end")
        }
        svg.element(
            "rect",
            [
                "x": SVGDocument.n(left), "y": SVGDocument.n(top), "width": SVGDocument.n(width - left - right),
                "height": SVGDocument.n(height - top - bottom), "class": "frame",
            ])
        svg.text(xTitle, x: (left + width - right) / 2, y: height - 8, className: "title")
        svg.text(yTitle, x: 14, y: (top + height - bottom) / 2, className: "title", rotate: -90)
        svg.close()
    }

    /// A point's pixel position.
    public func point(_ px: Double, _ py: Double) -> (Double, Double) {
        (x(px), y(py))
    }
}
