import ForageML
import Foundation

/// Reads a `Content-Type: text/csv` body: a header row naming the columns (any order; columns the model does not use
/// are dropped), then one row per prediction. Cells are read as `forage predict` reads a CSV file (empty, `NA` and
/// `NaN` are missing). Rows are numbered from 1 in messages, the header not counted, as in the JSON formats.
enum InvocationCSV {
    /// Whether a `Content-Type` value means CSV (`text/csv`, any case, any parameters such as a charset). Checked
    /// on every prediction request, so it allocates nothing.
    static func isCSV(_ contentType: String) -> Bool {
        var utf8 = contentType.utf8[...]
        while utf8.first == UInt8(ascii: " ") { utf8 = utf8.dropFirst() }
        let type = "text/csv".utf8
        guard utf8.count >= type.count else { return false }
        for expected in type {
            guard let byte = utf8.first, byte | 0x20 == expected | 0x20 else { return false }
            utf8 = utf8.dropFirst()
        }
        guard let next = utf8.first else { return true }
        return next == UInt8(ascii: ";") || next == UInt8(ascii: " ")
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, columns: [String]) throws(BadRequest) -> DecodedInvocation {
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else {
            throw BadRequest("the CSV body is empty: send a header row naming the columns, then one row per prediction")
        }
        let table: CSVTable
        do {
            table = try CSVTable.parse(Data(bytes), path: "the CSV body")
        } catch let error as DatasetError {
            throw BadRequest(error.description)
        } catch {
            throw BadRequest("the CSV body cannot be read")
        }
        var decoder = InvocationDecoder(columns: columns)
        let order = try decoder.order(of: table.header, in: "the CSV header")
        guard !table.rows.isEmpty else { throw BadRequest("the batch is empty: the CSV body has a header row and no rows") }
        let rows = table.rows.map { fields in order.map { InputValue(csvField: fields[$0]) } }
        return DecodedInvocation(batch: .rows(rows), droppedColumns: decoder.droppedColumns)
    }
}
