import Foundation
import OrderModel
import Testing
@testable import Datasets

@Suite struct CommitProtocolTests {
    private func writer(_ out: String, batch: String = "b1", mode: WriteMode = .error, keys: String = "order_date",
        fail: FailPoint? = nil) throws -> DatasetWriter
    {
        var o = DatasetWriteOptions(outputDirectory: out, batchId: batch)
        o.partitionKeys = try PartitionKey.parseList(keys)
        o.mode = mode
        o.failPoint = fail
        return try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
    }

    private func days(_ d: [Int64], prefix: String = "s") -> OrderBatch {
        Orders.batch(d.enumerated().map { (id: "\(prefix):\($0.offset)", day: 19_000 + $0.element, line: nil, lines: 2) })
    }

    /// The dataset as readers see it: data files and markers, with contents.
    private func snapshot(_ out: String) -> [String: Data] {
        var s: [String: Data] = [:]
        for ds in ["orders", "order_lines"] {
            for f in filesUnder(out + "/" + ds) { s[ds + "/" + f] = FileManager.default.contents(atPath: out + "/" + ds + "/" + f) }
        }
        return s
    }

    @Test func nothingUnderTheDatasetsBeforeCommit() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let w = try writer(out)
        try w.write(days([0, 1, 2, 0]))
        #expect(filesUnder(out + "/orders").isEmpty && filesUnder(out + "/order_lines").isEmpty)
        let r = try w.commit()
        let files = filesUnder(out + "/orders")
        #expect(files.contains("_SUCCESS") && files.contains("_waybill_manifest.json"))
        #expect(files.filter { $0.hasSuffix(".parquet") }.count == 3)
        #expect(r.files.count == 6)
        // The staging folder is gone; only the lock file stays beside the datasets.
        #expect(FileOps.list(out).sorted() == [".waybill.lock", "order_lines", "orders"])
        let m = try #require(try DatasetManifest.read(out + "/orders/_waybill_manifest.json"))
        #expect(m.totalRows == 4 && m.schemaVersion == OrderSchema.version && m.dataset == "orders")
        #expect(m.partitionKeys == [.init(name: "order_date", spec: "order_date", type: "DATE")])
        #expect(m.files.map(\.path).contains("order_date=2022-01-08/part-b1-c000.zstd.parquet"))
        for f in m.files {
            let (crc, size) = try FileOps.crc32(of: out + "/orders/" + f.path)
            #expect(DatasetManifest.crcText(crc) == f.crc32 && size == f.bytes)
        }
    }

    @Test func modeErrorRefusesExistingData() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let w = try writer(out)
        try w.write(days([0]))
        _ = try w.commit()
        #expect(throws: WaybillError.self) { try writer(out, batch: "b2") }
    }

    @Test func rerunOfTheSameBatchReplacesExactlyItsFiles() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var w = try writer(out, batch: "b1")
        try w.write(days([0, 1, 2]))
        _ = try w.commit()
        w = try writer(out, batch: "other", mode: .append)
        try w.write(days([0], prefix: "o"))
        _ = try w.commit()
        // Rerun b1 with fewer partitions: its file in day 2 must go, "other" must stay.
        w = try writer(out, batch: "b1", mode: .append)
        try w.write(days([0, 1]))
        let r = try w.commit()
        let files = filesUnder(out + "/orders").filter { $0.hasSuffix(".parquet") }
        #expect(files == [
            "order_date=2022-01-08/part-b1-c000.zstd.parquet", "order_date=2022-01-08/part-other-c000.zstd.parquet",
            "order_date=2022-01-09/part-b1-c000.zstd.parquet",
        ])
        #expect(r.removedFiles == ["orders/order_date=2022-01-10/part-b1-c000.zstd.parquet",
            "order_lines/order_date=2022-01-10/part-b1-c000.zstd.parquet"])
        #expect(!FileOps.exists(out + "/orders/order_date=2022-01-10"))
        let m = try #require(try DatasetManifest.read(out + "/orders/_waybill_manifest.json"))
        #expect(m.files.map(\.path) == files)
        #expect(m.totalRows == 3)
    }

    @Test func overwritePartitionsReplacesOnlyTouchedPartitions() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var w = try writer(out, batch: "b1")
        try w.write(days([0, 1]))
        _ = try w.commit()
        w = try writer(out, batch: "b2", mode: .overwritePartitions)
        try w.write(days([1, 5], prefix: "n"))
        _ = try w.commit()
        let files = filesUnder(out + "/orders").filter { $0.hasSuffix(".parquet") }
        #expect(files == [
            "order_date=2022-01-08/part-b1-c000.zstd.parquet", "order_date=2022-01-09/part-b2-c000.zstd.parquet",
            "order_date=2022-01-13/part-b2-c000.zstd.parquet",
        ])
        let m = try #require(try DatasetManifest.read(out + "/orders/_waybill_manifest.json"))
        #expect(m.files.map(\.path) == files && m.batchId == "b2")
    }

    @Test func appendRefusesOtherPartitionKeys() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let w = try writer(out)
        try w.write(days([0]))
        _ = try w.commit()
        #expect(throws: WaybillError.self) { try writer(out, batch: "b2", mode: .append, keys: "order_month") }
    }

    /// Appending to a dataset of an older model version works and says so: its files lack the
    /// newer columns, which other readers must be told to match by name.
    @Test func appendBesideAnOlderModelVersionWarns() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let first = try writer(out)
        try first.write(days([0]))
        #expect(try first.commit().warnings.isEmpty)
        let path = out + "/orders/" + DatasetManifest.fileName
        var m = try #require(try DatasetManifest.read(path))
        m.schemaVersion = "2"
        try FileOps.writeFile(path, m.encoded())
        let second = try writer(out, batch: "b2", mode: .append)
        try second.write(days([1]))
        let warnings = try second.commit().warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("orders: its files are model version 2, this run adds version \(OrderSchema.version)") == true)
        // The manifest now records this commit's version, so the next append is quiet.
        let third = try writer(out, batch: "b3", mode: .append)
        try third.write(days([2]))
        #expect(try third.commit().warnings.isEmpty)
    }

    /// A manifest entry outside the dataset folder, named twice or with a negative count (an
    /// edited or damaged file) stops the next append: every commit carries the entries forward,
    /// and compaction and tiering delete the files they name.
    @Test func aDamagedManifestEntryStopsTheNextCommit() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let first = try writer(out)
        try first.write(days([0, 1]))
        _ = try first.commit()
        let path = out + "/orders/" + DatasetManifest.fileName
        let good = try #require(try DatasetManifest.read(path))
        let damage: [(String, (inout DatasetManifest) -> Void)] = [
            ("is not a path inside the dataset folder", { $0.files[0].path = "../../elsewhere.parquet" }),
            ("is not a path inside the dataset folder", { $0.files[0].path = "/tmp/x.parquet" }),
            ("is listed twice", { $0.files.append($0.files[0]) }),
            ("has a negative row or byte count", { $0.files[1].rows = -1 }),
        ]
        for (why, edit) in damage {
            var m = good
            edit(&m)
            try FileOps.writeFile(path, m.encoded())
            #expect { _ = try DatasetManifest.read(path) } throws: { "\($0)".contains(why) }
            #expect(throws: WaybillError.self) {
                let next = try writer(out, batch: "b2", mode: .append)
                try next.write(days([2]))
                _ = try next.commit()
            }
        }
        try FileOps.writeFile(path, good.encoded())
        #expect(try DatasetManifest.read(path) == good)
    }

    @Test func crashBeforeCommitLeavesTheDatasetUnchanged() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var w = try writer(out)
        try w.write(days([0, 1]))
        _ = try w.commit()
        let before = snapshot(out)
        w = try writer(out, batch: "b2", mode: .overwritePartitions, fail: .beforeCommit)
        try w.write(days([0, 3], prefix: "n"))
        #expect(throws: WaybillError.self) { try w.commit() }
        #expect(snapshot(out) == before)
        #expect(FileOps.list(out).contains { $0.hasPrefix(".waybill-staging-b2") })  // left like a dead run
        // Its data files lie side by side, not in copies of the partition folders (each folder
        // is made once, by the commit).
        // They are numbered in the order they were opened, which the finish's two threads decide.
        let staged = FileOps.list(out + "/.waybill-staging-b2").filter { $0.hasSuffix(".parquet") }
        let numbers = staged.compactMap { name in name.split(separator: "-").last.flatMap { Int($0.dropLast(".parquet".count)) } }
        #expect(staged.filter { $0.hasPrefix("orders-") }.count == 2 && staged.filter { $0.hasPrefix("order_lines-") }.count == 2)
        #expect(numbers.sorted() == [0, 1, 2, 3])
        #expect(!staged.contains { FileOps.isDirectory(out + "/.waybill-staging-b2/" + $0) })
        // The next run removes the dead staging folder and sees the old data.
        w = try writer(out, batch: "b3", mode: .append)
        #expect(!FileOps.list(out).contains { $0.hasPrefix(".waybill-staging-b2") })
        w.abort()
        #expect(snapshot(out) == before)
        #expect(FileOps.list(out).sorted() == [".waybill.lock", "order_lines", "orders"])
    }

    @Test func crashDuringCommitIsRolledForwardByTheNextRun() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var w = try writer(out)
        try w.write(days([0, 1]))
        _ = try w.commit()
        w = try writer(out, batch: "b2", mode: .overwritePartitions, fail: .afterRenames(1))
        try w.write(days([1, 2], prefix: "n"))
        #expect(throws: WaybillError.self) { try w.commit() }
        #expect(!FileOps.exists(out + "/orders/_SUCCESS"))  // a half-done commit is visibly incomplete
        w = try writer(out, batch: "b3", mode: .append)
        w.abort()
        let files = filesUnder(out + "/orders").filter { $0.hasSuffix(".parquet") }
        #expect(files == [
            "order_date=2022-01-08/part-b1-c000.zstd.parquet", "order_date=2022-01-09/part-b2-c000.zstd.parquet",
            "order_date=2022-01-10/part-b2-c000.zstd.parquet",
        ])
        #expect(FileOps.exists(out + "/orders/_SUCCESS"))
        let m = try #require(try DatasetManifest.read(out + "/orders/_waybill_manifest.json"))
        #expect(m.files.map(\.path) == files)
    }

    @Test func abortLeavesNothingBehind() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let w = try writer(out)
        try w.write(days([0, 1]))
        w.abort()
        #expect(filesUnder(out) == [".waybill.lock"])
    }

    @Test func unpartitionedDatasetsWriteAtTheRoot() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let w = try writer(out, keys: "")
        try w.write(days([0, 1]))
        let r = try w.commit()
        #expect(r.files == ["order_lines/part-b1-c000.zstd.parquet", "orders/part-b1-c000.zstd.parquet"])
    }
}
