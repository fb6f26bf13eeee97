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
        #expect(warnings == ["the header names 2 columns again: 'a' again in column 3 (first in column 1), read as 'a_3'; "
            + "'a' again in column 5 (first in column 1), read as 'a_4'"], "\(warnings)")
        warnings = []
        _ = CSVFeed.distinctNames(Array(repeating: "", count: 20)) { warnings.append($0) }
        #expect(warnings.count == 1 && warnings[0].hasPrefix("the header names 19 columns again: ''") && warnings[0].hasSuffix("; ..."))
    }

    /// A header (or row) past `max_columns` is a reject, not millions of column names: the
    /// header's reject, then each row's, saying why it cannot be mapped.
    @Test func aHeaderOfTooManyColumnsRejectsTheFile() throws {
        let profile = try Fixture.profile(InputTests.profile + "\nlimits: { max_columns: 8 }")
        let dir = TempDir()
        let path = dir.write("f.csv", String(repeating: ",", count: 200) + "\n1,2025-01-02,3\n")
        let r = try Fixture.collect(profile, [path], dir: dir)
        #expect(r.orders.isEmpty && r.books.balances)
        #expect(r.rejects.map { $0["code"] as? String } == ["too_many_columns", "csv_malformed"])
        #expect(r.rejects[0]["reason"] as? String == "record of 201 fields, more than max_columns 8", "\(r.rejects[0])")
        #expect(r.rejects[1]["reason"] as? String == "the header (line 1) is a reject, so no row of this file can be mapped")
        #expect(r.rejects.map { $0["line"] as? Int } == [1, 2])
        // A row past the limit under a good header.
        let p2 = dir.write("g.csv", "id,day,qty\n" + String(repeating: ",", count: 20) + "\n1,2025-01-02,3\n")
        let r2 = try Fixture.collect(profile, [p2], dir: dir)
        #expect(r2.rejects.map { $0["code"] as? String } == ["too_many_columns"] && r2.orders.count == 1)
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
        for k in 0..<20_000 { text += #","m\#(k)":"v""# }
        text += #","m7":"again"}"#
        let suite = HostileJSONTests()
        let x = try suite.only(try suite.run(Array(text.utf8)))
        #expect(x["code"] as? String == "duplicate_key" && x["field"] as? String == "m7")
    }

    /// A record or line item of more members than `max_columns` is a reject, as a CSV row of
    /// more fields is: each would be one more `ext` entry of its order.
    @Test func aJSONObjectOfTooManyMembersIsRejected() throws {
        let suite = HostileJSONTests()
        var record = #"{"id":"3","day":"2025-01-02""#
        for k in 0..<10 { record += #","m\#(k)":"v""# }
        let x = try suite.only(try suite.run(Array((record + "}").utf8), limits: "max_columns: 8"))
        #expect(x["code"] as? String == "too_many_columns")
        #expect(x["reason"] as? String == "the record has 12 members, more than max_columns 8")
        // A line item, through a profile whose lines are items.
        let profile = RejectTests.jsonProfile.replacingOccurrences(of: "max_line_bytes: 2048", with: "max_line_bytes: 2048, max_columns: 3")
        let dir = TempDir()
        let text = #"{"id":"a","t":"2025-01-01 08:00:00","items":[{"q":1},{"q":1,"a":1,"b":2,"c":3}]}"# + "\n"
        let r = try Fixture.collect(try Fixture.profile(profile), [dir.write("f.ndjson", text)], dir: dir)
        #expect(r.rejects.map { $0["reason"] as? String } == ["items[1] has 4 members, more than max_columns 3"])
        #expect(r.rejects.map { $0["code"] as? String } == ["too_many_columns"] && r.orders.isEmpty)
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
