import ForageCore
import ForageStore
import Foundation

/// The optimization history: every trial's value by trial number (downsampled past 2 000 points), the best value
/// so far as a step line, pruned trials as hollow orange points at their last value, failed trials as red marks on
/// a strip under the plot.
public struct HistoryPlot {
    public var trials: [TrialPoint]
    public var objective: Objective

    public init(trials: [TrialPoint], objective: Objective) {
        self.trials = trials
        self.objective = objective
    }

    /// The best value so far after each improving completed trial, as (trial number, value), plus the last trial.
    public func bestSoFar() -> [(Int, Double)] {
        var best: Double?
        var steps: [(Int, Double)] = []
        for trial in trials where trial.state == .completed {
            guard let value = trial.value, value.isFinite else { continue }
            if best.map({ objective.direction.isBetter(value, than: $0) }) ?? true {
                best = value
                steps.append((trial.number, value))
            }
        }
        if let best, let last = trials.last?.number, steps.last?.0 != last { steps.append((last, best)) }
        return steps
    }

    public func render(width: Double = 960, height: Double = 380) -> (svg: String, shown: Int) {
        let shown = Downsampler.history(trials, direction: objective.direction)
        let valued = shown.filter { ($0.state == .completed || $0.state == .pruned) && ($0.value?.isFinite ?? false) }
        let values = valued.compactMap(\.value)
        let positive = !values.isEmpty && values.allSatisfy { $0 > 0 }
        let ratio = (values.max() ?? 1) / max(values.min() ?? 1, 1e-300)
        var frame = PlotFrame(
            width: width, height: height,
            xs: trials.isEmpty ? [0, 1] : [Double(trials.first?.number ?? 0), Double(trials.last?.number ?? 1)],
            ys: values.isEmpty ? [0, 1] : values, yLog: positive && ratio > 1e3)
        frame.bottom = 56
        frame.y = Scale(covering: values.isEmpty ? [0, 1] : values, pixels: height - 56, 16, logarithmic: positive && ratio > 1e3)
        var svg = SVGDocument(id: "plot-history", width: width, height: height)
        frame.drawAxes(into: &svg, xTitle: "trial", yTitle: objective.metric + (frame.y.logarithmic ? " (log)" : ""))
        svg.group(className: "points")
        for trial in valued {
            let (x, y) = frame.point(Double(trial.number), trial.value ?? 0)
            let label = "trial \(trial.number) · \(trial.state.rawValue) · \(Scale.label(trial.value ?? 0))"
            if trial.state == .completed {
                svg.element("circle", ["cx": SVGDocument.n(x), "cy": SVGDocument.n(y), "r": "3", "class": "pt-c"], title: label)
            } else {
                svg.element(
                    "circle", ["cx": SVGDocument.n(x), "cy": SVGDocument.n(y), "r": "3", "class": "pt-p"],
                    title: label + (trial.lastStep.map { " at step \($0)" } ?? ""))
            }
        }
        let strip = height - 56 + 24
        for trial in shown where trial.state == .failed {
            let x = frame.x(Double(trial.number))
            svg.element(
                "path", ["d": "M\(SVGDocument.n(x - 3)),\(SVGDocument.n(strip - 3))l6,6m0,-6l-6,6", "class": "pt-f"],
                title: "trial \(trial.number) · failed" + (trial.reason.map { " (\($0.rawValue))" } ?? ""))
        }
        svg.close()
        var line: [(Double, Double)] = []
        for (index, (number, value)) in bestSoFar().enumerated() {
            let point = frame.point(Double(number), value)
            if index > 0, let previous = line.last { line.append((point.0, previous.1)) }
            line.append(point)
        }
        svg.polyline(line, className: "best", title: "best so far")
        svg.text("failed ✕", x: 60, y: strip + 4, anchor: "end", className: "lbl fail")
        return (svg.markup, shown.count)
    }
}
