import Datasets
import Foundation
import OrderModel
import Testing
@testable import Pipeline

/// `DatasetAdopter`: shard outputs land in one commit, equal to one run; a crash half way is
/// finished by the next writer; mismatches and duplicates are refused with OUT untouched.
@Suite(.serialized) struct AdoptTests {
    func pipeline(_ dir: String) throws -> String {
        try Project.write("""
            name: adopt
            batch_id: b1
            lines:
              tpch:
                profile: \(Project.path("Pipelines/profiles/tpch-flat-csv.yaml"))
                inputs: ["\(Project.path("SampleData/feeds/tpch-flat-bad.csv"))"]
              shop:
                profile: \(Project.path("Pipelines/profiles/shop-csv.yaml"))
                inputs: ["\(Project.path("SampleData/feeds/shop-bad.csv"))"]
            transaction:
              rules: \(Project.path("Pipelines/rules/transaction.yaml"))
            output:
              folder: ${OUT}/w
              partition_by: [business_line, order_month]
            """, in: dir)
    }

    /// Runs the pipeline (a shard of it) into `out`/w; returns that folder.
    @discardableResult
    func run(_ path: String, out: String, shard: Shard?, overrides: [String] = []) throws -> String {
        var loaded = try PipelineLoader.load(path: path, overrides: try overrides.map { try Override(parsing: $0) },
            environment: ["OUT": out])
        loaded.spec.shard = shard
        let v = PipelineValidator.validate(loaded, factory: StageFactory())
        #expect(v.problems.isEmpty, "\(v.problems)")
        let o = try PipelineRunner(validated: v, factory: StageFactory(), applicationVersion: "test").run()
        #expect(o.error == nil, "\(String(describing: o.error))")
        return out + "/w"
    }

    func totals(_ out: String) throws -> [String: Int] {
        var t: [String: Int] = [:]
        for d in ["orders", "order_lines"] {
            let m = try #require(try DatasetManifest.read("\(out)/\(d)/_waybill_manifest.json"))
            t[d] = m.totalRows
            for f in m.files { #expect(FileManager.default.fileExists(atPath: "\(out)/\(d)/\(f.path)"), "\(f.path)") }
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(d)/_SUCCESS"))
        }
        return t
    }

    func shards(_ p: String, _ dir: String, n: Int) throws -> [String] {
        try (0..<n).map { try run(p, out: "\(dir)/stage/s\($0)", shard: try Shard(index: $0, count: n)) }
    }

    @Test func theAdoptedShardsAreOneRun() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try pipeline(dir)
        let whole = try run(p, out: "\(dir)/all", shard: nil)
        let staged = try shards(p, dir, n: 3)
        let r = try DatasetAdopter.adopt(into: "\(dir)/out", staged: staged, name: "adopt-1")
        #expect(try totals("\(dir)/out") == totals(whole))
        #expect(r.rows["orders"] == (try totals(whole))["orders"])
        #expect(r.replaced == 0)
        // Adopting the same folders again (a driver retrying its commit) changes nothing.
        let again = try DatasetAdopter.adopt(into: "\(dir)/out", staged: staged, name: "adopt-2")
        #expect(again.replaced == r.files.values.reduce(0, +))
        #expect(try totals("\(dir)/out") == totals(whole))
        // A rerun of the same batch replaces its files instead of adding to them.
        let rerun = try shards(p, "\(dir)/rerun", n: 3)
        _ = try DatasetAdopter.adopt(into: "\(dir)/out", staged: rerun, name: "adopt-3")
        #expect(try totals("\(dir)/out") == totals(whole))
    }

    @Test func aCrashMidCommitIsFinishedByTheNextWriter() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try pipeline(dir)
        let whole = try run(p, out: "\(dir)/all", shard: nil)
        let staged = try shards(p, dir, n: 2)
        #expect(throws: WaybillError.self) {
            try DatasetAdopter.adopt(into: "\(dir)/out", staged: staged, name: "adopt-1", dieAfterRenames: 5)
        }
        // Half the files moved and no manifest yet: readers see no dataset, not half of one.
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out/orders/_SUCCESS"))
        // The next transaction on OUT replays the journal before anything else.
        let t = try DatasetTransaction(directory: "\(dir)/out", name: "next")
        t.abort()
        #expect(try totals("\(dir)/out") == totals(whole))
    }

    @Test func mismatchesAndDuplicatesAreRefusedAndOutIsUntouched() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try pipeline(dir)
        let staged = try shards(p, dir, n: 2)
        _ = try DatasetAdopter.adopt(into: "\(dir)/out", staged: [staged[0]], name: "adopt-1")
        let before = try totals("\(dir)/out")
        let other = try run(p, out: "\(dir)/other", shard: try Shard(index: 1, count: 2),
            overrides: ["output.partition_by=[order_month]"])
        do {
            _ = try DatasetAdopter.adopt(into: "\(dir)/out", staged: [other], name: "adopt-2")
            Issue.record("different partition keys were adopted")
        } catch {
            #expect(error.exitCode == 64)
            #expect(error.description.contains("partitioned by"))
        }
        #expect(throws: WaybillError.self) {
            try DatasetAdopter.adopt(into: "\(dir)/out", staged: [staged[1], staged[1]], name: "adopt-3")
        }
        #expect(throws: WaybillError.self) {
            try DatasetAdopter.adopt(into: "\(dir)/out", staged: ["\(dir)/nothing"], name: "adopt-4")
        }
        #expect(try totals("\(dir)/out") == before)
        #expect(FileManager.default.fileExists(atPath: staged[1] + "/orders/_waybill_manifest.json"))
    }
}
