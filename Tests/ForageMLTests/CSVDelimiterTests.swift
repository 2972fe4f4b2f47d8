import Foundation
import ForageCore
import Testing

@testable import ForageML

/// A UTF-8 byte-order mark, `data.delimiter`, and the hint for a file that is not comma-separated.
@Suite struct CSVDelimiterTests {
    @Test func aByteOrderMarkIsNotPartOfTheFirstColumnsName() throws {
        let data = Data([0xEF, 0xBB, 0xBF] + Array("y,x\n1,2\n".utf8))
        let table = try CSVTable.parse(data, path: "bom.csv")
        #expect(table.header == ["y", "x"])
        #expect(table.rows == [["1", "2"]])
        #expect(try table.columnIndex("y") == 0)
    }

    @Test func theDelimiterSeparatesTheFields() throws {
        let semicolon = try CSVTable.parse(Data("a;b;y\n1;\"2;5\";3\n".utf8), path: "s.csv", delimiter: UInt8(ascii: ";"))
        #expect(semicolon.header == ["a", "b", "y"])
        #expect(semicolon.rows == [["1", "2;5", "3"]])
        let tab = try CSVTable.parse(Data("a\tb\n1\t2\n".utf8), path: "t.csv", delimiter: UInt8(ascii: "\t"))
        #expect(tab.header == ["a", "b"])
    }

    @Test(arguments: [("a;b;y\n1;2;3\n4;5;6\n", "';'", #"delimiter: ";""#), ("a\tb\ty\n1\t2\t3\n", "tabs", #"delimiter: "\t""#)])
    func aOneColumnFileHintsAtTheDelimiter(csv: String, separator: String, setting: String) throws {
        let path = try Support.temporaryFile("one-column.csv", contents: csv)
        do {
            _ = try Dataset.load(DataSpec(path: path, target: "y", task: .regression))
            Issue.record("expected an error")
        } catch let error as DatasetError {
            guard case .oneColumn = error else {
                Issue.record("expected oneColumn, got \(error)")
                return
            }
            #expect(error.description.contains("looks separated by \(separator)"), "\(error)")
            #expect(error.description.contains(setting) && error.description.contains("data.delimiter"), "\(error)")
        }
        // With the right delimiter the same file loads.
        let delimiter = csv.contains(";") ? UInt8(ascii: ";") : UInt8(ascii: "\t")
        let table = try CSVTable.read(path: path, delimiter: delimiter).table
        #expect(table.header == ["a", "b", "y"])
    }

    @Test func aCommaFileReadWithAnotherDelimiterHintsAtTheComma() throws {
        let path = try Support.temporaryFile("comma.csv", contents: "a,b,y\n1,2,3\n")
        var spec = DataSpec(path: path, target: "y", task: .regression)
        spec.delimiter = UInt8(ascii: ";")
        #expect(throws: DatasetError.oneColumn(path: path, header: "a,b,y", likelyDelimiter: UInt8(ascii: ","))) {
            try Dataset.load(spec)
        }
    }

    @Test func aOneColumnFileWithoutAnotherSeparatorGetsTheUsualError() throws {
        let path = try Support.temporaryFile("plain.csv", contents: "a\n1\n")
        #expect(throws: DatasetError.missingTarget(path: path, target: "y", available: ["a"])) {
            try Dataset.load(DataSpec(path: path, target: "y", task: .regression))
        }
    }
}
