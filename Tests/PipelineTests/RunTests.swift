import Datasets
import Foundation
import OrderModel
import RunMetrics
import Testing
@testable import Pipeline

/// The runner on the SampleData feeds: lines fail alone, the dry run opens no feed, and the
/// report's counts are the datasets'.
@Suite(.serialized) struct RunTests {
    func pipeline(_ dir: String, lines: String, extra: String = "") throws -> String {
        try Project.write("""
            name: test
            batch_id: t1
            lines:
            \(lines)
            transaction:
              rules: \(Project.path("Pipelines/rules/transaction.yaml"))
            output:
              folder: \(dir)/w
              partition_by: [order_month]
              rejects: \(dir)/rejects
            \(extra)
            """, in: dir)
    }

    func line(_ name: String, _ profile: String, _ input: String, limit: Double? = nil) -> String {
        "  \(name):\n    profile: \(Project.path("Pipelines/profiles/\(profile).yaml"))\n    inputs: [\"\(input)\"]\n"
            + (limit.map { "    max_reject_rate: \($0)\n" } ?? "")
    }

    func run(_ path: String) throws -> PipelineOutcome {
        let v = try validate(path)
        #expect(v.problems.isEmpty, "\(v.problems)")
        return try PipelineRunner(validated: v, factory: StageFactory(), applicationVersion: "test").run()
    }

    @Test func aFailingLineLeavesTheOthersLanded() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try pipeline(dir, lines: line("missing", "tpch-flat-csv", dir + "/nope.csv")
            + line("tpch", "tpch-flat-csv", Project.path("SampleData/feeds/tpch-flat.csv"))
            + line("shop", "shop-csv", Project.path("SampleData/feeds/shop-bad.csv"), limit: 0.001)
            + line("jd", "jd-waybill-ndjson", Project.path("SampleData/archives/jd-waybill.ndjson.gz")))
        let o = try run(p)
        #expect(o.lines.map(\.succeeded) == [false, true, false, true])
        #expect(o.lines[0].error?.exitCode == 66)
        #expect(o.lines[2].error?.exitCode == 65)
        #expect(o.lines[2].error?.description.contains("max_reject_rate") == true)
        #expect(o.error?.exitCode == 66)  // the first failed line's code
        let files = try #require(try DatasetManifest.read(dir + "/w/orders/_waybill_manifest.json")).files
        #expect(Set(files.map(\.batchId)) == ["t1-tpch", "t1-jd"])
        #expect(files.reduce(0) { $0 + $1.rows } == o.lines[1].landed!.orders + o.lines[3].landed!.orders)
        #expect(o.lines[1].landed?.orders == 200)
        // The failed line's rejects are still written, for the post-mortem.
        let rejects = try String(contentsOfFile: dir + "/rejects/shop.collect.rejects.ndjson", encoding: .utf8)
        #expect(rejects.split(separator: "\n").count == o.lines[2].collect.rejected)
    }

    @Test func stopPolicyRunsNoLineAfterAFailure() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try pipeline(dir, lines: line("tpch", "tpch-flat-csv", Project.path("SampleData/feeds/tpch-flat.csv"))
            + line("missing", "tpch-flat-csv", dir + "/nope.csv")
            + line("jd", "jd-waybill-ndjson", Project.path("SampleData/archives/jd-waybill.ndjson.gz")),
            extra: "on_line_failure: stop")
        let o = try run(p)
        #expect(o.lines.map(\.name) == ["tpch", "missing"])
        #expect(o.skipped == ["jd"])
        #expect(o.lines[0].landed?.orders == 200)
    }

    @Test func theReportCountsAreTheDatasets() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try pipeline(dir, lines: line("tpch", "tpch-flat-csv", Project.path("SampleData/feeds/tpch-flat-bad.csv"))
            + line("shop", "shop-csv", Project.path("SampleData/feeds/shop-bad.csv")))
        let o = try run(p)
        #expect(o.error == nil)
        var stats = StageRun(stage: "run")
        o.fill(&stats)
        let orders = try #require(try DatasetManifest.read(dir + "/w/orders/_waybill_manifest.json"))
        let lines = try #require(try DatasetManifest.read(dir + "/w/order_lines/_waybill_manifest.json"))
        #expect(stats.books.ordersOut == orders.totalRows)
        #expect(stats.books.linesOut == lines.totalRows)
        #expect(stats.partitions.filter { $0.dataset == "orders" }.reduce(0) { $0 + $1.rows } == orders.totalRows)
        #expect(stats.partitions.filter { $0.dataset == "order_lines" }.reduce(0) { $0 + $1.bytes } == lines.totalBytes)
        #expect(stats.stages.map(\.stage) == ["collect", "transact", "write"])
        #expect(stats.stages.allSatisfy { $0.books.balances })
        #expect(stats.lines.map(\.ordersLanded).reduce(0, +) == orders.totalRows)
        #expect(stats.bySource.keys.sorted() == ["shopify", "tpch"])
        let rejectsByCode = stats.rejectsByCode.values.reduce(0, +)
        let collected = stats.stages[0].books.rejected, transacted = stats.stages[1].books.rejected
        #expect(rejectsByCode == collected + transacted + stats.stages[2].books.rejected)
        #expect(stats.stages[1].ruleHits.contains { $0.rule == "T10-status-fields" && $0.hits > 0 })
        // The same rows whatever the order lines ran in: the metrics file has every series once.
        let text = String(decoding: PrometheusTextfile.render(stats), as: UTF8.self)
        #expect(text.contains("waybill_line_success{stage=\"run\",line=\"shop\"} 1.0"))
        #expect(text.components(separatedBy: "# TYPE waybill_records_in_total ").count == 2)
    }

    @Test func theDryRunOpensNoFeed() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A FIFO with no writer blocks whoever opens it for reading; a garbage file would be
        // all rejects. The plan lists both without touching either.
        let fifo = dir + "/feed.csv"
        #expect(mkfifo(fifo, 0o644) == 0)
        try Data("\u{1}garbage\"\n".utf8).write(to: URL(fileURLWithPath: dir + "/bad.csv"))
        let p = try pipeline(dir, lines: line("fifo", "tpch-flat-csv", fifo) + line("bad", "tpch-flat-csv", dir + "/bad.csv"))
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var text = ""
        let t = Thread {
            if let v = try? validate(p) { text = PipelinePlan(validated: v).text() }
            done.signal()
        }
        t.start()
        let finished = done.wait(timeout: .now() + 20) == .success
        if !finished {
            // Unblock the reader so the test process can end, then fail.
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        #expect(finished, "the dry run opened the FIFO")
        #expect(text.contains(fifo) && text.contains(dir + "/bad.csv"))
        #expect(text.contains("part-t1-<line>-c000.zstd.parquet"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/w"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/rejects"))
    }
}
