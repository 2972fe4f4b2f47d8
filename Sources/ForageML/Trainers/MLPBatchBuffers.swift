/// The matrices of one minibatch step of the MLP, allocated once per fit and reused for every batch of the same
/// size: the gathered input rows, every layer's activations, and the backpropagated deltas. Reusing them keeps the
/// training loop free of allocations (and of the page faults and allocator traffic that two trials running side by
/// side would otherwise contend on).
struct MLPBatchBuffers {
    /// Rows per batch.
    let rows: Int
    /// `[input, hidden1, …, output]`, each `rows × width`; the output turns into dLoss/dScores in place.
    var activations: [Matrix<Float>]
    /// dLoss/d(pre-activation) of each hidden layer, `rows × width` (one fewer than the layers).
    var deltas: [Matrix<Float>]

    /// Buffers for batches of `rows` rows through layers of `sizes` (input width first, output width last).
    init(rows: Int, sizes: [Int]) {
        self.rows = rows
        activations = sizes.map { Matrix(rows: rows, columns: $0) }
        deltas = sizes.dropFirst().dropLast().map { Matrix(rows: rows, columns: $0) }
    }

    /// Copies the rows `order[range]` of `x` into the input buffer (`range.count` must equal `rows`).
    mutating func gather(_ x: Matrix<Float>, order: [Int], range: Range<Int>) {
        precondition(range.count == rows && x.columns == activations[0].columns, "batch shape does not match")
        let columns = x.columns
        x.storage.withUnsafeBufferPointer { source in
            activations[0].storage.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                for (out, position) in range.enumerated() {
                    (to + out * columns).update(from: from + order[position] * columns, count: columns)
                }
            }
        }
    }

    /// Forward pass of the gathered input: every layer's activations (hidden layers activated, output as scores).
    mutating func forward(_ network: MLPNetwork) {
        let layers = network.weights.count
        for l in 0..<layers {
            let input = activations[l]
            network.scores(input, layer: l, into: &activations[l + 1])
            if l < layers - 1 { network.apply(&activations[l + 1]) }
        }
    }

    /// Backward pass from the output gradient (already in `activations.last`): fills `gradients` with dLoss/dW and
    /// dLoss/db for every layer (the L2 term is Adam's to add).
    mutating func backward(_ network: MLPNetwork, into gradients: inout MLPGradients) {
        let layers = network.weights.count
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let delta = l == layers - 1 ? activations[layers] : deltas[l]
            let input = activations[l]
            gradients.compute(layer: l, input: input, delta: delta)
            if l > 0 {
                Matrix.multiply(delta, network.weights[l], transposeB: true, into: &deltas[l - 1])
                network.backpropagate(&deltas[l - 1], activated: activations[l])
            }
        }
    }
}

/// dLoss/dW and dLoss/db of every layer, allocated once per fit and overwritten by each batch.
struct MLPGradients {
    var weights: [Matrix<Float>]
    var biases: [[Float]]

    /// Zeroed gradients shaped like `network`'s parameters.
    init(like network: MLPNetwork) {
        weights = network.weights.map { Matrix(rows: $0.rows, columns: $0.columns) }
        biases = network.biases.map { [Float](repeating: 0, count: $0.count) }
    }

    /// Layer `l`: `W_grad = inputᵀ · delta` (one sgemm) and `b_grad` = column sums of `delta`.
    mutating func compute(layer l: Int, input: Matrix<Float>, delta: Matrix<Float>) {
        Matrix.multiply(input, transposeA: true, delta, into: &weights[l])
        let columns = delta.columns
        biases[l].withUnsafeMutableBufferPointer { sums in
            delta.storage.withUnsafeBufferPointer { buffer in
                for c in 0..<columns { sums[c] = 0 }
                for r in 0..<delta.rows {
                    let base = r * columns
                    for c in 0..<columns { sums[c] += buffer[base + c] }
                }
            }
        }
    }
}
