import Foundation
import OrderModel
import Testing
@testable import Datasets

@Suite struct PartitionedWriterTests {
    private func options(_ out: String, keys: String) throws -> DatasetWriteOptions {
        var o = DatasetWriteOptions(outputDirectory: out, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList(keys)
        return o
    }

    @Test func openFilesNeverExceedTheCapWithShuffledInput() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = try options(out, keys: "bucket(200, order_id)")
        o.maxOpenFiles = 6
        o.memoryBudget = 32 << 20  // room for 6 open files
        o.rowGroupRows = 5  // forces row groups (and so open files) all the time
        let factory = RecordingFactory()
        let w = try DatasetWriter(options: o, rejects: nil, factory: factory)
        let rows = (0..<3000).map { (id: "shop:\($0 * 7919 % 3000)", day: Int64(19_000), line: Optional("x"), lines: 1) }
        try w.write(Orders.batch(rows))
        let r = try w.commit()
        #expect(r.peakOpenFiles <= 6)
        #expect(r.orders == 3000 && r.lines == 3000)
        #expect(r.totals(of: "orders").rows == 3000)
        #expect(r.totals(of: "orders").partitions == 200)
        // Partitions evicted from the LRU came back in continuation files.
        #expect(r.files.contains { $0.hasSuffix("-c001.zstd.parquet") })
        // Every order id landed exactly once, in the partition its bucket names.
        var seen = Set<String>()
        for f in r.files where f.hasPrefix("orders/") {
            let dir = FileOps.dirname(f).split(separator: "=").last.map(String.init)!
            let text = try String(contentsOfFile: out + "/" + f, encoding: .utf8)
            for id in text.split(separator: "\n") where !id.hasPrefix("rowgroup") {
                var s = String(id)
                let b = s.withUTF8 { Murmur3.bucket(Murmur3.hash32(UnsafeRawBufferPointer($0)), count: 200) }
                #expect(String(b) == dir)
                #expect(seen.insert(String(id)).inserted)
            }
        }
        #expect(seen.count == 3000)
    }

    @Test func bufferedBytesStayUnderTheBudget() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = try options(out, keys: "bucket(1000, order_id)")
        o.memoryBudget = 1 << 20
        let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
        for chunk in 0..<6 {
            let rows = (0..<1500).map { (id: "shop:\(chunk)-\($0)", day: Int64(19_000), line: Optional("express"), lines: 3) }
            try w.write(Orders.batch(rows))
            #expect(w.bufferedBytes <= o.rowBudget + 64 << 10)  // plus at most one routing step's rows
        }
        let r = try w.commit()
        // One order's bytes may land before the budget check frees others.
        #expect(r.peakBufferedBytes <= o.rowBudget + 64 << 10)
        #expect(r.peakOpenFiles <= o.effectiveMaxOpenFiles)
        #expect(r.orders == 9000 && r.lines == 27_000)
        #expect(r.totals(of: "order_lines").rows == 27_000)
    }

    @Test func manySmallPartitionsSpillInsteadOfWritingTinyFiles() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = try options(out, keys: "bucket(500, order_id)")
        o.memoryBudget = 1 << 20
        o.rowGroupBytes = 1 << 20
        let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
        for chunk in 0..<4 {
            try w.write(Orders.batch((0..<1500).map { (id: "s:\(chunk)-\($0)", day: Int64(19_000), line: Optional("x"), lines: 2) }))
            #expect(w.bufferedBytes <= o.rowBudget + 64 << 10)  // plus at most one routing step's rows
        }
        let r = try w.commit()
        #expect(r.spillBytes > 0)
        #expect(r.totals(of: "orders").rows == 6000 && r.totals(of: "order_lines").rows == 12_000)
        // One file per partition and dataset: the spill kept partitions whole.
        #expect(r.totals(of: "orders").files == 500 && r.totals(of: "orders").partitions == 500)
        #expect(!FileOps.exists(out + "/.waybill-staging-b1"))
    }

    /// Shuffled input over more partitions than the open-file cap: memory pressure spills rather
    /// than writing a partition whose files would close another's, so no partition is split
    /// into continuation files when its rows all fit one row group.
    @Test func pressureDoesNotSplitPartitionsAtTheFileCap() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = try options(out, keys: "bucket(12, order_id)")
        o.memoryBudget = 8 << 20  // 2 open files (one partition), ~5 MiB of rows
        o.rowGroupBytes = 8 << 20  // capped at a quarter of the row budget
        let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
        for chunk in 0..<12 {
            try w.write(Orders.batch((0..<2000).map { (id: "s:\(chunk)-\($0)", day: Int64(19_000), line: Optional("x"), lines: 3) }))
        }
        let r = try w.commit()
        #expect(r.spillBytes > 0)
        #expect(r.orders == 24_000 && r.totals(of: "order_lines").rows == 72_000)
        #expect(r.totals(of: "orders").files == 12 && r.totals(of: "order_lines").files == 12)
        #expect(!r.files.contains { $0.contains("-c001") })
    }

    /// `n` planned parents (`s:<i>`, two lines, `child_count` 2), each followed by its two
    /// children (`s:<i>-1`, `s:<i>-2`, one line each), as `waybill fulfill` writes them.
    private func planned(_ n: Int, from first: Int) -> OrderBatch {
        let parentId = OrderSchema.orderFieldIndex("parent_order_id")!
        let childCount = OrderSchema.orderFieldIndex("child_count")!
        let reasons = OrderSchema.orderFieldIndex("plan_reasons")!
        var b = OrderBatch()
        for i in first..<(first + n) {
            for k in 0...2 {
                b.beginOrder()
                b.orders.set(OrderField.orderId, string: k == 0 ? "s:\(i)" : "s:\(i)-\(k)")
                b.orders.set(OrderField.source, string: "s")
                b.orders.set(OrderField.orderDate, int: 19_000)
                if k == 0 {
                    b.orders.set(childCount, int: 2)
                    b.orders.addElement(reasons, "2 child orders", key: "split")
                } else {
                    b.orders.set(parentId, string: "s:\(i)")
                    b.orders.addElement(reasons, "W1", key: "warehouse")
                }
                for l in (k == 0 ? [1, 2] : [k]) {
                    b.beginLine()
                    b.lines.set(LineField.lineNo, int: Int64(l))
                    b.lines.set(LineField.quantity, int: 10_000)
                    if k == 0 { b.lines.set(LineField.childOrderId, string: "s:\(i)-\(l)") }
                    b.endLine()
                }
                b.endOrder()
            }
        }
        return b
    }

    /// Planned children land in `fulfillment/` only (through the spill file too): `orders/`
    /// holds each customer order once and `order_lines/` the parents' lines. Without the
    /// fulfillment dataset they are counted and a warning says they were not written.
    @Test func plannedChildrenLandInFulfillmentOnly() throws {
        for spilling in [false, true] {
            for withFulfillment in [true, false] {
                let out = tempDirectory()
                defer { FileOps.removeTree(out) }
                var o = try options(out, keys: spilling ? "bucket(200, order_id)" : "")
                if spilling { o.memoryBudget = 1 << 20 }
                o.datasets = withFulfillment ? [.orders, .orderLines, .fulfillment] : [.orders, .orderLines]
                let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
                for chunk in 0..<3 { try w.write(planned(1000, from: chunk * 1000)) }
                let r = try w.commit()
                let label = "spilling \(spilling), fulfillment \(withFulfillment)"
                #expect((r.spillBytes > 0) == spilling, "\(label)")
                #expect(r.orders == 9000 && r.children == 6000 && r.lines == 6000, "\(label)")
                #expect(r.totals(of: "orders").rows == 3000 && r.totals(of: "order_lines").rows == 6000, "\(label)")
                var ids: [String: [String]] = [:]
                for f in r.files {
                    let text = try String(contentsOfFile: out + "/" + f, encoding: .utf8)
                    ids[String(f.prefix { $0 != "/" }), default: []] += text.split(separator: "\n")
                        .filter { !$0.hasPrefix("rowgroup") }.map(String.init)
                }
                #expect(ids["orders"]!.allSatisfy { !$0.contains("-") }, "\(label)")
                if withFulfillment {
                    #expect(r.totals(of: "fulfillment").rows == 6000 && r.warnings.isEmpty, "\(label)")
                    #expect(Set(ids["fulfillment"]!) == Set((0..<3000).flatMap { ["s:\($0)-1", "s:\($0)-2"] }), "\(label)")
                } else {
                    #expect(ids["fulfillment"] == nil, "\(label)")
                    #expect(r.warnings.contains { $0.hasPrefix("6000 planned child orders were not written") }, "\(label)")
                }
            }
        }
    }

    /// Two partitions taking rows in turns, each reaching the row-group size in its turn, under
    /// a cap of one partition's files: the one whose files are closed keeps its rows (they
    /// spill) instead of closing the other's, so each ends in one file per dataset.
    @Test func fullRowGroupsDoNotCloseAnotherPartitionsFiles() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = try options(out, keys: "business_line")
        o.memoryBudget = 4 << 20  // 2 open files (one partition), row groups of 256 KiB
        let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
        for turn in 0..<8 {
            let line = turn % 2 == 0 ? "a" : "b"
            try w.write(Orders.batch((0..<1500).map { (id: "s:\(turn)-\($0)", day: Int64(19_000), line: Optional(line), lines: 3) }))
        }
        let r = try w.commit()
        #expect(r.totals(of: "orders").rows == 12_000 && r.totals(of: "order_lines").rows == 36_000)
        #expect(r.totals(of: "orders").files == 2 && r.totals(of: "order_lines").files == 2, "\(r.files)")
        #expect(r.peakOpenFiles <= 2)
    }

    /// design.md: the same input gives the same files. Under the open-file cap, which partition
    /// closes its files for another's (and so which continue in `-c001`) must not depend on
    /// how far the encoder thread has got: the same shuffled input, written by a one-thread
    /// writer, by the encoder thread at full speed and by one that is slow (row groups queue
    /// up behind it until the end), lands the same files with the same row groups.
    @Test func theFilesDoNotDependOnTheEncoderThreadsPace() throws {
        func files(threads: Int, delay: UInt32) throws -> [String: String] {
            let out = tempDirectory()
            defer { FileOps.removeTree(out) }
            var o = try options(out, keys: "bucket(40, order_id)")
            o.maxOpenFiles = 8
            o.memoryBudget = 64 << 20
            o.rowGroupRows = 7  // row groups cut by rows all through the input, written at once
            o.encodeThreads = threads
            let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory(rowGroupDelay: delay))
            for chunk in 0..<4 {
                try w.write(Orders.batch((0..<400).map { (id: "s:\(chunk)-\($0)", day: Int64(19_000), line: Optional("x"), lines: 2) }))
            }
            let r = try w.commit()
            #expect(r.orders == 1600 && r.totals(of: "order_lines").rows == 3200)
            var contents: [String: String] = [:]
            for f in r.files { contents[f] = try String(contentsOfFile: out + "/" + f, encoding: .utf8) }
            return contents
        }
        let oneThread = try files(threads: 1, delay: 0)
        #expect(oneThread.keys.contains { $0.contains("-c001") })  // the cap was hit
        #expect(try files(threads: 2, delay: 0) == oneThread)
        #expect(try files(threads: 2, delay: 300) == oneThread)
    }

    /// Wide orders (40 KB each, as with thousands of `ext` entries) end a step by its bytes,
    /// so a step stays a fraction of the budget instead of `routeStep` orders on top of it;
    /// where steps end depends on the orders alone, so batches cut anywhere give the same files.
    @Test func wideOrdersEndStepsByBytesWhateverTheBatches() throws {
        let wide = String(repeating: "w", count: 40_000)
        let rows = (0..<300).map { (id: "s:\($0)", day: Int64(19_000 + $0 % 3), line: Optional(wide + "\($0 % 5)"), lines: 1) }
        func files(batch: Int) throws -> (files: [String: String], peak: Int, budget: Int) {
            let out = tempDirectory()
            defer { FileOps.removeTree(out) }
            var o = try options(out, keys: "order_date")
            o.memoryBudget = 8 << 20
            let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
            for start in stride(from: 0, to: rows.count, by: batch) {
                try w.write(Orders.batch(Array(rows[start..<min(rows.count, start + batch)])))
            }
            let r = try w.commit()
            #expect(r.orders == 300)
            var contents: [String: String] = [:]
            for f in r.files { contents[f] = try String(contentsOfFile: out + "/" + f, encoding: .utf8) }
            return (contents, r.peakBufferedBytes, o.rowBudget)
        }
        let whole = try files(batch: 300)
        // 320 orders a step (the budget's `routeStep`) buffered 12.8 MB before the step's end
        // could write or spill any, against a 5 MiB row budget; a quarter of the budget per
        // step keeps the peak near the budget.
        #expect(whole.peak < whole.budget + whole.budget / 3, "peak \(whole.peak), budget \(whole.budget)")
        #expect(try files(batch: 7).files == whole.files)
        #expect(try files(batch: 256).files == whole.files)
    }

    @Test func openFilesAreChargedAgainstTheBudget() {
        var o = DatasetWriteOptions(outputDirectory: "/x", batchId: "b")
        o.memoryBudget = 16 << 20
        #expect(o.effectiveMaxOpenFiles == 5)  // 8 MiB / 1.5 MiB
        #expect(o.rowBudget == (16 << 20) - 5 * DatasetWriteOptions.openFileBytes)
        #expect(o.effectiveRowGroupBytes == o.rowBudget / 4)
        o.memoryBudget = 1 << 30
        #expect(o.effectiveMaxOpenFiles == 64 && o.effectiveRowGroupBytes == 128 << 20)
    }

    @Test func sortedInputKeepsOneFilePerPartition() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        var o = try options(out, keys: "order_date")
        o.maxOpenFiles = 2
        let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
        for day in 0..<50 {
            try w.write(Orders.batch((0..<100).map { (id: "s:\(day)-\($0)", day: Int64(19_000 + day), line: nil, lines: 1) }))
        }
        let r = try w.commit()
        #expect(r.files.count == 100)  // one orders and one lines file per day
        #expect(!r.files.contains { $0.contains("-c001") })
    }

    /// Orders over 6,000 days in shuffled order, partitioned by day and by month: more raw
    /// values than the routing cache holds, so its slots collide and get replaced. Every order
    /// lands in the folder of its own date.
    @Test func partitionsByRawValueFollowTheFolderNames() throws {
        for keys in ["order_date", "order_month"] {
            let out = tempDirectory()
            defer { FileOps.removeTree(out) }
            let w = try DatasetWriter(options: try options(out, keys: keys), rejects: nil, factory: RecordingFactory())
            let days = (0..<8_000).map { Int64(17_000 + $0 * 7_919 % 6_000) }
            try w.write(Orders.batch(days.enumerated().map { (id: "s:\($0.offset)-\($0.element)", day: $0.element, line: nil, lines: 1) }))
            let r = try w.commit()
            #expect(r.orders == 8_000)
            var seen = 0
            for f in r.files where f.hasPrefix("orders/") {
                let folder = FileOps.dirname(f).split(separator: "=").last.map(String.init)!
                let text = try String(contentsOfFile: out + "/" + f, encoding: .utf8)
                for id in text.split(separator: "\n") where !id.hasPrefix("rowgroup") {
                    var date: [UInt8] = []
                    CivilTime.formatDate(days: Int64(id.split(separator: "-").last!)!, into: &date)
                    let expected = String(decoding: keys == "order_date" ? date : Array(date.prefix(7)), as: UTF8.self)
                    #expect(folder == expected, "\(id) in \(folder)")
                    seen += 1
                }
            }
            #expect(seen == 8_000)
        }
    }

    @Test func fileNamesAreDeterministic() {
        #expect(PartitionedWriter.fileName(batch: "b1", seq: 0, compression: .zstd) == "part-b1-c000.zstd.parquet")
        #expect(PartitionedWriter.fileName(batch: "x", seq: 12, compression: .none) == "part-x-c012.parquet")
        #expect(DatasetCommitter.isFile("part-b1-c000.zstd.parquet", ofBatch: "b1"))
        #expect(!DatasetCommitter.isFile("part-b1-2-c000.zstd.parquet", ofBatch: "b1"))
        #expect(!DatasetCommitter.isFile("part-b1-c000-c000.zstd.parquet", ofBatch: "b1"))
    }

    @Test func rejectsOverlongPartitionValues() throws {
        let out = tempDirectory()
        defer { FileOps.removeTree(out) }
        let o = try options(out, keys: "business_line")
        let rejects = try RejectWriter(path: out + "/rejects.ndjson")
        let w = try DatasetWriter(options: o, rejects: rejects, factory: RecordingFactory())
        try w.write(Orders.batch([("s:1", 19_000, String(repeating: "/", count: 100), 1), ("s:2", 19_000, "ok", 1)]))
        let r = try w.commit()
        try rejects.close()
        #expect(r.rejected == 1 && r.orders == 1)
        let text = try String(contentsOfFile: out + "/rejects.ndjson", encoding: .utf8)
        #expect(text.contains("partition_value_too_long") && text.contains("s:1"))
    }

    /// A row group bigger than Waybill's reader decodes (ParquetReadLimits) is never written.
    @Test func rowGroupsStayReadable() throws {
        var o = DatasetWriteOptions(outputDirectory: tempDirectory(), batchId: "b1")
        o.rowGroupRows = 1 << 24
        try o.validate()
        o.rowGroupRows = (1 << 24) + 1
        let error = #expect(throws: WaybillError.self) { try o.validate() }
        #expect(error?.description.contains("--row-group-rows must be at most 16777216") == true)
        // The lifecycle writer (compact, tier, recrypt) clamps to the same bound.
        let dir = tempDirectory()
        defer { FileOps.removeTree(dir) }
        let w = try DatasetFileWriter(path: dir + "/x.parquet", dataset: .orders, keys: [], batchId: "b1", rowGroupRows: Int(Int32.max))
        #expect(w.rowGroupRows == 1 << 24)
    }
}
