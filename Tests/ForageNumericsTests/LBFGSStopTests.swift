import Testing

@testable import ForageNumerics

/// L-BFGS asks `shouldStop` after every iteration and returns the point it has when told to stop.
@Suite struct LBFGSStopTests {
    @Test func lbfgsReturnsThePointItHasWhenAskedToStop() {
        // f(x) = Σ (i+1)·(x_i − 1)², from 0: converges in a few steps unless stopped after the second.
        var asked = 0
        let result = LBFGS.minimize(
            start: [Double](repeating: 0, count: 5), maxIterations: 100, gradientTolerance: 1e-14,
            shouldStop: {
                asked += 1
                return asked >= 2
            }
        ) { x, gradient in
            var value = 0.0
            for i in x.indices {
                let w = Double(i + 1)
                value += w * (x[i] - 1) * (x[i] - 1)
                gradient[i] = 2 * w * (x[i] - 1)
            }
            return value
        }
        #expect(result.stopped)
        #expect(result.iterations == 2)
        #expect(asked == 2)
    }
}
