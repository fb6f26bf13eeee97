import Foundation
import Testing

/// `waybill adopt` and `waybill run --shard` through the binary: exit codes and a killed adopt
/// finished by the next writer.
@Suite struct AdoptCLITests {
    func stage(_ dir: URL, _ name: String, batch: String, partitionBy: String = "order_month", ids: ClosedRange<Int>) throws -> String {
        let out = dir.appendingPathComponent(name).path
        let rows = ids.map { LifecycleCLITests.order($0, version: 1, date: "2024-0\($0 % 3 + 1)-05", total: "10.00") }
        let w = try CLI.run(["write", "--quiet", "--out", out, "--partition-by", partitionBy, "--batch-id", batch, "--mode", "append"],
            stdin: Data((rows.joined(separator: "\n") + "\n").utf8))
        #expect(w.status == 0, "\(w.stderr)")
        return out
    }

    func rows(_ out: String, _ dataset: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(dataset)/_waybill_manifest.json"))
        let files = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["files"] as! [[String: Any]]
        return files.reduce(0) { $0 + ($1["rows"] as! Int) }
    }

    @Test func adoptsStagedRunsAndRefusesMismatches() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try stage(dir, "a", batch: "s0", ids: 1...10)
        let b = try stage(dir, "b", batch: "s1", ids: 11...25)
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["adopt", "--into", out, a, b])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try rows(out, "orders") == 25)
        #expect(FileManager.default.fileExists(atPath: out + "/orders/_SUCCESS"))
        let other = try stage(dir, "c", batch: "s2", partitionBy: "business_line", ids: 26...30)
        let bad = try CLI.run(["adopt", "--into", out, other])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("partitioned by"))
        #expect(try CLI.run(["adopt", "--into", out, dir.path + "/none"]).status == 66)
        #expect(try rows(out, "orders") == 25)
        #expect(try CLI.run(["run", "Pipelines/nightly.yaml", "--shard", "4/4"], cwd: CLI.packageRoot).status == 64)
    }

    @Test func aKilledAdoptIsFinishedByTheNextWriter() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try stage(dir, "a", batch: "s0", ids: 1...12)
        let out = dir.appendingPathComponent("out").path
        // The hook goes to the child only (setenv would reach other tests' children running in parallel).
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["adopt", "--into", out, a]
        p.environment = ProcessInfo.processInfo.environment.merging(["WAYBILL_TEST_FAILPOINT": "after-renames:2"]) { $1 }
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 74)
        #expect(!FileManager.default.fileExists(atPath: out + "/orders/_SUCCESS"))
        // The next write on OUT replays the journal first, then adds its own batch.
        _ = try stage(dir, "out", batch: "next", ids: 13...14)
        #expect(try rows(out, "orders") == 14)
        let check = try CLI.run(["inspect", out + "/orders"])
        #expect(check.out.contains("manifest check: OK"), "\(check.out)")
    }
}
