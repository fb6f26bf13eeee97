import Foundation
import OrderModel
import Testing
@testable import Ingest

@Suite struct UnifiedReaderTests {
    /// encode -> decode -> encode is byte-identical, over every shape's output.
    @Test func roundTripIsByteIdentical() throws {
        let dir = TempDir()
        var all: [String] = []
        all += try Fixture.collect(try Fixture.shipped("tpch-flat-csv.yaml"), [dir.write("f.csv", TPCH.csv)], dir: dir).lines
        let shop = try Fixture.collect(
            try Fixture.profile(ProfileTestsData.rich), [dir.write("r.csv", ProfileTestsData.richCSV)], dir: dir)
        #expect(shop.rejects.isEmpty)
        all += shop.lines
        let text = all.joined(separator: "\n") + "\n"
        let path = dir.write("u.ndjson", text)
        let reader = try UnifiedNDJSONReader(path: path)
        var batch = OrderBatch()
        var out: [UInt8] = []
        let encoder = UnifiedNDJSONEncoder()
        var calls = 0
        while try reader.next(into: &batch, maxOrders: 2) {
            calls += 1
            encoder.encode(batch, into: &out)
            batch.removeAll()
        }
        #expect(reader.rejects.isEmpty)
        #expect(String(decoding: out, as: UTF8.self) == text)
        #expect(reader.recordsIn == all.count)
        #expect(calls >= 1)
    }

    /// Reads NDJSON lines made from a good collected order by `edits`: the orders read and the
    /// rejects.
    func read(_ edits: (String) -> [String]) throws -> (batch: OrderBatch, rejects: [Reject]) {
        let dir = TempDir()
        let good = try Fixture.collect(try Fixture.shipped("tpch-flat-csv.yaml"), [dir.write("f.csv", TPCH.csv)], dir: dir).lines[0]
        let path = dir.write("u.ndjson", edits(good).joined(separator: "\n") + "\n")
        let reader = try UnifiedNDJSONReader(path: path, stage: "write")
        var batch = OrderBatch()
        while try reader.next(into: &batch, maxOrders: 100) {}
        return (batch, reader.takeRejects())
    }

    @Test func badLinesBecomeRejects() throws {
        let (batch, rejects) = try read { good in [
            good,
            "{not json",
            good.replacingOccurrences(of: "\"source\":\"tpch\"", with: "\"sauce\":\"tpch\""),
            good.replacingOccurrences(of: "\"grand_total\":\"131251.81\"", with: "\"grand_total\":true"),
            good.replacingOccurrences(of: "\"order_id\":\"tpch:1\",", with: ""),
        ] }
        #expect(batch.count == 1)
        #expect(rejects.map(\.code) == ["json_invalid", "unknown_field", "bad_type", "missing_required"])
        #expect(rejects.map(\.position.line) == [2, 3, 4, 5])
        #expect(rejects.allSatisfy { $0.stage == "write" })
        #expect(rejects[2].reason.contains("grand_total"))
    }

    /// A decimal string that is one, but too long or too precise, says which; an integer past
    /// an INT32 field's range says the range.
    @Test func numbersOutOfRangeSayWhy() throws {
        let reasons = try read { good in [
            good.replacingOccurrences(of: "\"grand_total\":\"131251.81\"", with: "\"grand_total\":\"12345678901234567890.12\""),
            good.replacingOccurrences(of: "\"grand_total\":\"131251.81\"", with: "\"grand_total\":\"1.23456\""),
            good.replacingOccurrences(of: "\"line_no\":1,", with: "\"line_no\":3000000000,"),
        ] }.rejects.map(\.reason)
        #expect(reasons == [
            "grand_total: \"12345678901234567890.12\" is out of range (at most 99999999999999.9999 either side of zero, DECIMAL(18,4))",
            "grand_total: \"1.23456\" has more than 4 decimal places that are not zeros (money is never rounded)",
            "line_no must be an integer from -2147483648 to 2147483647",
        ])
    }

    /// The model's own times are RFC 3339: two-digit month, day and time parts. Digits past
    /// microseconds are dropped (the datasets' unit), not a reject.
    @Test func timesAreRFC3339() throws {
        let (batch, rejects) = try read { good in
            let created = String(good[good.firstMatch(of: #/"created_at":"[^"]*"/#)!.range])
            let date = String(good[good.firstMatch(of: #/"order_date":"[^"]*"/#)!.range])
            return [
                good.replacingOccurrences(of: date, with: #""order_date":"1992-1-02""#),
                good.replacingOccurrences(of: created, with: #""created_at":"1992-01-02T1:00:00Z""#),
                good.replacingOccurrences(of: created, with: #""created_at":"1992-01-02T01:00:00.1234567Z""#),
            ]
        }
        #expect(rejects.map(\.code) == ["bad_type", "bad_type"])
        #expect(rejects.map(\.position.line) == [1, 2])
        #expect(batch.count == 1)
        // 1992-01-02 is day 8,036 of the epoch.
        let expected: Int64 = (8_036 * 86_400 + 3_600) * 1_000_000 + 123_456
        #expect(batch.orders.columns[OrderField.createdAt].int(0) == expected)
    }
}

/// A profile that fills every kind of column (lists, bools, ints, timestamps, dates, maps).
enum ProfileTestsData {
    static let rich = """
        source: r
        format: csv
        group: { key: id }
        lines: { from: rows, ext_prefix: "l_" }
        order:
          order_id: "{source}:{id}"
          external_order_id: id
          order_type: { const: return }
          status: { const: ON_HOLD }
          created_at: { from: at, format: "%Y-%m-%dT%H:%M:%S%f%z" }
          updated_at: { from: at, format: "%Y-%m-%dT%H:%M:%S%f%z" }
          version: v
          package_count: n
          is_cod: cod
          tags: { from: tags, split: ";" }
          grand_total: total
          note: note
        line:
          line_no: l_no
          quantity: l_qty
          ship_date: l_ship
          taxable: l_tax
        """
    static let richCSV = """
        id,at,v,n,cod,tags,total,note,x_other,l_no,l_qty,l_ship,l_tax,l_extra
        9,2025-01-02T03:04:05.123456+01:00,7,2,true,a;b,-12.3456,"say ""hi""\\n\t",keep,1,0.5,2025-01-03,false,e1
        9,2025-01-02T03:04:05.123456+01:00,7,2,true,a;b,-12.3456,"say ""hi""\\n\t",keep,2,3,2025-01-04,true,

        """
}
