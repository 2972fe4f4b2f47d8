/// Drift offline (`forage drift`): the rows of a CSV file replayed through a model into a window, as a server
/// would see them, and the window's report.
public enum DriftReplay {
    /// The model file has no training distribution to compare with.
    public struct NoProfile: Error, CustomStringConvertible, Sendable {
        public var description: String {
            "the model file has no training distribution (it was written before drift profiles); retrain it to monitor drift"
        }
    }

    /// Predicts every row of the CSV at `path` (columns by the model's input names, as `forage predict` reads
    /// them) and reports the last `window` rows' drift.
    public static func report(model: Model, csvAt path: String, window: Int, threshold: Double, minimumRows: Int) throws -> DriftReport {
        guard let profile = model.file.header.drift else { throw NoProfile() }
        let predictions = try model.predict(csvAt: path)
        let table = try CSVTable.read(path: path).table
        let indices = model.inputColumns.compactMap { table.header.firstIndex(of: $0) }
        var drift = DriftWindow(profile: profile, capacity: window)
        drift.add(rows: table.rows.map { row in indices.map { InputValue(csvField: row[$0]) } }, predictions: predictions)
        return drift.report(threshold: threshold, minimumRows: minimumRows)
    }
}
