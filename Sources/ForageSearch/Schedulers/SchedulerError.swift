/// The error raised when a scheduler's options are inconsistent (say, `min` not below `max`).
public struct SchedulerError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
