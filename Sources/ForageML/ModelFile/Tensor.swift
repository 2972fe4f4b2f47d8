/// A named array of weights stored in a model file, as float32 or float64.
public struct Tensor: Sendable, Equatable {
    /// The values, in one of the two stored precisions.
    public enum Values: Sendable, Equatable {
        case float32([Float])
        case float64([Double])

        /// Number of elements.
        public var count: Int {
            switch self {
            case .float32(let values): return values.count
            case .float64(let values): return values.count
            }
        }

        /// The stored type's name in the file header (`float32` / `float64`).
        public var dtype: String {
            switch self {
            case .float32: return "float32"
            case .float64: return "float64"
            }
        }

        /// Bytes taken in the file.
        public var byteCount: Int {
            switch self {
            case .float32(let values): return values.count * 4
            case .float64(let values): return values.count * 8
            }
        }
    }

    /// The tensor's name (`coef`, `W1`, `b1`, …).
    public let name: String
    /// Its shape (rows, columns) or (length).
    public let shape: [Int]
    /// Its values, row-major.
    public let values: Values

    /// A tensor; the shape's product should equal the number of values.
    public init(name: String, shape: [Int], values: Values) {
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// A matrix as a tensor.
    public init(name: String, matrix: Matrix<Float>) {
        self.init(name: name, shape: [matrix.rows, matrix.columns], values: .float32(matrix.storage))
    }

    /// A matrix as a tensor.
    public init(name: String, matrix: Matrix<Double>) {
        self.init(name: name, shape: [matrix.rows, matrix.columns], values: .float64(matrix.storage))
    }

    /// The values as a float32 matrix (nil when the precision or shape differ).
    public var floatMatrix: Matrix<Float>? {
        guard case .float32(let values) = values, shape.count == 2 else { return nil }
        return Matrix(rows: shape[0], columns: shape[1], storage: values)
    }

    /// The values as a float64 matrix (nil when the precision or shape differ).
    public var doubleMatrix: Matrix<Double>? {
        guard case .float64(let values) = values, shape.count == 2 else { return nil }
        return Matrix(rows: shape[0], columns: shape[1], storage: values)
    }
}
