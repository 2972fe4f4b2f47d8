import Foundation
import ForageCore
import Testing

@testable import ForageSearch

@Suite struct OutputWarpTests {
    @Test func valuesSpanningOrdersOfMagnitudeAreLogWarpedAndTheOrderIsKept() {
        // Log-normal values (a loss or Rosenbrock-like spread): the profile likelihood picks a small exponent.
        var rng = SplitMix64(seed: 3, stream: 0)
        let values = (0..<60).map { _ in exp(3 * rng.nextGaussian()) }
        let warp = OutputWarp(fitting: values)
        #expect(warp.lambda <= 0.3, "λ \(warp.lambda)")
        let order = values.indices.sorted { values[$0] < values[$1] }
        let warped = values.map(warp.apply)
        #expect(order == warped.indices.sorted { warped[$0] < warped[$1] })
    }

    @Test func normalValuesKeepAnExponentNearOne() {
        var rng = SplitMix64(seed: 5, stream: 0)
        let values = (0..<200).map { _ in rng.nextGaussian() }
        #expect(abs(OutputWarp(fitting: values).lambda - 1) <= 0.3)
    }

    @Test func tooFewOrEqualValuesAreLeftLinear() {
        #expect(OutputWarp(fitting: [2.0, 2.0, 2.0, 2.0]).lambda == 1)
        #expect(OutputWarp(fitting: [1.0, 5.0]).lambda == 1)
    }
}
