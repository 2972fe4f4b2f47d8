/// Why input rows could not be turned into predictions. Rows are 1-based (in a CSV file: the file's row number,
/// the header being row 1).
public enum PredictionError: Error, Equatable, CustomStringConvertible {
    /// No rows at all.
    case emptyBatch
    /// A row has the wrong number of values.
    case wrongFeatureCount(row: Int, expected: Int, found: Int, columns: [String])
    /// A row names a column the model does not know.
    case unknownColumn(row: Int, column: String, expected: [String])
    /// A row lacks one of the model's columns.
    case missingColumn(row: Int, column: String, expected: [String])
    /// A numeric column holds something else.
    case notANumber(row: Int, column: String, value: String)
    /// A numeric column is empty and the model has no imputed value for it.
    case missingValue(row: Int, column: String)
    /// A CSV input lacks one of the model's columns.
    case csvMissingColumn(path: String, column: String, available: [String])
    /// A CSV input could not be read (the underlying dataset error).
    case csv(DatasetError)

    public var description: String {
        switch self {
        case .emptyBatch: return "the batch has no rows"
        case .wrongFeatureCount(let row, let expected, let found, let columns):
            return "row \(row): expected \(expected) values, got \(found) (columns \(Self.summary(columns)))"
        case .unknownColumn(let row, let column, let expected):
            return "row \(row): unknown column '\(column)'; the model's \(expected.count) columns are \(Self.summary(expected))"
        case .missingColumn(let row, let column, let expected):
            return "row \(row): column '\(column)' is missing; the model's \(expected.count) columns are \(Self.summary(expected))"
        case .notANumber(let row, let column, let value):
            return "row \(row), column '\(column)': '\(value)' is not a number"
        case .missingValue(let row, let column):
            return "row \(row), column '\(column)': missing value (the model was trained without imputation)"
        case .csvMissingColumn(let path, let column, let available):
            return "\(path): column '\(column)' needed by the model is not in the header; available: \(available.joined(separator: ", "))"
        case .csv(let error): return error.description
        }
    }

    /// Column names for a message, shortened when there are many: `a, b, c, …, z`.
    public static func summary(_ columns: [String], first: Int = 3) -> String {
        guard columns.count > first + 2, let last = columns.last else { return columns.joined(separator: ", ") }
        return columns.prefix(first).joined(separator: ", ") + ", …, " + last
    }
}
