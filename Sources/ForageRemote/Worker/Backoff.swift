import Foundation

/// Exponential backoff with jitter: 0.1 s, 0.2 s, 0.4 s … up to `limit`.
struct Backoff {
    var limit: Double
    private(set) var attempts = 0

    init(limit: Double) {
        self.limit = limit
    }

    mutating func next() -> Double {
        defer { attempts += 1 }
        let base = min(limit, 0.1 * pow(2, Double(min(attempts, 16))))
        return base * Double.random(in: 0.75...1.25)
    }

    mutating func reset() {
        attempts = 0
    }
}
