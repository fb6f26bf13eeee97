import Foundation
import OrderModel
import Testing
@testable import Datasets
@testable import Lifecycle

/// Compaction rewrites rows and takes no key yet: on encrypted files it must stop with a
/// configuration error before changing anything, never land ciphertext as text.
@Suite struct EncryptedCompactionTests {
    @Test func compactionOfEncryptedFilesStopsUnchanged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-enc-compact-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try ColumnKey.random(id: "k1")
        for (batchId, version) in [("b1", Int64(1)), ("b2", Int64(2))] {
            var o = DatasetWriteOptions(outputDirectory: dir, batchId: batchId)
            o.partitionKeys = try PartitionKey.parseList("order_date")
            o.mode = .append
            o.encryption = ColumnEncryption(key: key)
            let w = try DatasetWriter(options: o)
            var b = OrderBatch()
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: "shop:1")
            b.orders.set(OrderField.orderDate, int: Fixtures.day)
            b.orders.set(OrderField.version, int: version)
            b.orders.set(OrderSchema.orderFieldIndex("consignee_name")!, string: "Li Na")
            b.endOrder()
            try w.write(b)
            _ = try w.commit()
        }
        let before = try DatasetReader(directory: dir, dataset: .orders).manifest
        do {
            _ = try Compactor.run(CompactOptions(directory: dir))
            Issue.record("compacted encrypted files without a key")
        } catch {
            #expect(error.exitCode == 78)
        }
        #expect(try DatasetReader(directory: dir, dataset: .orders).manifest == before)
    }
}
