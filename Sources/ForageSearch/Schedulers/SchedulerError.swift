/// The error raised when a scheduler's options are inconsistent (say, `min` not below `max`).
public struct SchedulerError: Error, CustomStringConvertible {
    public var description: String
    /// The option the error is about, when there is one (the spec parser points at that key).
    public var key: String?

    public init(_ description: String, key: String? = nil) {
        self.description = description
        self.key = key
    }
}
