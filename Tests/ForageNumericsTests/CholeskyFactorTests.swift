import Foundation
import Testing

@testable import ForageNumerics

@Suite struct CholeskyFactorTests {
    /// A = M·Mᵀ + I for a fixed M: symmetric positive definite.
    static let a: [Double] = {
        let m: [Double] = [2, 1, 0, 1, 3, 1, 0, 1, 4]
        var a = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0..<3 {
                for k in 0..<3 { a[i * 3 + j] += m[i * 3 + k] * m[j * 3 + k] }
                if i == j { a[i * 3 + j] += 1 }
            }
        }
        return a
    }()

    @Test func factorReproducesTheMatrixAndSolves() throws {
        let factor = try CholeskyFactor(symmetric: Self.a, count: 3)
        for i in 0..<3 {
            for j in 0...i {
                var sum = 0.0
                for k in 0...j { sum += factor.lower[i * 3 + k] * factor.lower[j * 3 + k] }
                #expect(abs(sum - Self.a[i * 3 + j]) < 1e-12)
            }
        }
        let b: [Double] = [1, -2, 3]
        let x = factor.solve(b)
        for i in 0..<3 {
            let row = (0..<3).reduce(0.0) { $0 + Self.a[i * 3 + $1] * x[$1] }
            #expect(abs(row - b[i]) < 1e-10)
        }
        let inverse = try factor.inverse()
        for i in 0..<3 {
            for j in 0..<3 {
                let entry = (0..<3).reduce(0.0) { $0 + Self.a[i * 3 + $1] * inverse[$1 * 3 + j] }
                #expect(abs(entry - (i == j ? 1 : 0)) < 1e-10)
            }
        }
        // log det = log of the product of the eigenvalues; compare with the determinant by cofactors.
        let a = Self.a
        let det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6])
        #expect(abs(factor.logDeterminant - log(det)) < 1e-10)
    }

    @Test func refusesAMatrixThatIsNotPositiveDefinite() {
        #expect(throws: LinearAlgebraError.self) { try CholeskyFactor(symmetric: [1, 2, 2, 1], count: 2) }
        #expect(throws: LinearAlgebraError.self) { try CholeskyFactor(symmetric: [1, 2, 3], count: 2) }
    }
}

@Suite struct SymmetricEigenTests {
    @Test func decompositionReproducesTheMatrix() throws {
        let a: [Double] = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]
        let eigen = try SymmetricEigen(symmetric: a, count: 3)
        #expect(eigen.values == eigen.values.sorted())
        for i in 0..<3 {
            for j in 0..<3 {
                var sum = 0.0
                for k in 0..<3 { sum += eigen.vectors[k * 3 + i] * eigen.values[k] * eigen.vectors[k * 3 + j] }
                #expect(abs(sum - a[i * 3 + j]) < 1e-10)
            }
        }
    }
}
