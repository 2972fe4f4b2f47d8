import COpenBLAS

/// Errors of the dense linear-algebra helpers.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The matrix handed to a Cholesky solve is not symmetric positive definite (LAPACK `info` given).
    case notPositiveDefinite(info: Int)
    /// Shapes that cannot be combined.
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let info):
            return "matrix is not positive definite (LAPACK dpotrf info \(info)); increase the regularisation"
        case .shapeMismatch(let detail): return "matrix shapes do not match: \(detail)"
        }
    }
}

/// Solving symmetric positive definite systems with LAPACK's Cholesky routines (`dpotrf_` / `dpotrs_`).
public enum Cholesky {
    /// Solves `A X = B` for a symmetric positive definite `A` (n × n) and right-hand sides `B` (n × k).
    public static func solve(_ a: Matrix<Double>, _ b: Matrix<Double>) throws -> Matrix<Double> {
        guard a.rows == a.columns, b.rows == a.rows else {
            throw LinearAlgebraError.shapeMismatch("A is \(a.rows)×\(a.columns), B is \(b.rows)×\(b.columns)")
        }
        let n = Int32(a.rows)
        guard n > 0 else { return b }
        // Row-major symmetric A is its own column-major transpose; B must be handed over column-major.
        var factor = a.storage
        var rhs = b.transposed.storage
        var uplo = CChar(UInt8(ascii: "L"))
        var size = n
        var lda = n
        var info: Int32 = 0
        dpotrf_(&uplo, &size, &factor, &lda, &info)
        guard info == 0 else { throw LinearAlgebraError.notPositiveDefinite(info: Int(info)) }
        var nrhs = Int32(b.columns)
        var ldb = n
        dpotrs_(&uplo, &size, &nrhs, &factor, &lda, &rhs, &ldb, &info)
        guard info == 0 else { throw LinearAlgebraError.notPositiveDefinite(info: Int(info)) }
        guard let columnMajor = Matrix<Double>(rows: b.columns, columns: b.rows, storage: rhs) else {
            throw LinearAlgebraError.shapeMismatch("solution size")
        }
        return columnMajor.transposed
    }
}
