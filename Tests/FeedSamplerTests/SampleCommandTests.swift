import FeedSampler
import Foundation
import Testing

/// Runs the built `waybill` binary (it sits beside the test bundle after `swift build` or
/// `swift test`); skipped with a printed reason when it is not there.
@Suite struct SampleCommandTests {
    static let binary: URL? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("waybill")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }()

    struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static func run(_ args: [String]) throws -> Run? {
        guard let bin = binary else {
            print("skipped: no waybill binary beside \(CommandLine.arguments[0])")
            return nil
        }
        let p = Process()
        p.executableURL = bin
        p.arguments = ["sample"] + args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: o, stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func stdoutMatchesTheLibrary() throws {
        guard let r = try SampleCommandTests.run(["--orders", "120", "--format", "csv", "--seed", "5", "--bad-share", "0.1"])
        else { return }
        #expect(r.status == 0)
        let expected = try FeedSampler.generate(SampleConfig(orders: 120, seed: 5, shape: .shopCSV, badShare: 0.1)).bytes
        #expect(r.stdout == Data(expected))
    }

    @Test func outAndTruthFiles() throws {
        let dir = NSTemporaryDirectory() + "sample-cli-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard
            let r = try SampleCommandTests.run([
                "--orders", "50", "--shape", "tpch-nested-ndjson", "--out", dir + "/f.ndjson", "--truth", dir + "/t.json",
            ])
        else { return }
        #expect(r.status == 0 && r.stdout.isEmpty)
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/t.json")))
        let t = try #require(truth as? [String: Any])
        #expect(t["records"] as? Int == 50 && t["shape"] as? String == "tpch-nested-ndjson")
        let feed = try Data(contentsOf: URL(fileURLWithPath: dir + "/f.ndjson"))
        #expect(feed.count == t["bytes"] as? Int)
    }

    @Test(arguments: [
        ["--orders", "5", "--shape", "xml"],
        ["--orders", "5", "--format", "parquet"],
        ["--orders", "5", "--bad-share", "2"],
        ["--orders", "5", "--shape", "tpch-flat-csv", "--update-share", "0.5"],
        ["--orders", "5", "--shape", "tpch-flat-csv", "--bad-kinds", "truncated_json"],
        ["--orders", "5", "--bad-kinds", "nonsense"],
        ["--orders", "5", "--format", "csv", "--shape", "jd-waybill-ndjson"],
        ["--seed", "3"],
    ])
    func badArgumentsExit64(args: [String]) throws {
        guard let r = try SampleCommandTests.run(args) else { return }
        #expect(r.status == 64)
        #expect(r.stderr.contains("Error:"))
    }

    @Test func unwritableOutputExits73() throws {
        guard let r = try SampleCommandTests.run(["--orders", "5", "--out", "/nonexistent-dir/feed.csv"]) else { return }
        #expect(r.status == 73)
        #expect(r.stderr.contains("/nonexistent-dir/feed.csv"))
    }

    /// `waybill sample ... | head`: the closed pipe ends the run quietly with status 0.
    @Test func closedPipeIsNotAnError() throws {
        guard let bin = SampleCommandTests.binary else {
            print("skipped: no waybill binary")
            return
        }
        let p = Process()
        p.executableURL = bin
        p.arguments = ["sample", "--orders", "500000", "--shape", "tpch-flat-csv"]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let head = out.fileHandleForReading.readData(ofLength: 4096)
        try out.fileHandleForReading.close()
        p.waitUntilExit()
        #expect(head.count == 4096)
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 0)
        #expect(err.fileHandleForReading.readDataToEndOfFile().isEmpty)
    }
}
