import ForageCore
import ForageStore
import Foundation

/// The Pareto front of a multi-objective experiment: a scatter of two objectives (every pair of them, in a grid,
/// for three or more), front-1 trials solid, dominated ones faded, infeasible ones as grey crosses.
public struct ParetoPlot {
    public var points: [ObjectivePoint]
    public var ranking: FrontRanking
    public var goals: ObjectiveSet

    public init(points: [ObjectivePoint], ranking: FrontRanking, goals: ObjectiveSet) {
        self.points = points
        self.ranking = ranking
        self.goals = goals
    }

    public func render(width: Double = 960) -> String {
        let m = goals.objectives.count
        guard m >= 2 else { return "" }
        let pairs = m == 2 ? [(0, 1)] : (0..<m).flatMap { i in ((i + 1)..<m).map { (i, $0) } }
        let columns = min(pairs.count, 3)
        let cell = pairs.count == 1 ? width : width / Double(columns)
        let height = pairs.count == 1 ? 420.0 : 320.0
        var markup = ""
        for (index, pair) in pairs.enumerated() {
            markup += panel(pair, id: "plot-pareto-\(index)", width: pairs.count == 1 ? width : cell - 8, height: height)
        }
        return markup
    }

    private func panel(_ pair: (Int, Int), id: String, width: Double, height: Double) -> String {
        let (i, j) = pair
        let usable = points.filter { $0.values.count > max(i, j) }
        let xs = usable.map { $0.values[i] }
        let ys = usable.map { $0.values[j] }
        let frame = PlotFrame(width: width, height: height, xs: xs.isEmpty ? [0, 1] : xs, ys: ys.isEmpty ? [0, 1] : ys)
        var svg = SVGDocument(id: id, width: width, height: height)
        let direction = { (k: Int) in self.goals.objectives[k].direction == .minimize ? "↓" : "↑" }
        frame.drawAxes(
            into: &svg, xTitle: "\(goals.objectives[i].metric) \(direction(i))", yTitle: "\(goals.objectives[j].metric) \(direction(j))")
        svg.group(className: "points")
        // Dominated first, so the front is drawn on top.
        let ordered = usable.sorted { (ranking.fronts[$0.number] ?? Int.max) > (ranking.fronts[$1.number] ?? Int.max) }
        for point in ordered {
            let (x, y) = frame.point(point.values[i], point.values[j])
            let values = zip(goals.objectives, point.values).map { "\($0.metric) \(Scale.label($1))" }.joined(separator: " · ")
            guard let front = ranking.fronts[point.number] else {
                svg.element(
                    "path", ["d": "M\(SVGDocument.n(x - 3)),\(SVGDocument.n(y - 3))l6,6m0,-6l-6,6", "class": "pt-inf"],
                    title: "trial \(point.number) · infeasible · \(values)")
                continue
            }
            svg.element(
                "circle", ["cx": SVGDocument.n(x), "cy": SVGDocument.n(y), "r": front == 1 ? "4" : "3", "class": front == 1 ? "pt-front" : "pt-dom"],
                title: "trial \(point.number) · front \(front) · \(values)")
        }
        svg.close()
        return svg.markup
    }
}

/// The hypervolume of the Pareto front of the first n completed trials, for every n, against the experiment's
/// final reference point (so the curve only rises).
public struct HypervolumePlot {
    public var points: [ObjectivePoint]
    public var ranking: FrontRanking
    public var goals: ObjectiveSet

    public init(points: [ObjectivePoint], ranking: FrontRanking, goals: ObjectiveSet) {
        self.points = points
        self.ranking = ranking
        self.goals = goals
    }

    /// (trial number, hypervolume) after each completed feasible trial that changed it, then the last trial.
    public func curve() -> [(Int, Double)] {
        guard let reference = ranking.referencePoint else { return [] }
        var front: [[Double]] = []
        var steps: [(Int, Double)] = []
        var volume = 0.0
        for point in points.sorted(by: { $0.number < $1.number }) where point.isFeasible {
            let loss = goals.losses(point.values)
            guard !front.contains(where: { Pareto.dominates($0, loss) || $0 == loss }) else { continue }
            front.removeAll { Pareto.dominates(loss, $0) }
            front.append(loss)
            volume = Pareto.hypervolume(front, reference: reference)
            steps.append((point.number, volume))
        }
        if let last = points.map(\.number).max(), let end = steps.last, end.0 != last { steps.append((last, volume)) }
        return steps
    }

    public func render(width: Double = 960, height: Double = 300) -> String {
        let steps = curve()
        let frame = PlotFrame(
            width: width, height: height, xs: steps.isEmpty ? [0, 1] : steps.map { Double($0.0) }, ys: steps.isEmpty ? [0, 1] : [0] + steps.map(\.1))
        var svg = SVGDocument(id: "plot-hypervolume", width: width, height: height)
        frame.drawAxes(into: &svg, xTitle: "trial", yTitle: "hypervolume")
        var line: [(Double, Double)] = []
        for (index, (number, value)) in steps.enumerated() {
            let point = frame.point(Double(number), value)
            if index > 0, let previous = line.last { line.append((point.0, previous.1)) }
            line.append(point)
        }
        svg.polyline(line, className: "best", title: "hypervolume of the front so far")
        return svg.markup
    }
}
