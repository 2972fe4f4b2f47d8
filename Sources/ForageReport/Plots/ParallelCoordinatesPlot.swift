import ForageCore
import ForageStore
import Foundation

/// Parallel coordinates: one vertical axis per parameter and one for the objective; each completed trial is a line
/// across them coloured by its value (bright = better). Numeric axes are linear, or log10 when every value is
/// positive and they span more than two decades; categorical axes space their choices evenly. At most 1 000 lines.
public struct ParallelCoordinatesPlot {
    public var trials: [TrialPoint]
    public var parameters: [String]
    public var objective: Objective

    public init(trials: [TrialPoint], parameters: [String], objective: Objective) {
        self.trials = trials
        self.parameters = parameters
        self.objective = objective
    }

    /// One vertical axis: how a trial's value maps to a height.
    struct Axis {
        var title: String
        var scale: Scale
        var categories: [String]

        func position(_ value: ParameterValue?) -> Double? {
            switch value {
            case .string(let s)?: return categories.firstIndex(of: s).map { scale(Double($0)) }
            case let value?: return value.doubleValue.map { scale($0) }
            case nil: return nil
            }
        }
    }

    public func render(width: Double = 960, height: Double = 380) -> (svg: String, shown: Int) {
        let lines = Downsampler.lines(trials, direction: objective.direction)
        var svg = SVGDocument(id: "plot-parallel", width: width, height: height)
        let top = 40.0, bottom = height - 50
        let names = parameters + [objective.metric]
        let gap = (width - 120) / Double(max(1, names.count - 1))
        var axes: [Axis] = []
        for name in parameters {
            let values = lines.compactMap { $0.params[name] }
            let strings = Array(
                Set(values.compactMap { value -> String? in if case .string(let s) = value { return s } else { return nil } })
            ).sorted()
            if !strings.isEmpty {
                axes.append(
                    Axis(
                        title: name, scale: Scale(covering: [0, Double(max(1, strings.count - 1))], pixels: bottom, top),
                        categories: strings))
            } else {
                let numbers = values.compactMap(\.doubleValue)
                let log = !numbers.isEmpty && numbers.allSatisfy { $0 > 0 } && (numbers.max() ?? 1) / max(numbers.min() ?? 1, 1e-300) > 100
                axes.append(
                    Axis(
                        title: name + (log ? " (log)" : ""), scale: Scale(covering: numbers, pixels: bottom, top, logarithmic: log),
                        categories: []))
            }
        }
        let values = lines.compactMap(\.value)
        let objectiveScale = Scale(covering: values, pixels: bottom, top)
        let low = values.min() ?? 0, high = values.max() ?? 1
        let colors = ColorScale()
        func shade(_ value: Double) -> Double {
            let t = high > low ? (value - low) / (high - low) : 1
            return objective.direction == .minimize ? 1 - t : t
        }
        svg.group(className: "lines")
        for trial in lines.sorted(by: { shade($0.value ?? 0) < shade($1.value ?? 0) }) {
            var points: [(Double, Double)] = []
            for (index, axis) in axes.enumerated() {
                if let y = axis.position(trial.params[parameters[index]]) { points.append((60 + Double(index) * gap, y)) }
            }
            points.append((60 + Double(axes.count) * gap, objectiveScale(trial.value ?? 0)))
            svg.polyline(
                points, className: "pc", stroke: colors.color(shade(trial.value ?? 0)),
                title: "trial \(trial.number) · \(Scale.label(trial.value ?? 0))")
        }
        svg.close()
        svg.group(className: "axes")
        let allAxes = axes + [Axis(title: objective.metric, scale: objectiveScale, categories: [])]
        for (index, axis) in allAxes.enumerated() {
            let x = 60 + Double(index) * gap
            svg.element(
                "line",
                ["x1": SVGDocument.n(x), "x2": SVGDocument.n(x), "y1": SVGDocument.n(top), "y2": SVGDocument.n(bottom), "class": "axis"])
            svg.text(axis.title, x: x, y: top - 14, className: "title")
            let ticks: [(Double, String)] =
                axis.categories.isEmpty
                ? axis.scale.ticks(4).map { (axis.scale($0), Scale.label($0)) }
                : axis.categories.enumerated().map { (axis.scale(Double($0.offset)), $0.element) }
            for (y, label) in ticks {
                svg.element(
                    "line",
                    ["x1": SVGDocument.n(x - 3), "x2": SVGDocument.n(x), "y1": SVGDocument.n(y), "y2": SVGDocument.n(y), "class": "axis"])
                svg.text(label, x: x - 5, y: y + 4, anchor: "end", className: "lbl tick")
            }
        }
        svg.close()
        colors.legend(into: &svg, x: width - 260, y: height - 30, width: 220, low: "worse", high: "better")
        if lines.isEmpty { svg.text("no completed trials yet", x: width / 2, y: height / 2, className: "title") }
        return (svg.markup, lines.count)
    }
}
