import ForageCore

/// Options of the Tree-structured Parzen Estimator searcher.
public struct TPEOptions: Sendable, Equatable {
    /// Random trials before the model is used.
    public var startupTrials: Int
    /// Candidates drawn from the "good" estimator per suggestion; the best expected improvement wins.
    public var candidates: Int
    /// Fraction of finished trials counted as "good" (capped at 25 trials, as Optuna does).
    public var gamma: Double
    /// Model the parameters jointly instead of one by one; nil (the default) models them jointly with one objective
    /// and one by one with several, as Optuna 5's `TPESampler` does.
    public var multivariate: Bool?
    /// Treat running trials as if they had the worst value seen, so parallel slots spread out.
    public var constantLiar: Bool

    public init(startupTrials: Int = 10, candidates: Int = 64, gamma: Double = 0.1, multivariate: Bool? = nil, constantLiar: Bool = true) {
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.gamma = gamma
        self.multivariate = multivariate
        self.constantLiar = constantLiar
    }

    /// The spec keys (`searcher: {algorithm: tpe, …}`).
    static let keys: [OptionKey] = [
        .int("n_startup", min: 1, "random trials before the model is used (default 10)"),
        .int("n_candidates", min: 1, "candidates drawn per suggestion (default 64)"),
        .number("gamma", min: 0, max: 1, openMin: true, openMax: true, "fraction of finished trials counted as good (default 0.1)"),
        .bool("multivariate", "model the unconditional parameters jointly (default true with one objective, false with several)"),
        .bool("constant_liar", "running trials count as bad, so parallel slots spread out (default true)"),
    ]

    /// The options given in a spec section, defaults elsewhere.
    init(_ options: AlgorithmOptions) {
        let defaults = TPEOptions()
        self.init(
            startupTrials: options.int("n_startup", default: defaults.startupTrials),
            candidates: options.int("n_candidates", default: defaults.candidates),
            gamma: options.double("gamma", default: defaults.gamma),
            multivariate: options["multivariate"].flatMap { if case .bool(let value) = $0 { value } else { nil } },
            constantLiar: options.bool("constant_liar", default: defaults.constantLiar))
    }
}
