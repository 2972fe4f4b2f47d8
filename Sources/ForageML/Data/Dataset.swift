import ForageCore
import Foundation

/// Loads a CSV dataset for model trials and prepares it (`PreparedData`): target by name, numeric and categorical
/// features, missing values per `DataSpec.missing`, one seeded (stratified) split, encoding and standardisation
/// fitted on the training rows.
public enum Dataset {
    /// Reads `spec.path` and prepares it.
    public static func load(_ spec: DataSpec) throws -> PreparedData {
        let (table, bytes) = try CSVTable.read(path: spec.path, delimiter: spec.delimiter)
        return try prepare(table: table, sha256: SHA256Hex.of(bytes), spec: spec)
    }

    /// Prepares an already parsed table (`sha256` is recorded as given).
    public static func prepare(table: CSVTable, sha256: String, spec: DataSpec) throws -> PreparedData {
        let path = table.path
        guard let targetIndex = table.header.firstIndex(of: spec.target) else {
            if let likely = table.likelyDelimiter {
                throw DatasetError.oneColumn(path: path, header: table.header[0], likelyDelimiter: likely)
            }
            throw DatasetError.missingTarget(path: path, target: spec.target, available: table.header)
        }
        for name in spec.categorical where !table.header.contains(name) || name == spec.target {
            throw DatasetError.unknownColumn(path: path, column: name, available: table.header.filter { $0 != spec.target })
        }
        guard !table.rows.isEmpty else { throw DatasetError.empty(path: path) }
        let categorical = Set(spec.categorical)
        let featureIndices = table.header.indices.filter { $0 != targetIndex }

        // Pass 1: which rows are kept, and the cells as numbers / categories. Columns are kept by their position
        // among the features, in arrays (per-cell dictionary look-ups made reading 75 000 rows take seconds).
        let isCategorical = featureIndices.map { categorical.contains(table.header[$0]) }
        var numericColumns = [[Double]](repeating: [], count: featureIndices.count)
        var categoryColumns = [[String?]](repeating: [], count: featureIndices.count)
        var parsed = [Double](repeating: 0, count: featureIndices.count)
        var targetText: [String] = []
        var rowNumbers: [Int] = []
        rowLoop: for (row, number) in zip(table.rows, table.rowNumbers) {
            if MissingMarker.isMissing(row[targetIndex]) {
                if spec.missing == .error { throw DatasetError.missingValue(path: path, row: number, column: spec.target) }
                continue rowLoop
            }
            for (k, index) in featureIndices.enumerated() {
                let cell = row[index]
                let missing = MissingMarker.isMissing(cell)
                if missing {
                    switch spec.missing {
                    case .error: throw DatasetError.missingValue(path: path, row: number, column: table.header[index])
                    case .drop: continue rowLoop
                    case .mean, .median, .native: break
                    }
                }
                if !isCategorical[k] {
                    if missing {
                        parsed[k] = .nan
                    } else if let value = Double(cell), value.isFinite {
                        parsed[k] = value
                    } else {
                        throw DatasetError.notANumber(path: path, row: number, column: table.header[index], value: cell)
                    }
                }
            }
            for (k, index) in featureIndices.enumerated() {
                if isCategorical[k] {
                    let cell = row[index]
                    categoryColumns[k].append(MissingMarker.isMissing(cell) ? nil : CanonicalLabel.canonical(cell))
                } else {
                    numericColumns[k].append(parsed[k])
                }
            }
            if spec.task == .regression, Double(row[targetIndex]) == nil {
                throw DatasetError.notANumber(path: path, row: number, column: spec.target, value: row[targetIndex])
            }
            targetText.append(row[targetIndex])
            rowNumbers.append(number)
        }
        guard !rowNumbers.isEmpty else { throw DatasetError.empty(path: path) }

        let columns: [RawColumn] = featureIndices.enumerated().map { k, index in
            isCategorical[k]
                ? .categorical(name: table.header[index], values: categoryColumns[k])
                : .numeric(name: table.header[index], values: numericColumns[k])
        }
        return try assemble(
            RawData(
                path: path, sha256: sha256, rowCount: table.rows.count, columnCount: table.header.count, columns: columns,
                targets: targetText, rowNumbers: rowNumbers),
            spec: spec)
    }

    /// Prepares in-memory numeric data (benchmarks, tests). `targets` are class labels (classification) or numbers
    /// written as text (regression).
    public static func prepare(
        features: Matrix<Double>, featureNames: [String], targets: [String], spec: DataSpec, description: String = "<memory>"
    ) throws -> PreparedData {
        guard features.rows == targets.count, featureNames.count == features.columns, features.rows > 0 else {
            throw DatasetError.badSplit(path: description, reason: "features, names and targets do not match")
        }
        let transposed = features.transposed
        let columns: [RawColumn] = featureNames.enumerated().map { j, name in
            .numeric(name: name, values: transposed.row(j))
        }
        return try assemble(
            RawData(
                path: description, sha256: "", rowCount: features.rows, columnCount: features.columns + 1, columns: columns,
                targets: targets, rowNumbers: Array(2..<(features.rows + 2))),
            spec: spec)
    }

    enum RawColumn {
        case numeric(name: String, values: [Double])  // NaN = missing
        case categorical(name: String, values: [String?])

    }

    struct RawData {
        var path: String
        var sha256: String
        var rowCount: Int
        var columnCount: Int
        var columns: [RawColumn]
        var targets: [String]
        var rowNumbers: [Int]
    }

    static func assemble(_ raw: RawData, spec: DataSpec) throws -> PreparedData {
        let n = raw.rowNumbers.count
        var classLabels: [String] = []
        var classes: [Int] = []
        var targetValues: [Double] = []
        switch spec.task {
        case .classification:
            let names = raw.targets.map(CanonicalLabel.canonical)
            classLabels = CanonicalLabel.sorted(Set(names))
            guard classLabels.count >= 2 else { throw DatasetError.tooFewClasses(path: raw.path, found: classLabels.count) }
            let lookup = Dictionary(uniqueKeysWithValues: classLabels.enumerated().map { ($1, $0) })
            classes = names.map { lookup[$0] ?? 0 }
            targetValues = classes.map(Double.init)
        case .regression:
            for (text, number) in zip(raw.targets, raw.rowNumbers) {
                guard let value = Double(text), value.isFinite else {
                    throw DatasetError.notANumber(path: raw.path, row: number, column: spec.target, value: text)
                }
                targetValues.append(value)
            }
        }
        let parts = try Splitter.split(
            count: n, classes: spec.task == .classification ? classes : nil, validation: spec.validation, test: spec.test,
            seed: spec.seed, path: raw.path)

        // Encoding fitted on the training rows.
        var encoderColumns: [FeatureEncoder.Column] = []
        for column in raw.columns {
            switch column {
            case .numeric(let name, let values):
                let trainValues = parts.train.map { values[$0] }.filter { !$0.isNaN }
                var imputed: Double?
                if spec.missing == .mean || spec.missing == .median || spec.missing == .native {
                    imputed = spec.missing == .mean ? mean(trainValues) : median(trainValues)
                }
                encoderColumns.append(.numeric(name: name, imputed: imputed))
            case .categorical(let name, let values):
                let seen = Set(parts.train.compactMap { values[$0] })
                encoderColumns.append(.categorical(name: name, categories: CanonicalLabel.sorted(seen)))
            }
        }
        let width = encoderColumns.reduce(0) { $0 + $1.width }
        let unscaled = FeatureEncoder(
            columns: encoderColumns, means: Array(repeating: 0, count: width), scales: Array(repeating: 1, count: width))
        let inputs: [[InputValue]] = (0..<n).map { i in
            raw.columns.map { column -> InputValue in
                switch column {
                case .numeric(_, let values): return values[i].isNaN ? .missing : .number(values[i])
                case .categorical(_, let values): return values[i].map { .text($0) } ?? .missing
                }
            }
        }
        let all: Matrix<Double>
        do {
            all = try unscaled.encode(rows: inputs)
        } catch {
            throw DatasetError.badSplit(path: raw.path, reason: error.description)
        }
        // Standardise numeric features with training statistics; one-hot features stay 0/1.
        var means = Array(repeating: 0.0, count: width)
        var scales = Array(repeating: 1.0, count: width)
        var position = 0
        for column in encoderColumns {
            if case .numeric = column {
                let values = parts.train.map { all[$0, position] }
                let mu = mean(values)
                let variance = values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(max(values.count, 1))
                means[position] = mu
                scales[position] = variance > 1e-24 ? variance.squareRoot() : 1
            }
            position += column.width
        }
        let encoder = FeatureEncoder(columns: encoderColumns, means: means, scales: scales)
        var scaled = all
        for r in 0..<n {
            for c in 0..<width { scaled[r, c] = (all[r, c] - means[c]) / scales[c] }
        }
        // `missing: native`: the tree families see missing numeric cells as NaN (the others see the imputed mean).
        var withMissing: Matrix<Double>?
        if spec.missing == .native {
            var marked = scaled
            var anyMissing = false
            position = 0
            for (column, encoded) in zip(raw.columns, encoderColumns) {
                if case .numeric(_, let values) = column {
                    for r in 0..<n where values[r].isNaN {
                        marked[r, position] = .nan
                        anyMissing = true
                    }
                }
                position += encoded.width
            }
            if anyMissing { withMissing = marked }
        }
        func part(_ indices: [Int]) -> DataSplit {
            let features = scaled.selectingRows(indices)
            return DataSplit(
                features: features, treeFeatures: withMissing.map { $0.selectingRows(indices) } ?? features,
                targets: indices.map { targetValues[$0] }, classes: spec.task == .classification ? indices.map { classes[$0] } : [],
                rowNumbers: indices.map { raw.rowNumbers[$0] })
        }
        return PreparedData(
            path: raw.path, sha256: raw.sha256, rowCount: raw.rowCount, columnCount: raw.columnCount, usedRowCount: n,
            task: spec.task, target: spec.target, encoder: encoder, classLabels: classLabels, train: part(parts.train),
            validation: part(parts.validation), test: part(parts.test), spec: spec)
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
