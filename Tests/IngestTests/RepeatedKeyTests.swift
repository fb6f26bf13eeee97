import Foundation
import OrderModel
import Testing
@testable import Ingest

/// A key named twice in one record: a CSV header that repeats a column name, a JSON object
/// that repeats a member. Two values for one field cannot both be right, and two members of
/// one name in `ext` make a map DuckDB refuses to read ("Map keys must be unique").
@Suite struct RepeatedKeyTests {
    @Test func repeatedHeaderNamesAreRenamedAfterTheFirst() {
        var warnings: [String] = []
        let names = CSVFeed.distinctNames(["a", "b", "a", "a_2", "a"]) { warnings.append($0) }
        #expect(names == ["a", "b", "a_3", "a_2", "a_4"])
        #expect(warnings.count == 2 && warnings[0].contains("'a' again in column 3 (first in column 1)"), "\(warnings)")
    }

    @Test func aCSVHeaderThatRepeatsAColumnMapsTheFirstAndKeepsExtKeysDistinct() throws {
        let profile = try Fixture.profile(InputTests.profile)
        let dir = TempDir()
        let path = dir.write("f.csv", "id,day,qty,x,id,x\n1,2025-01-02,3,a,9,b\n")
        let r = try Fixture.collect(profile, [path], dir: dir)
        #expect(r.rejects.isEmpty && r.books.balances)
        #expect(r.orders.map { $0["external_order_id"] as? String } == ["1"])
        let ext = r.orders.first?["ext"] as? [String: String]
        #expect(ext == ["t.x": "a", "t.id_2": "9", "t.x_2": "b"], "\(String(describing: ext))")
    }

    @Test func aJSONRecordThatNamesAMemberTwiceIsRejected() throws {
        let suite = HostileJSONTests()
        // Unmapped (it would go to ext twice), then mapped (two ids), then mapped after an empty
        // and a null first value (which leave the slot unset).
        for middle in [#"{"id":"3","day":"2025-01-02","note":"a","note":"b"}"#, #"{"id":"3","day":"2025-01-02","id":"4"}"#,
                       #"{"id":"3","day":"","day":"2025-01-02"}"#, #"{"id":"3","day":null,"day":"2025-01-02"}"#] {
            let x = try suite.only(try suite.run(Array(middle.utf8)))
            #expect(x["code"] as? String == "duplicate_key")
            #expect(x["line"] as? Int == 2, "\(x)")
        }
    }

    /// Past a few members the keys are hashed: an object of 50,000 members with one repeat
    /// is one reject, not billions of comparisons.
    @Test func aLargeObjectIsCheckedWithoutPairwiseComparisons() throws {
        var text = #"{"id":"3","day":"2025-01-02""#
        for k in 0..<50_000 { text += #","m\#(k)":"v""# }
        text += #","m7":"again"}"#
        let suite = HostileJSONTests()
        let x = try suite.only(try suite.run(Array(text.utf8)))
        #expect(x["code"] as? String == "duplicate_key" && x["field"] as? String == "m7")
    }

    @Test func aUnifiedMapThatNamesAKeyTwiceIsRejected() throws {
        let dir = TempDir()
        let order = #"{"order_id":"s:1","source":"s","external_order_id":"1","order_type":"sale","status":"PAID","#
            + #""created_at":"2025-01-01T00:00:00Z","order_date":"2025-01-01","ext":{"a":"1","a":"2"},"#
            + #""lines":[{"line_no":1,"product_id":"p","quantity":"1"}]}"#
        let path = dir.write("u.ndjson", order + "\n")
        let reader = try UnifiedNDJSONReader(path: path, stage: "write")
        var batch = OrderBatch()
        _ = try reader.next(into: &batch, maxOrders: 10)
        let rejects = reader.takeRejects()
        #expect(batch.count == 0)
        #expect(rejects.map(\.code) == ["duplicate_key"] && rejects.first?.field == "ext")
    }
}
