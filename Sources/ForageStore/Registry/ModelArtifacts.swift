import Foundation

/// What kind of model a registry version holds, detected when it is registered, so that `predict` and `serve`
/// can refuse what they cannot run at once, with a message saying what it is.
public enum ModelFlavor: String, Sendable, Codable, CaseIterable {
    /// A Forage model file (`model.forage`): `predict` and `serve` run it.
    case forage
    /// A Python pickle (`model.pkl`, scikit-learn's usual way).
    case pickle
    /// A joblib dump (`model.joblib`).
    case joblib
    /// An ONNX graph (`model.onnx`).
    case onnx
    /// A folder of files (`model/`, e.g. a saved TensorFlow or Hugging Face model).
    case folder
    /// Any other file.
    case file

    /// The magic bytes a Forage model file starts with.
    static let forageMagic = Array("FORAGEML".utf8)

    /// The flavor of one file from its name and first bytes.
    public static func detect(name: String, contents: Data) -> ModelFlavor {
        let lower = name.lowercased()
        if contents.starts(with: forageMagic) { return .forage }
        if lower.hasSuffix(".joblib") { return .joblib }
        if lower.hasSuffix(".pkl") || lower.hasSuffix(".pickle") || contents.first == 0x80 { return .pickle }
        if lower.hasSuffix(".onnx") { return .onnx }
        return .file
    }

    /// How people call it in messages.
    public var label: String {
        switch self {
        case .forage: return "a Forage model file"
        case .pickle: return "a Python pickle"
        case .joblib: return "a joblib dump"
        case .onnx: return "an ONNX model"
        case .folder: return "a folder of model files"
        case .file: return "a file Forage does not recognise"
        }
    }
}

/// One file of a registered version, kept under its name (a path inside the version for a folder's files) and
/// stored by its SHA-256.
public struct ArtifactFile: Sendable, Equatable, Codable {
    public var name: String
    public var sha256: String
    public var size: Int

    public init(name: String, sha256: String, size: Int) {
        self.name = name
        self.sha256 = sha256
        self.size = size
    }
}

/// A file to register, with its contents.
public struct ArtifactPayload: Sendable {
    public var name: String
    public var contents: Data

    public init(name: String, contents: Data) {
        self.name = name
        self.contents = contents
    }
}
