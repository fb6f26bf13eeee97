import Foundation
import OrderModel
import Testing
@testable import Ingest

/// NDJSON that tries to hurt the reader: deep nesting, endless lines, huge numbers, broken
/// UTF-8, NUL bytes and stray BOMs. Each is one reject with its position; the lines around it
/// are read as usual.
@Suite struct HostileJSONTests {
    static func profile(_ limits: String = "") -> Profile {
        try! Fixture.profile("""
            source: j
            format: ndjson
            limits:
              max_line_bytes: 1MiB
            \(limits.isEmpty ? "" : "  " + limits)
            order:
              order_id: "{source}:{id}"
              external_order_id: id
              order_type: { const: sale }
              status: { const: PAID }
              created_at: { from: day, format: "%Y-%m-%d" }
              grand_total: total
            """.replacingOccurrences(of: "max_line_bytes: 1MiB", with: "max_line_bytes: 1048576"))
    }

    static let good1 = #"{"id":"1","day":"2025-01-02","total":"1.50"}"#
    static let good2 = #"{"id":"2","day":"2025-01-02","total":"2.50"}"#

    func run(_ middle: [UInt8], limits: String = "") throws -> Collected {
        let dir = TempDir()
        let path = dir.write("f.ndjson", Array((Self.good1 + "\n").utf8) + middle + Array(("\n" + Self.good2 + "\n").utf8))
        return try Fixture.collect(Self.profile(limits), [path], dir: dir)
    }

    func only(_ r: Collected) throws -> [String: Any] {
        #expect(r.orders.map { $0["external_order_id"] as? String } == ["1", "2"])
        #expect(r.books.balances)
        #expect(r.rejects.count == 1)
        let x = try #require(r.rejects.first)
        #expect(x["line"] as? Int == 2)
        #expect(x["byte_offset"] as? Int == Self.good1.utf8.count + 1)
        return x
    }

    /// 100,000 levels would overflow the stack of a recursive walk; the limit stops it at 64.
    @Test func deepNestingIsARejectNotAStackOverflow() throws {
        let deep = Array(#"{"id":"3","x":"#.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
            + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000) + [UInt8(ascii: "}")]
        let x = try only(try run(deep))
        #expect(x["code"] as? String == "json_invalid")
        #expect((x["reason"] as? String ?? "").contains("max_json_depth 64"))
    }

    @Test func depthLimitIsConfigurable() throws {
        func nested(_ n: Int) -> [UInt8] {
            Array(#"{"id":"3","day":"2025-01-02","x":"#.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: n)
                + [UInt8](repeating: UInt8(ascii: "]"), count: n) + [UInt8(ascii: "}")]
        }
        // The record object is level 1: 3 more levels fit a limit of 4, 4 do not.
        #expect(try run(nested(3), limits: "max_json_depth: 4").rejects.isEmpty)
        #expect(try run(nested(4), limits: "max_json_depth: 4").rejects.count == 1)
    }

    /// 20 MiB without a newline, with a 1 MiB line limit: reported once and skipped, never
    /// buffered whole.
    @Test func endlessLineIsSkippedInBoundedMemory() throws {
        let x = try only(try run([UInt8](repeating: UInt8(ascii: "a"), count: 20 << 20)))
        #expect(x["code"] as? String == "line_too_long")
    }

    @Test func hugeNumbersAreRejectedWithAReason() throws {
        let x = try only(try run(Array(#"{"id":"3","day":"2025-01-02","total":1\#(String(repeating: "9", count: 400))}"#.utf8)))
        #expect(!(x["reason"] as? String ?? "").isEmpty)
    }

    @Test func invalidUTF8IsRejected() throws {
        let x = try only(try run(Array(#"{"id":"3","day":""#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""}"#.utf8)))
        #expect(x["code"] as? String == "invalid_utf8")
        #expect(x["raw_base64"] != nil)
    }

    @Test func rawNULIsRejected() throws {
        let x = try only(try run(Array(#"{"id":"3","day":"20"#.utf8) + [0] + Array(#"25"}"#.utf8)))
        #expect(x["code"] as? String == "json_invalid")
    }

    @Test func byteOrderMarkInTheMiddleIsRejected() throws {
        let x = try only(try run([0xEF, 0xBB, 0xBF] + Array(#"{"id":"3","day":"2025-01-02"}"#.utf8)))
        #expect(x["code"] as? String == "json_invalid")
        #expect((x["reason"] as? String)?.contains("byte order mark") == true, "\(x)")
    }

    /// A byte order mark that starts the file (Windows tools write one) is not part of the
    /// first line, as for CSV; byte offsets still count it.
    @Test func byteOrderMarkAtTheStartIsSkipped() throws {
        let dir = TempDir()
        let path = dir.write("f.ndjson", [0xEF, 0xBB, 0xBF] + Array((Self.good1 + "\n" + Self.good2 + "\n").utf8))
        let r = try Fixture.collect(Self.profile(), [path], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as? String } == ["1", "2"])
        #expect(r.rejects.isEmpty && r.books.balances)
        // The unified NDJSON reader (transact, fulfill, write) skips it too, and counts it.
        let unified = dir.write("u.ndjson", [0xEF, 0xBB, 0xBF] + Array(#"{"order_id":"s:1"}"#.utf8) + [0x0A])
        let reader = try UnifiedNDJSONReader(path: unified, stage: "transact")
        var batch = OrderBatch()
        _ = try reader.next(into: &batch, maxOrders: 10)
        let rejects = reader.takeRejects()
        // The order lacks required fields, so it is a reject: on line 1, right after the mark.
        #expect(batch.count + rejects.count == 1)
        if let first = rejects.first {
            #expect(first.code != "json_invalid" && first.position.line == 1 && first.position.byteOffset == 3, "\(first.code): \(first.reason)")
        } else {
            #expect(reader.positions().first?.byteOffset == 3)
        }
    }

    /// A UTF-16 or UTF-32 file (Excel's "Unicode text", Windows tools) is one
    /// `unsupported_encoding` reject naming the encoding and how to convert it, not a reject
    /// per line advising latin1; CSV and NDJSON alike.
    @Test func wideEncodingsAreOneRejectSayingSo() throws {
        let dir = TempDir()
        let text = Self.good1 + "\n" + Self.good2 + "\n"
        let utf16 = [UInt8]([0xFF, 0xFE]) + Array(text.data(using: .utf16LittleEndian)!)
        let utf32 = [UInt8]([0, 0, 0xFE, 0xFF]) + Array(text.data(using: .utf32BigEndian)!)
        for (bytes, name) in [(utf16, "UTF-16LE"), (utf32, "UTF-32BE")] {
            let r = try Fixture.collect(Self.profile(), [dir.write("w.ndjson", bytes)], dir: dir)
            #expect(r.orders.isEmpty && r.books.balances && r.books.recordsIn == 1)
            #expect(r.rejects.map { $0["code"] as? String } == ["unsupported_encoding"])
            #expect((r.rejects.first?["reason"] as? String)?.hasPrefix("the file starts with a \(name) byte order mark") == true)
        }
        let csv = "id,day,qty\n1,2025-01-02,3\n"
        let profile = try Fixture.profile(InputTests.profile)
        let r = try Fixture.collect(profile, [dir.write("w.csv", [0xFF, 0xFE] + Array(csv.data(using: .utf16LittleEndian)!))], dir: dir)
        #expect(r.orders.isEmpty && r.books.balances && r.books.recordsIn == 1)
        #expect(r.rejects.map { "\($0["code"]!)@\($0["line"]!)" } == ["unsupported_encoding@1"])
        // A file too short for a mark is read as it is.
        let tiny = try Fixture.collect(profile, [dir.write("t.csv", [0xFF])], dir: dir)
        #expect(tiny.rejects.first?["code"] as? String != "unsupported_encoding")
    }
}
