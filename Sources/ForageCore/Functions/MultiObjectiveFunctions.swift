import Foundation

/// The multi-objective test problems behind `zdt1`, `zdt2` and `dtlz2` (Zitzler–Deb–Thiele 2000; Deb–Thiele–
/// Laumanns–Zitzler 2002), every objective minimised.
public enum MultiObjectiveFunctions {
    /// ZDT1 (convex front) or ZDT2 (`concave`) at `x` in [0, 1]^n: `[f1, f2]`.
    public static func zdt(_ x: [Double], concave: Bool) -> [Double] {
        let f1 = x[0]
        let rest = x.dropFirst()
        let g = 1 + 9 * rest.reduce(0, +) / Double(max(rest.count, 1))
        let ratio = f1 / g
        let h = concave ? 1 - ratio * ratio : 1 - ratio.squareRoot()
        return [f1, g * h]
    }

    /// DTLZ2 with `objectives` objectives at `x` in [0, 1]^n (n ≥ objectives).
    public static func dtlz2(_ x: [Double], objectives m: Int) -> [Double] {
        let g = x[(m - 1)...].reduce(0) { $0 + ($1 - 0.5) * ($1 - 0.5) }
        var f = [Double](repeating: 1 + g, count: m)
        for i in 0..<m {
            for j in 0..<(m - 1 - i) { f[i] *= cos(x[j] * Double.pi / 2) }
            if i > 0 { f[i] *= sin(x[m - 1 - i] * Double.pi / 2) }
        }
        return f
    }
}
