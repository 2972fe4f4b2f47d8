import Foundation
import ForageCore
import Testing

@Suite struct DistributionTests {
    @Test func unitMappingStaysInsideEveryKindOfDistribution() {
        let distributions: [Distribution] = [
            .float(low: -2, high: 3, log: false, step: nil),
            .float(low: 1e-4, high: 1, log: true, step: nil),
            .float(low: 0, high: 1, log: false, step: 0.25),
            .int(low: 1, high: 9, log: false, step: 2),
            .int(low: 16, high: 256, log: true, step: 1),
            .categorical(choices: [.string("relu"), .string("tanh")]),
        ]
        var rng = SplitMix64(seed: 7)
        for distribution in distributions {
            for _ in 0..<500 {
                let value = distribution.value(atUnit: rng.nextUnit())
                #expect(distribution.contains(value), "\(value) not in \(distribution)")
            }
            #expect(distribution.contains(distribution.value(atUnit: 0)))
            #expect(distribution.contains(distribution.value(atUnit: 1)))
        }
    }

    @Test func gridValuesCoverEndsAndCategories() {
        #expect(Distribution.float(low: 0, high: 1, log: false, step: nil).gridValues(points: 3) == [.double(0), .double(0.5), .double(1)])
        #expect(Distribution.int(low: 1, high: 3, log: false, step: 1).gridValues(points: 10) == [.int(1), .int(2), .int(3)])
        #expect(Distribution.categorical(choices: [.string("a"), .bool(true)]).gridValues(points: 1).count == 2)
    }

    @Test func conditionalParametersAreActiveOnlyWhenTheirParentMatches() {
        let space = SearchSpace([
            Parameter(name: "model", distribution: .categorical(choices: [.string("ridge"), .string("mlp")])),
            Parameter(name: "hidden", distribution: .int(low: 8, high: 64, log: false, step: 1), condition: ["model": [.string("mlp")]]),
        ])
        let ridge = space.assign { parameter, _ in parameter.name == "model" ? .string("ridge") : .int(8) }
        #expect(ridge.names == ["model"])
        let mlp = space.assign { parameter, _ in parameter.name == "model" ? .string("mlp") : .int(8) }
        #expect(mlp.names == ["hidden", "model"])
        #expect(space.isValid(mlp) && space.isValid(ridge))
        var invalid = ridge
        invalid["hidden"] = .int(8)
        #expect(!space.isValid(invalid))
    }

    @Test func splitMixStreamsAreReproducibleAndDistinct() {
        var a = SplitMix64(seed: 42, stream: 3)
        var b = SplitMix64(seed: 42, stream: 3)
        var c = SplitMix64(seed: 42, stream: 4)
        let first = a.next()
        #expect(first == b.next())
        #expect(first != c.next())
    }

    @Test func benchmarkFunctionsHitTheirKnownMinima() throws {
        #expect(abs(BenchmarkFunction.branin(Double.pi, 2.275) - 0.397887) < 1e-5)
        let xStar = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]
        #expect(abs(BenchmarkFunction.hartmann6(xStar) + 3.32237) < 1e-4)
        #expect(BenchmarkFunction.rosenbrock([1, 1, 1]) == 0)
        #expect(abs(BenchmarkFunction.ackley([0, 0])) < 1e-12)
        #expect(try BenchmarkFunction.noop.evaluate(ParameterSet(["a": .int(2), "b": .double(0.5)])) == 2.5)
        #expect(throws: BenchmarkFunction.MissingInput.self) { try BenchmarkFunction.hartmann6.evaluate(ParameterSet(["x0": .double(0)])) }
    }
}

@Suite struct ParameterSetJSONTests {
    @Test func handWrittenJSONDecodesToTheSameParameters() throws {
        let params = ParameterSet([
            "lr": .double(1e-05), "layers": .int(3), "act": .string("re\"lu\\\n\u{1}é"), "flag": .bool(true), "x": .double(0.1),
        ])
        let text = params.jsonString
        #expect(text.hasPrefix("{\"act\":"))
        let decoded = try JSONDecoder().decode(ParameterSet.self, from: Data(text.utf8))
        #expect(decoded == params)
    }

    @Test func logGridValuesIncludeBothBoundsExactly() {
        for (low, high, n) in [(1e-5, 1e-1, 5), (1e-4, 0.3, 7), (3e-7, 2.5, 4), (0.01, 1.0, 2)] {
            let values = Distribution.float(low: low, high: high, log: true, step: nil).gridValues(points: n)
            #expect(values.count == n)
            #expect(values.first == .double(low), "\(values)")
            #expect(values.last == .double(high), "\(values)")
        }
        let linear = Distribution.float(low: 0.1, high: 0.7, log: false, step: nil).gridValues(points: 4)
        #expect(linear.first == .double(0.1) && linear.last == .double(0.7))
    }

    @Test func intGridValuesAreDistinctEvenlySpreadAndKeepBothEnds() {
        #expect(Distribution.int(low: 0, high: 3, log: false, step: 1).gridValues(points: 3) == [.int(0), .int(1), .int(3)])
        #expect(Distribution.int(low: 0, high: 10, log: false, step: 1).gridValues(points: 4) == [.int(0), .int(3), .int(7), .int(10)])
        for (low, high, log, step) in [(0, 3, false, 1), (0, 20, false, 2), (1, 6, true, 1), (16, 256, true, 1), (0, 9, true, 1), (5, 12, false, 1)] {
            let distribution = Distribution.int(low: low, high: high, log: log, step: step)
            let count = (high - low) / step + 1
            for n in 1...(count + 2) {
                let values = distribution.gridValues(points: n).compactMap { value -> Int? in
                    if case .int(let x) = value { return x } else { return nil }
                }
                #expect(values.count == min(n, count), "\(distribution) points \(n): \(values)")
                #expect(values == values.sorted() && Set(values).count == values.count, "\(values)")
                #expect(values.allSatisfy { distribution.contains(.int($0)) })
                if n >= 2 {
                    #expect(values.first == low && values.last == low + (count - 1) * step, "\(distribution) points \(n): \(values)")
                }
                if !log, n >= 2, n < count {
                    // Evenly spread: gaps (in steps) differ by at most one.
                    let gaps = zip(values.dropFirst(), values).map { ($0 - $1) / step }
                    #expect((gaps.max() ?? 0) - (gaps.min() ?? 0) <= 1, "\(values)")
                }
            }
        }
    }
}
