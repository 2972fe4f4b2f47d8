import ForageCore
import Testing

@testable import ForageSearch

@Suite struct SobolSamplerTests {
    let empty = TrialHistory(objective: TestSupport.objective)

    static func unitCube(_ dimensions: Int) -> SearchSpace {
        SearchSpace((0..<dimensions).map { Parameter(name: "x\($0)", distribution: .float(low: 0, high: 1, log: false, step: nil)) })
    }

    @Test func unscrambledPointsMatchTheReferenceSequence() {
        // Points 1…7 of the Joe–Kuo Sobol sequence in Gray-code order (as SciPy's `qmc.Sobol(scramble=False)` gives),
        // dimensions 1, 2, 3, 4, 10 and 40.
        let expected: [[Double]] = [
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25, 0.25, 0.75, 0.25],
            [0.25, 0.75, 0.75, 0.75, 0.25, 0.75],
            [0.375, 0.375, 0.625, 0.875, 0.625, 0.875],
            [0.875, 0.875, 0.125, 0.375, 0.125, 0.375],
            [0.625, 0.125, 0.875, 0.625, 0.375, 0.625],
            [0.125, 0.625, 0.375, 0.125, 0.875, 0.125],
        ]
        let space = Self.unitCube(40)
        let sampler = SobolSampler(seed: 0, scramble: false)
        for (k, row) in expected.enumerated() {
            guard let point = sampler.suggest(index: k, space: space, history: empty) else {
                Issue.record("no point \(k)")
                continue
            }
            let got = [0, 1, 2, 3, 9, 39].map { point["x\($0)"]?.doubleValue ?? .nan }
            #expect(got == row, "point \(k + 1)")
        }
    }

    @Test func scrambledPointsFormANet() {
        // The first 256 points of a (scrambled) Sobol sequence put exactly one point in each 1/16 × 1/16 square of
        // the first two dimensions; 256 random points would not.
        let space = Self.unitCube(2)
        for seed: UInt64 in [0, 1, 2] {
            let sampler = SobolSampler(seed: seed, scramble: true)
            var counts = [Int](repeating: 0, count: 256)
            for k in 0..<256 {
                guard let point = sampler.suggest(index: k, space: space, history: empty),
                    let x = point["x0"]?.doubleValue, let y = point["x1"]?.doubleValue
                else { continue }
                counts[min(Int(x * 16), 15) * 16 + min(Int(y * 16), 15)] += 1
            }
            #expect(counts.allSatisfy { $0 == 1 }, "seed \(seed)")
        }
    }

    @Test func scramblingDependsOnTheSeedAndStaysInTheUnitInterval() {
        let a = SobolSampler(seed: 1).coordinate(point: 5, dimension: 3)
        let b = SobolSampler(seed: 2).coordinate(point: 5, dimension: 3)
        #expect(a != b)
        for k: UInt64 in 0..<512 {
            let u = SobolSampler(seed: 9).coordinate(point: k, dimension: Int(k % 64))
            #expect(u >= 0 && u < 1)
        }
    }

    @Test func theMeanOfManyPointsIsCloseToAHalf() {
        let sampler = SobolSampler(seed: 4)
        for dimension in [0, 7, 20, 39, 63] {
            let mean = (0..<1024).map { sampler.coordinate(point: UInt64($0), dimension: dimension) }.reduce(0, +) / 1024
            #expect(abs(mean - 0.5) < 0.005, "dimension \(dimension): \(mean)")
        }
    }
}
