import ForageCore
import Foundation
import Testing

@testable import ForageSQLite
import ForageStore

/// The fast parameter reader used by reports agrees with the Codable decoder, and declines what it does not know.
struct FlatParamsParserTests {
    @Test func agreesWithTheCodableDecoder() {
        let sets = [
            ParameterSet(["lr": .double(0.0123), "layers": .int(3), "act": .string("relu"), "bias": .bool(true)]),
            ParameterSet(["x": .double(-1.5e-7), "y": .double(1e300), "n": .int(-4)]),
            ParameterSet(),
        ]
        for set in sets {
            let text = set.jsonString
            #expect(FlatParamsParser.parse(text) == SQLiteExperimentStore.decodeParams(text), "\(text)")
        }
    }

    @Test func declinesEscapesAndNesting() {
        #expect(FlatParamsParser.parse(#"{"a":"x\"y"}"#) == nil)
        #expect(FlatParamsParser.parse(#"{"a":[1,2]}"#) == nil)
        #expect(FlatParamsParser.parse(#"{"a":1"#) == nil)
    }
}
