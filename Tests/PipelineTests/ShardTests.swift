import Datasets
import Foundation
import OrderModel
import RunMetrics
import Testing
@testable import Pipeline

/// `--shard I/N`: the union of the N shards' runs is one run over everything (orders, lines,
/// books), whether an order's rows are spread over files (sharded by order key) or not
/// (`shard_by: file`), and shards never share a file name or a state folder.
@Suite(.serialized) struct ShardTests {
    /// The TPC-H sample split into `parts` files with its header, cut between orders; with
    /// `repeats`, every file also carries again the first order of the file before it, so
    /// versions of one order are spread over two files (the dedup state must see both).
    func split(_ dir: String, parts: Int, repeats: Bool) throws -> [String] {
        // Bytes, not String: the sample feed holds invalid UTF-8 on purpose (a reject case).
        let data = try Data(contentsOf: URL(fileURLWithPath: Project.path("SampleData/feeds/tpch-flat-bad.csv")))
        var rows = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Data($0) }
        let header = rows.removeFirst()
        if rows.last?.isEmpty == true { rows.removeLast() }
        func key(_ i: Int) -> Data { Data(rows[i].prefix { $0 != UInt8(ascii: ",") }) }
        var cuts = [0]
        for p in 1..<parts {
            var c = rows.count * p / parts
            while c < rows.count && key(c) == key(c - 1) { c += 1 }
            cuts.append(c)
        }
        cuts.append(rows.count)
        var paths: [String] = []
        for p in 0..<parts {
            let path = "\(dir)/feed/part-\(p).csv"
            try FileManager.default.createDirectory(atPath: "\(dir)/feed", withIntermediateDirectories: true)
            var bytes = Data()
            var mine = [header] + rows[cuts[p]..<cuts[p + 1]]
            if repeats && p > 0 {
                let first = cuts[p - 1]
                var end = first
                while end < cuts[p] && key(end) == key(first) { end += 1 }
                mine += rows[first..<end]
            }
            for r in mine { bytes.append(r); bytes.append(UInt8(ascii: "\n")) }
            try bytes.write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        return paths
    }

    func pipeline(_ dir: String, shardBy: String?) throws -> String {
        try Project.write("""
            name: shards
            batch_id: b1
            lines:
              tpch:
                profile: \(Project.path("Pipelines/profiles/tpch-flat-csv.yaml"))
                inputs: ["\(dir)/feed/*.csv"]
            \(shardBy.map { "    shard_by: \($0)" } ?? "")
              shop:
                profile: \(Project.path("Pipelines/profiles/shop-csv.yaml"))
                inputs: ["\(Project.path("SampleData/feeds/shop-bad.csv"))"]
            transaction:
              rules: \(Project.path("Pipelines/rules/transaction.yaml"))
              state: ${OUT}/state
            output:
              folder: ${OUT}/w
              partition_by: [business_line, order_month]
            """, in: dir)
    }

    func run(_ path: String, out: String, shard: Shard?) throws -> PipelineOutcome {
        var loaded = try PipelineLoader.load(path: path, environment: ["OUT": out])
        loaded.spec.shard = shard
        let v = PipelineValidator.validate(loaded, factory: StageFactory())
        #expect(v.problems.isEmpty, "\(v.problems)")
        let o = try PipelineRunner(validated: v, factory: StageFactory(), applicationVersion: "test").run()
        #expect(o.error == nil, "\(String(describing: o.error))")
        return o
    }

    func manifest(_ out: String, _ dataset: String) throws -> DatasetManifest {
        try #require(try DatasetManifest.read("\(out)/w/\(dataset)/_waybill_manifest.json"))
    }

    func checkUnion(shardBy: String?, repeats: Bool, n: Int) throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try split(dir, parts: 3, repeats: repeats)
        let p = try pipeline(dir, shardBy: shardBy)
        let whole = try run(p, out: "\(dir)/all", shard: nil)
        var parts: [PipelineOutcome] = []
        for i in 0..<n { parts.append(try run(p, out: "\(dir)/s\(i)", shard: try Shard(index: i, count: n))) }
        for dataset in ["orders", "order_lines"] {
            let all = try manifest("\(dir)/all", dataset)
            let shards = try (0..<n).map { try manifest("\(dir)/s\($0)", dataset) }
            #expect(shards.reduce(0) { $0 + $1.totalRows } == all.totalRows, "\(dataset)")
            // Every shard names its files apart: the union has as many names as files.
            let names = shards.flatMap { $0.files.map(\.path) }
            #expect(Set(names).count == names.count)
            #expect(names.allSatisfy { $0.contains("-s") && $0.contains("of\(n)-") })
        }
        for line in ["tpch", "shop"] {
            let w = try #require(whole.lines.first { $0.name == line })
            let s = parts.map { o in o.lines.first { $0.name == line }! }
            #expect(s.reduce(0) { $0 + ($1.landed?.orders ?? 0) } == w.landed?.orders, "\(line)")
            #expect(s.reduce(0) { $0 + ($1.landed?.lines ?? 0) } == w.landed?.lines, "\(line)")
            // Transact saw each order in exactly one shard: its books add up to the whole run's.
            let tw = try #require(w.stages.first { $0.name == "transact" }?.report.books)
            let ts = s.map { $0.stages.first { $0.name == "transact" }!.report.books }
            #expect(ts.reduce(0) { $0 + $1.recordsIn } == tw.recordsIn)
            #expect(ts.reduce(0) { $0 + $1.rejected } == tw.rejected)
            #expect(ts.reduce(0) { $0 + $1.ordersOut } == tw.ordersOut)
            #expect(s.allSatisfy { $0.collect.balances })
            if shardBy == "file" && line == "tpch" {
                #expect(s.allSatisfy { $0.otherShards == 0 })
                #expect(s.reduce(0) { $0 + $1.collect.recordsIn } == w.collect.recordsIn)
            } else {
                // Every shard read everything and left the others' orders, counted.
                #expect(s.allSatisfy { $0.collect.ordersOut == w.collect.ordersOut })
                #expect(s.reduce(0) { $0 + $1.otherShards } == (n - 1) * w.collect.ordersOut)
                #expect(s.allSatisfy { $0.shardKept! + $0.otherShards == $0.collect.ordersOut })
            }
        }
        for i in 0..<n {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/s\(i)/state/shard-\(i)-of-\(n)"))
        }
    }

    @Test func byOrderKeyTheUnionOfShardsIsOneRun() throws {
        try checkUnion(shardBy: nil, repeats: true, n: 3)
    }

    @Test func byFileTheUnionOfShardsIsOneRun() throws {
        try checkUnion(shardBy: "file", repeats: false, n: 2)
    }

    @Test func shardArgumentsAreChecked() throws {
        #expect(try Shard(parsing: "1/4") == Shard(index: 1, count: 4))
        for bad in ["4/4", "-1/2", "1", "a/b", "1/0", "0/2/3"] {
            #expect(throws: WaybillError.self) { try Shard(parsing: bad) }
        }
        #expect(try Shard(index: 2, count: 3).files(Array(0..<8)) == [2, 5])
        #expect(try Shard(index: 0, count: 2).stateFolder("st") == "st/shard-0-of-2")
    }

    @Test func theBucketIsIcebergs() {
        // Iceberg's spec: bucket of the string "iceberg" is murmur3 1210000089 -> (h & MAX) % N.
        let h = Array("iceberg".utf8).withUnsafeBytes { Murmur3.hash32($0) }
        #expect(h == 1_210_000_089)
        #expect(Array("iceberg".utf8).withUnsafeBytes { ShardFilter.bucket($0, count: 7) } == 1_210_000_089 % 7)
    }
}
