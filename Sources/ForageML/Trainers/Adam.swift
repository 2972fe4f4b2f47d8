import Foundation

/// Adam (Kingma & Ba) state for every weight and bias of a network.
///
/// With small batches the update touches every parameter about as often as the matrix products do, so it is written
/// for speed: one loop the compiler vectorises, with the L2 term `l2 · W` added to the weight gradient here rather
/// than in a separate pass over the weights.
struct Adam {
    var learningRate: Float
    let beta1: Float = 0.9
    let beta2: Float = 0.999
    let epsilon: Float = 1e-8
    var t: Float = 0
    var mW: [[Float]]
    var vW: [[Float]]
    var mB: [[Float]]
    var vB: [[Float]]

    init(network: MLPNetwork, learningRate: Float) {
        self.learningRate = learningRate
        mW = network.weights.map { [Float](repeating: 0, count: $0.storage.count) }
        vW = mW
        mB = network.biases.map { [Float](repeating: 0, count: $0.count) }
        vB = mB
    }

    /// One update from `gradients` (the loss gradients, without the L2 term, which is `l2 · W` for the weights).
    mutating func step(_ network: inout MLPNetwork, gradients: MLPGradients, l2: Float) {
        t += 1
        let correction1 = 1 - powf(beta1, t)
        let correction2 = 1 - powf(beta2, t)
        let stepSize = learningRate * correction2.squareRoot() / correction1
        let constants = Constants(beta1: beta1, beta2: beta2, epsilon: epsilon, stepSize: stepSize)
        for l in 0..<gradients.weights.count {
            Self.update(&network.weights[l].storage, gradients.weights[l].storage, &mW[l], &vW[l], constants, l2: l2)
            Self.update(&network.biases[l], gradients.biases[l], &mB[l], &vB[l], constants, l2: 0)
        }
    }

    struct Constants {
        var beta1: Float
        var beta2: Float
        var epsilon: Float
        var stepSize: Float
    }

    /// `g = gradient + l2 · p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= stepSize · m / (√v + ε)`.
    private static func update(
        _ parameters: inout [Float], _ gradient: [Float], _ m: inout [Float], _ v: inout [Float], _ c: Constants, l2: Float
    ) {
        let count = parameters.count
        precondition(gradient.count == count && m.count == count && v.count == count, "Adam state does not match the parameters")
        let (beta1, beta2, epsilon, stepSize) = (c.beta1, c.beta2, c.epsilon, c.stepSize)
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<count {
                            let gi = g[i] + l2 * p[i]
                            let mi = beta1 * m[i] + (1 - beta1) * gi
                            let vi = beta2 * v[i] + (1 - beta2) * gi * gi
                            m[i] = mi
                            v[i] = vi
                            // v is never negative, so abs changes nothing; it lets the compiler drop the errno check of
                            // sqrtf (a branch and a library call per element) and vectorise the loop with sqrtps.
                            p[i] -= stepSize * mi / (abs(vi).squareRoot() + epsilon)
                        }
                    }
                }
            }
        }
    }
}
