/// What a scheduler says about a trial after an intermediate report.
public struct SchedulerDecision: Sendable, Equatable, Codable {
    /// Whether the trial goes on or stops here.
    public enum Action: String, Sendable, Codable {
        case `continue`
        case stop
    }

    public var action: Action
    /// Words for a person: "value 0.31 at step 3 is worse than the rung-1 cutoff 0.52".
    public var reason: String?
    /// The rung (ASHA / Hyperband) or nil.
    public var rung: Int?
    /// The threshold the value was compared with, when there was one.
    public var cutoff: Double?
    /// The step and value the decision was made at.
    public var step: Int
    public var value: Double

    public init(action: Action, reason: String? = nil, rung: Int? = nil, cutoff: Double? = nil, step: Int, value: Double) {
        self.action = action
        self.reason = reason
        self.rung = rung
        self.cutoff = cutoff
        self.step = step
        self.value = value
    }

    public static func proceed(step: Int, value: Double) -> SchedulerDecision {
        SchedulerDecision(action: .continue, step: step, value: value)
    }

    /// A decision worth storing: every stop, and any continue that carries a reason (a promotion, say).
    public var isNotable: Bool { action == .stop || reason != nil }
}
