/// How raw input columns become the model's standardised feature vector: numeric columns (with an optional imputed
/// value for missing cells), categorical columns one-hot encoded with the categories seen in the training rows (an
/// unseen or missing category encodes as all zeros), then `(x - mean) / scale` per feature. Fitted on training rows
/// only; stored in the model file so prediction repeats exactly the same steps.
public struct FeatureEncoder: Sendable, Codable, Equatable {
    /// One input column and how it is encoded.
    public enum Column: Sendable, Codable, Equatable {
        /// A number; `imputed` replaces a missing cell (nil: a missing cell is an error).
        case numeric(name: String, imputed: Double?)
        /// A category, one feature per known category, in this order.
        case categorical(name: String, categories: [String])

        /// The column's name in the input.
        public var name: String {
            switch self {
            case .numeric(let name, _), .categorical(let name, _): return name
            }
        }

        /// Number of features this column becomes.
        public var width: Int {
            switch self {
            case .numeric: return 1
            case .categorical(_, let categories): return categories.count
            }
        }
    }

    /// The input columns, in the order rows given as arrays must follow.
    public let columns: [Column]
    /// Per output feature: the training mean subtracted.
    public let means: [Double]
    /// Per output feature: the training standard deviation divided by (1 for constant and one-hot features).
    public let scales: [Double]

    /// True for a tree model trained with `data.missing: native`: a missing numeric cell encodes as NaN (the trees
    /// know where to send it) instead of the imputed value. Absent from older model files (false).
    public let keepsMissing: Bool

    /// Creates an encoder; `means` and `scales` must have one entry per output feature.
    public init(columns: [Column], means: [Double], scales: [Double], keepsMissing: Bool = false) {
        self.columns = columns
        self.means = means
        self.scales = scales
        self.keepsMissing = keepsMissing
    }

    /// The same encoder with `keepsMissing` set.
    public func keepingMissing(_ keep: Bool = true) -> FeatureEncoder {
        FeatureEncoder(columns: columns, means: means, scales: scales, keepsMissing: keep)
    }

    private enum CodingKeys: String, CodingKey {
        case columns, means, scales, keepsMissing
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        columns = try container.decode([Column].self, forKey: .columns)
        means = try container.decode([Double].self, forKey: .means)
        scales = try container.decode([Double].self, forKey: .scales)
        keepsMissing = try container.decodeIfPresent(Bool.self, forKey: .keepsMissing) ?? false
    }

    /// Writes `keepsMissing` only when set, so files without it stay as version 1 wrote them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(columns, forKey: .columns)
        try container.encode(means, forKey: .means)
        try container.encode(scales, forKey: .scales)
        if keepsMissing { try container.encode(keepsMissing, forKey: .keepsMissing) }
    }

    /// The input column names, in order.
    public var inputColumnNames: [String] { columns.map(\.name) }

    /// The names of the encoded features (`color=red` for one-hot features).
    public var featureNames: [String] {
        columns.flatMap { column -> [String] in
            switch column {
            case .numeric(let name, _): return [name]
            case .categorical(let name, let categories): return categories.map { "\(name)=\($0)" }
            }
        }
    }

    /// Number of encoded features.
    public var featureCount: Int { columns.reduce(0) { $0 + $1.width } }

    /// Encodes one row of input values (one per input column, in `columns` order) into `output[offset...]`,
    /// standardised. `row` is the 1-based row number used in errors and in `unseen`, which gets the row's categories
    /// that training never saw.
    func encode(
        _ values: [InputValue], row: Int, into output: UnsafeMutableBufferPointer<Double>, at offset: Int, unseen: inout [UnseenCategory]
    ) throws(PredictionError) {
        guard values.count == columns.count else {
            throw .wrongFeatureCount(row: row, expected: columns.count, found: values.count, columns: inputColumnNames)
        }
        var position = offset
        for (column, value) in zip(columns, values) {
            switch column {
            case .numeric(let name, let imputed):
                if keepsMissing, value.isMissingNumber {
                    output[position] = .nan
                    position += 1
                    continue
                }
                var number: Double
                switch value {
                case .number(let x): number = x
                case .text(let text):
                    if MissingMarker.isMissing(text) {
                        guard let imputed else { throw .missingValue(row: row, column: name) }
                        number = imputed
                    } else if let x = Double(text) {
                        number = x
                    } else {
                        throw .notANumber(row: row, column: name, value: text)
                    }
                case .missing:
                    guard let imputed else { throw .missingValue(row: row, column: name) }
                    number = imputed
                }
                if number.isNaN {
                    guard let imputed else { throw .missingValue(row: row, column: name) }
                    number = imputed
                }
                guard number.isFinite else { throw .notANumber(row: row, column: name, value: String(number)) }
                output[position] = (number - means[position - offset]) / scales[position - offset]
                position += 1
            case .categorical(let column, let categories):
                let name = value.categoryName
                var known = false
                for (k, category) in categories.enumerated() {
                    let match = name == category
                    known = known || match
                    output[position + k] = ((match ? 1 : 0) - means[position - offset + k]) / scales[position - offset + k]
                }
                if !known, let name { unseen.append(UnseenCategory(row: row, column: column, value: name)) }
                position += categories.count
            }
        }
    }

    /// Encodes a batch of rows into an `n × featureCount` matrix. `firstRow` numbers the rows in errors.
    public func encode(rows: [[InputValue]], firstRow: Int = 1) throws(PredictionError) -> Matrix<Double> {
        try encodeNoting(rows: rows, firstRow: firstRow).features
    }

    /// Encodes a batch of rows, with the categories in them that training never saw.
    public func encodeNoting(rows: [[InputValue]], firstRow: Int = 1) throws(PredictionError)
        -> (features: Matrix<Double>, unseen: [UnseenCategory])
    {
        var matrix = Matrix<Double>(rows: rows.count, columns: featureCount)
        let width = featureCount
        var failure: PredictionError?
        var unseen: [UnseenCategory] = []
        matrix.storage.withUnsafeMutableBufferPointer { buffer in
            for (i, values) in rows.enumerated() {
                do throws(PredictionError) {
                    try encode(values, row: firstRow + i, into: buffer, at: i * width, unseen: &unseen)
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        return (matrix, unseen)
    }

    /// Encodes rows given as `[column name: value]`: every input column must be present; unknown names are errors.
    public func encode(records: [[String: InputValue]], firstRow: Int = 1) throws(PredictionError) -> Matrix<Double> {
        try encodeNoting(records: records, firstRow: firstRow).features
    }

    /// Encodes rows given as `[column name: value]` (as `encode(records:)`), with the categories training never saw.
    public func encodeNoting(records: [[String: InputValue]], firstRow: Int = 1) throws(PredictionError)
        -> (features: Matrix<Double>, unseen: [UnseenCategory])
    {
        let known = Set(inputColumnNames)
        var rows: [[InputValue]] = []
        rows.reserveCapacity(records.count)
        for (i, record) in records.enumerated() {
            if let unknown = record.keys.sorted().first(where: { !known.contains($0) }) {
                throw .unknownColumn(row: firstRow + i, column: unknown, expected: inputColumnNames)
            }
            var values: [InputValue] = []
            values.reserveCapacity(columns.count)
            for name in inputColumnNames {
                guard let value = record[name] else {
                    throw .missingColumn(row: firstRow + i, column: name, expected: inputColumnNames)
                }
                values.append(value)
            }
            rows.append(values)
        }
        return try encodeNoting(rows: rows, firstRow: firstRow)
    }
}
