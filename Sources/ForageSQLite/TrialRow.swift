import GRDB
import GRDBSQLite

/// One row of `trials` as selected with `SQLiteExperimentStore.trialColumns`, read straight from SQLite's column
/// functions while the statement is on the row: listing a million trials spent most of its time in GRDB's generic
/// row copying and decoding, which this skips.
struct TrialRow {
    var number: Int
    var draw: Int
    var state: String?
    var params: String?
    var value: Double?
    var reason: String?
    var message: String?
    var attempt: Int?
    var retryOf: Int?
    var requeued: Bool
    var worker: String?
    var lastStep: Int?
    var startedAt: Double?
    var finishedAt: Double?
    var dataVersion: Int?

    /// Runs `sql` (which selects `trialColumns`, in that order) and reads every row it returns.
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments) throws -> [TrialRow] {
        let statement = try db.cachedStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let columns = Columns(statement.sqliteStatement)
        var rows: [TrialRow] = []
        while try cursor.next() != nil { rows.append(columns.trialRow()) }
        return rows
    }

    /// The column functions on the current row of one statement.
    private struct Columns {
        let statement: SQLiteStatement

        init(_ statement: SQLiteStatement) { self.statement = statement }

        func trialRow() -> TrialRow {
            TrialRow(
                number: int(0) ?? 0, draw: int(1) ?? 0, state: text(2), params: text(3), value: double(4), reason: text(5),
                message: text(6), attempt: int(7), retryOf: int(8), requeued: (int(9) ?? 0) != 0, worker: text(10),
                lastStep: int(11), startedAt: double(12), finishedAt: double(13), dataVersion: int(14))
        }

        private func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

        private func int(_ column: Int32) -> Int? { isNull(column) ? nil : Int(sqlite3_column_int64(statement, column)) }

        private func double(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(statement, column) }

        private func text(_ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(statement, column) else { return nil }
            let count = Int(sqlite3_column_bytes(statement, column))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
    }
}
