import Foundation
import OrderModel
import Testing
import Datasets
@testable import Lifecycle

@Suite struct TierTests {
    typealias V = Fixtures.Version

    /// 40 orders over 20 days (two per day), with lines.
    static func land(_ dir: String, keys: String = "business_line,order_date") throws {
        let rows = (0..<40).map { i in
            V(id: "t\(i)", version: 1, day: Fixtures.day + Int64(i / 2), total: Int64(i), lines: i % 3,
                line: i % 4 == 0 ? "freight" : "express")
        }
        try Fixtures.land(dir, "20240201T000000Z-1", rows, keys: keys)
    }

    static func perPartition(_ dir: String, _ kind: DatasetKind) throws -> [String: String] {
        let reader = try DatasetReader(directory: dir, dataset: kind)
        var out: [String: String] = [:]
        for p in reader.partitions {
            var h = ContentHash()
            try reader.forEachRowGroup(in: p) { (g: DecodedRowGroup) throws(WaybillError) in h.add(g) }
            out[p.directory] = "\(h.rows):\(h.hex)"
        }
        return out
    }

    @Test(arguments: [false, true])
    func hotColdRestoreLosesAndDuplicatesNothing(pack: Bool) throws {
        let dir = Fixtures.tempDir(), cold = Fixtures.tempDir() + "/cold"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.land(dir)
        let before = try [DatasetKind.orders, .orderLines].map { try Self.perPartition(dir, $0) }
        // Cutoff 2024-01-15: days 5..14 are old (10 days x 1-2 business lines).
        let policy = TierPolicy(cutoffDay: Fixtures.day + 10)
        var t = TierOptions(directory: dir, cold: cold, policy: policy, batchId: "tier-1")
        t.pack = pack
        let moves = try Tierer.run(t)
        #expect(!moves.isEmpty)
        if pack {
            #expect(DatasetFiles.dataFiles(under: cold + "/orders").isEmpty)
            #expect(try ColdManifest.read(cold + "/" + ColdManifest.fileName)!.entries.allSatisfy { $0.archive != nil })
        }
        let hot = try Self.perPartition(dir, .orders)
        #expect(hot.keys.allSatisfy { !policy.isOld(HivePath.parse(relativeDirectory: $0)!.map(\.value), keys: try! PartitionKey.parseList("business_line,order_date")) })
        let coldManifest = try #require(try ColdManifest.read(cold + "/" + ColdManifest.fileName))
        // Hot + cold = before, per partition, with the same content hashes.
        for (i, kind) in [DatasetKind.orders, .orderLines].enumerated() {
            let hotNow = try Self.perPartition(dir, kind)
            var union = hotNow
            for e in coldManifest.entries where e.dataset == kind.name {
                #expect(union[e.partition] == nil)
                union[e.partition] = "\(e.file.rows):\(e.contentHash)"
            }
            #expect(union == before[i], "\(kind)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/orders/_SUCCESS"))
        #expect(FileManager.default.fileExists(atPath: dir + "/orders/" + ColdManifest.noteName))
        // A second tier finds nothing left to move.
        #expect(try Tierer.run(TierOptions(directory: dir, cold: cold, policy: policy, batchId: "tier-2")).isEmpty)
        // Restore one partition, then the rest.
        let one = coldManifest.entries[0].partition
        var r = RestoreOptions(cold: cold, directory: dir, batchId: "restore-1")
        r.partitions = [one]
        #expect(try Restorer.run(r).allSatisfy { $0.partition == one })
        _ = try Restorer.run(RestoreOptions(cold: cold, directory: dir, batchId: "restore-2"))
        for (i, kind) in [DatasetKind.orders, .orderLines].enumerated() {
            #expect(try Self.perPartition(dir, kind) == before[i], "\(kind) after restore")
        }
        #expect(try ColdManifest.read(cold + "/" + ColdManifest.fileName)?.entries.isEmpty == true)
        #expect(DatasetFiles.dataFiles(under: cold + "/orders").isEmpty)
        #expect(DatasetFiles.list(cold + "/packs").isEmpty)
        #expect(!DatasetFiles.list(cold).contains { $0.hasPrefix(".waybill-staging-") })
    }

    @Test func killedTierIsFinishedByTheNextRun() throws {
        let dir = Fixtures.tempDir(), cold = Fixtures.tempDir() + "/cold"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.land(dir, keys: "order_month")
        let before = try Self.perPartition(dir, .orders)
        var o = TierOptions(directory: dir, cold: cold, policy: TierPolicy(cutoffDay: Fixtures.day + 30), batchId: "tier-1")
        o.dieAfterRenames = 1
        #expect(throws: WaybillError.self) { try Tierer.run(o) }
        // Any next run on DIR (here a compaction) replays the journal first.
        _ = try Compactor.run(CompactOptions(directory: dir, batchId: "compact-1"))
        #expect(try Self.perPartition(dir, .orders).isEmpty)
        let m = try #require(try ColdManifest.read(cold + "/" + ColdManifest.fileName))
        #expect(Dictionary(uniqueKeysWithValues: m.entries.filter { $0.dataset == "orders" }.map { ($0.partition, "\($0.file.rows):\($0.contentHash)") }) == before)
    }

    @Test func killedBeforeTheJournalLeavesTheHotDatasetAlone() throws {
        let dir = Fixtures.tempDir(), cold = Fixtures.tempDir() + "/cold"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.land(dir, keys: "order_date")
        let before = try Self.perPartition(dir, .orders)
        // A cold location that cannot be written: the run fails while copying.
        FileManager.default.createFile(atPath: cold, contents: Data("x".utf8))
        #expect(throws: WaybillError.self) {
            try Tierer.run(TierOptions(directory: dir, cold: cold, policy: TierPolicy(cutoffDay: Fixtures.day + 30)))
        }
        #expect(try Self.perPartition(dir, .orders) == before)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: dir)).contains { $0.hasPrefix(".waybill-staging-") })
    }

    @Test func policyAges() throws {
        let p = TierPolicy(cutoffDay: TierPolicy.parseDay("2024-04-01")!)
        let date = try PartitionKey.parseList("order_date"), month = try PartitionKey.parseList("order_month")
        #expect(p.isOld(["2024-03-31"], keys: date))
        #expect(!p.isOld(["2024-04-01"], keys: date))
        #expect(!p.isOld([nil], keys: date))
        #expect(p.isOld(["2024-03"], keys: month))
        #expect(!p.isOld(["2024-04"], keys: month))
        #expect(try TierPolicy.parseAge("90d") == 90)
        #expect(throws: WaybillError.self) { try TierPolicy.parseAge("90") }
    }
}
