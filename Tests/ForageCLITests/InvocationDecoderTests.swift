import ForageML
import Testing

@testable import ForageServer

/// The request decoding behind `POST /invocations`, case by case (the end-to-end tests run it through the binary).
@Suite struct InvocationDecoderTests {
    let columns = ["a", "b", "color"]

    func decode(_ text: String) throws -> DecodedInvocation {
        let document = try JSONParser.parse(Array(text.utf8))
        return try InvocationDecoder.decode(document, columns: columns)
    }

    func refusal(_ text: String) -> String {
        do {
            _ = try decode(text)
            return "accepted"
        } catch let error as BadRequest {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func unusedColumnsAreDroppedAndNamedOnce() throws {
        let records = try decode(#"{"dataframe_records": [{"a": 1, "b": 2, "color": "red", "id": 1}, {"id": 2, "x": null, "a": 3, "b": 4, "color": "blue"}]}"#)
        #expect(records.droppedColumns == ["id", "x"])
        #expect(records.batch == .records([["a": .number(1), "b": .number(2), "color": .text("red")], ["a": .number(3), "b": .number(4), "color": .text("blue")]]))
        let split = try decode(#"{"dataframe_split": {"columns": ["color", "id", "b", "a"], "data": [["red", {"any": 1}, 2, 1]]}}"#)
        #expect(split.droppedColumns == ["id"])
        #expect(split.batch == .rows([[.number(1), .number(2), .text("red")]]))
        #expect(try decode(#"{"inputs": [[1, 2, "red"]]}"#).droppedColumns.isEmpty)
    }

    @Test func ambiguousRequestsAreRefusedNamingTheProblem() {
        #expect(refusal(#"{"inputs": [[1, 2, "red"]], "instances": [[1, 2, "red"]]}"#).hasPrefix("the body has 'inputs' and 'instances'"))
        #expect(refusal(#"{"inputs": [], "instances": [], "dataframe_records": []}"#).hasPrefix("the body has 'inputs', 'instances' and 'dataframe_records'"))
        #expect(refusal(#"{"dataframe_split": {"columns": ["a", "b", "b", "color"], "data": [[1, 2, 3, "red"]]}}"#) == "column 'b' appears twice in dataframe_split.columns")
        #expect(refusal(#"{"inputs": [[1, false, "red"]]}"#) == "row 1, column 'b': expected a number, a string or null, got false")
        #expect(refusal(#"{"inputs": [[1, 2, {"x": 1}]]}"#) == "row 1, column 'color': expected a number, a string or null, got an object")
        #expect(refusal(#"{"inputs": [[1, 2, "red", true]]}"#) == "row 1: expected 3 values, got 4 (columns a, b, color)")
        #expect(refusal(#"{"inputs": [[1, 2, "red"], {"a": 1}]}"#).contains("item 2 is a record but item 1 is a row"))
    }

    @Test func aKeyGivenTwiceIsFoundInSmallAndLargeObjects() {
        #expect(throws: JSONParseError(offset: 17, reason: "duplicate key", duplicateKey: "a")) {
            try JSONParser.parse(Array(#"{"a": 1, "b": 2, "a": 3}"#.utf8))
        }
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect((try? JSONParser.parse(Array("{\(many)}".utf8))) != nil)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array("{\(many), \"k33\": 1}".utf8)) }
    }

    @Test func csvBodiesAndTheirContentType() throws {
        #expect(InvocationCSV.isCSV("text/csv") && InvocationCSV.isCSV("Text/CSV; charset=utf-8") && InvocationCSV.isCSV(" text/csv"))
        #expect(!InvocationCSV.isCSV("application/json") && !InvocationCSV.isCSV("text/csvx") && !InvocationCSV.isCSV("text/cs"))
        let bytes = Array("color,a,b,extra\nred,1,2,x\n\nblue,3,NA,y\n".utf8)
        let decoded = try bytes.withUnsafeBytes { try InvocationCSV.decode($0, columns: columns) }
        #expect(decoded.droppedColumns == ["extra"])
        #expect(decoded.batch == .rows([[.text("1"), .text("2"), .text("red")], [.text("3"), .missing, .text("blue")]]))
        #expect(throws: BadRequest.self) { try Array("a,b\n1,2\n".utf8).withUnsafeBytes { try InvocationCSV.decode($0, columns: columns) } }
        #expect(throws: BadRequest.self) { try Array("  \n".utf8).withUnsafeBytes { try InvocationCSV.decode($0, columns: columns) } }
    }

    @Test func theProbaQueryIsTrueFalseOrRefused() throws {
        #expect(try PredictionEndpoints.probabilities(in: nil) == false)
        #expect(try PredictionEndpoints.probabilities(in: "proba=true") && PredictionEndpoints.probabilities(in: "x=1&proba=1"))
        #expect(try PredictionEndpoints.probabilities(in: "proba") == true)
        #expect(try PredictionEndpoints.probabilities(in: "proba=false&other=yes") == false)
        #expect(throws: BadRequest("proba must be true or false, got 'yes'")) { try PredictionEndpoints.probabilities(in: "proba=yes") }
    }
}
