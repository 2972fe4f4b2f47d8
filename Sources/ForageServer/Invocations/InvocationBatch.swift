import ForageML

/// A `POST /invocations` body turned into model input: rows in the model's column order, or records by column name.
enum InvocationBatch: Equatable {
    case rows([[InputValue]])
    case records([[String: InputValue]])

    var count: Int {
        switch self {
        case .rows(let rows): return rows.count
        case .records(let records): return records.count
        }
    }
}

/// A request the service refuses with a 400, and the message naming what is wrong.
struct BadRequest: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
    init(_ message: String) { self.message = message }
}

/// Reads MLflow's request formats (DESIGN §7): `{"inputs": …}`, `{"instances": …}` (a list of rows, or of records),
/// `{"dataframe_split": {"columns": […], "data": […]}}` and `{"dataframe_records": […]}`.
enum InvocationDecoder {
    static let formats = "inputs, instances, dataframe_split or dataframe_records"

    static func decode(_ body: JSONValue, columns: [String]) throws(BadRequest) -> InvocationBatch {
        guard case .object(let fields) = body else {
            throw BadRequest("the body must be a JSON object with one of \(formats)")
        }
        guard let (key, value) = fields.first(where: { ["inputs", "instances", "dataframe_split", "dataframe_records"].contains($0.0) }) else {
            let keys = fields.map(\.0).joined(separator: ", ")
            throw BadRequest("the body has none of \(formats) (keys found: \(keys.isEmpty ? "none" : keys))")
        }
        let batch: InvocationBatch
        switch key {
        case "dataframe_split": batch = try split(value, columns: columns)
        case "dataframe_records": batch = .records(try records(value, key: key))
        default: batch = try rowsOrRecords(value, key: key)
        }
        guard batch.count > 0 else { throw BadRequest("the batch is empty: \(key) has no rows") }
        return batch
    }

    /// `[[…], …]` (rows), `[{…}, …]` (records) or `{column: [values]}` (columns).
    static func rowsOrRecords(_ value: JSONValue, key: String) throws(BadRequest) -> InvocationBatch {
        switch value {
        case .array(let items):
            if case .object = items.first { return .records(try records(value, key: key)) }
            var rows: [[InputValue]] = []
            rows.reserveCapacity(items.count)
            for (r, item) in items.enumerated() {
                guard case .array(let cells) = item else {
                    throw BadRequest("\(key) must be a list of rows (lists of values) or of records (objects); item \(r + 1) is neither")
                }
                rows.append(try row(cells, row: r + 1, columns: nil))
            }
            return .rows(rows)
        case .object(let columns):
            var length: Int?
            var lists: [(String, [JSONValue])] = []
            for (name, column) in columns {
                guard case .array(let cells) = column else { throw BadRequest("\(key).\(name) must be a list of values") }
                if let length, length != cells.count {
                    throw BadRequest("\(key): column '\(name)' has \(cells.count) values, others have \(length)")
                }
                length = cells.count
                lists.append((name, cells))
            }
            var records: [[String: InputValue]] = Array(repeating: [:], count: length ?? 0)
            for (name, cells) in lists {
                for (r, cell) in cells.enumerated() { records[r][name] = try input(cell, row: r + 1, column: name) }
            }
            return .records(records)
        default:
            throw BadRequest("\(key) must be a list of rows or an object of columns")
        }
    }

    static func records(_ value: JSONValue, key: String) throws(BadRequest) -> [[String: InputValue]] {
        guard case .array(let items) = value else { throw BadRequest("\(key) must be a list of records (objects)") }
        var records: [[String: InputValue]] = []
        records.reserveCapacity(items.count)
        for (r, item) in items.enumerated() {
            guard case .object(let fields) = item else { throw BadRequest("\(key): record \(r + 1) is not an object") }
            var record: [String: InputValue] = [:]
            for (name, cell) in fields { record[name] = try input(cell, row: r + 1, column: name) }
            records.append(record)
        }
        return records
    }

    /// `{"columns": [...], "data": [[...]]}` → rows in the model's column order.
    static func split(_ value: JSONValue, columns model: [String]) throws(BadRequest) -> InvocationBatch {
        guard case .array(let data)? = value["data"] else { throw BadRequest("dataframe_split needs \"data\": a list of rows") }
        guard case .array(let names)? = value["columns"] else {
            var rows: [[InputValue]] = []
            for (r, item) in data.enumerated() {
                guard case .array(let cells) = item else { throw BadRequest("dataframe_split.data: row \(r + 1) is not a list") }
                rows.append(try row(cells, row: r + 1, columns: nil))
            }
            return .rows(rows)
        }
        var columns: [String] = []
        for name in names {
            guard case .string(let text) = name else { throw BadRequest("dataframe_split.columns must be a list of strings") }
            columns.append(text)
        }
        if let unknown = columns.first(where: { !model.contains($0) }) {
            throw BadRequest("unknown column '\(unknown)'; the model's \(model.count) columns are \(PredictionError.summary(model))")
        }
        if let missing = model.first(where: { !columns.contains($0) }) {
            throw BadRequest("column '\(missing)' is missing; the model's \(model.count) columns are \(PredictionError.summary(model))")
        }
        let order = model.compactMap { columns.firstIndex(of: $0) }
        var rows: [[InputValue]] = []
        rows.reserveCapacity(data.count)
        for (r, item) in data.enumerated() {
            guard case .array(let cells) = item else { throw BadRequest("dataframe_split.data: row \(r + 1) is not a list") }
            guard cells.count == columns.count else {
                throw BadRequest("row \(r + 1): expected \(columns.count) values (one per column), got \(cells.count)")
            }
            let values = try row(cells, row: r + 1, columns: columns)
            rows.append(order.map { values[$0] })
        }
        return .rows(rows)
    }

    static func row(_ cells: [JSONValue], row: Int, columns: [String]?) throws(BadRequest) -> [InputValue] {
        var values: [InputValue] = []
        values.reserveCapacity(cells.count)
        for (c, cell) in cells.enumerated() {
            values.append(try input(cell, row: row, column: columns?[c] ?? "#\(c + 1)"))
        }
        return values
    }

    static func input(_ cell: JSONValue, row: Int, column: @autoclosure () -> String) throws(BadRequest) -> InputValue {
        switch cell {
        case .number(let value): return .number(value)
        case .string(let text): return .text(text)
        case .null: return .missing
        case .bool, .array, .object:
            throw BadRequest("row \(row), column '\(column())': expected a number, a string or null")
        }
    }
}
