import Foundation
import OrderModel
import Testing
@testable import Ingest

@Suite struct TPCHCollectTests {
    @Test func flatAndNestedShapesGiveTheSameOrders() throws {
        let dir = TempDir()
        let flat = try Fixture.collect(try Fixture.shipped("tpch-flat-csv.yaml"), [dir.write("f.csv", TPCH.csv)], dir: dir)
        let nested = try Fixture.collect(
            try Fixture.shipped("tpch-nested-ndjson.yaml"), [dir.write("n.ndjson", TPCH.ndjson)], dir: dir)
        #expect(flat.orders.count == 3)
        #expect(flat.books.recordsIn == 6 && flat.books.rowsOut == 6 && flat.books.balances)
        #expect(nested.books.recordsIn == 3 && nested.books.ordersOut == 3 && nested.books.linesOut == 6)
        #expect(flat.rejects.isEmpty && nested.rejects.isEmpty)
        #expect(flat.withoutFileLineage == nested.withoutFileLineage)
        // Exact sums: 131251.81 + 40183.29 + 159754.93; quantities 17+36+38+45+49+27.
        #expect(flat.sumOrders("finance", "grand_total") == 331_190_0300)
        #expect(flat.sumLines("quantity") == 212 * 10_000)
        let o = flat.orders[1]
        #expect(o["order_id"] as? String == "tpch:2")
        #expect(o["status"] as? String == "DELIVERED")
        #expect(o["created_at"] as? String == "1996-12-01T00:00:00Z")
        #expect((o["operation"] as? [String: Any])?["note"] as? String == "foxes \"pending\"")
        #expect((o["ext"] as? [String: String])?["tpch.o_comment"] == nil)  // mapped, so not in ext
        #expect((o["ext"] as? [String: String])?["tpch.o_custkey"] == "79")
        let line = (o["lines"] as? [[String: Any]])?.first
        #expect((line?["ext"] as? [String: String])?["tpch.l_shipinstruct"] == "COLLECT COD")
        let op = flat.orders[0]["operation"] as? [String: Any]
        #expect(op?["source_line"] as? Int == 2)
        #expect(op?["batch_id"] as? String == "test")
        #expect(op?["note"] as? String == "nstructions sleep ")
    }

    @Test func batchesAreBounded() throws {
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.shipped("tpch-flat-csv.yaml"), [dir.write("f.csv", TPCH.csv)], batchSize: 1, dir: dir)
        #expect(r.orders.count == 3)
        #expect(r.batches == 3)
    }

    /// The scale-0.001 feeds from make-feeds.sh, when present: counts and exact sums checked
    /// against an independent reading of the CSV.
    @Test func realTPCHFeeds() throws {
        let flatPath = "/tmp/feeds001/orders_flat.csv", nestedPath = "/tmp/feeds001/orders_nested.ndjson"
        guard FileManager.default.fileExists(atPath: flatPath), FileManager.default.fileExists(atPath: nestedPath) else {
            print("skipped: /tmp/feeds001 not present (make it with bench/make-feeds.sh 0.001 /tmp/feeds001)")
            return
        }
        let dir = TempDir()
        let flat = try Fixture.collect(try Fixture.shipped("tpch-flat-csv.yaml"), [flatPath], dir: dir)
        let nested = try Fixture.collect(try Fixture.shipped("tpch-nested-ndjson.yaml"), [nestedPath], dir: dir)
        // Independent count: distinct order keys and the sum of l_quantity (column 13), read
        // with a quote-aware split.
        let text = try String(contentsOfFile: flatPath, encoding: .utf8)
        var keys = Set<Substring>()
        var quantity: Int64 = 0
        var totals: [Substring: Int64] = [:]
        for row in text.split(separator: "\n").dropFirst() {
            var fields: [Substring] = []
            var inQuote = false
            var start = row.startIndex
            for i in row.indices {
                if row[i] == "\"" { inQuote.toggle() }
                if row[i] == "," && !inQuote {
                    fields.append(row[start..<i])
                    start = row.index(after: i)
                }
            }
            fields.append(row[start...])
            keys.insert(fields[0])
            quantity += Int64(fields[12])! * 10_000
            if case .success(let t) = ExactDecimal.parse(String(fields[3])) { totals[fields[0]] = t }
        }
        #expect(flat.orders.count == keys.count)
        #expect(nested.orders.count == keys.count)
        #expect(flat.sumLines("quantity") == quantity)
        #expect(nested.sumLines("quantity") == quantity)
        #expect(flat.sumOrders("finance", "grand_total") == totals.values.reduce(0, +))
        #expect(nested.sumOrders("finance", "grand_total") == totals.values.reduce(0, +))
        #expect(flat.books.balances && nested.books.balances && flat.rejects.isEmpty && nested.rejects.isEmpty)
        #expect(flat.withoutFileLineage == nested.withoutFileLineage)
    }
}
