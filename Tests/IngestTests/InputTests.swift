import Foundation
import OrderModel
import Testing
@testable import Ingest

@Suite struct InputTests {
    static let profile = """
        source: t
        format: csv
        order:
          order_id: "{source}:{id}"
          external_order_id: id
          order_type: { const: sale }
          status: { const: PAID }
          created_at: { from: day, format: "%Y-%m-%d" }
        line:
          quantity: qty
        """

    static func feed(_ ids: [Int]) -> String {
        "id,day,qty\n" + ids.map { "\($0),2025-01-0\($0 % 9 + 1),\($0)\n" }.joined()
    }

    func ids(_ r: Collected) -> [String] { r.orders.map { $0["external_order_id"] as! String } }
    func members(_ r: Collected) -> [String?] { r.orders.map { ($0["operation"] as? [String: Any])?["source_member"] as? String } }

    @Test func foldersAreReadRecursivelyInSortedOrder() throws {
        let dir = TempDir()
        dir.write("in/b.csv", Self.feed([3]))
        dir.write("in/a/z.csv", Self.feed([1]))
        dir.write("in/a.csv", Self.feed([2]))
        let r = try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/in"], dir: dir)
        // Byte order of paths: "a.csv" < "a/z.csv" < "b.csv".
        #expect(ids(r) == ["2", "1", "3"])
        #expect(r.books.files == 3)
    }

    @Test func globsExpandSorted() throws {
        let dir = TempDir()
        dir.write("g/x2.csv", Self.feed([2]))
        dir.write("g/x1.csv", Self.feed([1]))
        dir.write("g/y.txt", Self.feed([9]))
        let r = try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/g/x*.csv"], dir: dir)
        #expect(ids(r) == ["1", "2"])
    }

    @Test func missingInputIsExit66NamingThePath() throws {
        #expect {
            _ = try InputResolver.resolve(["/nonexistent/feed.csv"])
        } throws: { e in
            guard let e = e as? WaybillError else { return false }
            return e.exitCode == 66 && e.description.contains("/nonexistent/feed.csv")
        }
        #expect(throws: WaybillError.self) { _ = try InputResolver.resolve(["/nonexistent/*.csv"]) }
        #expect(try InputResolver.resolve([]) == [InputSpec(path: "-")])
    }

    @Test func argumentsKeepTheirOrderAndStdinIsDash() throws {
        let dir = TempDir()
        let b = dir.write("b.csv", Self.feed([2]))
        let a = dir.write("a.csv", Self.feed([1]))
        #expect(try InputResolver.resolve([b, "-", a]).map(\.path) == [b, "-", a])
        #expect(try InputResolver.resolve([]).map(\.path) == ["-"])
        #expect(try InputResolver.resolve([b, "-"]).last?.isStdin == true)
    }

    @Test func batchIDIsDeterministic() throws {
        let a = InputResolver.batchID(source: "t", inputs: [InputSpec(path: "x", size: 1)])
        #expect(a == InputResolver.batchID(source: "t", inputs: [InputSpec(path: "x", size: 1)]))
        #expect(a != InputResolver.batchID(source: "t", inputs: [InputSpec(path: "x", size: 2)]))
    }

    @Test(arguments: [
        ("tar", "tar cf feeds.x a.csv b.csv"),
        ("tar.gz", "tar czf feeds.x a.csv b.csv"),
        ("tar.bz2", "tar cjf feeds.x a.csv b.csv"),
        ("tar.xz", "tar cJf feeds.x a.csv b.csv"),
        ("tar.zst", "tar cf - a.csv b.csv | zstd -q -o feeds.x"),
        ("zip", "zip -q feeds.x a.csv b.csv"),
    ])
    func archivesWithSeveralMembers(kind: String, command: String) throws {
        let dir = TempDir()
        dir.write("a.csv", Self.feed([1, 2]))
        dir.write("b.csv", Self.feed([3]))
        #expect(dir.sh(command) == 0, "\(kind): \(command)")
        // The name says nothing: the kind is detected from the content.
        let r = try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/feeds.x"], dir: dir)
        #expect(ids(r) == ["1", "2", "3"], "\(kind)")
        #expect(members(r) == ["a.csv", "a.csv", "b.csv"], "\(kind)")
        #expect(r.books.archiveMembers == 2 && r.books.balances, "\(kind)")
    }

    @Test(arguments: ["gzip -c", "zstd -q -c", "bzip2 -c", "xz -c"])
    func singleCompressedFiles(tool: String) throws {
        let dir = TempDir()
        dir.write("a.csv", Self.feed([4, 5]))
        #expect(dir.sh("\(tool) a.csv > a.csv.z") == 0)
        let r = try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/a.csv.z"], dir: dir)
        #expect(ids(r) == ["4", "5"], "\(tool)")
        #expect(members(r) == [nil, nil])
    }

    /// Compressed data is decompressed ahead on a helper thread in blocks of the reader's size
    /// (`ArchiveReader`; 4 KiB here): members of many blocks, bad rows across block boundaries,
    /// members one after another and a plain file after the archive give the same orders and
    /// rejects (codes, lines, offsets) as the plain files.
    @Test(arguments: ["gzip -c", "zstd -q -c"])
    func compressedFeedsReadAheadGiveWhatPlainFilesGive(tool: String) throws {
        let dir = TempDir()
        var a = "id,day,qty\n", b = "id,day,qty\n"
        for i in 1...15_000 { a += i % 791 == 0 ? "\(i),2025-13-45,1\n" : "\(i),2025-01-0\(i % 9 + 1),\(i % 50 + 1)\n" }
        for i in 15_001...20_000 { b += i % 401 == 0 ? "\(i),x\n" : "\(i),2025-02-0\(i % 9 + 1),\(i % 7 + 1)\n" }
        dir.write("p/a.csv", a)
        dir.write("p/b.csv", b)
        dir.write("after.csv", Self.feed([7]))
        #expect(dir.sh("mkdir z && \(tool) p/a.csv > z/a.csv.z && \(tool) p/b.csv > z/b.csv.z") == 0)
        #expect(dir.sh("cd p && tar cf - a.csv b.csv | \(tool) > ../both.tar.z") == 0)
        let profile = try Fixture.profile(Self.profile, blockSize: 4096)
        let after = dir.path + "/after.csv"
        let plain = try Fixture.collect(profile, [dir.path + "/p/a.csv", dir.path + "/p/b.csv", after], dir: dir)
        let single = try Fixture.collect(profile, [dir.path + "/z/a.csv.z", dir.path + "/z/b.csv.z", after], parseThreads: 2, dir: dir)
        let tarred = try Fixture.collect(profile, [dir.path + "/both.tar.z", after], parseThreads: 2, dir: dir)
        func rejects(_ r: Collected) -> [String] {
            r.rejects.map { "\($0["code"] ?? "") \($0["line"] ?? "") \($0["byte_offset"] ?? "")" }
        }
        #expect(plain.orders.count == 20_000 - 18 - 12 + 1)
        #expect(rejects(plain).count == 30)
        for r in [single, tarred] {
            #expect(ids(r) == ids(plain), "\(tool)")
            #expect(rejects(r) == rejects(plain), "\(tool)")
            #expect(r.books.recordsIn == plain.books.recordsIn && r.books.balances, "\(tool)")
        }
        #expect(tarred.books.archiveMembers == 2)
    }

    /// The read-ahead's own bookkeeping: requests smaller and larger than its blocks, a member
    /// left half read for the next one, and the end of each member.
    @Test func readAheadDeliversEveryByteWhateverTheRequestSizes() throws {
        let dir = TempDir()
        func text(_ seed: Int, _ count: Int) -> [UInt8] {
            var x = UInt64(seed), out: [UInt8] = []
            for _ in 0..<count {
                x = x &* 6364136223846793005 &+ 1442695040888963407
                out.append(UInt8(ascii: "a") + UInt8((x >> 33) % 26))
            }
            return out
        }
        let a = text(1, 300_001), b = text(2, 123_457)
        dir.write("a.txt", a)
        dir.write("b.txt", b)
        #expect(dir.sh("gzip -c a.txt > a.gz && tar cf - a.txt b.txt | zstd -q -c > ab.tar.zst") == 0)

        let single = try ArchiveReader(input: InputSpec(path: dir.path + "/a.gz"), readAheadBlockSize: 1000)
        guard case .member(nil) = single.nextMember() else { Issue.record("no member"); return }
        #expect(try readAll(single, sizes: [1, 777, 4096, 999, 1000, 3]) == a)
        if case .end = single.nextMember() {} else { Issue.record("expected the end") }

        let tar = try ArchiveReader(input: InputSpec(path: dir.path + "/ab.tar.zst"), readAheadBlockSize: 1000)
        guard case .member("a.txt") = tar.nextMember() else { Issue.record("no a.txt"); return }
        #expect(try readAll(tar, sizes: [2500], limit: 4321) == Array(a[0..<4321]))
        guard case .member("b.txt") = tar.nextMember() else { Issue.record("no b.txt"); return }
        #expect(try readAll(tar, sizes: [64, 1001]) == b)
        if case .end = tar.nextMember() {} else { Issue.record("expected the end") }
    }

    /// Reads the current member with requests of `sizes` (in turn) up to its end or `limit` bytes.
    private func readAll(_ reader: ArchiveReader, sizes: [Int], limit: Int = .max) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        var k = 0
        while out.count < limit {
            let want = min(sizes[k % sizes.count], limit - out.count)
            k += 1
            let n = try buffer.withUnsafeMutableBytes { try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])).get() }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    @Test func archiveSkipsDirectoriesAndSymlinks() throws {
        let dir = TempDir()
        dir.write("d/a.csv", Self.feed([1]))
        #expect(dir.sh("ln -s /etc/passwd d/link.csv && mkdir -p d/empty && tar cf t.tar d") == 0)
        let r = try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/t.tar"], dir: dir)
        #expect(ids(r) == ["1"])
        #expect(r.rejects.isEmpty && r.books.archiveMembers == 1)
    }

    /// A 20,000-row feed packed by `pack` (a shell command from `a.csv` to `cut`), then
    /// collected with one good file after it.
    func collectCut(_ pack: String, _ cut: String) throws -> Collected {
        let dir = TempDir()
        var big = "id,day,qty\n"
        for i in 1...20000 { big += "\(i),2025-01-01,\(i % 50 + 1)\n" }
        dir.write("a.csv", big)
        #expect(dir.sh(pack) == 0)
        dir.write("after.csv", Self.feed([7]))
        return try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/" + cut, dir.path + "/after.csv"], dir: dir)
    }

    @Test func truncatedTarGzIsARejectAndTheRunGoesOn() throws {
        let r = try collectCut("tar czf full.tgz a.csv && head -c 20000 full.tgz > cut.tgz", "cut.tgz")
        let corrupt = r.rejects.filter { $0["code"] as? String == "archive_corrupt" }
        #expect(corrupt.count == 1)
        #expect((corrupt.first?["reason"] as? String)?.contains("cut.tgz") == true)
        #expect(ids(r).last == "7")
        #expect(r.books.balances)
    }

    /// Cut before libarchive's first block decompresses, a `.gz` used to fail as "input not
    /// found" (exit 66) and end the run; it is damaged content like any later cut.
    @Test func gzipCutInItsFirstBlockIsARejectAndTheRunGoesOn() throws {
        let r = try collectCut("gzip -c a.csv | head -c 1000 > cut.csv.gz", "cut.csv.gz")
        let corrupt = r.rejects.filter { $0["code"] as? String == "archive_corrupt" }
        #expect(corrupt.count == 1)
        #expect((corrupt.first?["reason"] as? String)?.hasSuffix("cut.csv.gz: cannot read it: truncated gzip input") == true)
        #expect(ids(r) == ["7"])
        #expect(r.books.balances)
    }

    @Test func corruptZipMemberIsAReject() throws {
        let dir = TempDir()
        var text = "id,day,qty\n"
        for i in 1...2000 { text += "\(i),2025-01-01,\(i % 50 + 1)\n" }
        dir.write("a.csv", text)
        dir.write("b.csv", Self.feed([8]))
        #expect(dir.sh("zip -q z.zip a.csv b.csv") == 0)
        // Damage the middle of the first member's compressed data (the CRC check fails).
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/z.zip")))
        for k in 200..<260 { bytes[k] ^= 0x5A }
        dir.write("z.zip", bytes)
        let r = try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/z.zip"], dir: dir)
        #expect(r.rejects.contains { $0["code"] as? String == "archive_corrupt" })
        #expect(r.books.balances)
    }

    /// A file named twice (by path, through its folder, through a link) is read once, with a
    /// warning: read twice, each of its orders would land twice.
    @Test func aFileNamedTwiceIsReadOnce() throws {
        let dir = TempDir()
        let a = dir.write("d/a.csv", Self.feed([1, 2]))
        dir.write("d/b.csv", Self.feed([3]))
        #expect(dir.sh("ln -s d/a.csv link.csv") == 0)
        let inputs = try InputResolver.resolve([a, dir.path + "/d", dir.path + "/link.csv"])
        let r = try Fixture.collect(try Fixture.profile(Self.profile), inputs.map(\.path), dir: dir)
        #expect(ids(r) == ["1", "2", "3"])
        #expect(r.books.files == 2 && r.books.balances)
        #expect(r.warnings == ["\(dir.path)/d/a.csv is the same file as \(a), named before: read once",
                               "\(dir.path)/link.csv is the same file as \(a), named before: read once"])
    }

    @Test func emptyFileHasNoRecords() throws {
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(Self.profile), [dir.write("e.csv", "")], dir: dir)
        #expect(r.orders.isEmpty && r.rejects.isEmpty && r.books.balances)
    }
}
