/// The MLP in ONNX, in float32 as Forage runs it: each layer `h · W + b`, ReLU or tanh between layers; a softmax
/// (in double) for classification, the de-standardised value for regression.
enum MLPONNX: ONNXFamilyExporter {
    static let families = [MLPTrainer.family]

    static func head(of file: ModelFile, features: String, graph: inout ONNXGraph) throws(ONNXExportError) -> ONNXExport.Head {
        let header = file.header
        guard let activation = header.settings["activation"], ["relu", "tanh"].contains(activation) else {
            throw .malformed("unknown activation \(header.settings["activation"] ?? "(none)")")
        }
        var h = graph.node("Cast", [features], [.int("to", ONNXGraph.ElementType.float.rawValue)])
        var layer = 1
        var layers: [(Matrix<Float>, [Float])] = []
        while let w = file.tensor("W\(layer)") {
            guard let matrix = w.floatMatrix, case .float32(let b)? = file.tensor("b\(layer)")?.values else {
                throw .malformed("layer \(layer) is misshapen")
            }
            layers.append((matrix, b))
            layer += 1
        }
        guard !layers.isEmpty else { throw .malformed("the network has no layers") }
        for (index, (weights, bias)) in layers.enumerated() {
            let w = graph.constant("W", floats: weights.storage, shape: [weights.rows, weights.columns])
            let b = graph.constant("b", floats: bias, shape: [1, bias.count])
            let product = graph.node("MatMul", [h, w])
            h = graph.node("Add", [product, b])
            if index < layers.count - 1 { h = graph.node(activation == "relu" ? "Relu" : "Tanh", [h]) }
        }
        let scores = graph.node("Cast", [h], [.int("to", ONNXGraph.ElementType.double.rawValue)])
        if header.task == .regression {
            let scale = graph.constant("target_scale", doubles: [header.targetScale ?? 1], shape: [1, 1])
            let mean = graph.constant("target_mean", doubles: [header.targetMean ?? 0], shape: [1, 1])
            let scaled = graph.node("Mul", [scores, scale])
            return .values(graph.node("Add", [scaled, mean]))
        }
        return .probabilities(graph.node("Softmax", [scores], [.int("axis", 1)]))
    }
}
