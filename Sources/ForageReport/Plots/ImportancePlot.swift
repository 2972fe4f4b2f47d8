import Foundation

/// Parameter importance as horizontal bars, largest first, each labelled with its share.
public struct ImportancePlot {
    public var importance: ParameterImportance?

    public init(importance: ParameterImportance?) {
        self.importance = importance
    }

    public func render(width: Double = 960) -> String {
        let scores = importance?.scores ?? []
        let height = Double(max(1, scores.count)) * 28 + 40
        var svg = SVGDocument(id: "plot-importance", width: width, height: height)
        guard !scores.isEmpty else {
            svg.text("needs at least 8 completed trials", x: width / 2, y: 30, className: "title")
            return svg.markup
        }
        let left = 180.0, barWidth = width - left - 90
        for (index, score) in scores.enumerated() {
            let y = 16 + Double(index) * 28
            svg.text(score.name, x: left - 8, y: y + 15, anchor: "end", className: "title")
            svg.element(
                "rect",
                [
                    "x": SVGDocument.n(left), "y": SVGDocument.n(y), "width": SVGDocument.n(max(1, score.importance * barWidth)),
                    "height": "20", "class": "bar",
                ],
                title: "\(score.name): \(String(format: "%.3f", score.importance))")
            svg.text(
                String(format: "%.1f %%", score.importance * 100), x: left + max(1, score.importance * barWidth) + 6, y: y + 15,
                anchor: "start")
        }
        return svg.markup
    }
}
