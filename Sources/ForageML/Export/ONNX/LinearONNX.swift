/// Ridge and logistic/softmax regression in ONNX: `X · coef + intercept`, then a sigmoid (binary, as two
/// columns) or a softmax for classification.
enum LinearONNX: ONNXFamilyExporter {
    static let families = [RidgeTrainer.family, LogisticTrainer.family]

    static func head(of file: ModelFile, features: String, graph: inout ONNXGraph) throws(ONNXExportError) -> ONNXExport.Head {
        guard let coef = file.tensor("coef")?.doubleMatrix, case .float64(let intercept)? = file.tensor("intercept")?.values else {
            throw .malformed("missing coef/intercept tensors")
        }
        let weights = graph.constant("coef", doubles: coef.storage, shape: [coef.rows, coef.columns])
        let bias = graph.constant("intercept", doubles: intercept, shape: [1, intercept.count])
        let product = graph.node("MatMul", [features, weights])
        let scores = graph.node("Add", [product, bias])
        if file.header.task == .regression { return .values(scores) }
        if coef.columns == 1 {
            let positive = graph.node("Sigmoid", [scores])
            let one = graph.constant("one", doubles: [1], shape: [1, 1])
            let negative = graph.node("Sub", [one, positive])
            return .probabilities(graph.node("Concat", [negative, positive], [.int("axis", 1)]))
        }
        return .probabilities(graph.node("Softmax", [scores], [.int("axis", 1)]))
    }
}
