import Foundation
import OrderModel
import Testing
@testable import Ingest

/// Decompression bombs and hostile archives: each ends in rejects and a breach, in bounded
/// time and memory, with the books balanced for what was read.
@Suite struct HostileArchiveTests {
    static func profile(_ limits: String = "") -> String {
        """
        source: t
        format: csv
        limits:
          max_line_bytes: 65536
        \(limits.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        order:
          order_id: "{source}:{id}"
          external_order_id: id
          order_type: { const: sale }
          status: { const: PAID }
          created_at: { from: day, format: "%Y-%m-%d" }
        """
    }

    static func rows(_ from: Int, _ to: Int) -> String {
        (from..<to).map { "\($0),2025-01-02\n" }.joined()
    }

    struct Outcome {
        var collected: Collected
        var breaches: [LimitBreach]
    }

    func collect(_ limits: String, _ inputs: [String], dir: TempDir) throws -> Outcome {
        let p = try Fixture.profile(Self.profile(limits))
        let rejectPath = dir.path + "/rejects-\(UUID().uuidString).ndjson"
        let writer = try RejectWriter(path: rejectPath)
        var ids: [String] = []
        let collector = FeedCollector(profile: p, rejects: writer, batchID: "t") { (b: inout OrderBatch) throws(WaybillError) in
            let enc = UnifiedNDJSONEncoder()
            var out: [UInt8] = []
            enc.encode(b, into: &out)
            ids += String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        try collector.collect(try InputResolver.resolve(inputs))
        try writer.close()
        let rejects = ((try? String(contentsOfFile: rejectPath, encoding: .utf8)) ?? "").split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let orders = ids.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return Outcome(
            collected: Collected(orders: orders, lines: ids, rejects: rejects, books: collector.books, batches: 0),
            breaches: collector.breaches)
    }

    /// A header and 8 MiB of zeros through each compressor: about 1000:1 for gzip and far more
    /// for the others, so the default ratio limit (200) stops each once past the grace
    /// (lowered to 1 MiB here to keep the test fast; a file of zeros alone reads as an empty
    /// tar, so the header matters).
    @Test(arguments: [
        ("gz", "gzip -c"), ("zst", "zstd -q -c"), ("bz2", "bzip2 -c"), ("xz", "xz -c -T1"),
    ])
    func singleFileBombsStopAtTheRatio(ext: String, tool: String) throws {
        let dir = TempDir()
        #expect(dir.sh("(printf 'id,day\\n'; head -c 8388608 /dev/zero) | \(tool) > bomb.\(ext)") == 0)
        let r = try collect("ratio_grace_bytes: 1MiB", [dir.path + "/bomb.\(ext)"], dir: dir)
        #expect(r.breaches.map(\.code) == ["compression_ratio"])
        let b = try #require(r.breaches.first)
        #expect(b.observed > 200 && b.value == 200 && b.file.hasSuffix("bomb.\(ext)"))
        // Read no further than the grace plus a block or two.
        #expect(r.collected.books.bytesRead < 3 << 20)
        let reject = try #require(r.collected.rejects.last)
        #expect(reject["code"] as? String == "compression_ratio")
        let reason = reject["reason"] as? String ?? ""
        #expect(reason.contains("bomb.\(ext)") && reason.contains("max_compression_ratio 200"))
        #expect(r.collected.books.balances)
    }

    @Test(arguments: [("zip", "zip -q bomb.zip zeros.csv"), ("tar.gz", "tar czf bomb.tar.gz zeros.csv")])
    func archiveBombsStopAtTheRatio(ext: String, make: String) throws {
        let dir = TempDir()
        #expect(dir.sh("(printf 'id,day\\n'; head -c 8388608 /dev/zero) > zeros.csv && " + make + " && rm zeros.csv") == 0)
        let r = try collect("ratio_grace_bytes: 1MiB", [dir.path + "/bomb.\(ext)"], dir: dir)
        #expect(r.breaches.map(\.code) == ["compression_ratio"])
        #expect(r.breaches.first?.member == "zeros.csv")
        #expect(r.collected.books.balances)
    }

    @Test func memberLimitKeepsTheRowsBeforeIt() throws {
        let dir = TempDir()
        dir.write("big.csv", "id,day\n" + Self.rows(0, 20_000))  // about 310 kB
        #expect(dir.sh("gzip big.csv") == 0)
        let r = try collect("max_member_bytes: 128KiB", [dir.path + "/big.csv.gz"], dir: dir)
        #expect(r.breaches.map(\.code) == ["member_too_large"])
        #expect(r.breaches.first?.limit == "max_member_bytes" && r.breaches.first?.value == 128 << 10)
        // Orders before the cut landed; the cut is one reject; in = out + rejected.
        #expect(r.collected.orders.count > 1_000)
        #expect(r.collected.rejects.contains { $0["code"] as? String == "member_too_large" })
        #expect(r.collected.books.balances)
    }

    @Test func inputLimitCountsEveryMember() throws {
        let dir = TempDir()
        dir.write("t/a.csv", "id,day\n" + Self.rows(0, 8_000))
        dir.write("t/b.csv", "id,day\n" + Self.rows(8_000, 16_000))
        #expect(dir.sh("cd t && tar cf ../two.tar a.csv b.csv") == 0)
        let r = try collect("max_input_bytes: 200KiB", [dir.path + "/two.tar"], dir: dir)
        #expect(r.breaches.map(\.code) == ["input_too_large"])
        #expect(r.breaches.first?.member == "b.csv")
        #expect(r.collected.books.balances)
    }

    @Test func memberCountIsBounded() throws {
        let dir = TempDir()
        var t = TarBuilder()
        for i in 0..<10 { t.add("m\(i).csv", data: "id,day\n\(i),2025-01-02\n") }
        dir.write("many.tar", t.archive)
        let r = try collect("max_members: 4", [dir.path + "/many.tar"], dir: dir)
        #expect(r.breaches.map(\.code) == ["too_many_members"])
        #expect(r.collected.orders.count == 4)
        #expect(r.collected.books.balances)
    }

    /// A tar entry claiming a huge size is refused by its header, before reading or skipping
    /// (which would decompress it) begins.
    @Test func declaredSizesAreBounded() throws {
        let dir = TempDir()
        var t = TarBuilder()
        t.add(Array("huge.csv".utf8), .file, data: [], declaredSize: 1 << 32)  // ustar holds 11 octal digits
        dir.write("huge.tar", t.archive)
        let r = try collect("max_member_bytes: 1GiB", [dir.path + "/huge.tar"], dir: dir)
        #expect(r.breaches.map(\.code) == ["member_too_large"])
        #expect(r.breaches.first?.observed == 1 << 32)
    }

    /// Links, devices, FIFOs and folders inside an archive are never read or followed; hostile
    /// names are data only (escaped in lineage, never opened).
    @Test func nonRegularEntriesAreSkippedAndNamesStayLabels() throws {
        let dir = TempDir()
        var t = TarBuilder()
        t.add("ok.csv", data: "id,day\n1,2025-01-02\n")
        t.add("passwd.csv", .hardLink, link: "/etc/passwd")
        t.add("link.csv", .symlink, link: "/etc/passwd")
        t.add("tty.csv", .charDevice)
        t.add("sda.csv", .blockDevice)
        t.add("pipe.csv", .fifo)
        t.add("dir/", .directory)
        t.add("../../escape.csv", data: "id,day\n2,2025-01-02\n")
        t.add("/abs/olute.csv", data: "id,day\n3,2025-01-02\n")
        t.add(Array("ctl\u{1}\u{1b}[31mred\n.csv".utf8) + [0] + Array("hidden".utf8), data: Array("id,day\n4,2025-01-02\n".utf8))
        dir.write("hostile.tar", t.archive)
        let r = try collect("", [dir.path + "/hostile.tar"], dir: dir)
        #expect(r.breaches.isEmpty)
        #expect(r.collected.orders.map { $0["external_order_id"] as? String } == ["1", "2", "3", "4"])
        #expect(!r.collected.lines.joined().contains("root:"))
        let members = r.collected.orders.map { ($0["operation"] as? [String: Any])?["source_member"] as? String ?? "" }
        #expect(members[1] == "../../escape.csv")
        #expect(members[3] == "ctl\\u{1}\\u{1b}[31mred\\u{a}.csv")  // cut at the NUL, controls escaped
        #expect(r.collected.books.archiveMembers == 4)
    }

    @Test func longMemberNamesAreRefused() throws {
        let dir = TempDir()
        var t = TarBuilder()
        t.add(Array((String(repeating: "d/", count: 150) + "x.csv").utf8), data: Array("id,day\n1,2025-01-02\n".utf8))
        dir.write("long.tar", t.archive)
        let r = try collect("max_member_name_bytes: 200", [dir.path + "/long.tar"], dir: dir)
        #expect(r.breaches.map(\.code) == ["member_name_too_long"])
        #expect(r.breaches.first?.observed == 305)
        // The label in the reject stays bounded however long the name.
        let reason = r.collected.rejects.first?["reason"] as? String ?? ""
        #expect(reason.utf8.count < 1200)
    }

    /// Collect does not descend into an archive inside an archive: the inner .gz is bytes of
    /// its member, never inflated, so a nested bomb costs its compressed size only.
    @Test func nestedArchivesAreNotDescended() throws {
        let dir = TempDir()
        #expect(dir.sh("mkdir n && (printf 'id,day\\n'; head -c 8388608 /dev/zero) | gzip -c > n/inner.csv.gz && cd n && tar czf ../outer.tar.gz inner.csv.gz") == 0)
        let r = try collect("ratio_grace_bytes: 1MiB", [dir.path + "/outer.tar.gz"], dir: dir)
        #expect(r.breaches.isEmpty)
        #expect(r.collected.orders.isEmpty)
        #expect(r.collected.books.bytesRead < 1 << 20)
        #expect(r.collected.books.balances)
    }

    @Test func byteOrderMarkInsideACSVIsARejectWithItsPosition() throws {
        let dir = TempDir()
        let path = dir.write("bom.csv", [0xEF, 0xBB, 0xBF] + Array("id,day\n1,2025-01-02\n".utf8) + [0xEF, 0xBB, 0xBF]
            + Array("2,2025-01-02\n3,2025-01-02\n".utf8))
        let r = try collect("", [path], dir: dir)
        #expect(r.collected.orders.map { $0["external_order_id"] as? String } == ["1", "3"])
        let x = try #require(r.collected.rejects.first)
        #expect(x["code"] as? String == "bom_in_data" && x["line"] as? Int == 3)
    }

    @Test func limitsParseSizesAndRejectNonsense() throws {
        var l = InputLimits()
        #expect(l.set("max_input_bytes", to: "8GiB") == nil && l.maxInputBytes == 8 << 30)
        #expect(l.set("max_member_bytes", to: "500MB") == nil && l.maxMemberBytes == 500_000_000)
        #expect(l.set("max_json_depth", to: "0") != nil)
        #expect(l.set("max_compression_ratio", to: "1GiB") != nil)
        #expect(l.set("max_nonsense", to: "1") != nil)
        #expect(throws: WaybillError.self) { try l.apply(["max_members"]) }
        try l.apply(["max-members=7"])
        #expect(l.maxMembers == 7)
        #expect(throws: WaybillError.self) { try Fixture.profile(Self.profile("max_members: lots")) }
    }
}
