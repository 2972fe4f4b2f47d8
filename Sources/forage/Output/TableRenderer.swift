/// Renders rows of cells as an aligned text table, CSV (RFC 4180 quoting) or a Markdown table.
struct TableRenderer {
    var header: [String]
    var rows: [[String]]

    /// Each column's width: its widest cell among the header and rows.
    var widths: [Int] {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        return widths
    }

    /// One aligned line (the last cell is not padded).
    static func line(_ cells: [String], widths: [Int]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 || index >= widths.count ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }

    func text() -> String {
        let widths = self.widths
        return ([header] + rows).map { Self.line($0, widths: widths) }.joined(separator: "\n")
    }

    private static func csvQuote(_ cell: String) -> String {
        guard cell.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    func csv() -> String {
        ([header] + rows).map { $0.map(Self.csvQuote).joined(separator: ",") }.joined(separator: "\n")
    }

    private static func markdownEscape(_ cell: String) -> String { cell.replacingOccurrences(of: "|", with: "\\|") }

    func markdown() -> String {
        let head = "| " + header.map(Self.markdownEscape).joined(separator: " | ") + " |"
        let rule = "|" + header.map { _ in " --- |" }.joined()
        return ([head, rule] + [markdownRows()].filter { !$0.isEmpty }).joined(separator: "\n")
    }

    /// The rows alone as Markdown table lines.
    func markdownRows() -> String {
        rows.map { "| " + $0.map(Self.markdownEscape).joined(separator: " | ") + " |" }.joined(separator: "\n")
    }
}

import Foundation

extension String {
    fileprivate func padding(toLength length: Int, withPad pad: String, startingAt: Int) -> String {
        count >= length ? self : self + String(repeating: pad, count: length - count)
    }
}

/// A table written row by row as the rows are read: CSV as is, an aligned text table with the column widths of its
/// first rows (later, wider cells push their line out rather than hold every row in memory), or Markdown.
enum StreamedTable {
    /// Rows whose widths set the text table's columns.
    static let measuredRows = 2000

    static func write<Rows: AsyncSequence>(
        _ rows: Rows, header: [String], row: (Rows.Element) -> [String], csv: Bool, markdown: Bool = false, empty: String,
        to sink: OutputSink
    ) async throws {
        if csv {
            try sink.csvLine(header)
            for try await element in rows { try sink.csvLine(row(element)) }
            return
        }
        if markdown {
            let renderer = TableRenderer(header: header, rows: [])
            try sink.line(renderer.markdown())
            for try await element in rows {
                let one = TableRenderer(header: [], rows: [row(element)])
                try sink.line(one.markdownRows())
            }
            return
        }
        var first: [[String]] = []
        var iterator = rows.makeAsyncIterator()
        while first.count < measuredRows, let element = try await iterator.next() { first.append(row(element)) }
        guard !first.isEmpty else {
            try sink.line(empty)
            return
        }
        let measured = TableRenderer(header: header, rows: first)
        try sink.line(measured.text())
        let widths = measured.widths
        while let element = try await iterator.next() {
            try sink.line(TableRenderer.line(row(element), widths: widths))
        }
    }
}
