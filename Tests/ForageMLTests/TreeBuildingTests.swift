import ForageCore
import Foundation
import Testing

@testable import ForageML

/// The parts gbdt's tree building is made of: the radix sort behind the bin edges, feature-major binning, the
/// histograms (against a plain sum) and thread-count independence of a grown tree.
@Suite struct TreeBuildingTests {
    /// A seeded table with a few missing cells, repeated values and both signs.
    static func table(rows: Int, features: Int, seed: UInt64) -> Matrix<Double> {
        var generator = SplitMix64(seed: seed, stream: 9)
        var x = Matrix<Double>(rows: rows, columns: features)
        for r in 0..<rows {
            for f in 0..<features {
                let u = generator.nextUnit()
                x[r, f] = u < 0.02 ? .nan : (f % 3 == 0 ? (u * 12).rounded() - 6 : generator.nextGaussian())
            }
        }
        return x
    }

    @Test func radixSortAgreesWithTheStandardSort() {
        var generator = SplitMix64(seed: 5, stream: 1)
        var values: [Double] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for i in 0..<5000 { values.append(i % 7 == 0 ? Double(i % 13) - 6 : generator.nextGaussian() * 1e3) }
        var radix = values
        FeatureBins.sortAscending(&radix)
        // −0 and +0 are equal, so compare as numbers.
        #expect(radix == values.sorted())
        var small = Array(values.prefix(100))
        FeatureBins.sortAscending(&small)
        #expect(small == values.prefix(100).sorted())
    }

    @Test func binningIsFeatureMajorAndMatchesTheSearch() {
        let x = Self.table(rows: 700, features: 5, seed: 1)
        let bins = FeatureBins(x: x, maxBins: 31)
        let codes = bins.binned(x)
        #expect(codes.rows == 700 && codes.features == 5)
        for f in 0..<5 {
            for r in 0..<700 { #expect(Int(codes.codes[f * 700 + r]) == bins.bin(x[r, f], feature: f)) }
        }
        // Sampling every 7th row still notices a missing value in a row it skipped.
        var y = Matrix<Double>(rows: 700, columns: 2)
        for r in 0..<700 { y[r, 0] = Double(r % 50); y[r, 1] = Double(r) }
        y[3, 1] = .nan
        let sampled = FeatureBins(x: y, maxBins: 255, sampleRows: 100)
        #expect(sampled.hasMissing == [false, true])
        #expect(sampled.upperBounds[0].count == 50)
    }

    @Test func histogramsAreThePlainSumsOfTheirRows() {
        let n = 3000
        let x = Self.table(rows: n, features: 9, seed: 2)
        let bins = FeatureBins(x: x, maxBins: 63)
        let codes = bins.binned(x)
        let layout = HistogramLayout(bins: bins)
        var generator = SplitMix64(seed: 2, stream: 3)
        let gradients = (0..<n).map { _ in generator.nextGaussian() }
        let hessians = (0..<n).map { _ in 0.1 + generator.nextUnit() }
        let rows = (0..<n).filter { $0 % 3 != 1 }.map { Int32($0) }
        let features = [0, 2, 3, 4, 5, 6, 8]
        for unit in [false, true] {
            var sums = [SIMD2<Double>](repeating: SIMD2(9, 9), count: layout.slotCount)
            var counts = [Int32](repeating: 7, count: layout.slotCount)
            var ordered = [SIMD2<Double>](repeating: .zero, count: rows.count)
            rows.withUnsafeBufferPointer { r in
                features.withUnsafeBufferPointer { fs in
                    layout.offsets.withUnsafeBufferPointer { o in
                        ordered.withUnsafeMutableBufferPointer { ord in
                            sums.withUnsafeMutableBufferPointer { s in
                                counts.withUnsafeMutableBufferPointer { c in
                                    Histogram.build(
                                        rows: r, codes: codes.codes, rowCount: n, features: fs, offsets: o.baseAddress!,
                                        gradients: gradients, hessians: hessians, unitHessians: unit, threads: 2,
                                        ordered: ord.baseAddress!, sums: s.baseAddress!, counts: unit ? nil : c.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
            for f in features {
                var expected = [SIMD2<Double>](repeating: .zero, count: bins.binCounts[f] + 1)
                var expectedCounts = [Int32](repeating: 0, count: bins.binCounts[f] + 1)
                for r in rows {
                    let b = Int(codes.codes[f * n + Int(r)])
                    expected[b] += SIMD2(gradients[Int(r)], unit ? 1 : hessians[Int(r)])
                    expectedCounts[b] += 1
                }
                let slots = layout.offsets[f]..<layout.offsets[f + 1]
                #expect(Array(sums[slots]) == expected, "feature \(f)")
                if !unit { #expect(Array(counts[slots]) == expectedCounts, "feature \(f)") }
            }
            // Features left out are not touched.
            #expect(sums[layout.offsets[1]] == SIMD2(9, 9))
        }
    }

    @Test func aTreeIsTheSameWithOneThreadAndTwo() {
        // Large enough (rows × features) for the threaded histogram path.
        let n = 6000
        let x = Self.table(rows: n, features: 40, seed: 3)
        let bins = FeatureBins(x: x, maxBins: 255)
        let codes = bins.binned(x)
        var generator = SplitMix64(seed: 3, stream: 4)
        let gradients = (0..<n).map { r in (x[r, 1].isNaN ? 1 : x[r, 1]) + 0.3 * generator.nextGaussian() }
        let rules = SplitRules(l2: 0.5, minChildSamples: 20, minChildHessian: 1e-3, minSplitGain: 0)
        for hessians in [[Double](repeating: 1, count: n), (0..<n).map { _ in 0.05 + generator.nextUnit() }] {
            var trees: [RegressionTree] = []
            for threads in [1, 2] {
                let grower = TreeGrower(
                    bins: bins, codes: codes,
                    settings: GrowthSettings(maxLeaves: 31, maxDepth: 0, rules: rules, learningRate: 0.1, threads: threads))
                trees.append(grower.grow(rows: (0..<n).map { Int32($0) }, gradients: gradients, hessians: hessians, features: Array(0..<40)))
                // Every row lands in the leaf the tree sends it to.
                let tree = trees[trees.count - 1]
                bins.binCounts.withUnsafeBufferPointer { missing in
                    codes.codes.withUnsafeBufferPointer { c in
                        for leaf in 0..<tree.leafValues.count {
                            for j in grower.leafStart[leaf]..<(grower.leafStart[leaf] + grower.leafCount[leaf]) {
                                let r = Int(grower.indices[j])
                                #expect(tree.leaf(codes: c.baseAddress! + r, stride: n, missingBins: missing.baseAddress!) == leaf)
                            }
                        }
                    }
                }
            }
            #expect(trees[0].leafValues.count == 31)
            #expect(trees[0] == trees[1])
        }
    }
}
