import Foundation
import OrderModel
import Testing
@testable import Datasets

/// Row groups cut while the input still arrives are encoded on the writer's encoder thread
/// (`encodeThreads` > 1): the files must be what the one-thread writer makes, and a failure
/// there must reach the caller.
@Suite struct BackgroundEncodeTests {
    private func run(encodeThreads: Int, keys: String, budget: Int, rowGroupRows: Int, shuffled: Bool) throws -> (files: [String: String], spilled: Int) {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = DatasetWriteOptions(outputDirectory: out, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList(keys)
        o.memoryBudget = budget
        o.rowGroupRows = rowGroupRows
        o.encodeThreads = encodeThreads
        o.routingThread = false
        let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
        for chunk in 0..<6 {
            let rows = (0..<600).map { k in
                let n = shuffled ? (k * 7919 + chunk) % 600 : k
                return (id: "s:\(chunk)-\(n)", day: Int64(19_000 + (shuffled ? n % 40 : chunk * 5 + k / 120)), line: Optional("x"),
                    lines: 1 + n % 3)
            }
            try w.write(Orders.batch(rows))
        }
        let r = try w.commit()
        // Manifests name the files in commit order; only their commit time may differ.
        return (try landedFiles(out), r.spillBytes)
    }

    @Test(arguments: [false, true])
    func filesMatchTheOneThreadWriter(shuffled: Bool) throws {
        // Small row groups and a small budget: row groups are cut (and spilled segments written)
        // all through the input, so most of them go through the encoder thread.
        let one = try run(encodeThreads: 1, keys: "order_date", budget: 1 << 20, rowGroupRows: 100, shuffled: shuffled)
        let two = try run(encodeThreads: 2, keys: "order_date", budget: 1 << 20, rowGroupRows: 100, shuffled: shuffled)
        #expect(one.files.count > 40)
        #expect(!shuffled || two.spilled > 0)  // shuffled input goes through the spill file too
        #expect(one.files.keys.sorted() == two.files.keys.sorted())
        for (name, text) in one.files { #expect(two.files[name] == text, "\(name)") }
    }

    @Test func encoderFailureReachesTheCaller() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = DatasetWriteOptions(outputDirectory: out, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList("order_date")
        o.rowGroupRows = 50
        o.encodeThreads = 2
        let w = try DatasetWriter(options: o, rejects: nil, factory: FailingFactory(after: 3))
        let failed = #expect(throws: WaybillError.self) {
            for chunk in 0..<20 {
                try w.write(Orders.batch((0..<500).map { (id: "s:\(chunk)-\($0)", day: Int64(19_000), line: nil, lines: 1) }))
            }
            _ = try w.commit()
        }
        #expect(failed?.description.contains("disk full") == true)
        #expect(filesUnder(out) == [".waybill.lock"])  // nothing staged or landed is left behind
    }
}

/// Opens sinks whose row-group writes fail once `after` of them have succeeded.
private final class FailingFactory: DataFileSinkFactory, @unchecked Sendable {
    private var left: Int
    init(after: Int) { left = after }

    final class Sink: DataFileSink {
        let factory: FailingFactory
        let inner: RecordingSink
        init(factory: FailingFactory, inner: RecordingSink) {
            self.factory = factory
            self.inner = inner
        }
        var bytesWritten: Int { inner.bytesWritten }
        func writeRowGroup(_ table: PendingTable) throws(WaybillError) {
            if factory.left == 0 { throw .io(path: inner.path + ": disk full", errno: ENOSPC) }
            factory.left -= 1
            try inner.writeRowGroup(table)
        }
        func finish() throws(WaybillError) -> (bytes: Int, crc32: UInt32) { try inner.finish() }
    }

    func makeSink(path: String, dataset: DatasetKind, options: DatasetWriteOptions) throws(WaybillError) -> DataFileSink {
        Sink(factory: self, inner: try RecordingSink(path: path, dataset: dataset))
    }
}
