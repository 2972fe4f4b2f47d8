import ForageCore
import Foundation
import Testing

@testable import ForageML

/// Drift profiles in model files and the sliding window's population stability index.
@Suite struct DriftProfileTests {
    @Test func aTrainedModelCarriesItsProfileAndAFileWithoutOneStillLoads() throws {
        let data = try Support.iris()
        let result = try ModelTrialRunner.run(family: "logistic", params: ParameterSet(), data: data, threads: 1) { _, _ in true }
        let profile = try #require(result.model.header.drift)
        #expect(profile.features.map { $0.name } == data.encoder.inputColumnNames)
        #expect(profile.prediction.categories == data.classLabels)
        for bins in profile.features + [profile.prediction] {
            #expect(abs(bins.fractions.reduce(0, +) - 1) < 1e-9)
        }
        // Round trip, and the same file with the section removed (as written before profiles) decodes with nil.
        let decoded = try ModelFile.decode(try result.model.encoded())
        #expect(decoded.header.drift == profile)
        var older = result.model
        older.header.drift = nil
        let bytes = try older.encoded()
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\"drift\""))
        #expect(try ModelFile.decode(bytes).header.drift == nil)
        #expect(try Model(file: ModelFile.decode(bytes)).inputColumns == data.encoder.inputColumnNames)
    }

    @Test func recoveredValuesAreSnappedSoDiscreteValuesStayInTheirBins() {
        #expect(DriftProfile.snapped(15.999999999999998) == 16 && DriftProfile.snapped(0.7000000000000001) == 0.7)
        #expect(DriftProfile.snapped(-3.0000000000000004) == -3 && DriftProfile.snapped(0) == 0 && DriftProfile.snapped(1e-300) == 1e-300)
        #expect(DriftProfile.snapped(-8.881784197001252e-16, near: 12.6) == 0)
    }

    @Test func windowCountsFollowTheRingAndPSIIsZeroOnTheTrainingShares() {
        let bins = DriftProfile.Bins.numeric(name: "x", values: (0..<100).map(Double.init))
        #expect(bins.edges?.count == 9 && bins.fractions.dropLast().allSatisfy { abs($0 - 0.1) < 1e-9 })
        #expect(bins.bin(-5) == 0 && bins.bin(1e9) == 9 && bins.bin(.nan) == bins.missingBin && bins.bin(.missing) == bins.missingBin)
        let colors = DriftProfile.Bins.categorical(name: "color", categories: ["red", "blue"], indices: [0, 0, 1, nil])
        #expect(colors.fractions == [0.5, 0.25, 0.25])
        #expect(colors.bin(.text("green")) == 2 && colors.bin(.text("blue")) == 1)
        let profile = DriftProfile(features: [bins], prediction: colors, rows: 100)
        var window = DriftWindow(profile: profile, capacity: 100)
        for x in 0..<100 { window.add(bins: [UInt16(bins.bin(Double(x))), UInt16(x % 4 == 3 ? 2 : (x % 4 == 2 ? 1 : 0))]) }
        #expect(window.rows == 100 && window.psi(0) < 1e-9 && window.psi(1) < 1e-9)
        // 100 more rows all in the top bin replace the first 100 entirely.
        for _ in 0..<100 { window.add(bins: [9, 0]) }
        #expect(window.rows == 100)
        let expected = 9 * (1e-4 - 0.1) * log(1e-4 / 0.1) + (1 - 0.1) * log(1 / 0.1)
        #expect(abs(window.psi(0) - expected) < 1e-9)
        let report = window.report(threshold: 0.2, minimumRows: 50)
        #expect(report.drifted == ["x"] && report.prediction.drifted)
        // Nothing is flagged before the window holds the minimum rows (or is full, when that is fewer).
        #expect(window.report(threshold: 0.2, minimumRows: 500).drifted == ["x"])
        var partial = DriftWindow(profile: profile, capacity: 100)
        for _ in 0..<50 { partial.add(bins: [9, 0]) }
        #expect(partial.report(threshold: 0.2, minimumRows: 80).drifted.isEmpty && partial.report(threshold: 0.2, minimumRows: 50).drifted == ["x"])
    }
}

/// The serving path's binning (`DriftBinner`, a count of the edges below each value) and batched window updates give
/// exactly what the per-value binary search and row-by-row updates give.
@Suite struct DriftBinnerTests {
    @Test func batchBinningEqualsPerValueBinningOnEdgesNaNAndInfinities() {
        var generator = SplitMix64(seed: 3)
        func uniform() -> Double { generator.nextUnit() }
        // Features with 9 edges, with merged (fewer) edges, and with no spread at all (one edge).
        let columns = [
            DriftProfile.Bins.numeric(name: "a", values: (0..<500).map { _ in uniform() * 10 }),
            DriftProfile.Bins.numeric(name: "b", values: (0..<500).map { Double($0 % 3) }),
            DriftProfile.Bins.numeric(name: "c", values: Array(repeating: 4, count: 50)),
        ]
        #expect(columns.map { $0.edges?.count ?? -1 } == [9, 3, 1])
        let labels = DriftProfile.Bins.categorical(name: "prediction", categories: ["no", "yes"], indices: [0, 1])
        let profile = DriftProfile(features: columns, prediction: labels, rows: 500)
        let special: [Double] = [.nan, .infinity, -.infinity, 0, 1, 2, 4] + (columns[0].edges ?? [])
        let n = 400
        var values: [Double] = []
        for r in 0..<n {
            for _ in 0..<3 { values.append(r % 4 == 0 ? special[Int(generator.next() % UInt64(special.count))] : uniform() * 12 - 1) }
        }
        var probabilities = Matrix<Double>(rows: n, columns: 2)
        for r in 0..<n {
            probabilities[r, 1] = uniform()
            probabilities[r, 0] = 1 - probabilities[r, 1]
        }
        let predictions = Predictions(probabilities: probabilities, classLabels: ["no", "yes"])
        let fast = DriftBinner(profile: profile).bins(numericRows: values, predictions: predictions)
        #expect(fast == profile.bins(numericRows: values, predictions: predictions))
        #expect(fast.count == 4 * n && DriftBinner(profile: profile).bins(numericRows: [1, 2], predictions: predictions).isEmpty)

        // One batch larger than the window leaves the same counts as adding its rows one at a time.
        var batched = DriftWindow(profile: profile, capacity: 150)
        var single = DriftWindow(profile: profile, capacity: 150)
        batched.add(binned: Array(fast.prefix(4 * 20)))
        batched.add(binned: Array(fast.dropFirst(4 * 20)))
        for r in 0..<n { single.add(bins: Array(fast[(4 * r)..<(4 * r + 4)])) }
        #expect(batched.rows == 150 && single.rows == 150)
        for index in 0...3 { #expect(batched.psi(index) == single.psi(index)) }
        #expect(batched.psi(0) > 0)
    }
}

/// The hand-written protocol-buffers encoding the ONNX exporter uses.
@Suite struct ProtobufWriterTests {
    @Test func varintsStringsAndMessagesMatchTheWireFormat() {
        var writer = ProtobufWriter()
        writer.int(1, 150)
        writer.string(2, "hi")
        writer.message(3) { $0.int(1, 1) }
        writer.int(4, -1)
        #expect(writer.bytes == [0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1A, 0x02, 0x08, 0x01, 0x20] + Array(repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func everyFamilyOfTheShippedTrainersExportsAndOthersAreRefused() throws {
        #expect(Set(ONNXExport.supportedFamilies) == ["ridge", "logistic", "mlp", "gbdt"])
        let data = try Support.iris()
        let file = try ModelTrialRunner.run(family: "logistic", params: ParameterSet(), data: data, threads: 1) { _, _ in true }.model
        let bytes = try ONNXExport.encode(file, name: "iris")
        #expect(bytes.count > 100 && bytes.first == 0x08)
        var unknown = file
        unknown.header.family = "forest"
        #expect(throws: ONNXExportError.self) { try ONNXExport.encode(unknown, name: "x") }
    }
}
