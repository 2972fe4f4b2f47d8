import ForageCore
import Foundation

/// A loaded model ready to predict: built from a `ModelFile` (checked once), it encodes raw input rows with the
/// stored preprocessing and runs the whole batch through BLAS (one gemm per layer per batch). Immutable and
/// `Sendable`, so a server can share one instance across requests.
public struct Model: Sendable {
    /// The file the model came from (header and weights).
    public let file: ModelFile
    private let kernel: Kernel
    /// Every input column is numeric (one feature each): rows of numbers only need scaling.
    private let numericInputs: Bool

    private enum Kernel: Sendable {
        case linear(coef: Matrix<Double>, intercept: [Double])
        case network(MLPNetwork)
        case trees(TreeEnsemble)
    }

    /// Checks that the file's tensors fit its family and feature count; `source` names the file in errors.
    public init(file: ModelFile, source: String = "<model>") throws {
        self.file = file
        let header = file.header
        let d = header.encoder.featureCount
        numericInputs = d > 0 && header.encoder.columns.allSatisfy { if case .numeric = $0 { true } else { false } }
        func corrupt(_ reason: String) -> ModelFileError { .corrupt(path: source, reason: reason) }
        guard header.encoder.means.count == d, header.encoder.scales.count == d else {
            throw corrupt("the scaler does not match the \(d) features")
        }
        if header.task == .classification, header.classLabels.count < 2 { throw corrupt("fewer than 2 class labels") }
        switch header.family {
        case RidgeTrainer.family, LogisticTrainer.family:
            guard let coef = file.tensor("coef")?.doubleMatrix, case .float64(let intercept)? = file.tensor("intercept")?.values,
                coef.rows == d, intercept.count == coef.columns
            else { throw corrupt("missing or misshapen coef/intercept tensors") }
            let expected = header.task == .regression ? 1 : (header.classLabels.count == 2 ? 1 : header.classLabels.count)
            guard coef.columns == expected else { throw corrupt("coef has \(coef.columns) outputs, expected \(expected)") }
            kernel = .linear(coef: coef, intercept: intercept)
        case MLPTrainer.family:
            var weights: [Matrix<Float>] = []
            var biases: [[Float]] = []
            var layer = 1
            while let w = file.tensor("W\(layer)") {
                guard let matrix = w.floatMatrix, case .float32(let b)? = file.tensor("b\(layer)")?.values, b.count == matrix.columns,
                    matrix.rows == (weights.last?.columns ?? d)
                else { throw corrupt("layer \(layer) is misshapen") }
                weights.append(matrix)
                biases.append(b)
                layer += 1
            }
            let outputs = header.task == .regression ? 1 : header.classLabels.count
            guard !weights.isEmpty, weights.last?.columns == outputs else { throw corrupt("the network's output size is wrong") }
            guard let activation = MLPNetwork.Activation(rawValue: header.settings["activation"] ?? "") else {
                throw corrupt("unknown activation \(header.settings["activation"] ?? "(none)")")
            }
            kernel = .network(MLPNetwork(weights: weights, biases: biases, activation: activation))
        case GBDTTrainer.family:
            let outputs = header.task == .regression || header.classLabels.count == 2 ? 1 : header.classLabels.count
            do {
                kernel = .trees(try TreeEnsemble(tensors: file, featureCount: d, outputs: outputs))
            } catch {
                throw corrupt(error.reason)
            }
        default:
            throw corrupt("unknown family \(header.family)")
        }
    }

    /// Loads and checks a model file.
    public init(contentsOf path: String) throws {
        try self.init(file: ModelFile.read(from: path), source: path)
    }

    /// The raw input columns a row must give, in order.
    public var inputColumns: [String] { file.header.encoder.inputColumnNames }

    /// Predictions for already encoded and standardised features (`rows × featureCount`).
    public func predict(features: Matrix<Double>) -> Predictions {
        let header = file.header
        switch kernel {
        case .linear(let coef, let intercept):
            let scores = LinearScores.compute(features, coef: coef, intercept: intercept)
            if header.task == .regression { return Predictions(values: scores.storage) }
            return Predictions(probabilities: LinearScores.probabilities(fromScores: scores), classLabels: header.classLabels)
        case .network(let network):
            let scores = network.forward(features.converted(to: Float.self))
            if header.task == .regression {
                let mean = header.targetMean ?? 0
                let scale = header.targetScale ?? 1
                return Predictions(values: scores.storage.map { Double($0) * scale + mean })
            }
            var probabilities = scores.converted(to: Double.self)
            Activations.softmaxRows(&probabilities)
            return Predictions(probabilities: probabilities, classLabels: header.classLabels)
        case .trees(let ensemble):
            let scores = ensemble.scores(features)
            let objective = BoostingObjective.forTask(header.task, classCount: header.classLabels.count)
            guard let probabilities = objective.probabilities(scores: scores, n: features.rows, classCount: header.classLabels.count)
            else { return Predictions(values: scores) }
            return Predictions(probabilities: probabilities, classLabels: header.classLabels)
        }
    }

    /// Predicts rows given as values in input-column order (`inputColumns`).
    public func predict(rows: [[InputValue]]) throws(PredictionError) -> Predictions {
        guard !rows.isEmpty else { throw .emptyBatch }
        let encoded = try file.header.encoder.encodeNoting(rows: rows)
        var predictions = predict(features: encoded.features)
        predictions.unseenCategories = encoded.unseen
        return predictions
    }

    /// The serving fast path: `values` holds whole rows of numbers, row after row, in input-column order. They are
    /// scaled exactly as `predict(rows:)` scales them, so the predictions are the same. Returns nil (use
    /// `predict(rows:)`, which says what is wrong) when the model has a categorical input, or `values` is not a
    /// whole number of rows of finite numbers.
    public func predict(numericRows values: consuming [Double]) -> Predictions? {
        let d = file.header.encoder.featureCount
        guard numericInputs, !values.isEmpty, values.count % d == 0 else { return nil }
        var features = consume values
        let finite = features.withUnsafeMutableBufferPointer { buffer in
            file.header.encoder.means.withUnsafeBufferPointer { means in
                file.header.encoder.scales.withUnsafeBufferPointer { scales in
                    var start = 0
                    while start < buffer.count {
                        for c in 0..<d {
                            let x = buffer[start + c]
                            guard x.isFinite else { return false }
                            buffer[start + c] = (x - means[c]) / scales[c]
                        }
                        start += d
                    }
                    return true
                }
            }
        }
        guard finite, let matrix = Matrix(rows: features.count / d, columns: d, storage: features) else { return nil }
        return predict(features: matrix)
    }

    /// Predicts numeric rows in input-column order.
    public func predict(rows: [[Double]]) throws(PredictionError) -> Predictions {
        try predict(rows: rows.map { $0.map(InputValue.number) })
    }

    /// Predicts rows given as `[column: value]`; unknown or missing columns are errors.
    public func predict(records: [[String: InputValue]]) throws(PredictionError) -> Predictions {
        guard !records.isEmpty else { throw .emptyBatch }
        let encoded = try file.header.encoder.encodeNoting(records: records)
        var predictions = predict(features: encoded.features)
        predictions.unseenCategories = encoded.unseen
        return predictions
    }

    /// Predicts every row of a CSV file whose header names the model's input columns (any order; other columns,
    /// such as the target, are ignored). Errors name the file's row numbers.
    public func predict(csvAt path: String) throws(PredictionError) -> Predictions {
        let table: CSVTable
        do {
            table = try CSVTable.read(path: path).table
        } catch let error as DatasetError {
            throw .csv(error)
        } catch {
            throw .csv(.unreadable(path: path, reason: "\(error)"))
        }
        var indices: [Int] = []
        for name in inputColumns {
            guard let index = table.header.firstIndex(of: name) else {
                throw .csvMissingColumn(path: path, column: name, available: table.header)
            }
            indices.append(index)
        }
        guard !table.rows.isEmpty else { throw .emptyBatch }
        var features = Matrix<Double>(rows: table.rows.count, columns: file.header.encoder.featureCount)
        let width = features.columns
        var failure: PredictionError?
        var unseen: [UnseenCategory] = []
        features.storage.withUnsafeMutableBufferPointer { buffer in
            for (r, (row, number)) in zip(table.rows, table.rowNumbers).enumerated() {
                do throws(PredictionError) {
                    try file.header.encoder.encode(
                        indices.map { InputValue(csvField: row[$0]) }, row: number, into: buffer, at: r * width, unseen: &unseen)
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        var predictions = predict(features: features)
        predictions.unseenCategories = unseen
        return predictions
    }
}
