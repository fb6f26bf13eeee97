import Foundation
import Testing

/// The lifecycle verbs through the binary: help, exit codes, and a killed compaction finished
/// by the next run.
@Suite struct LifecycleCLITests {
    static func order(_ id: Int, version: Int, date: String, total: String) -> String {
        #"{"order_id":"s:\#(id)","source":"s","external_order_id":"\#(id)","order_type":"sale","status":"PAID","#
            + #""created_at":"\#(date)T08:00:00Z","order_date":"\#(date)","version":\#(version),"#
            + #""finance":{"currency":"EUR","grand_total":"\#(total)"},"lines":[{"line_no":1,"quantity":"1","sku":"A\#(id)v\#(version)"}]}"#
    }

    static func land(_ out: String) throws {
        let r1 = (1...20).map { order($0, version: 1, date: "2024-0\($0 % 3 + 1)-05", total: "10.00") }
        let r2 = (1...20).filter { $0 % 2 == 0 }.map { order($0, version: 2, date: "2024-0\($0 % 3 + 1)-05", total: "20.00") }
        for (i, run) in [r1, r2].enumerated() {
            let w = try CLI.run(["write", "--quiet", "--out", out, "--partition-by", "order_month", "--mode", "append",
                "--batch-id", "run\(i)"], stdin: Data((run.joined(separator: "\n") + "\n").utf8))
            #expect(w.status == 0, "\(w.stderr)")
        }
    }

    @Test(arguments: ["compact", "tier", "restore"])
    func helpHasAnExample(verb: String) throws {
        let r = try CLI.run([verb, "--help"])
        #expect(r.status == 0)
        #expect(r.out.lowercased().contains("example"))
    }

    @Test func exitCodes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("w").path
        #expect(try CLI.run(["compact", "--dataset", out]).status == 66)
        try Self.land(out)
        // The dataset folder itself where its output folder is meant: the error says which to give.
        let inner = try CLI.run(["compact", "--dataset", out + "/orders"])
        #expect(inner.status == 66 && inner.stderr.contains("is itself a dataset folder") && inner.stderr.contains("(\(out))"))
        #expect(try CLI.run(["tier", "--dataset", out, "--older-than", "ninety", "--to", dir.path + "/cold"]).status == 64)
        #expect(try CLI.run(["tier", "--dataset", out, "--older-than", "9d", "--to", dir.path + "/cold", "--pack", "zip"]).status == 64)
        #expect(try CLI.run(["tier", "--dataset", out, "--older-than", "9d", "--to", out + "/orders/x"]).status == 64)
        let r = try CLI.run(["restore", "--from", dir.path + "/nothing", "--dataset", out])
        #expect(r.status == 66)
        #expect(r.stderr.contains("_waybill_cold_manifest.json"))
        // A data file the manifest lists, deleted behind its back: a data error naming it.
        let files = FileManager.default.enumerator(atPath: out + "/orders")!.compactMap { $0 as? String }.filter { $0.hasSuffix(".parquet") }
        try FileManager.default.removeItem(atPath: out + "/orders/" + files[0])
        let gone = try CLI.run(["compact", "--dataset", out])
        #expect(gone.status == 65 && gone.stderr.contains(files[0] + ": listed in the dataset's manifest but missing"), "\(gone.stderr)")
    }

    @Test func killedCompactionIsFinishedByTheNextRun() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("w").path
        try Self.land(out)
        // The hook goes to the child only (setenv would reach other tests' children running in parallel).
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["compact", "--dataset", out]
        p.environment = ProcessInfo.processInfo.environment.merging(["WAYBILL_TEST_FAILPOINT": "after-renames:2"]) { $1 }
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 74)
        #expect(!FileManager.default.fileExists(atPath: out + "/orders/_SUCCESS"))
        let next = try CLI.run(["compact", "--dataset", out])
        #expect(next.status == 0)
        #expect(next.stderr.contains("20 order rows, 20 current orders; 0 partition(s) rewritten"), "\(next.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/orders/_SUCCESS"))
        #expect(try CLI.run(["inspect", out]).status == 0)
    }

    /// A write killed during its commit, given `--out` relative to its working folder, is
    /// finished by the next run wherever that starts from and however it names the folder; a
    /// copy of the folder finishes its own copy of the commit and leaves the original alone.
    @Test func aKilledCommitIsFinishedFromAnotherWorkingFolder() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let orders = (1...12).map { Self.order($0, version: 1, date: "2024-0\($0 % 3 + 1)-05", total: "10.00") }
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["write", "--quiet", "--out", "w", "--partition-by", "order_month", "--batch-id", "b1"]
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(["WAYBILL_TEST_FAILPOINT": "after-renames:2"]) { $1 }
        let input = Pipe()
        p.standardInput = input
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data((orders.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        #expect(p.terminationStatus == 74)
        let out = dir.appendingPathComponent("w").path
        #expect(!FileManager.default.fileExists(atPath: out + "/orders/_SUCCESS"))
        // A copy of the half-committed folder: its journal names the original's paths.
        let copy = dir.appendingPathComponent("copy").path
        try FileManager.default.copyItem(atPath: out, toPath: copy)
        let fromCopy = try CLI.run(["write", "--quiet", "--out", copy, "--mode", "append", "--batch-id", "b2",
            "--partition-by", "order_month"], stdin: Data())
        #expect(fromCopy.status == 0, "\(fromCopy.stderr)")
        #expect(FileManager.default.fileExists(atPath: copy + "/orders/_SUCCESS"))
        #expect(!FileManager.default.fileExists(atPath: out + "/orders/_SUCCESS"))
        let copyCheck = try CLI.run(["inspect", copy])
        #expect(copyCheck.status == 0 && copyCheck.out.contains("3 files, 12 rows"), "\(copyCheck.out) \(copyCheck.stderr)")
        // The original, named by its absolute path from another working folder: finished.
        let next = try CLI.run(["write", "--quiet", "--out", out, "--mode", "append", "--batch-id", "b2",
            "--partition-by", "order_month"], stdin: Data(), cwd: FileManager.default.temporaryDirectory)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/orders/_SUCCESS"))
        let check = try CLI.run(["inspect", out])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.out.contains("3 files, 12 rows"), "\(check.out)")
    }
}
