import Foundation
import OrderModel
import Testing

@testable import RunMetrics

@Suite struct PushgatewayTests {
    @Test func groupURLUsesJobAndInstance() throws {
        let p = Pushgateway(url: "http://127.0.0.1:9091/", job: "waybill_collect", instance: "etl-01.example")
        #expect(try p.groupURL().absoluteString == "http://127.0.0.1:9091/metrics/job/waybill_collect/instance/etl-01.example")
    }

    @Test func labelValuesOutsidePlainPathCharactersAreBase64() throws {
        // The Pushgateway decodes job@base64/<base64url> back to the exact value.
        #expect(Pushgateway.segment("job", "a/b") == "/job@base64/YS9i")
        #expect(Pushgateway.segment("instance", "") == "/instance@base64/=")
        #expect(Pushgateway.segment("job", "nightly job?") == "/job@base64/bmlnaHRseSBqb2I_")
        let p = Pushgateway(url: "http://gw:9091", job: "x y", instance: "h")
        #expect(try p.groupURL().absoluteString == "http://gw:9091/metrics/job@base64/eCB5/instance/h")
    }

    @Test func rejectsURLsThatAreNotHTTP() {
        for bad in ["127.0.0.1:9091", "ftp://gw/", "http://", "not a url"] {
            #expect(throws: PushError.self) { try Pushgateway(url: bad, job: "j", instance: "i").groupURL() }
        }
    }

    @Test func successReplacesTheGroupFailureOnlyAdds() {
        var run = StageRun(stage: "write")
        run.succeeded = true
        #expect(Pushgateway.method(for: run) == "PUT")
        run.succeeded = false
        #expect(Pushgateway.method(for: run) == "POST")
    }

    @Test func failedRunBodyHasNoLastSuccess() {
        var run = StageRun(stage: "write")
        run.exitCode = 65
        let text = String(decoding: PrometheusTextfile.render(run, previousLastSuccess: nil), as: UTF8.self)
        #expect(!text.contains("waybill_last_success_timestamp_seconds"))
        #expect(text.contains(#"waybill_run_exit_code{stage="write"} 65"#))
    }

    @Test func refusedConnectionIsAPushErrorWithinTheTimeout() throws {
        // A port nobody listens on: bind one, note it, close it.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                _ = bind(fd, s, len)
                _ = getsockname(fd, s, &len)
            }
        }
        let port = UInt16(bigEndian: addr.sin_port)
        close(fd)
        let started = Date()
        var run = StageRun(stage: "collect")
        run.succeeded = true
        #expect(throws: PushError.self) {
            try Pushgateway(url: "http://127.0.0.1:\(port)", job: "j", instance: "i", timeout: 2).push(run)
        }
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test func hostNameIsNeverEmpty() {
        #expect(!Pushgateway.hostName().isEmpty)
    }
}

@Suite struct TextfileOrderTests {
    @Test func familiesAndSeriesComeInAStableOrder() {
        var run = StageRun(stage: "write")
        run.succeeded = true
        for i in 0..<50 {
            run.partitions.append(.init(dataset: i % 2 == 0 ? "orders" : "order_lines",
                                        partition: "p=\(i)", rows: i, bytes: i * 10, files: 1))
        }
        let first = PrometheusTextfile.render(run)
        for _ in 0..<5 { #expect(PrometheusTextfile.render(run) == first) }
        let text = String(decoding: first, as: UTF8.self)
        let names = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(names == names.sorted())
        #expect(text.hasSuffix("\n"))
    }
}

@Suite struct ReportExtrasTests {
    @Test func reportHasThroughputMemoryPhasesAndDatasetTotals() throws {
        var run = StageRun(stage: "run")
        run.books.recordsIn = 100
        run.books.bytesRead = 5000
        run.durationSeconds = 2
        run.peakMemoryBytes = 1 << 20
        run.phases = [("collect", 1.5), ("write", 0.5)]
        run.partitions = [
            .init(dataset: "orders", partition: "m=1", rows: 3, bytes: 30, files: 1),
            .init(dataset: "orders", partition: "m=2", rows: 4, bytes: 40, files: 2),
        ]
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(RunReport.json(run))) as? [String: Any])
        let throughput = try #require(doc["throughput"] as? [String: Double])
        #expect(throughput["records_per_second"] == 50 && throughput["bytes_per_second"] == 2500)
        #expect(doc["peak_memory_bytes"] as? Int == 1 << 20)
        let orders = try #require((doc["datasets"] as? [String: [String: Int]])?["orders"])
        #expect(orders == ["rows": 7, "bytes": 70, "files": 3, "partitions": 2])
        #expect((doc["phases"] as? [[String: Any]])?.map { $0["phase"] as? String } == ["collect", "write"])
        let text = String(decoding: PrometheusTextfile.render(run), as: UTF8.self)
        #expect(text.contains(#"waybill_phase_duration_seconds{stage="run",phase="collect"} 1.5"#))
        #expect(text.contains(#"waybill_peak_memory_bytes{stage="run"} 1048576"#))
        #expect(StageRun.currentPeakMemoryBytes() > 0)
    }
}
