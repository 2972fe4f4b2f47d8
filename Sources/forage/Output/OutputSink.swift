import ForageStore
import Foundation

/// Buffered text output to stdout or a file, for listings written as they are read: the buffer is flushed every
/// 64 KiB, so memory stays constant however long the listing is.
final class OutputSink {
    private let handle: FileHandle
    private let path: String?
    private var buffer: [UInt8] = []
    /// Lines written (for the "wrote N trials" note).
    private(set) var lines = 0

    /// Standard output.
    init() {
        handle = FileHandle.standardOutput
        path = nil
        buffer.reserveCapacity(1 << 16)
    }

    /// A file, created or truncated; the error names the file and says why it cannot be written.
    init(file: String) throws {
        guard FileManager.default.createFile(atPath: file, contents: nil) else {
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            let why = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
                ? "permission denied or not a file" : "the folder \(folder) does not exist"
            throw CLIError("cannot write \(file): \(why)")
        }
        guard let handle = FileHandle(forWritingAtPath: file) else { throw CLIError("cannot write \(file)") }
        self.handle = handle
        path = file
        buffer.reserveCapacity(1 << 16)
    }

    /// Appends `text` and a newline.
    func line(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        lines += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Appends one CSV line (RFC 4180: a cell holding a comma, quote or line break is quoted, its quotes doubled),
    /// without building the line as a String.
    func csvLine(_ cells: [String]) throws {
        for (index, cell) in cells.enumerated() {
            if index > 0 { buffer.append(0x2C) }
            let bytes = cell.utf8
            if bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                buffer.append(0x22)
                for byte in bytes {
                    if byte == 0x22 { buffer.append(0x22) }
                    buffer.append(byte)
                }
                buffer.append(0x22)
            } else {
                buffer.append(contentsOf: bytes)
            }
        }
        buffer.append(0x0A)
        lines += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Appends one JSON trial object (with a leading comma unless `first`) and a newline, without building a String.
    func trialJSON(_ trial: TrialRecord, rank: Int? = nil, first: Bool) throws {
        if !first { buffer.append(0x2C) }
        TrialJSONWriter.write(trial, rank: rank, into: &buffer)
        buffer.append(0x0A)
        lines += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes what is buffered.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw CLIError("cannot write \(path ?? "the output"): \(String(cString: strerror(errno)))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes a file (stdout stays open).
    func close() throws {
        try flush()
        if path != nil { try? handle.close() }
    }
}
