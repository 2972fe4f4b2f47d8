import Testing

@testable import ForageExecutor

@Suite struct MetricLineParserTests {
    @Test func integersZeroAndOneAreNumbersNotBooleans() throws {
        let report = try #require(MetricLineParser.parse(#"{"step": 1, "loss": 1, "acc": 0}"#))
        #expect(report.step == 1)
        #expect(report.values == ["loss": 1, "acc": 0])
    }

    @Test func booleansAndStringsAreIgnoredAndNaNIsKept() throws {
        let report = try #require(MetricLineParser.parse(#"{"loss": NaN, "ok": true, "note": "x"}"#))
        #expect(report.step == nil)
        #expect(report.values.count == 1)
        #expect(report.values["loss"]?.isNaN == true)
    }

    @Test func otherLinesAreLogOutput() {
        #expect(MetricLineParser.parse("epoch 3 done") == nil)
        #expect(MetricLineParser.parse(#"{"message": "hello"}"#) == nil)
        #expect(MetricLineParser.parse(#"{"step": 1.5, "loss": 2}"#) == nil)
    }
}
