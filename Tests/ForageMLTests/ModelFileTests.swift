import ForageCore
import Foundation
import Testing

@testable import ForageML

@Suite struct ModelFileTests {
    static func trainedIrisMLP() throws -> (PreparedData, ModelTrialResult) {
        let data = try Support.iris()
        let result = try ModelTrialRunner.run(
            family: "mlp", params: ParameterSet(["epochs": .int(5), "hidden": .int(8)]), data: data, threads: 1) { _, _ in true }
        return (data, result)
    }

    @Test(arguments: ["mlp", "logistic"])
    func roundTripIsBitIdentical(family: String) throws {
        let data = try Support.iris()
        let result = try ModelTrialRunner.run(family: family, params: ParameterSet(["epochs": .int(5)]), data: data, threads: 1) { _, _ in true }
        let path = try Support.temporaryPath("model.forage")
        try result.model.write(to: path)
        let loaded = try ModelFile.read(from: path)
        #expect(loaded.tensors == result.model.tensors)
        #expect(loaded.header.encoder == result.model.header.encoder)
        #expect(loaded.header.metrics == result.metrics)
        let before = try Model(file: result.model).predict(features: data.test.features)
        let after = try Model(file: loaded).predict(features: data.test.features)
        let a = try #require(before.probabilities).storage.map(\.bitPattern)
        let b = try #require(after.probabilities).storage.map(\.bitPattern)
        #expect(a == b)
        #expect(before.labels == after.labels)
    }

    @Test func ridgeRoundTripOnDiabetes() throws {
        let data = try Dataset.load(DataSpec(path: Support.exampleData("diabetes.csv"), target: "progression", task: .regression))
        let result = try ModelTrialRunner.run(family: "ridge", params: ParameterSet(), data: data, threads: 1) { _, _ in true }
        let path = try Support.temporaryPath("ridge.forage")
        try result.model.write(to: path)
        let model = try Model(contentsOf: path)
        let csv = try model.predict(csvAt: Support.exampleData("diabetes.csv"))
        #expect(csv.values.count == 442)
        let direct = try Model(file: result.model).predict(csvAt: Support.exampleData("diabetes.csv"))
        #expect(csv.values.map(\.bitPattern) == direct.values.map(\.bitPattern))
        #expect((result.metrics["val_r2"] ?? 0) > 0.3)
    }

    @Test func newerVersionIsRefused() throws {
        let (_, result) = try Self.trainedIrisMLP()
        var file = result.model
        file.header.formatVersion = ModelHeader.currentFormatVersion + 1
        let data = try file.encoded()
        #expect(throws: ModelFileError.newerVersion(path: "x", found: ModelHeader.currentFormatVersion + 1, supported: ModelHeader.currentFormatVersion)) {
            try ModelFile.decode(data, path: "x")
        }
    }

    @Test func truncatedAndCorruptFilesAreRefused() throws {
        let (_, result) = try Self.trainedIrisMLP()
        let data = try result.model.encoded()
        #expect(throws: ModelFileError.self) { try ModelFile.decode(data.prefix(data.count - 10), path: "t") }
        do {
            _ = try ModelFile.decode(data.prefix(data.count - 10), path: "t")
        } catch let error as ModelFileError {
            guard case .truncated = error else {
                Issue.record("expected truncated, got \(error)")
                return
            }
        }
        #expect(throws: ModelFileError.self) { try ModelFile.decode(data.prefix(20), path: "t") }
        var flipped = [UInt8](data)
        flipped[flipped.count - 3] ^= 0xFF
        #expect(throws: ModelFileError.self) { try ModelFile.decode(Data(flipped), path: "c") }
        #expect(throws: ModelFileError.notAModelFile(path: "m")) { try ModelFile.decode(Data("hello".utf8), path: "m") }
    }

    @Test func tamperedTensorOffsetsAreRefused() throws {
        let (_, result) = try Self.trainedIrisMLP()
        let original = try result.model.encoded()
        let parsed = try ModelFile.decode(original)
        var header = parsed.header
        header.tensors[0].offset = -8
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        let originalJSON = try encoder.encode(parsed.header)
        var data = Data(ModelFile.magic)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(original.suffix(original.count - ModelFile.magic.count - 4 - originalJSON.count))
        #expect(originalJSON.count == original.count - ModelFile.magic.count - 4 - parsed.tensors.reduce(0) { $0 + $1.values.byteCount })
        #expect(throws: ModelFileError.corrupt(path: "tampered", reason: "tensor W1 has an invalid offset, size or shape")) {
            try ModelFile.decode(data, path: "tampered")
        }
    }

    @Test func batchPredictionErrorsAndRecords() throws {
        let (data, result) = try Self.trainedIrisMLP()
        let model = try Model(file: result.model)
        #expect(model.inputColumns == ["sepal_length", "sepal_width", "petal_length", "petal_width"])
        let rows: [[Double]] = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]
        let fromRows = try model.predict(rows: rows)
        let fromRecords = try model.predict(records: rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(model.inputColumns, row.map(InputValue.number)))
        })
        #expect(fromRows == fromRecords)
        #expect(fromRows.labels.count == 2 && fromRows.probabilityRecords[0].count == 3)
        // The serving fast path (whole rows of finite numbers) gives the same predictions, or nil.
        #expect(model.predict(numericRows: rows.flatMap { $0 }) == fromRows)
        #expect(model.predict(numericRows: [1, 2, 3]) == nil)
        #expect(model.predict(numericRows: [1, 2, .infinity, 4]) == nil)
        #expect(model.predict(numericRows: []) == nil)
        #expect(throws: PredictionError.wrongFeatureCount(row: 1, expected: 4, found: 3, columns: model.inputColumns)) {
            try model.predict(rows: [[1, 2, 3]])
        }
        // A wrong count names the problem without listing every column of a wide model.
        let pixels = (0..<64).map { "pixel_\($0)" }
        #expect(
            PredictionError.wrongFeatureCount(row: 1, expected: 64, found: 3, columns: pixels).description
                == "row 1: expected 64 values, got 3 (columns pixel_0, pixel_1, pixel_2, …, pixel_63)")
        #expect(PredictionError.wrongFeatureCount(row: 2, expected: 2, found: 1, columns: ["a", "b"]).description == "row 2: expected 2 values, got 1 (columns a, b)")
        #expect(throws: PredictionError.notANumber(row: 2, column: "sepal_width", value: "wide")) {
            try model.predict(rows: [[.number(1), .number(1), .number(1), .number(1)], [.number(1), .text("wide"), .number(1), .number(1)]])
        }
        #expect(throws: PredictionError.self) { try model.predict(records: [["petals": .number(1)]]) }
        #expect(throws: PredictionError.emptyBatch) { try model.predict(rows: [[Double]]()) }
        _ = data
    }

    @Test func csvPredictionAndWriter() throws {
        let (_, result) = try Self.trainedIrisMLP()
        let model = try Model(file: result.model)
        let input = try Support.temporaryFile("in.csv", contents: "petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n")
        let predictions = try model.predict(csvAt: input)
        #expect(predictions.labels.count == 1)
        let output = try Support.temporaryPath("out.csv")
        try writePredictionsCSV(predictions, to: output)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.hasPrefix("prediction,proba_setosa,proba_versicolor,proba_virginica\n"))
        let bad = try Support.temporaryFile("bad.csv", contents: "petal_width,petal_length,sepal_width,sepal_length\n0.2,x,3.5,5.1\n")
        #expect(throws: PredictionError.notANumber(row: 2, column: "petal_length", value: "x")) { try model.predict(csvAt: bad) }
        let missing = try Support.temporaryFile("m.csv", contents: "petal_width\n0.2\n")
        #expect(throws: PredictionError.self) { try model.predict(csvAt: missing) }
    }
}
