import Foundation
import Testing

/// The command-line contract: every verb has help with an example, and each kind of failure
/// has its sysexits code and a message naming what and where (design.md section 2).
@Suite struct ExitCodeTests {
    static let verbs = ["collect", "transact", "write", "inspect", "sample", "schema", "fulfill"]

    @Test(arguments: verbs)
    func everyVerbHasHelpWithAnExample(verb: String) throws {
        let r = try CLI.run([verb, "--help"])
        #expect(r.status == 0)
        #expect(r.out.lowercased().contains("example"), "\(verb) --help has no example")
    }

    @Test func unknownOptionIsUsageError() throws {
        let r = try CLI.run(["collect", "--no-such-option"])
        #expect(r.status == 64)
    }

    @Test func missingInputIs66AndNamesThePath() throws {
        let profile = CLI.packageRoot.appendingPathComponent("Pipelines/profiles/tpch-flat-csv.yaml").path
        let r = try CLI.run(["collect", "/nonexistent/feed.csv", "--profile", profile])
        #expect(r.status == 66)
        #expect(r.stderr.contains("/nonexistent/feed.csv"))
        #expect(r.stdout.isEmpty)
    }

    /// A file where a folder to write into is named is "cannot create" (73), for the state
    /// folder as for `write --out`.
    @Test func aFileWhereTheStateFolderGoesIs73() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("state").path
        try "".write(toFile: file, atomically: true, encoding: .utf8)
        let rules = CLI.packageRoot.appendingPathComponent("Pipelines/rules/transaction.yaml").path
        let r = try CLI.run(["transact", "--rules", rules, "--state", file], stdin: Data())
        #expect(r.status == 73)
        #expect(r.stderr.contains("\(file): cannot create: Not a directory"), "\(r.stderr)")
    }

    @Test func badProfileIs78AndNamesTheLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = dir.appendingPathComponent("bad.yaml")
        try "source: x\nformat: csv\norder:\n  order_id: [unclosed\n".write(to: profile, atomically: true, encoding: .utf8)
        let feed = dir.appendingPathComponent("f.csv")
        try "a,b\n1,2\n".write(to: feed, atomically: true, encoding: .utf8)
        let r = try CLI.run(["collect", feed.path, "--profile", profile.path])
        #expect(r.status == 78)
        #expect(r.stderr.contains("bad.yaml:"), "message should name the profile and line: \(r.stderr)")
    }

    @Test func inspectOfMissingPathIs66() throws {
        let r = try CLI.run(["inspect", "/nonexistent/dataset"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("/nonexistent/dataset"))
    }

    /// A file that is not Parquet is a data error naming the file once.
    @Test func inspectOfACorruptFileIs65AndNamesItOnce() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("x.parquet")
        try Data("PAR1 not really PAR1".utf8).write(to: file)
        let r = try CLI.run(["inspect", file.path])
        #expect(r.status == 65)
        #expect(r.stderr.components(separatedBy: file.path).count == 2, "\(r.stderr)")
    }

    /// `--datasets orders,orders` wrote every order twice.
    @Test func writeNamingADatasetTwiceIs64() throws {
        let r = try CLI.run(["write", "--out", "/nonexistent/w", "--datasets", "orders,orders"], stdin: Data())
        #expect(r.status == 64)
        #expect(r.stderr.contains("--datasets: dataset 'orders' appears twice"), "\(r.stderr)")
        let empty = try CLI.run(["write", "--out", "/nonexistent/w", "--datasets", "orders,"], stdin: Data())
        #expect(empty.status == 64 && empty.stderr.contains("unknown dataset ''"), "\(empty.stderr)")
    }

    @Test func writeIntoAnUncreatableFolderIs73() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let r = try CLI.run(["write", "--out", blocker.appendingPathComponent("sub").path], stdin: Data())
        #expect(r.status == 73)
    }

    @Test func sampleIsDeterministicAndCollectsWithBalancedBooks() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["sample", "--shape", "shop-csv", "--orders", "50", "--seed", "3", "--update-share", "0"]
        let a = try CLI.run(args)
        let b = try CLI.run(args)
        #expect(a.status == 0 && a.stdout == b.stdout && !a.stdout.isEmpty)
        let feed = dir.appendingPathComponent("shop.csv")
        try a.stdout.write(to: feed)
        let profile = CLI.packageRoot.appendingPathComponent("Pipelines/profiles/shop-csv.yaml").path
        let c = try CLI.run(["collect", feed.path, "--profile", profile])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stderr.contains("books balance"))
        let orders = c.out.split(separator: "\n").count
        #expect(orders == 50)
    }

    @Test func closedStdoutIsNotAnError() throws {
        // `waybill sample | head -1`: the reader goes away; the writer must exit 0 quietly.
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/bash")
        sh.arguments = ["-c", "set -o pipefail; '\(CLI.binary.path)' sample --shape jd-waybill-ndjson --orders 200000 | head -c 100 > /dev/null"]
        try sh.run()
        sh.waitUntilExit()
        #expect(sh.terminationStatus == 0)
    }
}

@Suite struct EmptyInputTests {
    @Test func emptyStdinIsNoOrdersNotAnError() throws {
        let profile = CLI.packageRoot.appendingPathComponent("Pipelines/profiles/shop-csv.yaml").path
        let c = try CLI.run(["collect", "--profile", profile], stdin: Data())
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.isEmpty)
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try CLI.run(["write", "--out", dir.appendingPathComponent("wh").path, "--batch-id", "empty"], stdin: Data())
        #expect(w.status == 0, "\(w.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("wh/orders/_SUCCESS").path))
    }
}
