/// Why a dataset could not be read or prepared. Every case names the file; cell errors name the 1-based row as it is
/// in the file (the header is row 1) and the column.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file has no header row or no data rows.
    case empty(path: String)
    /// A row has a different number of fields than the header.
    case raggedRow(path: String, row: Int, expected: Int, found: Int)
    /// A quoted field is never closed.
    case unterminatedQuote(path: String, row: Int)
    /// The target column is not in the header.
    case missingTarget(path: String, target: String, available: [String])
    /// A column named in `categorical` (or needed by a model) is not in the header.
    case unknownColumn(path: String, column: String, available: [String])
    /// The file was read as one column whose name holds another separator (`;`, a tab…): set `data.delimiter`.
    case oneColumn(path: String, header: String, likelyDelimiter: UInt8)
    /// A header names the same column twice.
    case duplicateColumn(path: String, column: String)
    /// A missing value (`""`, `NA`, `NaN`, `nan`) where `missing: error` is in force.
    case missingValue(path: String, row: Int, column: String)
    /// A value that is not a number in a numeric column.
    case notANumber(path: String, row: Int, column: String, value: String)
    /// The split leaves a part empty or the fractions are invalid.
    case badSplit(path: String, reason: String)
    /// Classification needs at least two classes.
    case tooFewClasses(path: String, found: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read the file: \(reason)"
        case .empty(let path): return "\(path): the file has no header row or no data rows"
        case .raggedRow(let path, let row, let expected, let found):
            return "\(path): row \(row) has \(found) fields, the header has \(expected)"
        case .unterminatedQuote(let path, let row): return "\(path): row \(row): a quoted field is not closed"
        case .missingTarget(let path, let target, let available):
            return "\(path): target column '\(target)' not found; available columns: \(available.joined(separator: ", "))"
        case .unknownColumn(let path, let column, let available):
            return "\(path): column '\(column)' not found; available columns: \(available.joined(separator: ", "))"
        case .oneColumn(let path, let header, let likely):
            let (name, written) = likely == UInt8(ascii: "\t") ? ("tabs", "\"\\t\"") : ("'\(Character(UnicodeScalar(likely)))'", "\"\(Character(UnicodeScalar(likely)))\"")
            let shown = header.count > 60 ? String(header.prefix(60)) + "…" : header
            return "\(path): the file reads as one column named '\(shown.replacingOccurrences(of: "\t", with: "\\t"))'; "
                + "it looks separated by \(name): set `delimiter: \(written)` in the spec's data section (data.delimiter)"
        case .duplicateColumn(let path, let column): return "\(path): column '\(column)' appears twice in the header"
        case .missingValue(let path, let row, let column):
            return "\(path): row \(row), column '\(column)': missing value (set data.missing to mean, median or drop to allow it)"
        case .notANumber(let path, let row, let column, let value):
            return "\(path): row \(row), column '\(column)': '\(value)' is not a number (list the column under data.categorical if it is a category)"
        case .badSplit(let path, let reason): return "\(path): cannot split the data: \(reason)"
        case .tooFewClasses(let path, let found):
            return "\(path): classification needs at least 2 classes in the target, found \(found)"
        }
    }
}
