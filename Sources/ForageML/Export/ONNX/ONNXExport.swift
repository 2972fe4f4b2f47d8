import ForageCore

/// One model family's part of an ONNX graph: from the standardised features (double `[N, d]`) to the head.
/// A new family is one file implementing this and one entry in `ONNXExport.families`.
protocol ONNXFamilyExporter {
    /// The family name in model files (`ridge`, `mlp`, …).
    static var families: [String] { get }
    /// Adds the family's nodes; must return class probabilities (double `[N, classes]`, columns in class-label
    /// order) for classification, or values (double `[N, 1]`) for regression, equal to `Model.predict`'s.
    static func head(of file: ModelFile, features: String, graph: inout ONNXGraph) throws(ONNXExportError) -> ONNXExport.Head
}

/// Why a model cannot be exported to ONNX.
public enum ONNXExportError: Error, CustomStringConvertible, Sendable {
    case unsupportedFamily(String, supported: [String])
    case malformed(String)

    public var description: String {
        switch self {
        case .unsupportedFamily(let family, let supported):
            return "ONNX export does not support the \(family) family yet (it supports \(supported.joined(separator: ", ")))"
        case .malformed(let reason): return "the model cannot be exported: \(reason)"
        }
    }
}

/// `forage models export … --format onnx`: a model file as a standard ONNX model (IR 9, opset 19) that takes the
/// raw feature columns, one graph input per column (`[N, 1]`, double for numeric columns, string for categorical
/// ones, given as Forage's canonical category names), applies the stored imputation, one-hot encoding and scaling
/// in the graph, and outputs `label` (string `[N]`) and `probabilities` (double `[N, classes]`) for a classifier,
/// or `prediction` (double `[N, 1]`) for a regressor.
public enum ONNXExport {
    /// A family's head.
    enum Head {
        case probabilities(String)
        case values(String)
    }

    static let families: [any ONNXFamilyExporter.Type] = [LinearONNX.self, MLPONNX.self, GBDTONNX.self]

    /// The families that can be exported.
    public static var supportedFamilies: [String] { families.flatMap { $0.families } }

    /// The ONNX file's bytes.
    public static func encode(_ file: ModelFile, name: String) throws(ONNXExportError) -> [UInt8] {
        let header = file.header
        guard let exporter = families.first(where: { $0.families.contains(header.family) }) else {
            throw .unsupportedFamily(header.family, supported: supportedFamilies)
        }
        var graph = ONNXGraph()
        let features = preprocessing(header.encoder, graph: &graph)
        switch try exporter.head(of: file, features: features, graph: &graph) {
        case .probabilities(let probabilities):
            graph.node("Identity", [probabilities], output: "probabilities")
            let index = graph.node("ArgMax", ["probabilities"], [.int("axis", 1), .int("keepdims", 0)])
            let labels = graph.constant("class_labels", strings: header.classLabels, shape: [header.classLabels.count])
            graph.node("Gather", [labels, index], output: "label", [.int("axis", 0)])
            graph.output("label", type: .string, shape: [nil])
            graph.output("probabilities", type: .double, shape: [nil, header.classLabels.count])
        case .values(let values):
            graph.node("Identity", [values], output: "prediction")
            graph.output("prediction", type: .double, shape: [nil, 1])
        }
        let doc = "Forage \(header.family) model for \(header.target) (\(header.task.rawValue)); inputs: \(header.encoder.inputColumnNames.joined(separator: ", "))"
        return graph.model(name: name, producerVersion: ForageVersion.current, docString: doc)
    }

    /// Graph inputs for the raw columns and the nodes that encode and scale them as `FeatureEncoder` does; returns
    /// the standardised features (double `[N, d]`).
    static func preprocessing(_ encoder: FeatureEncoder, graph: inout ONNXGraph) -> String {
        var parts: [String] = []
        var offset = 0
        for column in encoder.columns {
            let width = column.width
            let means = graph.constant("mean", doubles: Array(encoder.means[offset..<offset + width]), shape: [1, width])
            let scales = graph.constant("scale", doubles: Array(encoder.scales[offset..<offset + width]), shape: [1, width])
            var raw: String
            switch column {
            case .numeric(let name, let imputed):
                graph.input(name, type: .double, columns: 1)
                raw = name
                // A tree model with native missing values takes NaN as it is (its splits know where to send it).
                if let imputed, !encoder.keepsMissing {
                    let missing = graph.node("IsNaN", [name])
                    let fill = graph.constant("imputed", doubles: [imputed], shape: [1, 1])
                    raw = graph.node("Where", [missing, fill, name])
                }
            case .categorical(let name, let categories):
                graph.input(name, type: .string, columns: 1)
                let known = graph.constant("categories", strings: categories, shape: [1, categories.count])
                let equal = graph.node("Equal", [name, known])
                raw = graph.node("Cast", [equal], [.int("to", ONNXGraph.ElementType.double.rawValue)])
            }
            let centred = graph.node("Sub", [raw, means])
            parts.append(graph.node("Div", [centred, scales]))
            offset += width
        }
        return parts.count == 1 ? parts[0] : graph.node("Concat", parts, [.int("axis", 1)])
    }
}
