import ForageCore
import Foundation

/// Histogram-based gradient-boosted decision trees (LightGBM's recipe): features binned once, trees grown
/// leaf-wise on gradient histograms, squared error for regression, log loss for two classes, softmax for more.
/// Missing feature values (NaN, with `data.missing: native`) go down a learned default side of each split.
/// Every `report_every` rounds it reports validation metrics as a step (the round), so ASHA or the median rule can
/// stop it; with `early_stopping_rounds` it stops when the validation loss has not improved for that many rounds
/// and keeps the trees of the best round. A `StopCheck` is asked after every round.
///
/// Hyperparameters (defaults): `rounds` 1…100000 (100), `learning_rate` > 0 (0.1), `max_leaves` 2…65536 (31),
/// `max_depth` 0…64 (0 = unlimited), `min_child_samples` 1… (20), `min_split_gain` >= 0 (0), `l2` >= 0 (0),
/// `subsample` (0, 1] (1), `colsample` (0, 1] (1), `max_bins` 2…255 (255), `early_stopping_rounds` 0… (0 = off),
/// `report_every` 1… (10), `seed` (the data seed) for row and column sampling.
public struct GBDTTrainer: Trainer {
    public static let family = "gbdt"
    public static let tasks: Set<DataSpec.Task> = [.classification, .regression]
    public static let handlesMissing = true

    public let rounds: Int
    public let learningRate: Double
    public let maxLeaves: Int
    public let maxDepth: Int
    public let minChildSamples: Int
    public let minSplitGain: Double
    public let l2: Double
    public let subsample: Double
    public let colsample: Double
    public let maxBins: Int
    public let earlyStoppingRounds: Int
    public let reportEvery: Int
    public let seed: UInt64?

    public init(parameters: ParameterSet, task: DataSpec.Task) throws {
        let p = HyperParameters(family: Self.family, values: parameters)
        rounds = try p.int("rounds", default: 100, minimum: 1, maximum: 100_000)
        learningRate = try p.double("learning_rate", default: 0.1, minimum: 0, exclusiveMinimum: true, maximum: 10)
        maxLeaves = try p.int("max_leaves", default: 31, minimum: 2, maximum: 65_536)
        maxDepth = try p.int("max_depth", default: 0, minimum: 0, maximum: 64)
        minChildSamples = try p.int("min_child_samples", default: 20, minimum: 1, maximum: 1_000_000_000)
        minSplitGain = try p.double("min_split_gain", default: 0, minimum: 0)
        l2 = try p.double("l2", default: 0, minimum: 0)
        subsample = try p.double("subsample", default: 1, minimum: 0, exclusiveMinimum: true, maximum: 1)
        colsample = try p.double("colsample", default: 1, minimum: 0, exclusiveMinimum: true, maximum: 1)
        maxBins = try p.int("max_bins", default: 255, minimum: 2, maximum: 255)
        earlyStoppingRounds = try p.int("early_stopping_rounds", default: 0, minimum: 0, maximum: 100_000)
        reportEvery = try p.int("report_every", default: 10, minimum: 1, maximum: 100_000)
        seed = try p.optionalInt("seed", minimum: 0, maximum: Int.max).map(UInt64.init)
    }

    public var effectiveParameters: ParameterSet {
        var values: [String: ParameterValue] = [
            "rounds": .int(rounds), "learning_rate": .double(learningRate), "max_leaves": .int(maxLeaves),
            "max_depth": .int(maxDepth), "min_child_samples": .int(minChildSamples), "min_split_gain": .double(minSplitGain),
            "l2": .double(l2), "subsample": .double(subsample), "colsample": .double(colsample), "max_bins": .int(maxBins),
            "early_stopping_rounds": .int(earlyStoppingRounds), "report_every": .int(reportEvery),
        ]
        if let seed { values["seed"] = .int(Int(seed)) }
        return ParameterSet(values)
    }

    public func fit(_ data: PreparedData, report: ProgressCallback) throws -> FitOutcome {
        try fit(data, threads: 1, report: report)
    }

    public func fit(_ data: PreparedData, threads: Int, report: ProgressCallback) throws -> FitOutcome {
        try fit(data, threads: threads, stop: .never, report: report)
    }

    /// Fits, asking `stop` after every boosting round: when it says so, the trees grown so far are the model (with
    /// early stopping, those up to the best round).
    public func fit(_ data: PreparedData, threads: Int, stop: StopCheck, report: ProgressCallback) throws -> FitOutcome {
        let objective = BoostingObjective.forTask(data.task, classCount: data.classCount)
        let train = data.train
        let n = train.count
        let k = objective.outputs
        let x = train.treeFeatures
        let bins = FeatureBins(x: x, maxBins: maxBins)
        let codes = bins.binned(x)
        let validation = data.validation
        let validationCodes = bins.binned(validation.treeFeatures)
        let nv = validation.count
        let missingBins = bins.binCounts
        let rules = SplitRules(l2: l2, minChildSamples: minChildSamples, minChildHessian: 1e-3, minSplitGain: minSplitGain)
        let grower = TreeGrower(
            bins: bins, codes: codes,
            settings: GrowthSettings(
                maxLeaves: maxLeaves, maxDepth: maxDepth, rules: rules, learningRate: learningRate, threads: max(1, threads)))
        let initial = objective.initialScores(targets: train.targets, classes: train.classes)
        var scores = [Double](repeating: 0, count: n * k)
        var validationScores = [Double](repeating: 0, count: nv * k)
        for c in 0..<k {
            for i in 0..<n { scores[c * n + i] = initial[c] }
            for i in 0..<nv { validationScores[c * nv + i] = initial[c] }
        }
        var gradients = [Double](repeating: 0, count: n)
        var hessians = [Double](repeating: 0, count: n)
        var generator = SplitMix64(seed: seed ?? data.spec.seed, stream: 0x6BD7)
        let allRows = (0..<n).map { Int32($0) }
        let allFeatures = Array(0..<bins.featureCount)
        let featuresPerTree = max(1, Int((colsample * Double(bins.featureCount)).rounded()))
        var trees: [RegressionTree] = []
        var bestLoss = Double.infinity
        var bestRound = 0
        var roundsRun = 0
        var stopped = false
        var stoppedByCheck = false
        var inBag = [Bool](repeating: true, count: n)

        for round in 1...rounds {
            // Row bagging for this round.
            var rows = allRows
            if subsample < 1 {
                rows = []
                rows.reserveCapacity(Int(Double(n) * subsample) + 1)
                for i in 0..<n {
                    let take = generator.nextUnit() < subsample
                    inBag[i] = take
                    if take { rows.append(Int32(i)) }
                }
            }
            for c in 0..<k {
                scores.withUnsafeBufferPointer { s in
                    gradients.withUnsafeMutableBufferPointer { g in
                        hessians.withUnsafeMutableBufferPointer { h in
                            objective.gradients(
                                output: c, scores: s.baseAddress!, n: n, targets: train.targets, classes: train.classes,
                                gradients: g.baseAddress!, hessians: h.baseAddress!)
                        }
                    }
                }
                var features = allFeatures
                if featuresPerTree < features.count {
                    Splitter.shuffle(&features, &generator)
                    features = Array(features.prefix(featuresPerTree)).sorted()
                }
                let tree = grower.grow(rows: rows, gradients: gradients, hessians: hessians, features: features)
                guard tree.leafValues.allSatisfy(\.isFinite) else { throw TrainerError.diverged(family: Self.family, step: round) }
                // Training scores: bagged rows by their leaf, the others by walking the tree.
                scores.withUnsafeMutableBufferPointer { s in
                    let offset = c * n
                    grower.indices.withUnsafeBufferPointer { order in
                        for leaf in 0..<tree.leafValues.count {
                            let value = tree.leafValues[leaf]
                            let start = grower.leafStart[leaf]
                            for j in start..<(start + grower.leafCount[leaf]) { s[offset + Int(order[j])] += value }
                        }
                    }
                    if subsample < 1 {
                        codes.codes.withUnsafeBufferPointer { cp in
                            missingBins.withUnsafeBufferPointer { mb in
                                for i in 0..<n where !inBag[i] {
                                    s[offset + i] += tree.leafValues[tree.leaf(codes: cp.baseAddress! + i, stride: n, missingBins: mb.baseAddress!)]
                                }
                            }
                        }
                    }
                }
                validationScores.withUnsafeMutableBufferPointer { s in
                    validationCodes.codes.withUnsafeBufferPointer { cp in
                        missingBins.withUnsafeBufferPointer { mb in
                            guard let base = cp.baseAddress, let missing = mb.baseAddress else { return }
                            for i in 0..<nv {
                                s[c * nv + i] += tree.leafValues[tree.leaf(codes: base + i, stride: nv, missingBins: missing)]
                            }
                        }
                    }
                }
                trees.append(tree)
            }
            roundsRun = round
            if earlyStoppingRounds > 0 {
                let loss = objective.loss(scores: validationScores, n: nv, targets: validation.targets, classes: validation.classes)
                if loss < bestLoss - 1e-12 {
                    bestLoss = loss
                    bestRound = round
                } else if round - bestRound >= earlyStoppingRounds {
                    break
                }
            }
            if round % reportEvery == 0 || round == rounds {
                var metrics = Self.metrics(
                    objective: objective, scores: validationScores, split: validation, classCount: data.classCount
                ).prefixed("val_")
                metrics["rounds"] = Double(round)
                if !report(round, metrics) {
                    stopped = round < rounds
                    break
                }
            }
            if round < rounds, stop.shouldStop {
                stoppedByCheck = true
                break
            }
        }
        var kept = roundsRun
        if earlyStoppingRounds > 0, bestRound > 0, !stopped {
            kept = bestRound
            trees.removeLast(trees.count - bestRound * k)
        }
        let ensemble = TreeEnsemble(initialScores: initial, trees: trees)
        return FitOutcome(
            tensors: ensemble.tensors, settings: ["outputs": String(k), "rounds": String(kept)], steps: kept, stopped: stopped,
            stoppedByCheck: stoppedByCheck)
    }

    /// Validation metrics from raw class-major scores, with `loss` (log loss or mean squared error).
    static func metrics(objective: BoostingObjective, scores: [Double], split: DataSplit, classCount: Int) -> [String: Double] {
        guard split.count > 0 else { return [:] }
        var metrics: [String: Double]
        if let probabilities = objective.probabilities(scores: scores, n: split.count, classCount: classCount) {
            metrics = ClassificationMetrics.compute(probabilities: probabilities, truth: split.classes)
            metrics["loss"] = metrics["logloss"]
        } else {
            metrics = RegressionMetrics.compute(predicted: scores, truth: split.targets)
            metrics["loss"] = pow(metrics["rmse"] ?? 0, 2)
        }
        return metrics
    }
}
