import Foundation
import OrderModel
import Testing
import Datasets
@testable import Lifecycle

@Suite struct CompactorTests {
    typealias V = Fixtures.Version

    /// Three runs: versions change, one order moves to another date, one replay is older,
    /// one run repeats an order twice.
    static func landRuns(_ dir: String) throws {
        let d = Fixtures.day
        try Fixtures.land(dir, "20240101T000000Z-1", (1...6).map { V(id: "o\($0)", version: 1, day: d + Int64($0 % 2)) })
        try Fixtures.land(dir, "20240102T000000Z-1", [
            V(id: "o3", version: 2, day: d + 1, total: 300, lines: 3),
            V(id: "o4", version: 2, day: d, total: 400, lines: 0),
            V(id: "o5", version: 2, day: d + 7, total: 500, lines: 2),  // moves partition
        ])
        try Fixtures.land(dir, "20240103T000000Z-1", [
            V(id: "o1", version: 0, day: d + 1, total: 1),  // older: loses
            V(id: "o6", version: 3, day: d, total: 6, lines: 2),
            V(id: "o6", version: 4, day: d, total: 66, lines: 1),  // same run, higher: wins
        ])
    }

    @Test func foldsToOneRowPerOrderAndKeepsHistory() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.landRuns(dir)
        let before = try Fixtures.rows(dir, .orders)
        let r = try Compactor.run(CompactOptions(directory: dir, batchId: "compact-1"))
        #expect(r.orderRows == 12)
        #expect(r.currentOrders == 6)
        let orders = try Fixtures.rows(dir, .orders)
        #expect(orders == [
            "o1|1|1000000|2024-01-06", "o2|1|1000000|2024-01-05", "o3|2|300|2024-01-06",
            "o4|2|400|2024-01-05", "o5|2|500|2024-01-12", "o6|4|66|2024-01-05",
        ])
        let lines = try Fixtures.rows(dir, .orderLines)
        #expect(lines == ["o1|o1-v1-0", "o2|o2-v1-0", "o3|o3-v2-0", "o3|o3-v2-1", "o3|o3-v2-2",
            "o5|o5-v2-0", "o5|o5-v2-1", "o6|o6-v4-0"])
        // Every landed version is in the history, once.
        let history = try Fixtures.rows(dir + "/history", .orders)
        // The partition of o5's new date held only winners: it stays as landed, out of the history.
        #expect(r.partitions == ["order_date=2024-01-05", "order_date=2024-01-06"])
        #expect(history == before.filter { $0 != "o5|2|500|2024-01-12" })
        #expect(history.filter { $0.hasPrefix("o6|") }.count == 3)
    }

    @Test func secondRunChangesNothing() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.landRuns(dir)
        _ = try Compactor.run(CompactOptions(directory: dir, batchId: "compact-1"))
        let manifest = try Array(Data(contentsOf: URL(fileURLWithPath: dir + "/orders/_waybill_manifest.json")))
        let files = DatasetFiles.dataFiles(under: dir + "/orders").sorted()
        let r = try Compactor.run(CompactOptions(directory: dir, batchId: "compact-2"))
        #expect(r.partitions.isEmpty)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: dir + "/orders/_waybill_manifest.json"))) == manifest)
        #expect(DatasetFiles.dataFiles(under: dir + "/orders").sorted() == files)
    }

    @Test func newRunAfterCompactionFoldsAgain() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.landRuns(dir)
        _ = try Compactor.run(CompactOptions(directory: dir, batchId: "compact-1"))
        let historyBefore = try Fixtures.rows(dir + "/history", .orders)
        try Fixtures.land(dir, "20240104T000000Z-1", [V(id: "o2", version: 9, total: 9)])
        let r = try Compactor.run(CompactOptions(directory: dir, batchId: "compact-2"))
        #expect(r.partitions == ["order_date=2024-01-05"])
        #expect(try Fixtures.rows(dir, .orders).contains("o2|9|9|2024-01-05"))
        #expect(try Fixtures.rows(dir, .orders).count == 6)
        // The compacted file it replaced is deleted (its rows are already in the history); the new run's file moves there.
        #expect(try Fixtures.rows(dir + "/history", .orders) == (historyBefore + ["o2|9|9|2024-01-05"]).sorted())
    }

    @Test func killedCommitIsFinishedByTheNextRun() throws {
        let dir = Fixtures.tempDir(), ref = Fixtures.tempDir()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: ref)
        }
        try Self.landRuns(dir)
        try Self.landRuns(ref)
        _ = try Compactor.run(CompactOptions(directory: ref, batchId: "compact-1"))
        var o = CompactOptions(directory: dir, batchId: "compact-1")
        o.dieAfterRenames = 3
        #expect(throws: WaybillError.self) { try Compactor.run(o) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/orders/_SUCCESS"))
        // Any next run on the folder replays the journal first.
        let r = try Compactor.run(CompactOptions(directory: dir, batchId: "compact-2"))
        #expect(r.partitions.isEmpty)
        #expect(try Fixtures.rows(dir, .orders) == Fixtures.rows(ref, .orders))
        #expect(try Fixtures.rows(dir, .orderLines) == Fixtures.rows(ref, .orderLines))
        #expect(try Fixtures.rows(dir + "/history", .orders) == Fixtures.rows(ref + "/history", .orders))
    }
}
