import Foundation
import OrderModel
import Testing
@testable import Ingest

/// A CSV file read in chunks on several threads gives what one reader gives: the same orders
/// in the same order, the same rejects with the same lines and offsets, the same books.
@Suite struct ChunkedFeedTests {
    /// TPC-H flat rows: orders of one to five lines, comments with commas, doubled quotes and
    /// quoted line breaks (so chunk starts guessed after a line break land inside quoted
    /// fields), CRLF and blank lines, and broken records: an unclosed quote, a row with too few
    /// fields inside an order, an order with an unknown status (rejected as a whole).
    static func feed(orders: Int) -> String {
        var out = TPCH.header + "\n"
        for o in 1...orders {
            let lines = 1 + (o * 7) % 5
            let status = o % 97 == 0 ? "X" : ["O", "F", "P"][o % 3]
            let comment: String
            switch o % 6 {
            case 0: comment = "\"multi\nline \"\"quoted\"\" note,\nend\""
            case 1: comment = "plain note "
            case 2: comment = "\"a, b\""
            case 4:
                // Whole rows inside a quoted field: a chunk start guessed there finds a boundary
                // between them that is not one, and the chunk is mapped again.
                let fake = ",37,O,1.00,1996-01-02,5-LOW,C,0,x,156,4,1,17,1.00,0.04,0.02,N,O,1996-03-13,1996-02-12,1996-03-22,NONE,TRUCK,y\n"
                comment = "\"fake\n90\(o)" + fake + "91\(o)" + fake + "92\(o)" + fake + "end\""
            default: comment = "n\(o)"
            }
            for l in 1...lines {
                if o % 53 == 0 && l == 2 {
                    out += "\(o),1,O,1.00,1996-01-02\n"  // too few fields, inside the order
                    continue
                }
                let lineComment = (o + l) % 4 == 0 ? "\"line\nbreak\"" : "c\(l)"
                let end = o % 11 == 0 ? "\r\n" : "\n"
                out += "\(o),37,\(status),131251.81,1996-01-02,5-LOW,\"Clerk#000000951\",0,\(comment),156,4,\(l),17,"
                    + "17954.55,0.04,0.02,N,O,1996-03-13,1996-02-12,1996-03-22,DELIVER IN PERSON,TRUCK,\(lineComment)\(end)"
            }
            if o % 71 == 0 { out += "\n" }
            if o % 89 == 0 { out += "\(o),\"unclosed,x\n" }
        }
        return out
    }

    @Test func chunksGiveWhatOneReaderGives() throws {
        let dir = TempDir()
        let path = dir.write("flat.csv", Self.feed(orders: 400))
        let profile = try Fixture.shipped("tpch-flat-csv.yaml")
        let one = try Fixture.collect(profile, [path], batchSize: 64, dir: dir)
        #expect(one.books.balances && one.books.ordersOut > 300 && one.books.rejected > 20)
        var remapped = 0
        for (chunk, threads) in [(97, 2), (256, 3), (700, 2), (4096, 2), (20000, 3)] {
            do {
                let r = try Fixture.collect(profile, [path], batchSize: 64, parseThreads: threads, chunkBytes: chunk, dir: dir)
                #expect(r.lines == one.lines, "chunk \(chunk), \(threads) threads")
                #expect(r.rejectText == one.rejectText, "chunk \(chunk), \(threads) threads")
                #expect(r.books == one.books, "chunk \(chunk), \(threads) threads")
                remapped += r.remapped
            }
        }
        // Some guessed starts fell inside quoted fields and were mapped again.
        #expect(remapped > 0)
    }

    /// Orders longer than a chunk: a chunk may hold no order start at all.
    @Test func ordersLongerThanAChunk() throws {
        let dir = TempDir()
        var text = TPCH.header + "\n"
        for o in 1...6 {
            for l in 1...40 {
                text += "\(o),37,O,1.00,1996-01-02,5-LOW,Clerk#1,0,note,156,4,\(l),17,1.00,0.04,0.02,N,O,"
                    + "1996-03-13,1996-02-12,1996-03-22,NONE,TRUCK,c\n"
            }
        }
        let path = dir.write("long.csv", text)
        let profile = try Fixture.shipped("tpch-flat-csv.yaml")
        let one = try Fixture.collect(profile, [path], dir: dir)
        #expect(one.books.ordersOut == 6 && one.books.linesOut == 240)
        for chunk in [50, 300, 1500] {
            let r = try Fixture.collect(profile, [path], parseThreads: 2, chunkBytes: chunk, dir: dir)
            #expect(r.lines == one.lines, "chunk \(chunk)")
            #expect(r.books == one.books, "chunk \(chunk)")
        }
    }

    /// An order that runs on for more than eight chunks (a group key that never changes): the
    /// chunk holding it gives up and the rest of the file is read on one thread, with a
    /// warning; the result is still one reader's. Before, every later chunk scanned on to the
    /// order's end (two million rows: 27 s against 2 s on one thread).
    @Test func anOrderPastEightChunksIsReadOnOneThread() throws {
        let dir = TempDir()
        var text = TPCH.header + "\n"
        for o in 1...30 {
            for l in 1...(o == 12 ? 400 : 2) {
                text += "\(o),37,O,1.00,1996-01-02,5-LOW,Clerk#1,0,note,156,4,\(l),17,1.00,0.04,0.02,N,O,"
                    + "1996-03-13,1996-02-12,1996-03-22,NONE,TRUCK,c\n"
            }
        }
        let path = dir.write("giant.csv", text)
        let profile = try Fixture.shipped("tpch-flat-csv.yaml")
        let one = try Fixture.collect(profile, [path], dir: dir)
        #expect(one.books.ordersOut == 30 && one.books.linesOut == 458)
        for chunk in [300, 1000] {
            let r = try Fixture.collect(profile, [path], batchSize: 4, parseThreads: 2, chunkBytes: chunk, dir: dir)
            #expect(r.lines == one.lines, "chunk \(chunk)")
            #expect(r.books == one.books, "chunk \(chunk)")
            #expect(r.warnings.contains { $0.contains("read on one thread from line") }, "\(r.warnings)")
        }
    }

    /// Region boundaries at many positions over a short feed (a region starting right after an
    /// LF, after a CR, between CR and LF, inside a quoted line break): each worker counts and
    /// maps its region from the bytes it read once, and the result is still one reader's.
    /// Prime chunk sizes put the region starts at ~150 different offsets.
    @Test func everyRegionBoundaryGivesWhatOneReaderGives() throws {
        let dir = TempDir()
        let path = dir.write("small.csv", Self.feed(orders: 12))
        let profile = try Fixture.shipped("tpch-flat-csv.yaml")
        let one = try Fixture.collect(profile, [path], batchSize: 8, dir: dir)
        #expect(one.books.balances && one.books.ordersOut >= 10)
        for chunk in [101, 127, 149, 163, 181, 199, 223, 251] {
            let r = try Fixture.collect(profile, [path], batchSize: 8, parseThreads: 2, chunkBytes: chunk, dir: dir)
            #expect(r.lines == one.lines, "chunk \(chunk)")
            #expect(r.rejectText == one.rejectText, "chunk \(chunk)")
            #expect(r.books == one.books, "chunk \(chunk)")
        }
    }

    /// NDJSON: a chunk holds the lines that start in its region; blank lines, invalid JSON, a
    /// non-object and a CRLF line end keep their rejects and line numbers.
    @Test func ndjsonChunksGiveWhatOneReaderGives() throws {
        let dir = TempDir()
        let rows = TPCH.ndjson.split(separator: "\n").map(String.init)
        var text = ""
        for o in 0..<300 {
            let row = rows[o % rows.count].replacingOccurrences(
                of: "\"o_orderkey\":\(o % rows.count + 1),", with: "\"o_orderkey\":\(o + 1),")
            text += row + (o % 13 == 0 ? "\r\n" : "\n")
            if o % 37 == 0 { text += "\n" }
            if o % 41 == 0 { text += "{\"o_orderkey\": \n" }
            if o % 43 == 0 { text += "[1, 2]\n" }
        }
        let path = dir.write("n.ndjson", text)
        let profile = try Fixture.shipped("tpch-nested-ndjson.yaml")
        let one = try Fixture.collect(profile, [path], batchSize: 32, dir: dir)
        #expect(one.books.balances && one.books.ordersOut == 300 && one.books.rejected > 10)
        for (chunk, threads) in [(61, 2), (500, 3), (3000, 2)] {
            let r = try Fixture.collect(profile, [path], batchSize: 32, parseThreads: threads, chunkBytes: chunk, dir: dir)
            #expect(r.lines == one.lines, "chunk \(chunk), \(threads) threads")
            #expect(r.rejectText == one.rejectText, "chunk \(chunk), \(threads) threads")
            #expect(r.books == one.books, "chunk \(chunk), \(threads) threads")
            #expect(r.remapped == 0)
        }
    }

    /// A compressed feed over the chunk threshold is read by one reader, as before.
    @Test func compressedFeedsAreReadWhole() throws {
        let dir = TempDir()
        let path = dir.write("flat.csv", Self.feed(orders: 200))
        #expect(dir.sh("gzip -k flat.csv") == 0)
        let profile = try Fixture.shipped("tpch-flat-csv.yaml")
        let one = try Fixture.collect(profile, [path + ".gz"], dir: dir)
        #expect(one.books.ordersOut > 150)
        let r = try Fixture.collect(profile, [path + ".gz"], parseThreads: 2, chunkBytes: 97, dir: dir)
        #expect(r.lines == one.lines)
        #expect(r.rejectText == one.rejectText)
        #expect(r.books == one.books)
    }

    /// Line numbers and offsets count from each file's start, not from the first file's.
    @Test func linesCountPerFile() throws {
        let dir = TempDir()
        let a = dir.write("a.csv", TPCH.csv)
        let b = dir.write("b.csv", TPCH.csv + "9,\"unclosed\n")
        let r = try Fixture.collect(try Fixture.shipped("tpch-flat-csv.yaml"), [a, b], dir: dir)
        let lines = r.orders.map { ($0["operation"] as? [String: Any])?["source_line"] as? Int }
        #expect(lines == [2, 4, 5, 2, 4, 5])
        #expect(r.rejects.count == 1)
        #expect(r.rejects.first?["line"] as? Int == 8)
    }

    /// The SIMD newline count agrees with a byte loop at every length and alignment, on bytes
    /// near the newline (0x0A +- 1, 0x8A) that a wrong compare would miscount, and on long runs
    /// of newlines, where a per-byte-lane count would overflow without its folding every 255
    /// blocks of 16.
    @Test func newlineCountMatchesAByteLoop() {
        for length in [4079, 4080, 4081, 4096, 8161, 65_537] {
            let all = [UInt8](repeating: 0x0A, count: length)
            all.withUnsafeBytes { #expect(ChunkedFeedReader.newlines($0) == length) }
            var mixed = all
            for i in stride(from: 0, to: length, by: 3) { mixed[i] = 0x8A }
            mixed.withUnsafeBytes { raw in
                #expect(ChunkedFeedReader.newlines(raw) == mixed.filter { $0 == 0x0A }.count)
            }
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x0A, 0x0B, 0x09, 0x8A, 0x00, 0xFF, 0x41]
        for length in 0..<80 {
            let bytes = (0..<(length + 7)).map { _ in alphabet.randomElement(using: &rng)! }
            for start in 0..<7 {
                bytes.withUnsafeBytes { raw in
                    let part = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(ChunkedFeedReader.newlines(part) == part.filter { $0 == 0x0A }.count)
                }
            }
        }
    }
}
