import OrderModel
import Testing
@testable import Datasets

@Suite struct PartitionKeyTests {
    private func value(_ key: PartitionKey, _ batch: OrderBatch, row: Int = 0) -> String? {
        var out: [UInt8] = []
        return key.appendValue(of: batch.orders, row: row, into: &out) ? String(decoding: out, as: UTF8.self) : nil
    }

    @Test func parsesTheDocumentedSpecs() throws {
        let keys = try PartitionKey.parseList("business_line, order_date,month(order_date),bucket(16, order_id),source")
        #expect(keys.map(\.name) == ["business_line", "order_date", "order_month", "order_id_bucket", "source"])
        #expect(keys[3].transform == .bucket(16))
        #expect(try PartitionKey.parse("order_month") == keys[2])
        #expect(keys.map(\.sqlType) == ["VARCHAR", "DATE", "VARCHAR", "INTEGER", "VARCHAR"])
        #expect(keys.map(\.description) == ["business_line", "order_date", "month(order_date)", "bucket(16, order_id)", "source"])
    }

    @Test func rejectsBadSpecs() {
        for bad in ["nope", "bucket(0, order_id)", "bucket(x, order_id)", "bucket(4)", "month(source)", "ext", "tags",
            "year(order_date)", "order_date,order_date", "ship_mode", "order_id", "grand_total"]
        {
            #expect(throws: WaybillError.self, "\(bad)") { try PartitionKey.parseList(bad) }
        }
        // A timestamp: the error says what partitions by time.
        do {
            _ = try PartitionKey.parseList("created_at")
            Issue.record("created_at was accepted")
        } catch {
            #expect(error.description.contains("partition by a date field, e.g. order_date, or by month(order_date)"))
        }
    }

    @Test func computesValuesFromTheBatch() throws {
        let b = Orders.batch([("shop:1", Orders.day20240105, "cold chain/é", 1), ("shop:2", -1, nil, 0)])
        #expect(value(try PartitionKey.parse("order_date"), b) == "2024-01-05")
        #expect(value(try PartitionKey.parse("order_month"), b) == "2024-01")
        #expect(value(try PartitionKey.parse("order_date"), b, row: 1) == "1969-12-31")
        #expect(value(try PartitionKey.parse("business_line"), b) == "cold chain/é")
        #expect(value(try PartitionKey.parse("business_line"), b, row: 1) == nil)
        #expect(value(try PartitionKey.parse("bucket(10000, order_id)"), b) != nil)
        var s = "shop:1"
        let expected = s.withUTF8 { Murmur3.bucket(Murmur3.hash32(UnsafeRawBufferPointer($0)), count: 7) }
        #expect(value(try PartitionKey.parse("bucket(7, order_id)"), b) == String(expected))
        #expect(value(try PartitionKey.parse("is_test"), b) == nil)
        #expect(value(try PartitionKey.parse("line_count"), b) == "1")
    }

    @Test func dropsOnlyCopiedColumns() throws {
        let keys = try PartitionKey.parseList("business_line,order_month,bucket(4, order_id)")
        let cols = DatasetKind.orders.dataColumns(keys: keys).map { OrderSchema.orderFields[$0].name }
        #expect(!cols.contains("business_line"))
        #expect(cols.contains("order_date") && cols.contains("order_id"))
        #expect(DatasetKind.orderLines.dataColumns(keys: keys).count == OrderSchema.lineFields.count)
    }
}
