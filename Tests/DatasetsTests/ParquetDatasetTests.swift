import Foundation
import OrderModel
import Parquet
import Testing
@testable import Datasets

@Suite struct ParquetDatasetTests {
    @Test func writesParquetFilesWithTheModelSchema() throws {
        let out = ProcessInfo.processInfo.environment["WAYBILL_KEEP_DATASET"] ?? tempDirectory()
        defer { if ProcessInfo.processInfo.environment["WAYBILL_KEEP_DATASET"] == nil { FileOps.removeTree(out) } }
        var o = DatasetWriteOptions(outputDirectory: out, batchId: "t1")
        o.partitionKeys = try PartitionKey.parseList("business_line,order_month")
        o.mode = .overwritePartitions
        let w = try DatasetWriter(options: o)
        var b = Orders.batch([
            ("s:1", Orders.day20240105, "a/b%c=d:e f", 2), ("s:2", Orders.day20240105, "é 北", 1),
            ("s:3", Orders.day20240105 + 40, nil, 0), ("s:4", Orders.day20240105, "", 3),
        ])
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "s:5")
        b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "x")
        b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "y")
        b.orders.touch(OrderSchema.orderFieldIndex("discount_codes")!)
        b.orders.set(OrderField.orderDate, int: Orders.day20240105)
        b.endOrder()
        try w.write(b)
        let r = try w.commit()
        #expect(r.orders == 5 && r.lines == 6)
        let files = r.files.filter { $0.hasPrefix("orders/") }
        #expect(files.contains("orders/business_line=a%2Fb%25c%3Dd%3Ae%20f/order_month=2024-01/part-t1-c000.zstd.parquet"))
        #expect(files.contains("orders/business_line=é%20北/order_month=2024-01/part-t1-c000.zstd.parquet"))
        #expect(files.contains("orders/business_line=__HIVE_DEFAULT_PARTITION__/order_month=2024-02/part-t1-c000.zstd.parquet"))
        for f in r.files {
            let bytes = try #require(FileManager.default.contents(atPath: out + "/" + f))
            #expect(bytes.prefix(4) == Data("PAR1".utf8) && bytes.suffix(4) == Data("PAR1".utf8))
        }
    }

    @Test func schemaMapsEveryKind() throws {
        let s = try DatasetSchema(dataset: .orders, keys: try PartitionKey.parseList("business_line"))
        #expect(!s.fields.map { OrderSchema.orderFields[$0].name }.contains("business_line"))
        let grand = try #require(s.parquet.column(named: "grand_total"))
        #expect(grand.physical == .int64 && grand.logical == .decimal(precision: 18, scale: 4))
        let created = try #require(s.parquet.column(named: "created_at"))
        #expect(created.logical == .timestampMicros(adjustedToUTC: true))
        #expect(s.parquet.column(named: "order_date")?.physical == .int32)
        #expect(s.parquet.column(named: "tags.list.element")?.maxRepetitionLevel == 1)
        #expect(s.parquet.column(named: "ext.key_value.value")?.maxDefinitionLevel == 3)
        #expect(s.parquet.column(named: "is_test")?.physical == .boolean)
    }
}
