import Foundation
import Testing

@testable import ForageML

@Suite struct MetricsTests {
    @Test func classificationByHand() throws {
        let probabilities = try #require(Matrix<Double>(rowArrays: [[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.8, 0.2]]))
        let truth = [0, 1, 0, 1]
        let m = ClassificationMetrics.compute(probabilities: probabilities, truth: truth)
        #expect(m["accuracy"] == 0.5)
        let logloss = -(log(0.9) + log(0.6) + log(0.3) + log(0.2)) / 4
        #expect(abs((m["logloss"] ?? 0) - logloss) < 1e-12)
        // predicted [0,1,1,0]: class 0 tp=1 pred=2 act=2 -> 0.5; class 1 same -> 0.5.
        #expect(abs((m["f1_macro"] ?? 0) - 0.5) < 1e-12)
        // Positive scores 0.6, 0.2 vs negative 0.1, 0.7: pairs won 0.6>0.1, 0.2>0.1 -> 2 of 4.
        #expect(abs((m["roc_auc"] ?? 0) - 0.5) < 1e-12)
    }

    @Test func rocAUCCountsTiesAsHalf() {
        // Positives 0.5, 0.8; negatives 0.5, 0.2: pairs (0.5,0.5)=0.5, (0.5,0.2)=1, (0.8,·)=2 -> 3.5/4.
        let auc = ClassificationMetrics.rocAUC(scores: [0.5, 0.8, 0.5, 0.2], positives: [true, true, false, false])
        #expect(auc == 0.875)
        #expect(ClassificationMetrics.rocAUC(scores: [1, 1, 1], positives: [true, false, true]) == 0.5)
        #expect(ClassificationMetrics.rocAUC(scores: [1, 2], positives: [true, true]) == nil)
    }

    @Test func f1MacroMulticlass() {
        // truth 0,0,1,2 ; predicted 0,1,1,1: class0 f1 = 2*1/(1+2)=2/3, class1 = 2*1/(3+1)=0.5, class2 = 0.
        let f1 = ClassificationMetrics.f1Macro(predicted: [0, 1, 1, 1], truth: [0, 0, 1, 2], classCount: 3)
        #expect(abs(f1 - (2.0 / 3 + 0.5) / 3) < 1e-12)
    }

    @Test func regressionByHand() {
        let m = RegressionMetrics.compute(predicted: [1, 2, 4], truth: [1, 3, 5])
        #expect(abs((m["rmse"] ?? 0) - (2.0 / 3).squareRoot()) < 1e-12)
        #expect(abs((m["mae"] ?? 0) - 2.0 / 3) < 1e-12)
        // mean 3, SStot = 4+0+4 = 8, SSres = 2 -> r2 = 0.75
        #expect(abs((m["r2"] ?? 0) - 0.75) < 1e-12)
    }
}
