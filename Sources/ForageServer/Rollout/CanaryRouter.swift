import Synchronization

/// Decides which requests the canary answers. A request with an `X-Request-Id` is placed by a hash of the id, so the
/// same id always gets the same side (sticky); requests without one are spread by a counter so that exactly the
/// canary's share of them (to one request) goes to the canary.
final class CanaryRouter: Sendable {
    /// The canary's share in parts per 2^32.
    private let threshold: UInt64
    private let fraction: Double
    private let counter = Atomic<UInt64>(0)

    init(fraction: Double) {
        self.fraction = fraction
        threshold = UInt64((fraction * 4_294_967_296).rounded())
    }

    /// True when this request goes to the canary.
    func toCanary(requestID: String?) -> Bool {
        guard let requestID, !requestID.isEmpty else {
            let n = counter.wrappingAdd(1, ordering: .relaxed).oldValue
            // The n-th request goes to the canary when floor((n+1)·f) passes an integer.
            return (Double(n + 1) * fraction).rounded(.down) > (Double(n) * fraction).rounded(.down)
        }
        return Self.hash(requestID) & 0xFFFF_FFFF < threshold
    }

    /// FNV-1a over the id's bytes, then a SplitMix64 finaliser (so similar ids spread evenly).
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01B3
        }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
