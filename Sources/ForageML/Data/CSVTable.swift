import ForageCore
import Foundation

/// A CSV file read as text: the header and the fields of every data row, with each row's 1-based line number in the
/// file (the header is row 1). Fields are separated by the delimiter (a comma by default) and may be quoted with `"`
/// (a doubled `""` inside is one quote); fields are trimmed of surrounding spaces, blank lines are skipped, and a
/// UTF-8 byte-order mark at the start of the file is not part of the first column's name.
public struct CSVTable: Sendable {
    /// The file the table came from (for error messages).
    public let path: String
    /// The column names, in file order.
    public let header: [String]
    /// Data rows, each with as many fields as the header.
    public let rows: [[String]]
    /// The row number in the file of each entry of `rows`.
    public let rowNumbers: [Int]

    /// The field separator the table was read with.
    public var delimiter: UInt8 = UInt8(ascii: ",")

    /// Reads and parses a CSV file.
    public static func read(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws -> (table: CSVTable, bytes: Data) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DatasetError.unreadable(path: path, reason: FileProblem.reason(error, path: path))
        }
        return (try parse(data, path: path, delimiter: delimiter), data)
    }

    /// Parses CSV bytes (UTF-8); `path` is only used in errors.
    public static func parse(_ data: Data, path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws -> CSVTable {
        var records: [[String]] = []
        var numbers: [Int] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var quotedField = false
        let bytes = [UInt8](data)
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // a UTF-8 byte-order mark
        func finishField() {
            // Unquoted fields lose their surrounding spaces and tabs, trimmed on the bytes: Foundation's trimming
            // goes through UTF-16 and made reading a 75 000-row table take seconds. Only a field that starts or ends
            // with a non-ASCII byte (maybe another Unicode space) is trimmed by Foundation as well.
            var start = 0
            var end = field.count
            if !quotedField {
                while start < end, field[start] == 0x20 || field[start] == 0x09 { start += 1 }
                while end > start, field[end - 1] == 0x20 || field[end - 1] == 0x09 { end -= 1 }
            }
            var text = String(decoding: field[start..<end], as: UTF8.self)
            if !quotedField, start < end, field[start] >= 0x80 || field[end - 1] >= 0x80 {
                text = text.trimmingCharacters(in: .whitespaces)
            }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
            quotedField = false
        }
        func finishRecord() {
            finishField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(fields)
                numbers.append(recordLine)
            }
            fields.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inQuotes = true
                    quotedField = true
                case delimiter:
                    finishField()
                case UInt8(ascii: "\n"):
                    finishRecord()
                    line += 1
                    recordLine = line
                case UInt8(ascii: "\r"):
                    break
                default:
                    field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes { throw DatasetError.unterminatedQuote(path: path, row: recordLine) }
        if !field.isEmpty || !fields.isEmpty { finishRecord() }
        guard let header = records.first else { throw DatasetError.empty(path: path) }
        var seen = Set<String>()
        for name in header where !seen.insert(name).inserted {
            throw DatasetError.duplicateColumn(path: path, column: name)
        }
        let body = Array(records.dropFirst())
        let bodyNumbers = Array(numbers.dropFirst())
        for (row, number) in zip(body, bodyNumbers) where row.count != header.count {
            throw DatasetError.raggedRow(path: path, row: number, expected: header.count, found: row.count)
        }
        var table = CSVTable(path: path, header: header, rows: body, rowNumbers: bodyNumbers)
        table.delimiter = delimiter
        return table
    }

    /// When the table was read as one column whose name holds another likely separator (`;`, a tab, `,` or `|`) than
    /// the one used, that separator: the file is probably separated by it.
    public var likelyDelimiter: UInt8? {
        guard header.count == 1 else { return nil }
        return [UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: "|")].first { $0 != delimiter && header[0].utf8.contains($0) }
    }

    /// The index of a column, or an `unknownColumn` error listing the header.
    public func columnIndex(_ name: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw DatasetError.unknownColumn(path: path, column: name, available: header)
        }
        return index
    }
}

/// What counts as a missing value in a CSV cell.
enum MissingMarker {
    static func isMissing(_ text: String) -> Bool {
        text.isEmpty || text == "NA" || text == "NaN" || text == "nan"
    }
}
