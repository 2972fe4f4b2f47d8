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

/// A decoded request: the batch, holding only the model's columns, and the columns it named that the model does not
/// use (dropped, as MLflow drops them; the response's `X-Forage-Dropped-Columns` header counts them).
struct DecodedInvocation: Equatable {
    var batch: InvocationBatch
    /// Sorted, each name once.
    var droppedColumns: [String] = []
}

/// A request the service refuses with a 400, and the message naming what is wrong.
struct BadRequest: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
    init(_ message: String) { self.message = message }
}

/// Reads MLflow's request formats (DESIGN §7): `{"inputs": …}`, `{"instances": …}` (a list of rows, of records, or
/// of values for a one-column model; or an object of columns), `{"dataframe_split": {"columns": […], "data": […]}}`
/// and `{"dataframe_records": […]}`. Columns the model does not use are dropped; a value that cannot be an input is
/// reported under its column's name.
struct InvocationDecoder {
    static let formatKeys = ["inputs", "instances", "dataframe_split", "dataframe_records"]
    static let formats = "inputs, instances, dataframe_split or dataframe_records"

    /// The model's input columns, in order.
    let columns: [String]
    private let known: Set<String>
    private var dropped: Set<String> = []

    /// The columns dropped so far, sorted.
    var droppedColumns: [String] { dropped.sorted() }

    init(columns: [String]) {
        self.columns = columns
        known = Set(columns)
    }

    /// Decodes a whole body for a model with these input columns.
    static func decode(_ body: JSONValue, columns: [String]) throws(BadRequest) -> DecodedInvocation {
        var decoder = InvocationDecoder(columns: columns)
        let batch = try decoder.decode(body)
        return DecodedInvocation(batch: batch, droppedColumns: decoder.droppedColumns)
    }

    private mutating func decode(_ body: JSONValue) throws(BadRequest) -> InvocationBatch {
        guard case .object(let fields) = body else {
            throw BadRequest("the body must be a JSON object with one of \(Self.formats)")
        }
        let present = fields.filter { Self.formatKeys.contains($0.0) }
        guard let (key, value) = present.first else {
            let keys = fields.map(\.0).joined(separator: ", ")
            throw BadRequest("the body has none of \(Self.formats) (keys found: \(keys.isEmpty ? "none" : keys))")
        }
        guard present.count == 1 else {
            throw BadRequest("the body has \(Self.list(present.map { "'\($0.0)'" })): send exactly one of \(Self.formats)")
        }
        let batch: InvocationBatch
        switch key {
        case "dataframe_split": batch = try split(value)
        case "dataframe_records": batch = .records(try records(value, key: key))
        default: batch = try rowsOrRecords(value, key: key)
        }
        guard batch.count > 0 else { throw BadRequest("the batch is empty: \(key) has no rows") }
        return batch
    }

    /// `[[…], …]` (rows), `[{…}, …]` (records), `[v, …]` (values of a one-column model) or `{column: [values]}`.
    private mutating func rowsOrRecords(_ value: JSONValue, key: String) throws(BadRequest) -> InvocationBatch {
        switch value {
        case .array(let items):
            if case .object = items.first { return .records(try records(value, key: key)) }
            var rows: [[InputValue]] = []
            rows.reserveCapacity(items.count)
            for (r, item) in items.enumerated() {
                switch item {
                case .array(let cells):
                    rows.append(try row(cells, row: r + 1))
                case .object:
                    throw BadRequest("\(key): item \(r + 1) is a record but item 1 is a row; send all rows or all records")
                case .number, .string, .null, .bool:
                    // A list of values is a list of one-value rows, for a model with one input column.
                    guard columns.count == 1 else {
                        throw BadRequest("\(key) must be a list of rows (lists of values) or of records (objects); item \(r + 1) is neither")
                    }
                    rows.append([try Self.input(item, row: r + 1, column: columns[0])])
                }
            }
            return .rows(rows)
        case .object(let fields):
            var length: Int?
            var lists: [(String, [JSONValue])] = []
            for (name, column) in fields {
                guard known.contains(name) else {
                    dropped.insert(name)
                    continue
                }
                guard case .array(let cells) = column else { throw BadRequest("\(key).\(name) must be a list of values") }
                if let length, length != cells.count {
                    throw BadRequest("\(key): column '\(name)' has \(cells.count) values, others have \(length)")
                }
                length = cells.count
                lists.append((name, cells))
            }
            var records: [[String: InputValue]] = Array(repeating: [:], count: length ?? 0)
            for (name, cells) in lists {
                for (r, cell) in cells.enumerated() { records[r][name] = try Self.input(cell, row: r + 1, column: name) }
            }
            return .records(records)
        default:
            throw BadRequest("\(key) must be a list of rows or an object of columns")
        }
    }

    private mutating func records(_ value: JSONValue, key: String) throws(BadRequest) -> [[String: InputValue]] {
        guard case .array(let items) = value else { throw BadRequest("\(key) must be a list of records (objects)") }
        var records: [[String: InputValue]] = []
        records.reserveCapacity(items.count)
        for (r, item) in items.enumerated() {
            guard case .object(let fields) = item else { throw BadRequest("\(key): record \(r + 1) is not an object") }
            var record: [String: InputValue] = [:]
            record.reserveCapacity(columns.count)
            for (name, cell) in fields {
                guard known.contains(name) else {
                    dropped.insert(name)
                    continue
                }
                record[name] = try Self.input(cell, row: r + 1, column: name)
            }
            records.append(record)
        }
        return records
    }

    /// `{"columns": [...], "data": [[...]]}` → rows in the model's column order (without `columns`, the rows are
    /// in the model's order already).
    private mutating func split(_ value: JSONValue) throws(BadRequest) -> InvocationBatch {
        guard case .array(let data)? = value["data"] else { throw BadRequest("dataframe_split needs \"data\": a list of rows") }
        guard case .array(let names)? = value["columns"] else {
            var rows: [[InputValue]] = []
            rows.reserveCapacity(data.count)
            for (r, item) in data.enumerated() {
                guard case .array(let cells) = item else { throw BadRequest("dataframe_split.data: row \(r + 1) is not a list") }
                rows.append(try row(cells, row: r + 1))
            }
            return .rows(rows)
        }
        var given: [String] = []
        for name in names {
            guard case .string(let text) = name else { throw BadRequest("dataframe_split.columns must be a list of strings") }
            given.append(text)
        }
        let order = try order(of: given, in: "dataframe_split.columns")
        var rows: [[InputValue]] = []
        rows.reserveCapacity(data.count)
        for (r, item) in data.enumerated() {
            guard case .array(let cells) = item else { throw BadRequest("dataframe_split.data: row \(r + 1) is not a list") }
            guard cells.count == given.count else {
                throw BadRequest("row \(r + 1): expected \(given.count) values (one per column), got \(cells.count)")
            }
            var values: [InputValue] = []
            values.reserveCapacity(order.count)
            for (c, index) in order.enumerated() { values.append(try Self.input(cells[index], row: r + 1, column: columns[c])) }
            rows.append(values)
        }
        return .rows(rows)
    }

    /// Where each of the model's columns is among `given` (a request's column names): a name given twice or a
    /// model column not given is refused; names the model does not use are dropped.
    mutating func order(of given: [String], in place: String) throws(BadRequest) -> [Int] {
        var index: [String: Int] = [:]
        for (position, name) in given.enumerated() {
            guard index.updateValue(position, forKey: name) == nil else { throw BadRequest("column '\(name)' appears twice in \(place)") }
            if !known.contains(name) { dropped.insert(name) }
        }
        return try columns.map { name throws(BadRequest) in
            guard let position = index[name] else {
                throw BadRequest("column '\(name)' is missing from \(place); the model's \(columns.count) columns are \(PredictionError.summary(columns))")
            }
            return position
        }
    }

    /// A positional row: one value per model column, in the model's order.
    private func row(_ cells: [JSONValue], row: Int) throws(BadRequest) -> [InputValue] {
        guard cells.count == columns.count else {
            throw BadRequest(PredictionError.wrongFeatureCount(row: row, expected: columns.count, found: cells.count, columns: columns).description)
        }
        var values: [InputValue] = []
        values.reserveCapacity(cells.count)
        for (c, cell) in cells.enumerated() { values.append(try Self.input(cell, row: row, column: columns[c])) }
        return values
    }

    static func input(_ cell: JSONValue, row: Int, column: String) throws(BadRequest) -> InputValue {
        switch cell {
        case .number(let value): return .number(value)
        case .string(let text): return .text(text)
        case .null: return .missing
        case .bool(let flag): throw BadRequest("row \(row), column '\(column)': expected a number, a string or null, got \(flag)")
        case .array: throw BadRequest("row \(row), column '\(column)': expected a number, a string or null, got a list")
        case .object: throw BadRequest("row \(row), column '\(column)': expected a number, a string or null, got an object")
        }
    }

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String]) -> String {
        guard let last = items.last, items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }
}
