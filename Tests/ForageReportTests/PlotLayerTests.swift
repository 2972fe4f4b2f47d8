import ForageCore
import ForageStore
import Testing

@testable import ForageReport

/// The SVG layer, the downsampler and parameter importance, on made-up trials.
struct PlotLayerTests {
    static func trials(_ count: Int, state: (Int) -> TrialState = { _ in .completed }) -> [TrialPoint] {
        (0..<count).map { i in
            let x0 = Double((i * 37) % 101) / 100, x1 = Double((i * 53) % 97) / 96
            return TrialPoint(
                number: i, state: state(i), value: state(i) == .failed ? nil : 10 * x0 + 0.1 * x1,
                params: ParameterSet(["x0": .double(x0), "x1": .double(x1), "act": .string(i % 2 == 0 ? "relu" : "tanh")]),
                lastStep: state(i) == .pruned ? 3 : nil)
        }
    }

    @Test func ticksAreRoundNumbersInsideTheDomain() {
        let scale = Scale(covering: [0.13, 9.7], pixels: 0, 100, padded: false)
        let ticks = scale.ticks(5)
        #expect(ticks == [2, 4, 6, 8])
        #expect(scale(0.13) == 0)
        #expect(abs(scale(9.7) - 100) < 1e-9)
        let log = Scale(covering: [1e-4, 1], pixels: 0, 100, logarithmic: true, padded: false)
        #expect(log.ticks(5).contains(1e-2))
        #expect(abs(log(1e-2) - 50) < 1e-9)
    }

    @Test func escapingAndColours() {
        #expect(SVGDocument.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
        #expect(ColorScale().color(0) == "#440154")
        #expect(ColorScale().color(1) == "#fde725")
    }

    @Test func downsamplingKeepsAtMostTwoThousandPointsAndEveryImprovement() {
        let many = Self.trials(100_000) { $0 % 10 == 0 ? .pruned : $0 % 17 == 0 ? .failed : .completed }
        let shown = Downsampler.history(many, direction: .minimize)
        #expect(shown.count <= 2_100)
        #expect(shown.contains { $0.state == .failed })
        #expect(shown.contains { $0.state == .pruned })
        let best = many.filter { $0.state == .completed }.min { ($0.value ?? 0) < ($1.value ?? 0) }
        #expect(shown.contains { $0.number == best?.number })
        #expect(Downsampler.lines(many, direction: .minimize).count == 1000)
        let svg = HistoryPlot(trials: many, objective: Objective(metric: "loss", direction: .minimize)).render().svg
        #expect(svg.hasPrefix("<svg id=\"plot-history\""))
    }

    @Test func importanceFindsTheParameterThatMattersAndIsDeterministic() throws {
        let trials = Self.trials(200)
        let first = try #require(ParameterImportance.compute(parameters: ["x0", "x1", "act"], trials: trials, seed: 7))
        let again = try #require(ParameterImportance.compute(parameters: ["x0", "x1", "act"], trials: trials, seed: 7))
        #expect(first.scores.first?.name == "x0")
        #expect((first.scores.first?.importance ?? 0) > 0.8)
        #expect(first.scores.map(\.importance) == again.scores.map(\.importance))
        #expect(abs(first.scores.map(\.importance).reduce(0, +) - 1) < 1e-9)
        #expect(ParameterImportance.compute(parameters: ["x0"], trials: Array(trials.prefix(5)), seed: 7) == nil)
    }

    @Test func templatesCompile() {
        #expect(PageTemplates.library.getTemplate(named: "page") != nil)
        #expect(PageTemplates.library.getTemplate(named: "report") != nil)
        #expect(PageTemplates.library.getTemplate(named: "index") != nil)
    }
}
