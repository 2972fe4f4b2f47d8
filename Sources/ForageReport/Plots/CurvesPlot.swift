import ForageCore
import ForageStore
import Foundation

/// Intermediate values (learning curves) of the objective by step: completed trials in blue, pruned in orange
/// (ending in a marker at the step they were stopped, its tooltip giving the scheduler's reason), failed in red.
/// Under the curves, every pruned trial's stopping point (downsampled past 2 000) is marked as a small tick.
public struct CurvesPlot {
    public var curves: [Int: [CurvePoint]]
    public var trials: [TrialPoint]
    public var decisions: [Int: [DecisionRecord]]
    public var objective: Objective

    public init(curves: [Int: [CurvePoint]], trials: [TrialPoint], decisions: [Int: [DecisionRecord]], objective: Objective) {
        self.curves = curves
        self.trials = trials
        self.decisions = decisions
        self.objective = objective
    }

    /// Why the scheduler stopped a trial, as one line.
    public static func stopReason(_ decisions: [DecisionRecord]) -> String? {
        guard let stop = decisions.last(where: { $0.action != "continue" && $0.action != "promote" }) ?? decisions.last else { return nil }
        var text = "\(stop.action) at step \(stop.step)"
        if let rung = stop.rung { text += ", rung \(rung)" }
        text += ": value \(Scale.label(stop.value))"
        if let cutoff = stop.cutoff { text += ", cutoff \(Scale.label(cutoff))" }
        if let reason = stop.reason { text += " (\(reason))" }
        return text
    }

    public func render(width: Double = 960, height: Double = 380) -> String {
        let state = Dictionary(uniqueKeysWithValues: trials.map { ($0.number, $0.state) })
        let stops = CurveSelection.evenly(
            trials.filter { $0.state == .pruned && $0.lastStep != nil && ($0.value?.isFinite ?? false) }, count: 2000)
        let steps = curves.values.flatMap { $0.map { Double($0.step) } } + stops.compactMap { $0.lastStep.map(Double.init) }
        let values = curves.values.flatMap { $0.map(\.value) }.filter(\.isFinite) + stops.compactMap(\.value)
        var svg = SVGDocument(id: "plot-curves", width: width, height: height)
        guard !curves.isEmpty || !stops.isEmpty else {
            svg.text(
                "no intermediate values were reported (the trials report only final values)", x: width / 2, y: height / 2,
                className: "title")
            return svg.markup
        }
        let frame = PlotFrame(width: width, height: height, xs: steps, ys: values)
        frame.drawAxes(into: &svg, xTitle: "step", yTitle: objective.metric)
        svg.group(className: "curves")
        for number in curves.keys.sorted() {
            guard let curve = curves[number] else { continue }
            let points = curve.filter(\.value.isFinite).map { frame.point(Double($0.step), $0.value) }
            let kind = state[number] ?? .completed
            let className = kind == .pruned ? "cv-p" : kind == .failed ? "cv-f" : "cv-c"
            let reason = Self.stopReason(decisions[number] ?? [])
            let title = "trial \(number) · \(kind.rawValue)" + (kind == .pruned ? (reason.map { " · " + $0 } ?? "") : "")
            svg.polyline(points, className: className, title: title)
            if kind == .pruned, let end = points.last {
                svg.element("circle", ["cx": SVGDocument.n(end.0), "cy": SVGDocument.n(end.1), "r": "4", "class": "stop"], title: title)
            }
        }
        svg.close()
        svg.group(className: "stops")
        for trial in stops {
            let (x, y) = frame.point(Double(trial.lastStep ?? 0), trial.value ?? 0)
            svg.element("path", ["d": "M\(SVGDocument.n(x - 3)),\(SVGDocument.n(y))h6", "class": "stop-tick"])
        }
        svg.close()
        return svg.markup
    }
}
