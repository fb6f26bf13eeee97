import Foundation
import Testing

/// The options every processing verb shares: --push, --progress, --log-level (docs/metrics.md).
@Suite struct ReportingOptionsTests {
    static let shop = CLI.packageRoot.appendingPathComponent("SampleData/feeds/shop.csv").path
    static let profile = CLI.packageRoot.appendingPathComponent("Pipelines/profiles/shop-csv.yaml").path

    /// A loopback port with nothing listening on it.
    static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
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
        return UInt16(bigEndian: addr.sin_port)
    }

    @Test func failedPushAfterASuccessfulRunIs75AndTheDataIsThere() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prom = dir.appendingPathComponent("m.prom").path
        let r = try CLI.run(["collect", Self.shop, "--profile", Self.profile, "--metrics", prom,
                             "--push", "http://127.0.0.1:\(Self.closedPort())", "--push-timeout", "2", "--quiet"])
        #expect(r.status == 75)
        #expect(r.stderr.contains("waybill collect: push failed: http://127.0.0.1:"))
        #expect(r.out.split(separator: "\n").count > 100)
        let text = try String(contentsOfFile: prom, encoding: .utf8)
        #expect(text.contains(#"waybill_run_success{stage="collect"} 1"#))
    }

    @Test func failedRunKeepsItsOwnCodeWhenThePushFailsToo() throws {
        let bad = CLI.packageRoot.appendingPathComponent("SampleData/feeds/shop-bad.csv").path
        let r = try CLI.run(["collect", bad, "--profile", Self.profile, "--max-reject-rate", "0.001",
                             "--push", "http://127.0.0.1:\(Self.closedPort())", "--push-timeout", "2", "--quiet"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("push failed:"))
    }

    @Test func badPushURLOrTimeoutOrLogLevel() throws {
        let notHTTP = try CLI.run(["collect", Self.shop, "--profile", Self.profile, "--push", "gw:9091", "--quiet"])
        #expect(notHTTP.status == 64)
        #expect(notHTTP.stdout.isEmpty)
        #expect(notHTTP.stderr.contains("expected an http:// or https:// URL"))
        let timeout = try CLI.run(["collect", Self.shop, "--profile", Self.profile, "--push", "http://127.0.0.1:1",
                                   "--push-timeout", "0"])
        #expect(timeout.status == 64)
        let level = try CLI.run(["collect", Self.shop, "--profile", Self.profile, "--log-level", "loud"])
        #expect(level.status == 64)
    }

    @Test func infoLogsSayWhereTheMetricsWent() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prom = dir.appendingPathComponent("m.prom").path
        let r = try CLI.run(["collect", Self.shop, "--profile", Self.profile, "--metrics", prom, "--log-level", "info"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("waybill collect: info: metrics written file=\(prom)"))
        #expect(!r.stderr.contains("\u{1B}[K"), "no progress when stderr is not a terminal")
        let quiet = try CLI.run(["collect", Self.shop, "--profile", Self.profile, "--metrics", prom, "--quiet",
                                 "--log-level", "info"])
        #expect(quiet.stderr.isEmpty)
    }

    /// The stages that read unified NDJSON keep the same promises as collect: `--quiet` prints
    /// nothing on stderr (not even the info line about the metrics file), and `--progress`
    /// shows the input being read and a last "done" line.
    @Test func transactAndFulfillHonourQuietAndProgress() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unified = dir.appendingPathComponent("u.ndjson").path
        let collected = try CLI.run(["collect", Self.shop, "--profile", Self.profile, "--quiet"])
        #expect(collected.status == 0)
        try collected.stdout.write(to: URL(fileURLWithPath: unified))
        let prom = dir.appendingPathComponent("m.prom").path
        let stages = [
            ("transact", CLI.packageRoot.appendingPathComponent("Pipelines/rules/transaction.yaml").path),
            ("fulfill", CLI.packageRoot.appendingPathComponent("Pipelines/rules/fulfillment.yaml").path),
        ]
        for (verb, rules) in stages {
            let quiet = try CLI.run([verb, unified, "--rules", rules, "--metrics", prom, "--quiet", "--log-level", "info"])
            #expect(quiet.status == 0, "\(verb)")
            #expect(quiet.stderr.isEmpty, "\(verb): \(quiet.stderr)")
            let shown = try CLI.run([verb, unified, "--rules", rules, "--progress"])
            #expect(shown.status == 0, "\(verb)")
            #expect(shown.stderr.contains("\u{1B}[K\(verb): done: "), "\(verb): \(shown.stderr)")
        }
    }
}
