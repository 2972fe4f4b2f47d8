import Foundation
import Testing

@testable import ForageML

/// Unquoted fields lose surrounding spaces and tabs (trimmed on the bytes), Unicode spaces too; quoted ones keep them.
@Suite struct CSVTrimTests {
    @Test func unquotedFieldsAreTrimmedAndQuotedOnesKeptAsWritten() throws {
        let text = "a, b ,c\n 1.5\t,\t2 ,\" x \"\n\u{00A0}3\u{00A0},é ,\n"
        let table = try CSVTable.parse(Data(text.utf8), path: "t.csv")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows == [["1.5", "2", " x "], ["3", "é", ""]])
    }
}
