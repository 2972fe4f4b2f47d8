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
                LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
                done = true
            }
        }
        var logger = Logger(label: "forage.serve")
        logger.logLevel = level
        return logger
    }
}
