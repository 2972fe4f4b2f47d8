/// A categorical input whose value the model never saw in training. It is still answered (the column encodes as all
/// zeros, as for a missing category), but a caller may want to know: the server counts and flags these.
public struct UnseenCategory: Sendable, Equatable, Hashable {
    /// The 1-based row of the input (a CSV input: the file's row number, the header being row 1).
    public let row: Int
    /// The categorical column.
    public let column: String
    /// The value given (as the category name it was read as).
    public let value: String

    public init(row: Int, column: String, value: String) {
        self.row = row
        self.column = column
        self.value = value
    }
}
