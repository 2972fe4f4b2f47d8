import ForageCore
import Foundation

/// A fully connected network in Float32: hidden layers with ReLU or tanh, a linear output layer. Each layer's
/// forward pass is one sgemm call over the whole batch (biases pre-filled, beta = 1).
struct MLPNetwork: Sendable {
    enum Activation: String, Sendable {
        case relu
        case tanh
    }

    /// Weights per layer, `inputs × outputs`.
    var weights: [Matrix<Float>]
    /// Biases per layer.
    var biases: [[Float]]
    let activation: Activation

    /// Glorot-uniform initialisation from a seeded generator.
    init(sizes: [Int], activation: Activation, generator: inout SplitMix64) {
        self.activation = activation
        weights = []
        biases = []
        for l in 0..<(sizes.count - 1) {
            let fanIn = sizes[l]
            let fanOut = sizes[l + 1]
            let bound = (6 / Double(fanIn + fanOut)).squareRoot()
            var w = Matrix<Float>(rows: fanIn, columns: fanOut)
            for i in 0..<w.storage.count { w.storage[i] = Float((generator.nextUnit() * 2 - 1) * bound) }
            weights.append(w)
            biases.append([Float](repeating: 0, count: fanOut))
        }
    }

    init(weights: [Matrix<Float>], biases: [[Float]], activation: Activation) {
        self.weights = weights
        self.biases = biases
        self.activation = activation
    }

    /// The activations of every layer for a batch: `[input, hidden1, …, output scores]`.
    func forwardAll(_ input: Matrix<Float>) -> [Matrix<Float>] {
        var outputs = [input]
        outputs.reserveCapacity(weights.count + 1)
        for l in 0..<weights.count {
            var z = Matrix<Float>(rows: input.rows, columns: weights[l].columns)
            scores(outputs[l], layer: l, into: &z)
            if l < weights.count - 1 { apply(&z) }
            outputs.append(z)
        }
        return outputs
    }

    /// Layer `l`'s pre-activations `input · W_l + b_l` into `z` (`input.rows × width`): the biases are written into
    /// `z` first, then one sgemm adds the product (beta = 1).
    func scores(_ input: Matrix<Float>, layer l: Int, into z: inout Matrix<Float>) {
        let columns = z.columns
        precondition(columns == biases[l].count, "layer width does not match")
        z.storage.withUnsafeMutableBufferPointer { buffer in
            biases[l].withUnsafeBufferPointer { b in
                guard let target = buffer.baseAddress, let source = b.baseAddress else { return }
                for r in 0..<z.rows { (target + r * columns).update(from: source, count: columns) }
            }
        }
        Matrix.multiply(input, weights[l], into: &z, beta: 1)
    }

    /// The output scores (logits, or the standardised regression value) for a batch.
    func forward(_ input: Matrix<Float>) -> Matrix<Float> {
        forwardAll(input).last ?? input
    }

    func apply(_ z: inout Matrix<Float>) {
        switch activation {
        case .relu:
            z.storage.withUnsafeMutableBufferPointer { buffer in
                // A select rather than a branch, so the loop vectorises.
                for i in 0..<buffer.count { buffer[i] = buffer[i] < 0 ? 0 : buffer[i] }
            }
        case .tanh:
            z.storage.withUnsafeMutableBufferPointer { buffer in
                for i in 0..<buffer.count { buffer[i] = tanhf(buffer[i]) }
            }
        }
    }

    /// Multiplies `gradient` in place by the activation's derivative, given the activation's output.
    func backpropagate(_ gradient: inout Matrix<Float>, activated: Matrix<Float>) {
        gradient.storage.withUnsafeMutableBufferPointer { g in
            activated.storage.withUnsafeBufferPointer { a in
                switch activation {
                case .relu:
                    // Both loads happen unconditionally, so the select vectorises.
                    for i in 0..<g.count {
                        let gradient = g[i]
                        g[i] = a[i] <= 0 ? 0 : gradient
                    }
                case .tanh:
                    for i in 0..<g.count { g[i] *= 1 - a[i] * a[i] }
                }
            }
        }
    }
}

