import Foundation
import OrderModel
import Testing
@testable import Ingest

@Suite struct RejectTests {
    static let csvProfile = """
        source: t
        format: csv
        limits: { max_field_bytes: 64, max_line_bytes: 4096 }
        group: { key: id }
        order:
          order_id: "{source}:{id}"
          external_order_id: id
          order_type: { const: sale }
          status: { from: st, map: { p: PAID, c: CREATED } }
          created_at: { from: day, format: "%Y-%m-%d" }
          grand_total: total
        line:
          quantity: qty
        """

    func reject(_ r: Collected, _ code: String) -> [String: Any]? { r.rejects.first { $0["code"] as? String == code } }

    @Test func everyCSVRejectKindWithItsPosition() throws {
        let long = String(repeating: "x", count: 100)
        let veryLong = String(repeating: "y", count: 5000)
        let rows = [
            "id,st,day,total,qty",  // line 1, offset 0 (20 bytes with the newline)
            "1,p,2025-01-01,10.00,1",  // good
            "2,p,2025-01-01,1a.00,1",  // bad_type
            "3,zz,2025-01-01,1.00,1",  // unmapped_value
            "4,p,,1.00,1",  // missing_required (created_at)
            "5,p,2025-01-01,1.00,2\"x",  // csv_malformed (quote inside an unquoted field)
            "6,p,2025-01-01,1.00,\(long)",  // field_too_long
            "7,p,2025-01-01,1.00,\(veryLong)",  // line_too_long
            "8,p,2025-02-30,1.00,1",  // bad date
            "9,p,2025-01-01,1.00,1",  // good
        ]
        var bytes = Array(rows.joined(separator: "\n").utf8) + [0x0A]
        // invalid_utf8 on line 11
        let badStart = bytes.count
        bytes += Array("10,p,2025-01-01,1.00,".utf8) + [0xFF, 0x31, 0x0A]
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(Self.csvProfile), [dir.write("f.csv", bytes)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["1", "9"])
        #expect(r.books.recordsIn == 10 && r.books.rejected == 8 && r.books.balances)
        func offset(_ line: Int) -> Int { rows[0..<(line - 1)].reduce(0) { $0 + $1.utf8.count + 1 } }
        let cases: [(String, Int, String)] = [
            ("bad_type", 3, "grand_total"), ("unmapped_value", 4, "status"), ("missing_required", 5, "created_at"),
            ("csv_malformed", 6, ""), ("field_too_long", 7, "qty"), ("line_too_long", 8, ""),
        ]
        for (code, line, field) in cases {
            let j = reject(r, code)
            #expect(j?["line"] as? Int == line, "\(code)")
            #expect(j?["byte_offset"] as? Int == offset(line), "\(code)")
            #expect(j?["file"] as? String == dir.path + "/f.csv")
            if !field.isEmpty { #expect((j?["reason"] as? String)?.contains(field) == true, "\(code)") }
        }
        #expect(reject(r, "bad_type")?["raw"] as? String == rows[2])
        #expect((reject(r, "bad_type")?["reason"] as? String)?.contains("1a.00") == true)
        let utf8 = reject(r, "invalid_utf8")
        #expect(utf8?["line"] as? Int == 11 && utf8?["byte_offset"] as? Int == badStart)
        #expect(utf8?["raw_base64"] != nil)
        #expect(r.rejects.filter { $0["code"] as? String == "bad_type" }.count == 2)  // the bad date too
    }

    @Test func aBadRowRejectsItsWholeOrder() throws {
        let text = """
            id,st,day,total,qty
            1,p,2025-01-01,10.00,1
            1,p,2025-01-01,10.00,oops
            1,p,2025-01-01,10.00,3
            2,p,2025-01-01,5.00,1

            """
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(Self.csvProfile), [dir.write("f.csv", text)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["2"])
        #expect(r.rejects.count == 3)
        #expect(r.rejects.map { $0["line"] as! Int } == [2, 3, 4])
        #expect((r.rejects[0]["reason"] as? String)?.contains("order rejected as a whole") == true)
        #expect(r.books.recordsIn == 4 && r.books.rowsOut == 1 && r.books.rejected == 3 && r.books.balances)
    }

    /// An order takes its fields from its first row: a later row that gives one another value
    /// (mapped or not) rejects the order, instead of the value being dropped; blank cells and
    /// columns the lines read as well may differ.
    @Test func rowsOfOneOrderMustAgreeOnItsFields() throws {
        let text = """
            id,st,day,total,qty,cust
            1,p,2025-01-01,10.00,1,c1
            1,,,,2,
            1,p,2025-01-01,10.00,3,c1
            2,p,2025-01-01,5.00,1,c2
            2,p,2025-01-02,5.00,1,c2
            3,c,2025-01-01,7.00,1,c3
            3,c,2025-01-01,7.00,1,c9
            4,p,2025-01-01,8.00,1,
            4,p,2025-01-01,8.00,2,c4

            """
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(Self.csvProfile), [dir.write("f.csv", text)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["1"])
        #expect(r.rejects.map { $0["line"] as! Int } == [5, 6, 7, 8, 9, 10])
        #expect(r.rejects.allSatisfy { $0["code"] as? String == "order_fields_differ" })
        #expect(r.rejects.map { $0["field"] as? String } == ["day", "day", "cust", "cust", "cust", "cust"])
        #expect(r.rejects[1]["reason"] as? String == "column 'day' is \"2025-01-02\" here but \"2025-01-01\" on the "
            + "order's first row (line 5): the rows of one order must repeat its order fields or leave them empty")
        #expect((r.rejects[4]["reason"] as? String)?.contains("column 'cust' is \"c4\" here but \"\" on the order's first row (line 9)") == true)
        #expect(r.books.recordsIn == 9 && r.books.rowsOut == 3 && r.books.rejected == 6 && r.books.balances)

        // A column read by the lines too may change from row to row.
        let shared = Self.csvProfile.replacingOccurrences(of: "  quantity: qty", with: "  quantity: qty\n  note: day")
        let r2 = try Fixture.collect(try Fixture.profile(shared), [dir.write("g.csv", text)], dir: dir)
        #expect(r2.rejects.map { $0["line"] as! Int } == [7, 8, 9, 10])
    }

    /// An order of more rows than `max_order_rows` is rejected row by row (a key that never
    /// changes would otherwise hold the whole feed as one order); the orders after it land.
    @Test func anOrderPastMaxOrderRowsIsRejected() throws {
        let text = "id,st,day,total,qty\n" + String(repeating: "1,p,2025-01-01,1,1\n", count: 6) + "2,p,2025-01-01,1,1\n"
        let profile = Self.csvProfile.replacingOccurrences(of: "max_line_bytes: 4096 }", with: "max_line_bytes: 4096, max_order_rows: 4 }")
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(profile), [dir.write("f.csv", text)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["2"])
        #expect(r.rejects.map { $0["line"] as! Int } == [2, 3, 4, 5, 6, 7])
        #expect(r.rejects.allSatisfy { $0["code"] as? String == "order_too_large" })
        #expect(r.rejects[4]["reason"] as? String
            == "order '1' has more than max_order_rows 4 rows (a group.key that never changes?)")
        #expect(r.rejects[0]["reason"] as? String == "order rejected as a whole: line 6: "
            + "order '1' has more than max_order_rows 4 rows (a group.key that never changes?)")
        #expect(r.rejects[5]["raw"] as? String == "1,p,2025-01-01,1,1")
        #expect(r.books.recordsIn == 7 && r.books.rowsOut == 1 && r.books.rejected == 6 && r.books.balances)
    }

    /// Rows with an empty key are broken records each: they neither continue the order before
    /// them nor group with each other.
    @Test func keylessRowsAreRejectsOfTheirOwn() throws {
        let text = "id,st,day,total,qty\n1,p,2025-01-01,1,1\n,p,2025-01-01,1,1\n,c,2025-01-02,2,1\n2,p,2025-01-01,1,1\n"
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(Self.csvProfile), [dir.write("f.csv", text)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["1", "2"])
        #expect(r.rejects.map { $0["code"] as? String } == ["missing_required", "missing_required"])
        #expect(r.rejects.map { $0["line"] as? Int } == [3, 4])
        #expect(r.rejects.allSatisfy { ($0["reason"] as? String)?.contains("as a whole") == false })
    }

    @Test func decimalsTooLongOrTooPreciseSayWhich() throws {
        // DECIMAL(18,4) ends at 99999999999999.9999: one more is out of range, as a Parquet
        // column of that precision could not hold it.
        let text = "id,st,day,total,qty\n1,p,2025-01-01,12345678901234567890,1\n2,p,2025-01-01,1.00001,1\n3,p,2025-01-01,1.50000,1\n"
            + "4,p,2025-01-01,-99999999999999.9999,1\n5,p,2025-01-01,100000000000000,1\n"
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(Self.csvProfile), [dir.write("f.csv", text)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["3", "4"])
        #expect(r.rejects.map { $0["reason"] as? String } == [
            "grand_total (from total): \"12345678901234567890\" is out of range (at most 99999999999999.9999 either side of zero, DECIMAL(18,4))",
            "grand_total (from total): \"1.00001\" has more than 4 decimal places that are not zeros (money is never rounded)",
            "grand_total (from total): \"100000000000000\" is out of range (at most 99999999999999.9999 either side of zero, DECIMAL(18,4))",
        ])
        // Scaled past the range (cents read as thousands).
        let tenfold = Self.csvProfile.replacingOccurrences(of: "grand_total: total", with: "grand_total: { from: total, multiply: 10 }")
        let r3 = try Fixture.collect(try Fixture.profile(tenfold), [dir.write("h.csv", "id,st,day,total,qty\n1,p,2025-01-01,10000000000000,1\n")], dir: dir)
        #expect(r3.rejects.map { $0["reason"] as? String } == [
            "grand_total (from total): \"10000000000000\" is out of range (at most 99999999999999.9999 either side of zero, DECIMAL(18,4))",
        ])
        // Scaled into an integer field (kg -> g): the same explanations.
        let scaled = Self.csvProfile.replacingOccurrences(of: "  quantity: qty", with: "  quantity: qty\n  unit_weight_g: { from: kg, multiply: 1000 }")
        let kg = "id,st,day,total,qty,kg\n1,p,2025-01-01,1,1,9223372036854775\n2,p,2025-01-01,1,1,1e5\n"
        let r2 = try Fixture.collect(try Fixture.profile(scaled), [dir.write("g.csv", kg)], dir: dir)
        #expect(r2.rejects.map { $0["reason"] as? String } == [
            "unit_weight_g (from kg): \"9223372036854775\" is out of range (at most 99999999999999.9999 either side of zero, DECIMAL(18,4))",
            "unit_weight_g (from kg): \"1e5\" is not a plain decimal number",
        ])
    }

    static let jsonProfile = """
        source: j
        format: ndjson
        limits: { max_field_bytes: 32, max_line_bytes: 2048 }
        lines: { from: items, key: items }
        order:
          order_id: "{source}:{id}"
          external_order_id: id
          order_type: { const: sale }
          status: { const: PAID }
          created_at: { from: t, format: "%Y-%m-%d %H:%M:%S", timezone: Asia/Shanghai }
        line:
          quantity: q
        """

    @Test func everyJSONRejectKind() throws {
        var lines = [
            #"{"id":"a","t":"2025-01-01 08:00:00","items":[{"q":1}]}"#,
            #"{"id":"b","t":"2025-01-01 08:00:00","items":[{"q":1}"#,  // json_invalid
            #"{"id":"c","t":"2025-01-01 08:00:00","items":[{"q":"x"}]}"#,  // bad_type
            #"{"id":"d","items":[{"q":1}]}"#,  // missing_required
            #"{"id":"e","t":"2025-01-01 08:00:00","items":[{"q":1}],"note":"\#(String(repeating: "n", count: 40))"}"#,
            #"{"id":"f","t":"2025-01-01 08:00:00","items":[{"q":1}],"pad":"\#(String(repeating: "p", count: 3000))"}"#,
            "",
            #"{"id":"g","t":"2025-01-01 08:00:00","items":[{"q":2.5}],"extra":{"k":[1,true,null]}}"#,
            "[1,2]",  // not an object
        ]
        lines[4] = lines[4]  // note is unmapped: goes to ext (the field limit applies to mapped fields)
        var bytes = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        bytes += Array(#"{"id":"h","t":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8) + [0x0A]
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(Self.jsonProfile), [dir.write("f.ndjson", bytes)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["a", "e", "g"])
        #expect(r.orders[0]["created_at"] as? String == "2025-01-01T00:00:00Z")
        #expect((r.orders[2]["ext"] as? [String: String])?["j.extra"] == #"{"k":[1,true,null]}"#)
        let codes = r.rejects.map { "\($0["code"]!)@\($0["line"]!)" }
        #expect(codes == ["json_invalid@2", "bad_type@3", "missing_required@4", "line_too_long@6", "json_invalid@9", "invalid_utf8@10"])
        #expect(r.books.recordsIn == 9 && r.books.balances)
        let offsets = r.rejects.map { $0["byte_offset"] as! Int }
        let expected = [2, 3, 4, 6, 9, 10].map { n in lines[0..<(n - 1)].reduce(0) { $0 + $1.utf8.count + 1 } }
        #expect(offsets == expected)
    }

    @Test func booksAndRejectRate() throws {
        let dir = TempDir()
        let r = try Fixture.collect(
            try Fixture.profile(Self.csvProfile), [dir.write("f.csv", "id,st,day,total,qty\n1,p,2025-01-01,1,1\n2,q,2025-01-01,1,1\n")],
            dir: dir)
        #expect(r.books.recordsIn == 2 && r.books.rejected == 1 && r.books.balances)
        #expect(r.books.summary(stage: "collect").contains("[books balance]"))
    }
}
