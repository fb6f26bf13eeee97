import Foundation
import OrderModel
import Testing
@testable import Ingest

@Suite struct CSVEdgeTests {
    static let profile = """
        source: s
        format: csv
        order:
          order_id: "{source}:{id}"
          external_order_id: id
          order_type: { const: sale }
          status: { const: PAID }
          created_at: { from: at, format: "%Y-%m-%d %H:%M:%S %z" }
          note: note
        """

    /// BOM, CRLF, quoted delimiters, doubled quotes, an embedded CRLF newline, an empty field,
    /// a trailing space and a final record without a newline.
    static let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(
        ("id,at,note\r\n" + "1,2025-05-11 09:55:16 -0400,\"a, \"\"b\"\"\"\r\n" + "2,2025-05-11 09:55:16 +0800,\"line1\r\nline2\"\r\n"
            + "3,2025-05-11 09:55:16 Z,\r\n" + "\r\n" + "4,2025-05-11 09:55:16 +05:30,tail \r\n" + "5,2025-05-11 09:55:16 -0400,é end").utf8)

    @Test func edgeCasesAtEverySplitPosition() throws {
        let dir = TempDir()
        let path = dir.write("e.csv", Self.bytes)
        var reference: [String]?
        for block in [1, 2, 3, 5, 7, 11, 64, 1 << 20] {
            let r = try Fixture.collect(try Fixture.profile(Self.profile, blockSize: block), [path], dir: dir)
            #expect(r.rejects.isEmpty, "block \(block)")
            #expect(r.books.recordsIn == 5 && r.books.balances, "block \(block)")
            if let reference {
                #expect(r.lines == reference, "block \(block)")
            } else {
                reference = r.lines
                let notes = r.orders.map { ($0["operation"] as? [String: Any])?["note"] as? String }
                #expect(notes == ["a, \"b\"", "line1\r\nline2", nil, "tail ", "é end"])
                #expect(r.orders.map { $0["order_id"] as! String } == ["s:1", "s:2", "s:3", "s:4", "s:5"])
                #expect(r.orders[0]["created_at"] as? String == "2025-05-11T13:55:16Z")
                #expect(r.orders[1]["order_date"] as? String == "2025-05-11")
                #expect(r.orders[3]["created_at"] as? String == "2025-05-11T04:25:16Z")
                let srcLines = r.orders.map { ($0["operation"] as? [String: Any])?["source_line"] as? Int }
                #expect(srcLines == [2, 3, 5, 7, 8])
            }
        }
    }

    /// Records whose fields are plain or simply quoted are split without libcsv; the others go
    /// to libcsv. Both kinds interleaved must give the same values and rejects at every split.
    @Test func simpleAndComplexQuotingInterleaved() throws {
        let text = "\"id\",\"at\",\"note\"\n\"1\",\"2025-05-11 09:55:16 Z\",\"a,b\"\n"
            + "2,2025-05-11 09:55:16 Z,\"x \"\"y\"\"\"\n3,2025-05-11 09:55:16 Z,\"l1\nl2\"\r\n"
            + "4,2025-05-11 09:55:16 Z,st\"ray\n5,2025-05-11 09:55:16 Z,\"after\" \n6,2025-05-11 09:55:16 Z,plain"
        let dir = TempDir()
        let path = dir.write("q.csv", text)
        for block in [1, 2, 3, 5, 8, 13, 1 << 20] {
            let r = try Fixture.collect(try Fixture.profile(Self.profile, blockSize: block), [path], dir: dir)
            #expect(r.orders.map { $0["external_order_id"] as! String } == ["1", "2", "3", "6"], "block \(block)")
            let notes = r.orders.map { ($0["operation"] as? [String: Any])?["note"] as? String }
            #expect(notes == ["a,b", "x \"y\"", "l1\nl2", "plain"], "block \(block)")
            #expect(r.rejects.map { $0["code"] as! String } == ["csv_malformed", "csv_malformed"], "block \(block)")
            #expect(r.rejects.map { $0["line"] as! Int } == [6, 7], "block \(block)")
            #expect(r.books.balances)
        }
    }

    /// End to end, beside `splitSimpleFindsSpecialBytesAtEveryOffset`: fields of every length up
    /// to a few words with a non-ASCII letter, an invalid byte, a stray quote or an extra
    /// delimiter at every offset, records ending in LF or CRLF, give the values and rejects
    /// they should.
    @Test func plainFieldsWithSpecialBytesAtEveryOffset() throws {
        var text = "id,note,at\n"
        var expected: [(id: Int, note: String?, reject: String?)] = []
        var id = 0
        // Not at a field's first byte: a quote there opens a quoted field (and, unclosed, takes
        // the rows after it into its reject), which is not the path under test. The stray quotes
        // come last: the one-pass splitter (`CSVScanner.splitSimple`) gives a block up to libcsv
        // at the first record it cannot split, so rows after one would not test it.
        for special in ["é", "\u{FF}", ",", "a", "\""] {
            for length in 2...26 {
                for at in 1..<length {
                    id += 1
                    var chars = Array(repeating: "x", count: length)
                    chars[at] = special
                    let note = chars.joined()
                    let end = id % 2 == 0 ? "\r\n" : "\n"
                    text += "\(id),\(note),2025-05-11 09:55:16 Z\(end)"
                    switch special {
                    case "\u{FF}": expected.append((id, nil, "invalid_utf8"))
                    case "\"": expected.append((id, nil, "csv_malformed"))
                    case ",": expected.append((id, nil, "csv_malformed"))
                    default: expected.append((id, note, nil))
                    }
                }
            }
        }
        // U+00FF stands for the invalid byte 0xFF: written as one raw byte.
        let bytes = Array(text.utf8)
        var raw: [UInt8] = []
        var k = 0
        while k < bytes.count {
            if k + 1 < bytes.count && bytes[k] == 0xC3 && bytes[k + 1] == 0xBF { raw.append(0xFF); k += 2 } else { raw.append(bytes[k]); k += 1 }
        }
        let dir = TempDir()
        let path = dir.write("w.csv", raw)
        let r = try Fixture.collect(try Fixture.profile(Self.profile, blockSize: 1 << 20), [path], dir: dir)
        let good = expected.filter { $0.reject == nil }
        #expect(r.orders.map { $0["external_order_id"] as! String } == good.map { String($0.id) })
        #expect(r.orders.map { ($0["operation"] as? [String: Any])?["note"] as? String } == good.map { $0.note })
        #expect(r.books.rejected == expected.count - good.count)
        #expect(r.rejects.map { $0["code"] as? String } == expected.compactMap { $0.reject })
        #expect(r.books.balances)
    }

    /// `CSVScanner.splitSimple` directly: a plain field of every length up to a few words, with a
    /// delimiter, quote, CR, LF or high byte at every offset (and at every alignment of the
    /// field), splits where a byte loop would, gives the record up at a stray quote, and flags
    /// high bytes.
    @Test func splitSimpleFindsSpecialBytesAtEveryOffset() {
        var scanner = CSVScanner(delimiter: UInt8(ascii: ","), quote: UInt8(ascii: "\""))
        let sink = UnsafeMutablePointer<FieldSink>.allocate(capacity: 1)
        sink.initialize(to: FieldSink(maxField: 1 << 20))
        defer {
            sink.pointee.free()
            sink.deinitialize(count: 1)
            sink.deallocate()
        }
        for lead in 0..<8 {
            for length in Array(1...26) + Array(60...70) {
                for at in 1..<length {
                    for special: UInt8 in [0x2C, 0x22, 0x0D, 0x0A, 0xC3, 0x7F, 0x41] {
                        var field = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                        field[at] = special
                        let record = [UInt8](repeating: UInt8(ascii: "y"), count: lead) + [0x2C] + field + [0x2C, 0x7A, 0x0A]
                        scanner.restart(line: 1)
                        sink.pointee.clear()
                        let result = record.withUnsafeBufferPointer { buf in
                            sink.pointee.base = UnsafeRawPointer(buf.baseAddress!)
                            return scanner.splitSimple(buf.baseAddress!, from: 0, end: buf.count, base: 0, sink: sink)
                        }
                        let what = "lead \(lead), length \(length), byte \(special) at \(at)"
                        switch special {
                        case 0x22:
                            #expect(result == nil, "\(what)")  // a stray quote: libcsv's to judge
                        case 0x2C:
                            #expect(result?.boundary.end == record.count - 1 && sink.pointee.count == 4, "\(what)")
                        case 0x0D, 0x0A:
                            // The record ends at the line break inside the field.
                            #expect(result?.boundary.end == lead + 1 + at && sink.pointee.count == 2, "\(what)")
                        default:
                            #expect(result?.boundary.end == record.count - 1 && sink.pointee.count == 3, "\(what)")
                            #expect(result?.boundary.hasHighBytes == (special >= 0x80), "\(what)")
                            if sink.pointee.count == 3 {
                                #expect(sink.pointee.ends[1] - sink.pointee.starts[1] == length, "\(what)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// `CSVScanner.splitSimple` against a byte loop that states its contract, on seeded random
    /// blocks: plain, empty, long (past a 64-byte window) and quoted fields (holding
    /// delimiters, line ends and high bytes), stray and doubled quotes, LF, CRLF and CR ends,
    /// blank lines, records of 300 fields (past the sink's room), fields over the length limit,
    /// and blocks cut at a random byte.
    @Test func splitSimpleMatchesAByteLoop() {
        var scanner = CSVScanner(delimiter: UInt8(ascii: ","), quote: UInt8(ascii: "\""))
        let maxField = 120
        let sink = UnsafeMutablePointer<FieldSink>.allocate(capacity: 1)
        sink.initialize(to: FieldSink(maxField: maxField))
        defer {
            sink.pointee.free()
            sink.deinitialize(count: 1)
            sink.deallocate()
        }
        var rng = SplitMix(seed: 20261129)
        let alphabet = Array("abcdefghij 0123456789-:.#".utf8)
        func plain(_ n: Int) -> [UInt8] {
            (0..<n).map { _ in rng.next(100) == 0 ? 0xC3 : alphabet[rng.next(alphabet.count)] }
        }
        var records = 0
        for _ in 0..<400 {
            var block: [UInt8] = []
            for _ in 0..<(1 + rng.next(12)) {
                if rng.next(10) == 0 { block += rng.next(2) == 0 ? [0x0A] : [0x0D, 0x0A] }
                let fields = rng.next(20) == 0 ? 300 : 1 + rng.next(6)
                for f in 0..<fields {
                    if f > 0 { block.append(0x2C) }
                    switch rng.next(14) {
                    case 0: break  // empty
                    case 1: block += plain(50 + rng.next(160))
                    case 2, 3:
                        var v = plain(rng.next(30))
                        if !v.isEmpty && rng.next(3) == 0 { v[rng.next(v.count)] = [0x2C, 0x0A, 0x0D][rng.next(3)] }
                        block += [0x22] + v + [0x22]
                    case 4 where rng.next(8) == 0: block += plain(3) + [0x22] + plain(2)  // stray quote
                    case 5 where rng.next(8) == 0: block += [0x22] + plain(3) + [0x22, 0x22] + plain(2) + [0x22]  // doubled
                    default: block += plain(rng.next(14))
                    }
                }
                block += [[0x0A], [0x0D, 0x0A], [0x0D]][rng.next(3)]
            }
            let end = rng.next(4) == 0 ? rng.next(block.count + 1) : block.count
            scanner.restart(line: 1)
            var line = 1
            var pos = 0
            while pos < end {
                sink.pointee.clear()
                let got = block.withUnsafeBufferPointer { buf in
                    sink.pointee.base = UnsafeRawPointer(buf.baseAddress!)
                    return scanner.splitSimple(buf.baseAddress!, from: pos, end: end, base: 0, sink: sink)
                }
                let want = Self.referenceSplit(block, from: pos, end: end, maxField: maxField)
                #expect((got == nil) == (want == nil), "block \(block), at \(pos), end \(end)")
                guard let got, let want else { break }
                let fields = (0..<sink.pointee.count).map { Array(block[sink.pointee.starts[$0]..<sink.pointee.ends[$0]]) }
                #expect(fields == want.fields)
                #expect(sink.pointee.tooLongField == want.tooLong)
                #expect(got.boundary.start == want.start && got.boundary.end == want.terminator)
                #expect(got.boundary.line == line + want.blankLines)
                #expect(got.boundary.hasHighBytes == want.high)
                #expect(got.next == want.terminator + 1)
                line += want.blankLines + want.lines
                pos = got.next
                records += 1
            }
        }
        #expect(records > 1000)
    }

    /// The contract of `CSVScanner.splitSimple`, a byte at a time.
    private static func referenceSplit(_ b: [UInt8], from: Int, end: Int, maxField: Int) -> (
        fields: [[UInt8]], tooLong: Int, start: Int, terminator: Int, blankLines: Int, lines: Int, high: Bool
    )? {
        let d: UInt8 = 0x2C, q: UInt8 = 0x22
        var i = from, blank = 0
        while i < end && (b[i] == 0x0A || b[i] == 0x0D) {
            if b[i] == 0x0A { blank += 1 }
            i += 1
        }
        guard i < end else { return nil }
        let start = i
        var fields: [[UInt8]] = [], lines = 0, tooLong = -1
        func add(_ v: ArraySlice<UInt8>) {
            if v.count > maxField && tooLong < 0 { tooLong = fields.count }
            fields.append(v.count > maxField ? [] : Array(v))
        }
        while true {
            if b[i] == q {
                var c = i + 1
                while c < end && b[c] != q { c += 1 }
                guard c < end else { return nil }
                lines += b[(i + 1)..<c].filter { $0 == 0x0A }.count
                guard c + 1 < end else { return nil }
                add(b[(i + 1)..<c])
                if b[c + 1] == d {
                    i = c + 2
                    if i == end { return nil }
                    continue
                }
                guard b[c + 1] == 0x0A || b[c + 1] == 0x0D else { return nil }
                i = c + 1
                break
            }
            var j = i
            while j < end && b[j] != d && b[j] != q && b[j] != 0x0A && b[j] != 0x0D { j += 1 }
            guard j < end, b[j] != q else { return nil }
            add(b[i..<j])
            if b[j] == d {
                i = j + 1
                if i == end { return nil }
                continue
            }
            i = j
            break
        }
        if b[i] == 0x0A { lines += 1 }
        return (fields, tooLong, start, i, blank, lines, b[start..<i].contains { $0 >= 0x80 })
    }

    @Test func malformedQuotingAtEverySplitPosition() throws {
        let text = "id,at,note\n1,2025-05-11 09:55:16 Z,ok\n2,2025-05-11 09:55:16 Z,\"bad\"x\n3,2025-05-11 09:55:16 Z,\"fine\"\n4,2025-05-11 09:55:16 Z,\"open\n"
        let dir = TempDir()
        let path = dir.write("m.csv", text)
        for block in [1, 2, 3, 4, 6, 9, 1 << 20] {
            let r = try Fixture.collect(try Fixture.profile(Self.profile, blockSize: block), [path], dir: dir)
            #expect(r.orders.map { $0["external_order_id"] as! String } == ["1", "3"], "block \(block)")
            #expect(r.rejects.map { $0["code"] as! String } == ["csv_malformed", "csv_malformed"], "block \(block)")
            #expect(r.rejects.map { $0["line"] as! Int } == [3, 5], "block \(block)")
            #expect(r.rejects.first?["raw"] as? String == "2,2025-05-11 09:55:16 Z,\"bad\"x", "block \(block)")
            #expect(r.books.balances)
        }
    }

    @Test func latin1IsTranscoded() throws {
        let yaml = Self.profile.replacingOccurrences(of: "format: csv", with: "format: csv\nencoding: latin1")
        let dir = TempDir()
        let bytes = Array("id,at,note\n1,2025-05-11 09:55:16 Z,caf".utf8) + [0xE9, 0x0A]
        let r = try Fixture.collect(try Fixture.profile(yaml), [dir.write("l.csv", bytes)], dir: dir)
        #expect((r.orders.first?["operation"] as? [String: Any])?["note"] as? String == "café")
        let strict = try Fixture.collect(try Fixture.profile(Self.profile), [dir.path + "/l.csv"], dir: dir)
        #expect(strict.rejects.first?["code"] as? String == "invalid_utf8")
    }

    @Test func nestedJSONAtEverySplitPosition() throws {
        let dir = TempDir()
        let path = dir.write("n.ndjson", TPCH.ndjson)
        let reference = try Fixture.collect(try Fixture.shipped("tpch-nested-ndjson.yaml"), [path], dir: dir).lines
        for block in [1, 7, 100, 1000] {
            var p = try Fixture.shipped("tpch-nested-ndjson.yaml")
            p.csv.blockSize = block
            let r = try Fixture.collect(p, [path], dir: dir)
            #expect(r.lines == reference, "block \(block)")
        }
    }
}

/// A seeded generator (SplitMix64) for repeatable random inputs.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
