import Foundation
import ForageCore
import Testing

@testable import ForageML

@Suite struct DatasetTests {
    @Test func missingTargetListsColumns() throws {
        let path = try Support.temporaryFile("a.csv", contents: "x,y\n1,2\n")
        #expect(throws: DatasetError.missingTarget(path: path, target: "label", available: ["x", "y"])) {
            try Dataset.load(DataSpec(path: path, target: "label", task: .regression))
        }
        let error = DatasetError.missingTarget(path: path, target: "label", available: ["x", "y"])
        #expect(error.description.contains(path) && error.description.contains("x, y"))
    }

    @Test func nonNumberNamesRowColumnAndValue() throws {
        let path = try Support.temporaryFile("b.csv", contents: "x,z,y\n1,2,3\n4,abc,6\n")
        #expect(throws: DatasetError.notANumber(path: path, row: 3, column: "z", value: "abc")) {
            try Dataset.load(DataSpec(path: path, target: "y", task: .regression))
        }
    }

    @Test func missingValueIsAnErrorByDefault() throws {
        let path = try Support.temporaryFile("c.csv", contents: "x,z,y\n1,2,3\n4,NA,6\n")
        #expect(throws: DatasetError.missingValue(path: path, row: 3, column: "z")) {
            try Dataset.load(DataSpec(path: path, target: "y", task: .regression))
        }
    }

    static let gappy = "x,y\n1,10\n,11\n3,12\n5,13\nnan,14\n7,15\n9,16\n11,17\n13,18\n15,19\n"

    @Test func dropRemovesRows() throws {
        let path = try Support.temporaryFile("d.csv", contents: Self.gappy)
        let data = try Dataset.load(DataSpec(path: path, target: "y", task: .regression, validation: 0.2, test: 0, missing: .drop))
        #expect(data.rowCount == 10 && data.usedRowCount == 8)
        let rows = Set(data.train.rowNumbers + data.validation.rowNumbers)
        #expect(!rows.contains(3) && !rows.contains(6))
    }

    @Test(arguments: [DataSpec.MissingValues.mean, .median])
    func imputationUsesTrainingRows(mode: DataSpec.MissingValues) throws {
        let path = try Support.temporaryFile("e.csv", contents: Self.gappy)
        let data = try Dataset.load(DataSpec(path: path, target: "y", task: .regression, validation: 0.2, test: 0, missing: mode))
        #expect(data.usedRowCount == 10)
        guard case .numeric(_, let imputed?) = data.encoder.columns[0] else {
            Issue.record("no imputed value")
            return
        }
        // Expected statistic over the training rows' present values.
        let values: [Int: Double] = [2: 1, 4: 3, 5: 5, 7: 7, 8: 9, 9: 11, 10: 13, 11: 15]
        let present = data.train.rowNumbers.compactMap { values[$0] }.sorted()
        let expected = mode == .mean
            ? present.reduce(0, +) / Double(present.count)
            : (present.count % 2 == 1 ? present[present.count / 2] : (present[present.count / 2 - 1] + present[present.count / 2]) / 2)
        #expect(abs(imputed - expected) < 1e-12)
    }

    @Test func stratifiedSplitKeepsProportions() throws {
        let data = try Support.iris()
        #expect(data.splitSizes.train == 90 && data.splitSizes.validation == 30 && data.splitSizes.test == 30)
        for split in [data.train, data.validation, data.test] {
            let counts = (0..<3).map { k in split.classes.filter { $0 == k }.count }
            #expect(Set(counts).count == 1, "each class equally represented: \(counts)")
        }
        #expect(data.classLabels == ["setosa", "versicolor", "virginica"])
        #expect(data.sha256.count == 64)
        // Standardised with training statistics: training columns have mean 0.
        for c in 0..<data.featureCount {
            let mean = (0..<data.train.count).reduce(0) { $0 + data.train.features[$1, c] } / Double(data.train.count)
            #expect(abs(mean) < 1e-9)
        }
    }

    @Test func splitIsDeterministicPerSeed() throws {
        let a = try Support.iris(seed: 3)
        let b = try Support.iris(seed: 3)
        let c = try Support.iris(seed: 4)
        #expect(a.test.rowNumbers == b.test.rowNumbers)
        #expect(a.test.rowNumbers != c.test.rowNumbers)
    }

    @Test func categoricalOneHotAndUnseenCategory() throws {
        var text = "color,size,y\n"
        for i in 0..<30 { text += "\(["red", "green", "blue"][i % 3]),\(i),\(i % 2)\n" }
        let path = try Support.temporaryFile("f.csv", contents: text)
        let data = try Dataset.load(
            DataSpec(path: path, target: "y", task: .classification, validation: 0.2, test: 0.2, categorical: ["color"]))
        #expect(data.featureNames == ["color=blue", "color=green", "color=red", "size"])
        let encoded = try data.encoder.encode(rows: [[.text("purple"), .number(3)], [.text("red"), .number(3)]])
        #expect(encoded[0, 0] == 0 && encoded[0, 1] == 0 && encoded[0, 2] == 0)
        #expect(encoded[1, 2] == 1)
        #expect(throws: DatasetError.self) {
            try Dataset.load(DataSpec(path: path, target: "y", task: .classification, categorical: ["colour"]))
        }
    }

    @Test func quotedFieldsAndRaggedRows() throws {
        let table = try CSVTable.parse(Data("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n".utf8), path: "q.csv")
        #expect(table.rows == [["x, y", "say \"hi\""]])
        #expect(throws: DatasetError.raggedRow(path: "r.csv", row: 3, expected: 2, found: 3)) {
            try CSVTable.parse(Data("a,b\n1,2\n1,2,3\n".utf8), path: "r.csv")
        }
    }
}

