import ForageCore
import Foundation

/// A multilayer perceptron in Float32 trained with Adam on minibatches: softmax + cross-entropy for classification,
/// mean squared error on the standardised target for regression. Every matrix product is an sgemm call. After each
/// epoch it reports validation metrics (and `train_loss`, `val_loss`) and stops when the callback returns false
/// (or a `StopCheck`, asked every 64 mini-batches and every epoch, says so).
///
/// Hyperparameters (defaults): `layers` 1…3 (1); `hidden` 1…4096 = width of every hidden layer (64), or
/// `hidden1`, `hidden2`, `hidden3` per layer; `activation` relu | tanh (relu); `lr` > 0 (1e-3); `l2` >= 0 (1e-4);
/// `batch_size` 1…65536 (200); `epochs` 1…10000 (50); `seed` (the data seed) for initialisation and shuffling.
public struct MLPTrainer: Trainer {
    public static let family = "mlp"
    public static let tasks: Set<DataSpec.Task> = [.classification, .regression]

    public let hiddenSizes: [Int]
    public let activation: String
    public let learningRate: Double
    public let l2: Double
    public let batchSize: Int
    public let epochs: Int
    public let seed: UInt64?

    public init(parameters: ParameterSet, task: DataSpec.Task) throws {
        let p = HyperParameters(family: Self.family, values: parameters)
        let layers = try p.int("layers", default: 1, minimum: 1, maximum: 3)
        let width = try p.int("hidden", default: 64, minimum: 1, maximum: 4096)
        hiddenSizes = try (1...layers).map { try p.int("hidden\($0)", default: width, minimum: 1, maximum: 4096) }
        activation = try p.choice("activation", default: "relu", allowed: ["relu", "tanh"])
        learningRate = try p.double("lr", default: 1e-3, minimum: 0, exclusiveMinimum: true, maximum: 10)
        l2 = try p.double("l2", default: 1e-4, minimum: 0)
        batchSize = try p.int("batch_size", default: 200, minimum: 1, maximum: 65_536)
        epochs = try p.int("epochs", default: 50, minimum: 1, maximum: 10_000)
        seed = try p.optionalInt("seed", minimum: 0, maximum: Int.max).map(UInt64.init)
    }

    public var effectiveParameters: ParameterSet {
        var values: [String: ParameterValue] = [
            "layers": .int(hiddenSizes.count), "activation": .string(activation), "lr": .double(learningRate),
            "l2": .double(l2), "batch_size": .int(batchSize), "epochs": .int(epochs),
        ]
        for (i, width) in hiddenSizes.enumerated() { values["hidden\(i + 1)"] = .int(width) }
        if let seed { values["seed"] = .int(Int(seed)) }
        return ParameterSet(values)
    }

    public func fit(_ data: PreparedData, report: ProgressCallback) throws -> FitOutcome {
        try fit(data, threads: 1, stop: .never, report: report)
    }

    /// How many mini-batches run between two questions to the `StopCheck` inside an epoch.
    public static let batchesPerStopCheck = 64

    /// Fits, asking `stop` every `batchesPerStopCheck` mini-batches and after every epoch: when it says so, the
    /// network trained so far is the model, and `steps` counts the epoch it was in as run.
    public func fit(_ data: PreparedData, threads: Int, stop: StopCheck, report: ProgressCallback) throws -> FitOutcome {
        let classification = data.task == .classification
        let outputs = classification ? data.classCount : 1
        let x = data.train.featuresFloat
        let n = x.rows
        let sizes = [x.columns] + hiddenSizes + [outputs]
        var generator = SplitMix64(seed: seed ?? data.spec.seed, stream: 0x31F)
        let act = MLPNetwork.Activation(rawValue: activation) ?? .relu
        var network = MLPNetwork(sizes: sizes, activation: act, generator: &generator)

        // Regression trains on the standardised target.
        var targetMean = 0.0
        var targetScale = 1.0
        if !classification {
            targetMean = data.train.targets.reduce(0, +) / Double(max(n, 1))
            let variance = data.train.targets.reduce(0) { $0 + ($1 - targetMean) * ($1 - targetMean) } / Double(max(n, 1))
            targetScale = variance > 1e-24 ? variance.squareRoot() : 1
        }
        let targets = data.train.targets.map { Float(($0 - targetMean) / targetScale) }

        var optimizer = Adam(network: network, learningRate: Float(learningRate))
        var order = Array(0..<n)
        let batch = min(batchSize, n)
        // Buffers for full batches and, when n is not a multiple of the batch size, for the last, shorter one: the
        // loop below allocates nothing.
        var buffers = [MLPBatchBuffers(rows: batch, sizes: sizes)]
        if n % batch != 0 { buffers.append(MLPBatchBuffers(rows: n % batch, sizes: sizes)) }
        var gradients = MLPGradients(like: network)
        let decay = Float(l2)
        let classes = data.train.classes
        var flops = 0.0
        let flopsPerRow = zip(sizes, sizes.dropFirst()).reduce(0.0) { $0 + 6 * Double($1.0) * Double($1.1) }
        var stopped = false
        var stoppedByCheck = false
        var epochsRun = 0

        /// One Adam step on the rows `order[range]`; returns the batch's summed loss.
        func step(_ buffers: inout MLPBatchBuffers, range: Range<Int>) -> Double {
            buffers.gather(x, order: order, range: range)
            buffers.forward(network)
            let loss = outputGradient(
                &buffers.activations[sizes.count - 1], rows: order[range], classification: classification, classes: classes,
                targets: targets)
            buffers.backward(network, into: &gradients)
            optimizer.step(&network, gradients: gradients, l2: decay)
            return loss * Double(range.count)
        }

        for epoch in 1...epochs {
            Splitter.shuffle(&order, &generator)
            var lossTotal = 0.0
            var start = 0
            var batches = 0
            while start < n {
                let range = start..<min(start + batch, n)
                start += batch
                lossTotal += step(&buffers[range.count == batch ? 0 : buffers.count - 1], range: range)
                flops += flopsPerRow * Double(range.count)
                batches += 1
                if batches % Self.batchesPerStopCheck == 0, start < n, stop.shouldStop {
                    stoppedByCheck = true
                    break
                }
            }
            epochsRun = epoch
            if stoppedByCheck { break }
            let trainLoss = lossTotal / Double(max(n, 1))
            guard trainLoss.isFinite else { throw TrainerError.diverged(family: Self.family, step: epoch) }
            var metrics = Self.evaluate(network, on: data.validation, data: data, targetMean: targetMean, targetScale: targetScale)
                .prefixed("val_")
            metrics["train_loss"] = trainLoss
            if !report(epoch, metrics) {
                stopped = epoch < epochs
                break
            }
            if epoch < epochs, stop.shouldStop {
                stoppedByCheck = true
                break
            }
        }
        var tensors: [Tensor] = []
        for (l, (w, b)) in zip(network.weights, network.biases).enumerated() {
            tensors.append(Tensor(name: "W\(l + 1)", matrix: w))
            tensors.append(Tensor(name: "b\(l + 1)", shape: [b.count], values: .float32(b)))
        }
        return FitOutcome(
            tensors: tensors, settings: ["activation": activation, "epochs": String(epochsRun)],
            targetMean: classification ? nil : targetMean, targetScale: classification ? nil : targetScale,
            steps: epochsRun, stopped: stopped, stoppedByCheck: stoppedByCheck, flops: flops)
    }

    /// Turns output scores into dLoss/dScores (mean over the batch) in place and returns the batch's mean loss.
    private func outputGradient(
        _ scores: inout Matrix<Float>, rows: ArraySlice<Int>, classification: Bool, classes: [Int], targets: [Float]
    ) -> Double {
        let scale = 1 / Float(rows.count)
        var loss = 0.0
        if classification {
            Activations.softmaxRows(&scores)
            for (r, row) in rows.enumerated() {
                let k = classes[row]
                loss -= Double(log(max(scores[r, k], 1e-30)))
                scores[r, k] -= 1
            }
            for i in 0..<scores.storage.count { scores.storage[i] *= scale }
        } else {
            for (r, row) in rows.enumerated() {
                let error = scores[r, 0] - targets[row]
                loss += 0.5 * Double(error * error)
                scores[r, 0] = error * scale
            }
        }
        return loss / Double(rows.count)
    }

    /// Metrics of the network on one split (classification from softmax probabilities, regression de-standardised),
    /// plus `loss` (log loss or mean squared error).
    static func evaluate(_ network: MLPNetwork, on split: DataSplit, data: PreparedData, targetMean: Double, targetScale: Double)
        -> [String: Double]
    {
        guard split.count > 0 else { return [:] }
        let scores = network.forward(split.featuresFloat)
        var metrics: [String: Double]
        if data.task == .classification {
            var probabilities = scores.converted(to: Double.self)
            Activations.softmaxRows(&probabilities)
            metrics = ClassificationMetrics.compute(probabilities: probabilities, truth: split.classes)
            metrics["loss"] = metrics["logloss"]
        } else {
            let predicted = scores.storage.map { Double($0) * targetScale + targetMean }
            metrics = RegressionMetrics.compute(predicted: predicted, truth: split.targets)
            metrics["loss"] = pow(metrics["rmse"] ?? 0, 2)
        }
        return metrics
    }
}
