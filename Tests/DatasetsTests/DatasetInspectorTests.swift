import Foundation
import OrderModel
import Testing
@testable import Datasets

@Suite struct DatasetInspectorTests {
    private func dataset() throws -> (String, DatasetWriteResult) {
        let out = tempDirectory()
        var o = DatasetWriteOptions(outputDirectory: out, batchId: "i1")
        o.partitionKeys = try PartitionKey.parseList("order_date")
        let w = try DatasetWriter(options: o)
        try w.write(Orders.batch((0..<30).map { (id: "s:\($0)", day: 19_000 + Int64($0 % 3), line: nil, lines: 2) }))
        return (out, try w.commit())
    }

    @Test func aCleanDatasetChecksOut() throws {
        let (out, _) = try dataset()
        defer { FileOps.removeTree(out) }
        let r = try DatasetInspector.inspect(path: out)
        #expect(r.map(\.dataset) == ["order_lines", "orders"])
        let orders = try #require(r.last)
        #expect(orders.isConsistent && orders.rows == 30 && orders.partitions.count == 3 && orders.files == 3)
        #expect(r.first?.rows == 60)
        #expect(DatasetInspector.render(r).contains("manifest check: OK"))
        #expect(DatasetInspector.renderJSON(r).contains("\"rows\" : 30"))
    }

    @Test func reportsMissingExtraAndChangedFiles() throws {
        let (out, result) = try dataset()
        defer { FileOps.removeTree(out) }
        let files = result.files.filter { $0.hasPrefix("orders/") }
        try FileOps.remove(out + "/" + files[0])
        // Same size, one byte flipped: only the checksum can tell.
        var bytes = try #require(FileOps.readFile(out + "/" + files[1]))
        bytes[10] ^= 0xFF
        try FileOps.writeFile(out + "/" + files[1], bytes)
        try FileOps.writeFile(out + "/orders/order_date=2099-01-01.parquet", Array("PAR1junkPAR1".utf8))
        let r = try DatasetInspector.inspect(path: out + "/orders")
        #expect(r.count == 1)
        let problems = r[0].problems
        #expect(problems.contains { $0.hasPrefix("missing: ") && $0.contains(String(files[0].dropFirst(7))) })
        #expect(problems.contains { $0.hasPrefix("changed: ") && $0.contains("crc32") })
        #expect(problems.contains { $0.hasPrefix("extra: order_date=2099-01-01.parquet") })
        #expect(!r[0].isConsistent)
    }

    @Test func nothingToInspectIsInputNotFound() {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        #expect(throws: WaybillError.self) { try DatasetInspector.inspect(path: out) }
        #expect(throws: WaybillError.self) { try DatasetInspector.inspect(path: out + "/nope") }
    }
}
