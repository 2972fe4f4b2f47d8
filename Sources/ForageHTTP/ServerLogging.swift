import Logging
import Synchronization

/// swift-log set-up for the server: structured lines (`key=value` metadata) on stderr, so stdout stays for the
/// bound-address line and machine output.
public enum ServerLogging {
    private static let bootstrapped = Mutex(false)

    /// The server's logger (bootstraps swift-log to stderr once per process).
    public static func logger(level: Logger.Level = .info) -> Logger {
        bootstrapped.withLock { done in
            if !done {
                LoggingSystem.bootstrap { label in LazyMetadataLogHandler(StreamLogHandler.standardError(label: label)) }
                done = true
            }
        }
        var logger = Logger(label: "forage.serve")
        logger.logLevel = level
        return logger
    }
}

/// `StreamLogHandler` formats its metadata each time it changes, and Hummingbird gives every request's logger a
/// request id, so that formatting was paid on every request even when nothing was logged. This handler keeps the
/// metadata as it is and formats it only when a line is written; the lines are the same.
struct LazyMetadataLogHandler: LogHandler {
    private var base: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(_ base: StreamLogHandler) {
        self.base = base
        metadata = base.metadata
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var handler = base
        handler.metadata = metadata
        handler.log(event: event)
    }
}
