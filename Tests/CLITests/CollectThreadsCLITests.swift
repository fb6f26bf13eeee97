import Foundation
import Testing

/// `waybill collect --threads N`: chunks are mapped on N threads and the NDJSON is encoded on
/// N encoder threads, yet stdout and the rejects are byte for byte those of one thread.
@Suite struct CollectThreadsCLITests {
    @Test(arguments: ["tpch-flat-csv", "tpch-nested-ndjson"])
    func threadsDoNotChangeTheOutput(shape: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Past the 8 MiB at which a plain file is read in chunks, with bad records among them.
        let ext = shape.hasSuffix("csv") ? "csv" : "ndjson"
        let feed = dir.appendingPathComponent("feed.\(ext)")
        let s = try CLI.run(["sample", "--orders", "12000", "--shape", shape, "--bad-share", "0.01", "--out", feed.path])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: feed.path)[.size] as? Int ?? 0 > 8 << 20)
        var outputs: [(stdout: Data, rejects: Data)] = []
        for n in ["1", "2", "3"] {
            let rejects = dir.appendingPathComponent("rejects\(n).ndjson")
            let r = try CLI.run(["collect", feed.path, "--profile", "Pipelines/profiles/\(shape).yaml", "--threads", n,
                "--batch-id", "b", "--rejects", rejects.path, "--quiet"], cwd: CLI.packageRoot)
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append((r.stdout, try Data(contentsOf: rejects)))
        }
        #expect(outputs[0].stdout.count > 8 << 20)
        #expect(!outputs[0].rejects.isEmpty)
        for k in 1..<outputs.count {
            #expect(outputs[k].stdout == outputs[0].stdout)
            #expect(outputs[k].rejects == outputs[0].rejects)
        }
    }
}
