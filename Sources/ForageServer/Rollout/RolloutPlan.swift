import ForageStore

/// What `forage serve` runs beside the main model: a canary answering a share of requests, a shadow answering
/// none (it sees a copy of every request, off the response path). Both references are followed as their aliases move.
public struct RolloutPlan: Sendable, Equatable {
    /// A canary: the version it means and the share of requests it answers (0 < fraction < 1).
    public struct Canary: Sendable, Equatable {
        public var reference: ModelReference
        public var fraction: Double

        public init(reference: ModelReference, fraction: Double) {
            self.reference = reference
            self.fraction = fraction
        }

        /// Parses `NAME@ALIAS:10%` (or `NAME:VERSION:10%`, `NAME:2.5%`): a model reference, a colon, a percentage
        /// above 0 and below 100. Nil when the text is not of that shape.
        public init?(parsing text: String) {
            guard text.hasSuffix("%"), let colon = text.lastIndex(of: ":") else { return nil }
            let percent = text[text.index(after: colon)..<text.index(before: text.endIndex)]
            guard let value = Double(percent), value > 0, value < 100, let reference = ModelReference(parsing: String(text[..<colon]))
            else { return nil }
            self.init(reference: reference, fraction: value / 100)
        }
    }

    public var canary: Canary?
    public var shadow: ModelReference?

    public init(canary: Canary? = nil, shadow: ModelReference? = nil) {
        self.canary = canary
        self.shadow = shadow
    }

    /// True when there is neither a canary nor a shadow.
    public var isEmpty: Bool { canary == nil && shadow == nil }
}

/// Which part of a rollout a model plays.
public enum RolloutRole: String, Sendable, CaseIterable {
    /// The model named first on the command line: answers every request the canary does not.
    case primary
    /// Answers its share of requests.
    case canary
    /// Answers nothing; predicts a copy of every request in the background.
    case shadow
}

/// A rollout that cannot start: the canary or shadow does not fit the primary model.
public struct RolloutError: Error, CustomStringConvertible, Sendable {
    public let description: String

    /// Refuses a canary or shadow whose task differs from the primary's: their answers could not be compared.
    static func check(_ role: RolloutRole, _ other: ServedModel?, against primary: ServedModel) throws(RolloutError) {
        guard let other else { return }
        let a = primary.snapshot, b = other.snapshot
        let taskA = a.model.file.header.task, taskB = b.model.file.header.task
        guard taskA == taskB else {
            throw RolloutError(
                description: "the \(role.rawValue) \(b.version.model):\(b.version.version) is a \(taskB.rawValue) model but "
                    + "\(a.version.model):\(a.version.version) is a \(taskA.rawValue) model; their answers cannot be compared")
        }
    }
}
