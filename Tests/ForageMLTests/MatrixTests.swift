import ForageCore
import Testing

@testable import ForageML

@Suite struct MatrixTests {
    func naive(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<a.count).map { i in (0..<b[0].count).map { j in (0..<b.count).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
    }

    @Test func sgemmMatchesNaiveProduct() throws {
        var generator = SplitMix64(seed: 7)
        for (m, k, n) in [(1, 1, 1), (3, 5, 2), (7, 4, 9), (16, 33, 5)] {
            let a = (0..<m).map { _ in (0..<k).map { _ in generator.nextUnit() * 2 - 1 } }
            let b = (0..<k).map { _ in (0..<n).map { _ in generator.nextUnit() * 2 - 1 } }
            let expected = naive(a, b)
            let fa = try #require(Matrix<Float>(rowArrays: a.map { $0.map(Float.init) }))
            let fb = try #require(Matrix<Float>(rowArrays: b.map { $0.map(Float.init) }))
            let product = Matrix.product(fa, fb)
            let da = try #require(Matrix<Double>(rowArrays: a))
            let db = try #require(Matrix<Double>(rowArrays: b))
            let dproduct = Matrix.product(da, db)
            for i in 0..<m {
                for j in 0..<n {
                    #expect(abs(Double(product[i, j]) - expected[i][j]) < 1e-5)
                    #expect(abs(dproduct[i, j] - expected[i][j]) < 1e-12)
                }
            }
        }
    }

    @Test func transposedOperands() throws {
        let a = try #require(Matrix<Double>(rowArrays: [[1, 2, 3], [4, 5, 6]]))
        let b = try #require(Matrix<Double>(rowArrays: [[1, 0], [0, 1]]))
        let atb = Matrix.product(a, transposeA: true, b)  // 3×2
        #expect(atb == Matrix(rowArrays: [[1, 4], [2, 5], [3, 6]]))
        let aat = Matrix.product(a, a, transposeB: true)
        #expect(aat == Matrix(rowArrays: [[14, 32], [32, 77]]))
    }

    @Test func choleskySolves() throws {
        let a = try #require(Matrix<Double>(rowArrays: [[4, 2], [2, 3]]))
        let b = try #require(Matrix<Double>(rowArrays: [[2], [1]]))
        let x = try Cholesky.solve(a, b)
        #expect(abs(x[0, 0] - 0.5) < 1e-12 && abs(x[1, 0]) < 1e-12)
        let singular = try #require(Matrix<Double>(rowArrays: [[1, 1], [1, 1]]))
        #expect(throws: LinearAlgebraError.self) { try Cholesky.solve(singular, b) }
    }

    @Test func threadsCanBeSet() {
        BLASThreads.set(1)
        #expect(BLASThreads.current == 1)
    }
}
