import Foundation
import OrderModel
import Testing

@testable import RunMetrics

@Suite struct RunMetricsTests {
    func sampleRun(succeeded: Bool) -> StageRun {
        var run = StageRun(stage: "collect")
        run.books.recordsIn = 10
        run.books.rowsOut = 8
        run.books.ordersOut = 3
        run.books.rejected = 2
        run.rejectsByCode = ["csv_malformed": 1, "bad_type": 1]
        run.bySource = ["shop": run.books]
        run.byBusinessLine = ["express": 3]
        run.partitions = [.init(dataset: "orders", partition: "order_month=2024-01", rows: 3, bytes: 900, files: 1)]
        run.startedAt = 1_764_150_000
        run.durationSeconds = 2.5
        run.succeeded = succeeded
        run.exitCode = succeeded ? 0 : 65
        return run
    }

    @Test func rendersCountersWithLabels() {
        let text = String(decoding: PrometheusTextfile.render(sampleRun(succeeded: true)), as: UTF8.self)
        #expect(text.contains("# TYPE waybill_records_in_total counter"))
        #expect(text.contains(#"waybill_records_in_total{stage="collect"} 10"#))
        #expect(text.contains(#"waybill_rejects_total{stage="collect",reason="csv_malformed"} 1"#))
        #expect(text.contains(#"waybill_partition_rows_written_total{stage="collect",dataset="orders",partition="order_month=2024-01"} 3"#))
        #expect(text.contains(#"waybill_last_success_timestamp_seconds{stage="collect"} 1764150002.5"#))
    }

    @Test func failedRunKeepsThePreviousLastSuccess() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("waybill.prom").path
        try PrometheusTextfile.write(sampleRun(succeeded: true), to: path)
        var failed = sampleRun(succeeded: false)
        failed.startedAt += 86_400
        try PrometheusTextfile.write(failed, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"waybill_run_success{stage="collect"} 0"#))
        #expect(text.contains(#"waybill_last_success_timestamp_seconds{stage="collect"} 1764150002.5"#))
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["waybill.prom"])
    }

    @Test func reportIsJSONWithTheBooks() throws {
        let data = Data(RunReport.json(sampleRun(succeeded: true)))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let books = try #require(doc["books"] as? [String: Any])
        #expect(books["records_in"] as? Int == 10)
        #expect(books["balanced"] as? Bool == true)
        #expect((doc["partitions"] as? [Any])?.count == 1)
    }
}
