/// The GPUs command trials share (`resources:` in the spec, `forage worker --gpus`): each running trial holds a
/// slot, and each slot its GPUs, handed to the trial as `CUDA_VISIBLE_DEVICES` (with `FORAGE_SLOT`, the slot index).
///
/// `gpusPerTrial` is a whole number (each slot holds that many GPUs of its own) or a fraction `1/k` (k slots share
/// each GPU: `0.5` packs two trials per GPU). The GPUs allow `slots` trials at once, which caps the parallelism.
public struct ResourceSpec: Sendable, Equatable {
    /// Device ids as `CUDA_VISIBLE_DEVICES` takes them (`0`, `1`, or UUIDs), in the order given.
    public var gpus: [String]
    public var gpusPerTrial: Double

    public init(gpus: [String], gpusPerTrial: Double = 1) {
        self.gpus = gpus
        self.gpusPerTrial = gpusPerTrial
    }

    /// Trials per GPU when `gpusPerTrial` is a fraction `1/k`, else 1.
    var sharing: Int { gpusPerTrial < 1 ? Int((1 / gpusPerTrial).rounded()) : 1 }
    /// GPUs per slot when `gpusPerTrial` is whole, else 1.
    var perSlot: Int { gpusPerTrial >= 1 ? Int(gpusPerTrial) : 1 }

    /// How many trials the GPUs allow at once.
    public var slots: Int { gpus.count / perSlot * sharing }

    /// The GPUs slot `index` (0 ..< `slots`) holds: slots never share a GPU unless `gpusPerTrial` is a fraction, and
    /// then the `k` slots of one GPU are the consecutive indices `g·k ..< (g+1)·k`.
    public func devices(slot index: Int) -> [String] {
        guard index >= 0, index < slots else { return [] }
        let first = index / sharing * perSlot
        return Array(gpus[first..<first + perSlot])
    }

    /// Why a `gpus_per_trial` value is not allowed for `count` GPUs, or nil when it is.
    public static func problem(gpusPerTrial: Double, count: Int) -> String? {
        guard gpusPerTrial > 0, gpusPerTrial.isFinite else { return "must be more than 0" }
        if gpusPerTrial >= 1 {
            guard gpusPerTrial == gpusPerTrial.rounded() else { return "must be a whole number of GPUs, or a fraction 1/k such as 0.5 or 0.25" }
            guard Int(gpusPerTrial) <= count else { return "asks for \(Int(gpusPerTrial)) GPUs per trial, but only \(count) are listed" }
            return nil
        }
        let k = (1 / gpusPerTrial).rounded()
        guard abs(1 / k - gpusPerTrial) < 1e-9, k <= 64 else { return "must be a whole number of GPUs, or a fraction 1/k such as 0.5 or 0.25" }
        return nil
    }
}

/// The slots of a `ResourceSpec` (or plain slot numbers without one) that running trials hold.
public struct SlotPool: Sendable {
    private var free: Set<Int>
    private var next = 0
    let limit: Int?

    /// A pool of `limit` slots, or an unbounded one (slot numbers still handed out lowest first).
    public init(limit: Int?) {
        self.limit = limit
        free = []
    }

    /// The lowest free slot, or nil when all `limit` are held.
    public mutating func take() -> Int? {
        if let lowest = free.min() {
            free.remove(lowest)
            return lowest
        }
        if let limit, next >= limit { return nil }
        defer { next += 1 }
        return next
    }

    /// Whether `take` would hand out a slot.
    public var hasFree: Bool { !free.isEmpty || limit.map { next < $0 } ?? true }

    public mutating func release(_ slot: Int) {
        free.insert(slot)
    }
}
