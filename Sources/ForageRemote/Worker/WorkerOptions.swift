import ForageCore
import Foundation

/// How a `forage worker` runs.
public struct WorkerOptions: Sendable {
    /// `http://HOST:PORT` of the coordinator.
    public var coordinator: String
    public var token: String
    /// The name stored with every trial this worker runs.
    public var name: String
    /// Trials run at once.
    public var parallel: Int
    /// This machine's GPUs (`--gpus`): each slot's trial gets its own in `CUDA_VISIBLE_DEVICES`; `parallel` is
    /// capped by what they allow.
    public var gpus: ResourceSpec? {
        didSet { if let gpus { parallel = min(parallel, gpus.slots) } }
    }
    /// The folder that stands for the coordinator's working folder: the spec's relative paths resolve under it.
    public var directory: URL
    /// Where trial folders (artifacts, logs) go: `<workDirectory>/trials/<experiment>/<number>/`.
    public var workDirectory: URL
    /// The command that supervises child processes (`forage-supervise`), or nil.
    public var supervisor: [String]?
    /// The private CA an `https://` coordinator's certificate is verified against (nil: the system's roots).
    public var caFile: String?
    /// The longest pause between retries while the coordinator is unreachable.
    public var maxBackoff: Double = 5
    /// Where progress lines go (one per finished attempt and per notable event).
    public var log: @Sendable (String) -> Void

    public init(
        coordinator: String, token: String, name: String, parallel: Int, directory: URL, workDirectory: URL, supervisor: [String]?,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.coordinator = coordinator
        self.token = token
        self.name = name
        self.parallel = parallel
        self.directory = directory
        self.workDirectory = workDirectory
        self.supervisor = supervisor
        self.log = log
    }

    /// `HOST-PID`: unique among the workers of one machine.
    public static var defaultName: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// What a worker did before it stopped.
public struct WorkerSummary: Sendable {
    public var completed = 0
    public var pruned = 0
    public var failed = 0
    /// Attempts dropped because their lease was no longer held (expired, or the coordinator restarted).
    public var dropped = 0
    /// Why the worker stopped.
    public var reason = ""
}
