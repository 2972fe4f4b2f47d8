import Dispatch
import ForageCore
import Foundation
import Testing

@testable import ForageML

/// Trials share one `PreparedData` and must be deterministic whatever runs beside them.
@Suite struct SharingTests {
    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var results: [Int: [Float]] = [:]
        func store(_ index: Int, _ values: [Float]) {
            lock.lock()
            results[index] = values
            lock.unlock()
        }
    }

    @Test func parallelTrialsOnSharedDataAreDeterministic() throws {
        let data = try Support.iris()
        let params = ParameterSet(["hidden": .int(8), "epochs": .int(10), "seed": .int(5)])
        let box = Box()
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            guard let result = try? ModelTrialRunner.run(family: "mlp", params: params, data: data, threads: 1, report: { _, _ in true }),
                case .float32(let weights)? = result.model.tensor("W1")?.values
            else { return }
            box.store(index, weights)
        }
        #expect(box.results.count == 4)
        let first = box.results[0]?.map(\.bitPattern)
        for index in 1..<4 { #expect(box.results[index]?.map(\.bitPattern) == first) }
    }

    @Test func finalMetricsIncludeLossAndParametersAreRecorded() throws {
        let data = try Support.iris()
        let result = try ModelTrialRunner.run(
            family: "mlp", params: ParameterSet(["epochs": .int(3), "batch_size": .string("32")]), data: data, threads: 1
        ) { _, _ in true }
        #expect(result.metrics["val_loss"] != nil && result.metrics["test_loss"] != nil)
        #expect(result.model.header.hyperparameters["hidden1"] == .int(64))
        #expect(result.model.header.featureNames == data.featureNames)
    }
}
