/// A dense row-major matrix of `Float` or `Double`: the features, weights and activations of the trainers.
/// Products go through OpenBLAS (`multiply`), the rest are simple element loops.
public struct Matrix<Element: BLASScalar>: Sendable, Equatable, Codable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// `rows × columns` elements, row after row.
    public var storage: [Element]

    /// A matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Element = 0) {
        self.rows = rows
        self.columns = columns
        storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major storage; `nil` when the count does not match the shape.
    public init?(rows: Int, columns: Int, storage: [Element]) {
        guard rows >= 0, columns >= 0, storage.count == rows * columns else { return nil }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from rows of equal length; `nil` when they are ragged.
    public init?(rowArrays: [[Element]]) {
        let columns = rowArrays.first?.count ?? 0
        guard rowArrays.allSatisfy({ $0.count == columns }) else { return nil }
        self.rows = rowArrays.count
        self.columns = columns
        storage = rowArrays.flatMap { $0 }
    }

    /// The element at `(row, column)`.
    public subscript(row: Int, column: Int) -> Element {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// One row as an array.
    public func row(_ index: Int) -> [Element] {
        Array(storage[(index * columns)..<((index + 1) * columns)])
    }

    /// The transpose (a copy).
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns { result.storage[c * rows + r] = storage[r * columns + c] }
        }
        return result
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var result = Matrix(rows: indices.count, columns: columns)
        storage.withUnsafeBufferPointer { source in
            result.storage.withUnsafeMutableBufferPointer { target in
                for (out, index) in indices.enumerated() {
                    let from = index * columns
                    let to = out * columns
                    for c in 0..<columns { target[to + c] = source[from + c] }
                }
            }
        }
        return result
    }

    /// The same values in another precision.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Matrix<Other> {
        var result = Matrix<Other>(rows: rows, columns: columns)
        for i in 0..<storage.count { result.storage[i] = Other(storage[i]) }
        return result
    }

    /// `C = alpha · op(A) · op(B) + beta · C` through one BLAS gemm call, where `op` transposes when asked.
    /// `c` must already have the result's shape; shapes are checked with preconditions (a programming error).
    public static func multiply(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        into c: inout Matrix, alpha: Element = 1, beta: Element = 0
    ) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb && c.rows == m && c.columns == n, "matrix shapes do not match")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<c.storage.count { c.storage[i] *= beta }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    guard let baseA = pa.baseAddress, let baseB = pb.baseAddress, let baseC = pc.baseAddress else { return }
                    if n == 1 {
                        // A vector on the right (k × 1, or 1 × k transposed): both are k contiguous values.
                        Element.gemv(
                            transA: transposeA, rows: a.rows, columns: a.columns, alpha: alpha, a: baseA, lda: max(a.columns, 1),
                            x: baseB, beta: beta, y: baseC)
                        return
                    }
                    Element.gemm(
                        transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: baseA, lda: max(a.columns, 1), b: baseB, ldb: max(b.columns, 1),
                        beta: beta, c: baseC, ldc: max(c.columns, 1))
                }
            }
        }
    }

    /// `op(A) · op(B)` as a new matrix (one gemm call).
    public static func product(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        multiply(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// Adds `vector` (length `columns`) to every row.
    public mutating func addRowVector(_ vector: [Element]) {
        precondition(vector.count == columns, "vector length does not match the columns")
        let columns = self.columns
        storage.withUnsafeMutableBufferPointer { buffer in
            vector.withUnsafeBufferPointer { v in
                for r in 0..<rows {
                    let base = r * columns
                    for c in 0..<columns { buffer[base + c] += v[c] }
                }
            }
        }
    }

    /// The sum of each column.
    public func columnSums() -> [Element] {
        var sums = [Element](repeating: 0, count: columns)
        storage.withUnsafeBufferPointer { buffer in
            for r in 0..<rows {
                let base = r * columns
                for c in 0..<columns { sums[c] += buffer[base + c] }
            }
        }
        return sums
    }
}
