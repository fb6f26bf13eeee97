import Foundation
import OrderModel
import Testing
@testable import Datasets

/// Write with DatasetWriter, read back with DatasetReader, compare field by field.
@Suite struct DatasetReaderTests {
    /// Orders exercising every column kind, nulls, empty lists and maps, odd partition values.
    static func richBatch(emptyLine: String = "") -> OrderBatch {
        var b = OrderBatch()
        let lines: [String?] = ["express", nil, emptyLine, "a/b c%é", "express"]
        for i in 0..<5 {
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: "shop:\(i)")
            b.orders.set(OrderField.source, string: "shop")
            b.orders.set(OrderField.status, string: "PAID")
            if let l = lines[i] { b.orders.set(OrderField.businessLine, string: l) }
            b.orders.set(OrderField.createdAt, int: Int64(i) * 1_000_001 - 5)
            b.orders.set(OrderField.orderDate, int: Orders.day20240105 + Int64(i % 2))
            if i != 2 { b.orders.set(OrderField.version, int: Int64(i) - 1) }
            b.orders.set(OrderField.grandTotal, int: -123_4567 * Int64(i))
            b.orders.set(OrderSchema.orderFieldIndex("is_test")!, int: Int64(i % 2))
            b.orders.set(OrderSchema.orderFieldIndex("package_count")!, int: Int64(i * 7))
            let tags = OrderSchema.orderFieldIndex("tags")!
            if i == 1 { b.orders.touch(tags) }
            if i >= 2 { for t in 0..<i { b.orders.addElement(tags, "t\(t)") } }
            if i != 3 { b.orders.addElement(OrderField.ext, "v\(i)", key: "shop.k") }
            if i == 4 { b.orders.addElement(OrderField.ext, "", key: "shop.empty") }
            for n in 0..<i {
                b.beginLine()
                b.lines.set(LineField.lineNo, int: Int64(n + 1))
                b.lines.set(LineField.quantity, int: Int64(n + 1) * 10_000)
                b.lines.set(OrderSchema.lineFieldIndex("ship_date")!, int: Orders.day20240105 - Int64(n))
                if n == 0 { b.lines.set(OrderSchema.lineFieldIndex("sku")!, string: "SKU-\(i)") }
                b.endLine()
            }
            b.endOrder()
        }
        return b
    }

    static func rows(_ t: ColumnTable) -> [String] {
        (0..<t.rowCount).map { r in
            t.columns.indices.map { c in
                let col = t.columns[c]
                if col.isNull(r) { return "∅" }
                switch col.kind {
                case .string: return col.string(r)!
                case .stringList: return col.list(r)!.joined(separator: "|")
                case .stringMap: return col.map(r)!.map { "\($0.key)=\($0.value)" }.joined(separator: "|")
                default: return String(col.int(r))
                }
            }.joined(separator: ",")
        }.sorted()
    }

    @Test(arguments: ["business_line,order_date", "order_month", ""])
    func roundTrip(keys: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-reader-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = DatasetWriteOptions(outputDirectory: dir, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList(keys)
        o.rowGroupRows = 2
        let w = try DatasetWriter(options: o)
        let batch = Self.richBatch(emptyLine: "cold_chain")
        try w.write(batch)
        _ = try w.commit()
        for kind in [DatasetKind.orders, .orderLines] {
            let reader = try DatasetReader(directory: dir, dataset: kind)
            var all = ColumnTable(fields: kind.fields)
            var groups = 0
            for p in reader.partitions {
                try reader.forEachRowGroup(in: p) { (g: DecodedRowGroup) throws(WaybillError) in
                    groups += 1
                    g.appendAll(to: &all)
                }
            }
            let source = kind == .orders ? batch.orders : batch.lines
            #expect(Self.rows(all) == Self.rows(source), "\(kind) with keys '\(keys)'")
            #expect(groups >= reader.partitions.count)
        }
    }

    @Test(arguments: DatasetCompression.allCases)
    func everyCodecReadsBack(codec: DatasetCompression) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-reader-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = DatasetWriteOptions(outputDirectory: dir, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList("order_date")
        o.compression = codec
        let w = try DatasetWriter(options: o)
        // Enough repeated values for dictionary pages, and a few thousand rows for several pages.
        var batch = OrderBatch()
        for i in 0..<5000 {
            batch.beginOrder()
            batch.orders.set(OrderField.orderId, string: "shop:\(i)")
            batch.orders.set(OrderField.status, string: i % 7 == 0 ? "SHIPPED" : "PAID")
            batch.orders.set(OrderField.orderDate, int: Orders.day20240105 + Int64(i % 3))
            if i % 5 != 0 { batch.orders.set(OrderField.grandTotal, int: Int64(i % 11) * 10_000) }
            batch.endOrder()
        }
        try w.write(batch)
        _ = try w.commit()
        let reader = try DatasetReader(directory: dir, dataset: .orders)
        var all = ColumnTable(fields: DatasetKind.orders.fields)
        for p in reader.partitions { try reader.forEachRowGroup(in: p) { (g: DecodedRowGroup) throws(WaybillError) in g.appendAll(to: &all) } }
        #expect(Self.rows(all) == Self.rows(batch.orders))
    }

    @Test func defaultPartitionReadsAsNull() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-reader-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = DatasetWriteOptions(outputDirectory: dir, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList("business_line")
        let w = try DatasetWriter(options: o)
        try w.write(Self.richBatch())
        _ = try w.commit()
        let reader = try DatasetReader(directory: dir, dataset: .orders)
        let p = try #require(reader.partitions.first { $0.directory == "business_line=__HIVE_DEFAULT_PARTITION__" })
        #expect(p.values == [nil])
        let t = try reader.readTable(p)
        #expect(t.rowCount == 2)  // null and "" both land there and read back as null
        #expect((0..<2).allSatisfy { t.columns[OrderField.businessLine].isNull($0) })
        let odd = try #require(reader.partitions.first { $0.values == ["a/b c%é"] })
        #expect(odd.directory == "business_line=a%2Fb%20c%25é")
    }

    @Test func missingManifestIsInputNotFound() {
        #expect(throws: WaybillError.self) { try DatasetReader(directory: "/nonexistent/wb", dataset: .orders) }
    }
}
