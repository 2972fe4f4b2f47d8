import ForageML
import Testing

/// Categories never seen in training are encoded as all zeros and reported, row by row.
@Suite struct FeatureEncoderTests {
    let encoder = FeatureEncoder(
        columns: [.numeric(name: "a", imputed: nil), .categorical(name: "color", categories: ["blue", "red"])],
        means: [0, 0, 0], scales: [1, 1, 1])

    @Test func unseenCategoriesAreEncodedAsZerosAndReported() throws {
        let rows: [[InputValue]] = [[.number(1), .text("red")], [.number(2), .text("purple")], [.number(3), .missing], [.number(4), .number(7)]]
        let encoded = try encoder.encodeNoting(rows: rows, firstRow: 1)
        #expect(Array(encoded.features.storage) == [1, 0, 1, 2, 0, 0, 3, 0, 0, 4, 0, 0])
        // A missing category is not an unseen one.
        #expect(encoded.unseen == [UnseenCategory(row: 2, column: "color", value: "purple"), UnseenCategory(row: 4, column: "color", value: "7")])
        #expect(try encoder.encode(rows: rows) == encoded.features)
    }

    @Test func recordsReportUnseenCategoriesToo() throws {
        let encoded = try encoder.encodeNoting(records: [["a": .number(1), "color": .text("blue")], ["color": .text("green"), "a": .number(0)]])
        #expect(encoded.unseen == [UnseenCategory(row: 2, column: "color", value: "green")])
    }
}
