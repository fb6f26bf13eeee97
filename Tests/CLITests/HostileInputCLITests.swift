import Foundation
import Testing

/// Whole-command answers to hostile input: a decompression bomb ends its input with a reject
/// and exit 65 after everything else was written; limits come from the profile, the pipeline
/// file and `--limit`; hostile partition values never leave the output folder.
@Suite struct HostileInputCLITests {
    static let profile = """
        source: t
        format: csv
        order:
          order_id: "{source}:{id}"
          external_order_id: id
          order_type: { const: sale }
          status: { const: PAID }
          created_at: { from: day, format: "%Y-%m-%d" }
          business_line: line
        """

    struct Setup {
        let dir: URL
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func write(_ name: String, _ text: String) throws {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        func sh(_ command: String) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", command]
            p.currentDirectoryURL = dir
            try! p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
    }

    /// A good feed and a gzip bomb (a header, then 8 MiB of zeros: about 1000:1).
    func setup() throws -> Setup {
        let s = Setup(dir: try CLI.tempDir())
        try s.write("p.yaml", Self.profile)
        try s.write("good.csv", "id,day,line\n1,2025-01-02,shop\n2,2025-01-03,shop\n")
        #expect(s.sh("(printf 'id,day,line\\n'; head -c 8388608 /dev/zero) | gzip -c > bomb.csv.gz") == 0)
        return s
    }

    @Test func collectWritesTheGoodInputThenExits65() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let r = try CLI.run(["collect", s.path("good.csv"), s.path("bomb.csv.gz"), "--profile", s.path("p.yaml"),
            "--rejects", s.path("rejects.ndjson"), "--limit", "ratio_grace_bytes=1MiB"])
        #expect(r.status == 65)
        #expect(r.out.split(separator: "\n").count == 2)
        #expect(r.stderr.contains("bomb.csv.gz") && r.stderr.contains("max_compression_ratio 200"))
        #expect(r.stderr.contains("[books balance]"))
        let rejects = try String(contentsOfFile: s.path("rejects.ndjson"), encoding: .utf8)
        #expect(rejects.contains("\"code\":\"compression_ratio\""))
        // Raising the limit on the command line lets the same input through (its rows are rejects).
        let raised = try CLI.run(["collect", s.path("bomb.csv.gz"), "--profile", s.path("p.yaml"),
            "--limit", "max_compression_ratio=100000", "--limit", "max_line_bytes=1"])
        #expect(raised.status == 64)  // not an input limit: a usage error naming the known ones
        #expect(raised.stderr.contains("max_compression_ratio"))
    }

    @Test func profileLimitsApplyAndTheCommandLineOverridesThem() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        try s.write("strict.yaml", Self.profile.replacingOccurrences(of: "format: csv", with: "format: csv\nlimits:\n  max_member_bytes: 10"))
        let strict = try CLI.run(["collect", s.path("good.csv"), "--profile", s.path("strict.yaml")])
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("max_member_bytes 10"))
        let loose = try CLI.run(["collect", s.path("good.csv"), "--profile", s.path("strict.yaml"), "--limit", "max_member_bytes=1MiB"])
        #expect(loose.status == 0)
        #expect(loose.out.split(separator: "\n").count == 2)
    }

    @Test func writeWithAProfileLandsThenExits65() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let r = try CLI.run(["write", "--out", s.path("out"), "--profile", s.path("p.yaml"), s.path("good.csv"),
            s.path("bomb.csv.gz"), "--limit", "ratio_grace_bytes=1MiB", "--batch-id", "b1"])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("compression_ratio"))
        #expect(FileManager.default.fileExists(atPath: s.path("out/orders/_SUCCESS")))
    }

    /// A pipeline's `limits:` section and `run --limit` (which wins) both reach the collect stage;
    /// the line past a limit fails alone with 65.
    @Test func runTakesLimitsFromThePipelineAndTheCommandLine() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        try s.write("pipe.yaml", """
            version: 1
            name: hostile
            batch_id: h1
            lines:
              good:
                profile: p.yaml
                inputs: ["\(s.path("good.csv"))"]
              bomb:
                profile: p.yaml
                inputs: ["\(s.path("bomb.csv.gz"))"]
            output:
              folder: \(s.path("wh"))
              rejects: \(s.path("rejects"))
            limits:
              ratio_grace_bytes: 1MiB
            """)
        let r = try CLI.run(["run", s.path("pipe.yaml")])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("bomb") && r.stderr.contains("compression_ratio"))
        #expect(FileManager.default.fileExists(atPath: s.path("wh/orders/_SUCCESS")))
        let rerun = try CLI.run(["run", s.path("pipe.yaml"), "--limit", "max_compression_ratio=100000"])
        #expect(rerun.status != 65 || !rerun.stderr.contains("compression_ratio"), "\(rerun.stderr)")
        let bad = try CLI.run(["run", s.path("pipe.yaml"), "--limit", "max_members=many"])
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("max_members"))
    }

    /// Partition values that look like paths are escaped into one folder name each; nothing is
    /// created outside the output folder.
    @Test func hostilePartitionValuesStayInside() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let long = String(repeating: "x", count: 300)
        try s.write("h.csv", "id,day,line\n1,2025-01-02,../../escaped\n2,2025-01-02,/etc\n3,2025-01-02,a/../../b\n4,2025-01-02,..\n5,2025-01-02,\(long)\n")
        let r = try CLI.run(["write", "--out", s.path("out"), "--profile", s.path("p.yaml"), s.path("h.csv"),
            "--partition-by", "business_line", "--batch-id", "h1", "--rejects", s.path("rej.ndjson")])
        let made = FileManager.default.subpaths(atPath: s.dir.path) ?? []
        #expect(!made.contains { $0.hasPrefix("escaped") || $0 == "b" })
        #expect(!FileManager.default.fileExists(atPath: s.dir.deletingLastPathComponent().appendingPathComponent("escaped").path))
        let parts = (try? FileManager.default.contentsOfDirectory(atPath: s.path("out/orders"))) ?? []
        #expect(parts.contains("business_line=..%2F..%2Fescaped"), "\(parts)")
        #expect(parts.contains("business_line=%2Fetc"))
        #expect(r.status == 0, "\(r.stderr)")
        // A value too long for one folder name is a reject, not a failed write.
        let rejects = try String(contentsOfFile: s.path("rej.ndjson"), encoding: .utf8)
        #expect(rejects.contains("partition_value_too_long"))
    }

    /// Partitioning by a key of too many values fails the write (65) with nothing committed,
    /// instead of landing a folder and a file per value.
    @Test func tooManyPartitionsFailTheWrite() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        try s.write("m.csv", "id,day,line\n" + (1...5).map { "\($0),2025-01-02,l\($0)\n" }.joined())
        let args = ["write", "--out", s.path("out"), "--profile", s.path("p.yaml"), s.path("m.csv"), "--partition-by", "business_line"]
        let r = try CLI.run(args + ["--max-partitions", "3"])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("more than 3 partitions") && r.stderr.contains("Nothing was committed"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.path("out/orders")))
        #expect(try CLI.run(args + ["--max-partitions", "5"]).status == 0)
    }

    /// A partition folder replaced by a link to elsewhere: the next write refuses (73) before
    /// committing anything, and nothing lands outside.
    @Test func writeDoesNotFollowAPlantedPartitionLink() throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let args = ["write", "--out", s.path("out"), "--profile", s.path("p.yaml"), s.path("good.csv"),
            "--partition-by", "business_line", "--mode", "append"]
        #expect(try CLI.run(args + ["--batch-id", "b1"]).status == 0)
        let outside = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.removeItem(atPath: s.path("out/orders/business_line=shop"))
        try FileManager.default.createSymbolicLink(atPath: s.path("out/orders/business_line=shop"), withDestinationPath: outside.path)
        let r = try CLI.run(args + ["--batch-id", "b2"])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }
}
