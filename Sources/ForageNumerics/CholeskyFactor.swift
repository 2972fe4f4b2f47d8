import COpenBLAS
import Foundation

/// The Cholesky factor `L` (lower triangular, `A = L·Lᵀ`) of a symmetric positive definite matrix, with the
/// triangular solves, log-determinant and inverse that Gaussian-process regression needs (LAPACK `dpotrf_` /
/// `dpotri_`, CBLAS `dtrsv`).
public struct CholeskyFactor: Sendable {
    /// The order of the matrix.
    public let count: Int
    /// `L`, row-major, `count × count`; the part above the diagonal is unspecified.
    public private(set) var lower: [Double]

    /// Factors the row-major symmetric `matrix` (`count × count`); throws `notPositiveDefinite` when it is not.
    public init(symmetric matrix: [Double], count: Int) throws {
        guard matrix.count == count * count else {
            throw LinearAlgebraError.shapeMismatch("\(matrix.count) values for a \(count)×\(count) matrix")
        }
        self.count = count
        lower = matrix
        guard count > 0 else { return }
        // Row-major L is column-major U: ask LAPACK for the upper factor of the (symmetric) column-major view.
        var uplo = CChar(UInt8(ascii: "U"))
        var n = Int32(count)
        var lda = Int32(count)
        var info: Int32 = 0
        dpotrf_(&uplo, &n, &lower, &lda, &info)
        guard info == 0 else { throw LinearAlgebraError.notPositiveDefinite(info: Int(info)) }
    }

    /// Solves `L·y = b` in place.
    public func solveLower(_ b: inout [Double]) {
        precondition(b.count == count, "right-hand side length does not match")
        guard count > 0 else { return }
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, Int32(count), lower, Int32(count), &b, 1)
    }

    /// Solves `Lᵀ·x = y` in place.
    public func solveUpper(_ y: inout [Double]) {
        precondition(y.count == count, "right-hand side length does not match")
        guard count > 0 else { return }
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, Int32(count), lower, Int32(count), &y, 1)
    }

    /// Solves `L·Y = B` in place for `columns` right-hand sides at once (`B` row-major, `count × columns`; BLAS `dtrsm`).
    public func solveLower(_ b: inout [Double], columns: Int) {
        precondition(b.count == count * columns, "right-hand sides do not match")
        guard count > 0, columns > 0 else { return }
        cblas_dtrsm(
            CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(count), Int32(columns), 1, lower, Int32(count), &b,
            Int32(columns))
    }

    /// Solves `A·x = b`.
    public func solve(_ b: [Double]) -> [Double] {
        var x = b
        solveLower(&x)
        solveUpper(&x)
        return x
    }

    /// `log det A = 2 Σ log Lᵢᵢ`.
    public var logDeterminant: Double {
        var total = 0.0
        for i in 0..<count { total += log(lower[i * count + i]) }
        return 2 * total
    }

    /// `A⁻¹`, row-major and symmetric.
    public func inverse() throws -> [Double] {
        guard count > 0 else { return [] }
        var result = lower
        var uplo = CChar(UInt8(ascii: "U"))
        var n = Int32(count)
        var lda = Int32(count)
        var info: Int32 = 0
        dpotri_(&uplo, &n, &result, &lda, &info)
        guard info == 0 else { throw LinearAlgebraError.notPositiveDefinite(info: Int(info)) }
        // The row-major lower triangle holds the inverse; mirror it.
        for i in 0..<count {
            for j in (i + 1)..<count { result[i * count + j] = result[j * count + i] }
        }
        return result
    }
}
