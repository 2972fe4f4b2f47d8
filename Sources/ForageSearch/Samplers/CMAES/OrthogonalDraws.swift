import ForageCore

/// Orthogonal sampling for CMA-ES (Wang, Emmerich & Bäck, "Mirrored orthogonal sampling with pairwise selection in
/// evolution strategies", SAC 2014, without the mirroring): the standard normal vectors of one generation are drawn
/// in blocks of `n` mutually orthogonal directions, each scaled by the norm of an independent standard normal vector.
/// Every vector is still exactly `N(0, I)` on its own (a uniform direction times a chi-distributed length), so the
/// step-size and covariance updates see the distribution they assume; only the population covers the space more
/// evenly than independent draws do, which lowers the noise of the mean and covariance updates.
enum OrthogonalDraws {
    /// The vector for position `slot` of the generation that `key` names (run and generation), for `seed`. Slots
    /// `0..<n` form the first orthogonal block, `n..<2n` the next, and so on; a slot's vector does not depend on how
    /// many others are drawn, so each trial can compute its own.
    static func vector(slot: Int, dimensions n: Int, seed: UInt64, key: UInt64) -> [Double] {
        let block = UInt64(slot / n)
        let position = slot % n
        var directions = SplitMix64(seed: seed ^ 0x5851_F42D_4C95_7F2D, stream: key &* 0x1_0000 &+ block)
        var basis: [[Double]] = []
        basis.reserveCapacity(position + 1)
        for _ in 0...position {
            let raw = (0..<n).map { _ in directions.nextGaussian() }
            var v = raw
            for b in basis {
                var dot = 0.0
                for i in 0..<n { dot += v[i] * b[i] }
                for i in 0..<n { v[i] -= dot * b[i] }
            }
            var norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if !(norm > 1e-12) {
                // Numerically in the span of the others: fall back to the raw direction.
                v = raw
                norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-300)
            }
            basis.append(v.map { $0 / norm })
        }
        var lengths = SplitMix64(seed: seed ^ 0x2545_F491_4F6C_DD1D, stream: (key &* 0x1_0000 &+ block) &* 0x1_0000 &+ UInt64(position))
        let length = (0..<n).reduce(0.0) { sum, _ in
            let g = lengths.nextGaussian()
            return sum + g * g
        }.squareRoot()
        return basis[position].map { $0 * length }
    }
}
