import Foundation
import Testing

/// `waybill run --threads N`: the process is pinned to N CPUs; the datasets do not depend on N.
@Suite struct RunThreadsCLITests {
    private func parquetFiles(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let u = e?.nextObject() as? URL {
            if u.pathExtension == "parquet" { out[String(u.path.dropFirst(root.path.count))] = try Data(contentsOf: u) }
        }
        return out
    }

    @Test func oneCPUWritesTheSameFilesAsTwo() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [[String: Data]] = []
        for n in ["1", "2"] {
            let out = dir.appendingPathComponent("t\(n)")
            let r = try CLI.run(["run", "Pipelines/nightly.yaml", "--out", out.path, "--threads", n, "--quiet",
                "--set", "transaction.state=\(dir.appendingPathComponent("state\(n)").path)",
                "--set", "output.rejects=\(dir.appendingPathComponent("rejects\(n)").path)"], cwd: CLI.packageRoot)
            #expect(r.status == 0, "\(r.stderr)")
            files.append(try parquetFiles(out))
        }
        #expect(!files[0].isEmpty)
        #expect(files[0] == files[1])
    }

    @Test func zeroThreadsIsAUsageError() throws {
        let r = try CLI.run(["run", "Pipelines/nightly.yaml", "--threads", "0", "--out", "/nonexistent/never"], cwd: CLI.packageRoot)
        #expect(r.status == 64)
        #expect(r.stderr.contains("--threads"))
    }
}
