import Foundation
import ForageCore

/// The training distribution a model was fitted on, stored in its file (optional section `drift` of the header;
/// files without it still load): per raw input column, quantile bins (numeric) or category frequencies
/// (categorical), and the same for the model's predictions on its training rows. Live data is compared with it
/// by the population stability index (`DriftWindow`).
public struct DriftProfile: Sendable, Codable, Equatable {
    /// One distribution as bins and the share of training rows in each; the last bin holds missing (and, for a
    /// categorical column, unseen) values.
    public struct Bins: Sendable, Codable, Equatable {
        /// The raw column's name (`prediction` for the predictions).
        public var name: String
        /// Numeric: ascending upper bounds; bin i holds `edges[i-1] < x <= edges[i]`, bin `edges.count` holds
        /// `x > edges.last`. Nil for a categorical distribution.
        public var edges: [Double]?
        /// Categorical: the categories (or class labels), one bin each. Nil for a numeric distribution.
        public var categories: [String]?
        /// Share of training rows per bin (numeric: edges.count + 2 bins, categorical: categories.count + 1).
        public var fractions: [Double]

        /// Number of bins, the missing bin included.
        public var binCount: Int { fractions.count }
        /// The bin of missing values.
        public var missingBin: Int { fractions.count - 1 }

        /// The bin of a number.
        public func bin(_ x: Double) -> Int {
            guard let edges else { return categories.map { $0.firstIndex(of: CanonicalLabel.name(for: x)) ?? $0.count } ?? 0 }
            guard !x.isNaN else { return missingBin }
            var low = 0, high = edges.count
            while low < high {
                let middle = (low + high) / 2
                if x <= edges[middle] { high = middle } else { low = middle + 1 }
            }
            return low
        }

        /// The bin of a raw input value (text that is a number counts as that number for a numeric column).
        public func bin(_ value: InputValue) -> Int {
            switch value {
            case .missing: return missingBin
            case .number(let x): return bin(x)
            case .text(let text):
                if MissingMarker.isMissing(text) { return missingBin }
                if edges != nil { return Double(text).map(bin) ?? missingBin }
                let name = CanonicalLabel.canonical(text)
                return categories?.firstIndex(of: name) ?? missingBin
            }
        }

        /// Quantile bins of `values` (deciles by default, equal edges merged), with the shares they hold.
        static func numeric(name: String, values: [Double], quantiles: Int = 10) -> Bins {
            let sorted = values.filter(\.isFinite).sorted()
            var edges: [Double] = []
            if !sorted.isEmpty {
                for q in 1..<quantiles {
                    let edge = sorted[min(sorted.count - 1, max(0, (q * sorted.count) / quantiles - 1))]
                    if edges.last != edge { edges.append(edge) }
                }
            }
            var bins = Bins(name: name, edges: edges, categories: nil, fractions: Array(repeating: 0, count: edges.count + 2))
            var counts = Array(repeating: 0, count: bins.binCount)
            for x in values { counts[bins.bin(x)] += 1 }
            bins.fractions = counts.map { Double($0) / Double(max(1, values.count)) }
            return bins
        }

        /// Category shares: `indices[i]` is row i's category index, or nil when it is missing.
        static func categorical(name: String, categories: [String], indices: [Int?]) -> Bins {
            var counts = Array(repeating: 0, count: categories.count + 1)
            for index in indices { counts[index ?? categories.count] += 1 }
            return Bins(
                name: name, edges: nil, categories: categories, fractions: counts.map { Double($0) / Double(max(1, indices.count)) })
        }
    }

    /// Per raw input column, in the encoder's column order.
    public var features: [Bins]
    /// The predictions on the training rows: class labels, or quantile bins of the values.
    public var prediction: Bins
    /// How many training rows the profile was taken from.
    public var rows: Int

    /// A value recovered from its standardised form, rounded to 12 significant digits: `(x − mean) / scale ·
    /// scale + mean` is off by an ulp or so, and a recovered 15.999999999999998 as a bin edge would put every live
    /// 16 in the bin above (discrete columns have many values on the edges). A value within 1e-12 of `magnitude`
    /// (the column's size) of zero is zero.
    static func snapped(_ x: Double, near magnitude: Double = 0) -> Double {
        guard x.isFinite, abs(x) > magnitude * 1e-12 else { return x.isFinite ? 0 : x }
        let factor = pow(10, 11 - (log10(abs(x))).rounded(.down))
        guard factor.isFinite, factor > 0 else { return x }
        let rounded = (x * factor).rounded() / factor
        return rounded.isFinite ? rounded : x
    }

    /// At most this many training rows (evenly spaced) make a profile.
    static let maximumRows = 20_000

    /// The profile of training rows given encoded and standardised (`features`, as the trainers see them; raw
    /// values are recovered with the encoder's means and scales) and the model's predictions on them.
    public static func fit(encoder: FeatureEncoder, features: Matrix<Double>, predictions: Predictions) -> DriftProfile {
        let stride = max(1, (features.rows + maximumRows - 1) / maximumRows)
        let rows = Swift.stride(from: 0, to: features.rows, by: stride).map { $0 }
        var profiles: [Bins] = []
        var offset = 0
        for column in encoder.columns {
            switch column {
            case .numeric(let name, _):
                let (scale, mean) = (encoder.scales[offset], encoder.means[offset])
                let raw = rows.map { snapped(features[$0, offset] * scale + mean, near: abs(mean) + abs(scale)) }
                profiles.append(.numeric(name: name, values: raw))
            case .categorical(let name, let categories):
                let indices = rows.map { r -> Int? in
                    (0..<categories.count).first { k in
                        abs(features[r, offset + k] * encoder.scales[offset + k] + encoder.means[offset + k] - 1) < 0.5
                    }
                }
                profiles.append(.categorical(name: name, categories: categories, indices: indices))
            }
            offset += column.width
        }
        let prediction: Bins
        if predictions.classLabels.isEmpty {
            prediction = .numeric(name: "prediction", values: rows.map { predictions.values[$0] })
        } else {
            prediction = .categorical(name: "prediction", categories: predictions.classLabels, indices: rows.map { predictions.classIndices[$0] })
        }
        return DriftProfile(features: profiles, prediction: prediction, rows: rows.count)
    }
}
