import ForageCore
import Foundation

/// A trained built-in model as one self-describing file: the magic bytes `FORAGEML`, a little-endian UInt32 header
/// length, a versioned JSON header (`ModelHeader`), then the tensors' values as little-endian float32/float64.
public struct ModelFile: Sendable, Equatable {
    /// The first bytes of every model file.
    public static let magic = Array("FORAGEML".utf8)

    /// The header (tensor offsets and checksum are filled in by `encoded()`).
    public var header: ModelHeader
    /// The weights.
    public var tensors: [Tensor]

    /// A model file from a header and tensors.
    public init(header: ModelHeader, tensors: [Tensor]) {
        self.header = header
        self.tensors = tensors
    }

    /// The tensor with `name`, if any.
    public func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The file's bytes.
    public func encoded() throws -> Data {
        var payload = Data()
        var entries: [ModelHeader.TensorEntry] = []
        for tensor in tensors {
            entries.append(
                .init(
                    name: tensor.name, dtype: tensor.values.dtype, shape: tensor.shape, offset: payload.count,
                    byteCount: tensor.values.byteCount))
            switch tensor.values {
            case .float32(let values):
                var bytes = [UInt8](repeating: 0, count: values.count * 4)
                for (i, v) in values.enumerated() {
                    let bits = v.bitPattern.littleEndian
                    withUnsafeBytes(of: bits) { for k in 0..<4 { bytes[i * 4 + k] = $0[k] } }
                }
                payload.append(contentsOf: bytes)
            case .float64(let values):
                var bytes = [UInt8](repeating: 0, count: values.count * 8)
                for (i, v) in values.enumerated() {
                    let bits = v.bitPattern.littleEndian
                    withUnsafeBytes(of: bits) { for k in 0..<8 { bytes[i * 8 + k] = $0[k] } }
                }
                payload.append(contentsOf: bytes)
            }
        }
        var header = self.header
        header.tensors = entries
        header.payloadSHA256 = SHA256Hex.of(payload)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(Self.magic)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(payload)
        return data
    }

    /// Writes the file atomically.
    public func write(to path: String) throws {
        let data = try encoded()
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError.io(path: path, reason: FileProblem.reason(error, path: path))
        }
    }

    /// Reads and checks a model file.
    public static func read(from path: String) throws -> ModelFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelFileError.io(path: path, reason: FileProblem.reason(error, path: path))
        }
        return try decode(data, path: path)
    }

    private struct VersionProbe: Decodable {
        var formatVersion: Int
    }

    /// Parses a model file's bytes (`path` is used in errors).
    public static func decode(_ data: Data, path: String = "<memory>") throws -> ModelFile {
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ModelFileError.notAModelFile(path: path)
        }
        guard bytes.count >= magic.count + 4 else {
            throw ModelFileError.truncated(path: path, expectedBytes: magic.count + 4, foundBytes: bytes.count)
        }
        var length: UInt32 = 0
        for k in 0..<4 { length |= UInt32(bytes[magic.count + k]) << (8 * UInt32(k)) }
        let headerStart = magic.count + 4
        let headerEnd = headerStart + Int(length)
        guard headerEnd <= bytes.count else {
            throw ModelFileError.truncated(path: path, expectedBytes: headerEnd, foundBytes: bytes.count)
        }
        let json = Data(bytes[headerStart..<headerEnd])
        let decoder = JSONDecoder()
        let probe: VersionProbe
        do {
            probe = try decoder.decode(VersionProbe.self, from: json)
        } catch {
            throw ModelFileError.corrupt(path: path, reason: "the header is not valid JSON with a formatVersion")
        }
        guard probe.formatVersion <= ModelHeader.currentFormatVersion else {
            throw ModelFileError.newerVersion(
                path: path, found: probe.formatVersion, supported: ModelHeader.currentFormatVersion)
        }
        guard probe.formatVersion >= 1 else {
            throw ModelFileError.corrupt(path: path, reason: "format version \(probe.formatVersion)")
        }
        let header: ModelHeader
        do {
            header = try decoder.decode(ModelHeader.self, from: json)
        } catch {
            throw ModelFileError.corrupt(path: path, reason: "unreadable header: \(error)")
        }
        for entry in header.tensors {
            let sizeOK = entry.shape.allSatisfy { $0 >= 0 && $0 <= Int(Int32.max) } && entry.shape.count <= 4
            guard entry.offset >= 0, entry.byteCount >= 0, entry.byteCount <= bytes.count, entry.offset <= bytes.count, sizeOK
            else { throw ModelFileError.corrupt(path: path, reason: "tensor \(entry.name) has an invalid offset, size or shape") }
        }
        let payloadSize = header.tensors.reduce(0) { max($0, $1.offset + $1.byteCount) }
        let payload = bytes[headerEnd...]
        guard payload.count >= payloadSize else {
            throw ModelFileError.truncated(path: path, expectedBytes: headerEnd + payloadSize, foundBytes: bytes.count)
        }
        guard payload.count == payloadSize else {
            throw ModelFileError.corrupt(path: path, reason: "\(payload.count - payloadSize) unexpected trailing bytes")
        }
        guard SHA256Hex.of(Data(payload)) == header.payloadSHA256 else {
            throw ModelFileError.corrupt(path: path, reason: "the weights do not match their checksum")
        }
        var tensors: [Tensor] = []
        for entry in header.tensors {
            let (count, overflow) = entry.shape.reduce((1, false)) { partial, dimension in
                let (product, flag) = partial.0.multipliedReportingOverflow(by: dimension)
                return (product, partial.1 || flag)
            }
            guard !overflow else { throw ModelFileError.corrupt(path: path, reason: "tensor \(entry.name) is too large") }
            let start = headerEnd + entry.offset
            let width = entry.dtype == "float64" ? 8 : 4
            if entry.dtype == "float32" || entry.dtype == "float64", entry.byteCount != count * width {
                throw ModelFileError.corrupt(path: path, reason: "tensor \(entry.name) has a wrong size")
            }
            switch entry.dtype {
            case "float32":
                let words = Self.littleEndianWords(bytes, start: start, count: count, as: UInt32.self)
                tensors.append(Tensor(name: entry.name, shape: entry.shape, values: .float32(words.map(Float.init(bitPattern:)))))
            case "float64":
                let words = Self.littleEndianWords(bytes, start: start, count: count, as: UInt64.self)
                tensors.append(Tensor(name: entry.name, shape: entry.shape, values: .float64(words.map(Double.init(bitPattern:)))))
            default:
                throw ModelFileError.corrupt(path: path, reason: "tensor \(entry.name) has unknown dtype \(entry.dtype)")
            }
        }
        return ModelFile(header: header, tensors: tensors)
    }

    /// `count` little-endian unsigned words of `Word`'s width, starting at byte `start`.
    private static func littleEndianWords<Word: FixedWidthInteger & UnsignedInteger>(
        _ bytes: [UInt8], start: Int, count: Int, as: Word.Type
    ) -> [Word] {
        let width = Word.bitWidth / 8
        return (0..<count).map { i in
            var bits: Word = 0
            for k in 0..<width { bits |= Word(bytes[start + i * width + k]) << (8 * k) }
            return bits
        }
    }

}
