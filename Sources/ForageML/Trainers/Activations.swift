import Foundation

/// Row-wise softmax and the logistic function, shared by the logistic trainer, the MLP and prediction.
enum Activations {
    /// Replaces each row by its softmax (max-shifted for stability).
    static func softmaxRows<T: BLASScalar & ElementaryFunctionsLike>(_ matrix: inout Matrix<T>) {
        let columns = matrix.columns
        guard columns > 0 else { return }
        matrix.storage.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<matrix.rows {
                let base = r * columns
                var largest = buffer[base]
                for c in 1..<columns { largest = max(largest, buffer[base + c]) }
                var total: T = 0
                for c in 0..<columns {
                    let e = T.exponential(buffer[base + c] - largest)
                    buffer[base + c] = e
                    total += e
                }
                for c in 0..<columns { buffer[base + c] /= total }
            }
        }
    }

    /// 1 / (1 + e^-x), stable for large |x|.
    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }

    /// log(1 + e^x), stable.
    static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }
}

/// `exp` for the two BLAS scalar types.
protocol ElementaryFunctionsLike {
    static func exponential(_ x: Self) -> Self
}

extension Float: ElementaryFunctionsLike {
    static func exponential(_ x: Float) -> Float { expf(x) }
}

extension Double: ElementaryFunctionsLike {
    static func exponential(_ x: Double) -> Double { exp(x) }
}
