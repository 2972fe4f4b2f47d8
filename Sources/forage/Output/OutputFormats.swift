import ArgumentParser

/// The leaderboard's output formats (every format Forage writes).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case csv
    case json
    case markdown
    /// A self-contained HTML report.
    case html
}

/// `forage trials`: a table, CSV or JSON (`--help` lists only these).
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case csv
    case json
}

/// `forage status` and `forage models`: a table or JSON.
enum TableOrJSON: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}
