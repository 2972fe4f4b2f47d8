import COpenBLAS

/// The eigen-decomposition `A = B·diag(values)·Bᵀ` of a symmetric matrix (LAPACK `dsyev_`).
public struct SymmetricEigen: Sendable {
    /// The eigenvalues, ascending.
    public let values: [Double]
    /// The eigenvectors, one per row: `vectors[k * count + i]` is component `i` of the eigenvector of `values[k]`.
    public let vectors: [Double]
    public let count: Int

    /// Decomposes the row-major symmetric `matrix` (`count × count`); throws when LAPACK does not converge.
    public init(symmetric matrix: [Double], count: Int) throws {
        guard matrix.count == count * count else {
            throw LinearAlgebraError.shapeMismatch("\(matrix.count) values for a \(count)×\(count) matrix")
        }
        self.count = count
        guard count > 0 else {
            values = []
            vectors = []
            return
        }
        var a = matrix
        var w = [Double](repeating: 0, count: count)
        var jobz = CChar(UInt8(ascii: "V"))
        var uplo = CChar(UInt8(ascii: "L"))
        var n = Int32(count)
        var lda = Int32(count)
        var info: Int32 = 0
        var lwork = Int32(max(1, 3 * count - 1) + 64 * count)
        var work = [Double](repeating: 0, count: Int(lwork))
        dsyev_(&jobz, &uplo, &n, &a, &lda, &w, &work, &lwork, &info)
        guard info == 0 else { throw LinearAlgebraError.notPositiveDefinite(info: Int(info)) }
        // Column-major eigenvectors are row-major rows.
        values = w
        vectors = a
    }
}
