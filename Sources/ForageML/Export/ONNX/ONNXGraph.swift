/// An ONNX graph under construction: nodes in order, constant tensors (initializers), typed inputs and outputs;
/// `model()` encodes it as an ONNX ModelProto (IR version 9, default opset 19, plus `ai.onnx.ml` opset 5 when a node
/// of that domain is used). Names are made unique by the builder (`fresh`).
struct ONNXGraph {
    /// ONNX tensor element types (TensorProto.DataType).
    enum ElementType: Int {
        case float = 1
        case uint8 = 2
        case int64 = 7
        case string = 8
        case bool = 9
        case double = 11
    }

    /// A node attribute.
    enum Attribute {
        case int(String, Int)
        case ints(String, [Int])
        case float(String, Float)
        /// A tensor attribute: `raw` holds the little-endian values of `type`.
        case tensor(String, type: ElementType, shape: [Int], raw: [UInt8])

        /// A double tensor attribute (1-D).
        static func doubles(_ key: String, _ values: [Double]) -> Attribute {
            var raw: [UInt8] = []
            raw.reserveCapacity(values.count * 8)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            return .tensor(key, type: .double, shape: [values.count], raw: raw)
        }

        /// A uint8 tensor attribute (1-D).
        static func bytes(_ key: String, _ values: [UInt8]) -> Attribute {
            .tensor(key, type: .uint8, shape: [values.count], raw: values)
        }
    }

    static let opset = 19
    static let irVersion = 9
    /// The ONNX-ML domain (tree ensembles) and the opset of it used (5: the `TreeEnsemble` operator).
    static let mlDomain = "ai.onnx.ml"
    static let mlOpset = 5

    private var nodes = ProtobufWriter()
    private var initializers = ProtobufWriter()
    private var inputs = ProtobufWriter()
    private var outputs = ProtobufWriter()
    private var counter = 0
    private var usesML = false

    /// A new unique value name starting with `stem`.
    mutating func fresh(_ stem: String) -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    /// Declares a graph input of shape `[N, columns]` (N symbolic).
    mutating func input(_ name: String, type: ElementType, columns: Int?) {
        Self.valueInfo(&inputs, field: 11, name: name, type: type, shape: [nil, columns])
    }

    /// Declares a graph output; `shape` entries nil are symbolic.
    mutating func output(_ name: String, type: ElementType, shape: [Int?]) {
        Self.valueInfo(&outputs, field: 12, name: name, type: type, shape: shape)
    }

    private static func valueInfo(_ writer: inout ProtobufWriter, field: Int, name: String, type: ElementType, shape: [Int?]) {
        writer.message(field) { info in
            info.string(1, name)
            info.message(2) { typeProto in
                typeProto.message(1) { tensor in
                    tensor.int(1, type.rawValue)
                    tensor.message(2) { shapeProto in
                        for dimension in shape {
                            shapeProto.message(1) { dim in
                                if let dimension { dim.int(1, dimension) } else { dim.string(2, "N") }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A constant double tensor; returns its name.
    mutating func constant(_ stem: String, doubles values: [Double], shape: [Int]) -> String {
        let name = fresh(stem)
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        tensor(name, type: .double, shape: shape, raw: raw)
        return name
    }

    /// A constant float tensor; returns its name.
    mutating func constant(_ stem: String, floats values: [Float], shape: [Int]) -> String {
        let name = fresh(stem)
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        tensor(name, type: .float, shape: shape, raw: raw)
        return name
    }

    /// A constant int64 tensor; returns its name.
    mutating func constant(_ stem: String, ints values: [Int], shape: [Int]) -> String {
        let name = fresh(stem)
        var raw: [UInt8] = []
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { raw.append(contentsOf: $0) } }
        tensor(name, type: .int64, shape: shape, raw: raw)
        return name
    }

    /// A constant string tensor; returns its name.
    mutating func constant(_ stem: String, strings values: [String], shape: [Int]) -> String {
        let name = fresh(stem)
        initializers.message(5) { t in
            t.packedInts(1, shape)
            t.int(2, ElementType.string.rawValue)
            for value in values { t.string(6, value) }
            t.string(8, name)
        }
        return name
    }

    private mutating func tensor(_ name: String, type: ElementType, shape: [Int], raw: [UInt8]) {
        initializers.message(5) { t in
            t.packedInts(1, shape)
            t.int(2, type.rawValue)
            t.string(8, name)
            t.bytes(9, raw)
        }
    }

    /// Adds a node and returns its (single) output's name (`output` names it, or a fresh name from the op).
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], output: String? = nil, domain: String? = nil, _ attributes: [Attribute] = []) -> String {
        let result = output ?? fresh(op.lowercased())
        let name = fresh("node_\(op)")
        if domain == Self.mlDomain { usesML = true }
        nodes.message(1) { n in
            for input in inputs { n.string(1, input) }
            n.string(2, result)
            n.string(3, name)
            n.string(4, op)
            if let domain { n.string(7, domain) }
            for attribute in attributes {
                n.message(5) { a in
                    switch attribute {
                    case .int(let key, let value):
                        a.string(1, key)
                        a.int(3, value)
                        a.int(20, 2)
                    case .ints(let key, let values):
                        a.string(1, key)
                        for value in values { a.int(8, value) }
                        a.int(20, 7)
                    case .float(let key, let value):
                        a.string(1, key)
                        a.float(2, value)
                        a.int(20, 1)
                    case .tensor(let key, let type, let shape, let raw):
                        a.string(1, key)
                        a.message(5) { t in
                            t.packedInts(1, shape)
                            t.int(2, type.rawValue)
                            t.bytes(9, raw)
                        }
                        a.int(20, 4)
                    }
                }
            }
        }
        return result
    }

    /// The encoded ModelProto: a graph message is its fields in any order, so the repeated fields gathered above
    /// are concatenated as they are.
    func model(name: String, producerVersion: String, docString: String) -> [UInt8] {
        var named = ProtobufWriter()
        named.string(2, name)
        let graph = nodes.bytes + named.bytes + initializers.bytes + inputs.bytes + outputs.bytes
        var result = ProtobufWriter()
        result.int(1, Self.irVersion)
        result.string(2, "forage")
        result.string(3, producerVersion)
        result.string(6, docString)
        result.bytes(7, graph)
        result.message(8) { opset in
            opset.string(1, "")
            opset.int(2, Self.opset)
        }
        if usesML {
            result.message(8) { opset in
                opset.string(1, Self.mlDomain)
                opset.int(2, Self.mlOpset)
            }
        }
        return result.bytes
    }
}
