import Testing

@testable import Parquet

@Suite struct RLEHybridTests {
    func encode(_ v: [UInt32], _ bw: Int) -> [UInt8] {
        var out: [UInt8] = []
        v.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: bw, into: &out) }
        return out
    }

    func decode(_ b: [UInt8], _ n: Int, _ bw: Int) throws -> [UInt32] {
        var out: [UInt32] = []
        try b.withUnsafeBytes {
            var d = RLEHybridDecoder($0, bitWidth: bw, what: "test")
            try d.decode(count: n, into: &out)
        }
        return out
    }

    @Test func specExamples() {
        #expect(encode(Array(repeating: 1, count: 10), 1) == [0x14, 0x01])
        #expect(encode([0, 1, 2, 3, 4, 5, 6, 7], 3) == [0x03, 0x88, 0xC6, 0xFA])
    }

    @Test func runLengthsAroundEight() throws {
        // 7 repeats stay bit-packed (one padded group); 8 and 9 become an RLE run.
        #expect(encode(Array(repeating: 1, count: 7), 1) == [0x03, 0x7F])
        #expect(encode(Array(repeating: 1, count: 8), 1) == [0x10, 0x01])
        #expect(encode(Array(repeating: 1, count: 9), 1) == [0x12, 0x01])
        // A bit-packed prefix borrows values from the following run to complete its group of 8.
        let mixed: [UInt32] = [0, 1, 0] + Array(repeating: 1, count: 20)
        let enc = encode(mixed, 1)
        #expect(enc == [0x03, 0xFA, 0x1E, 0x01])
        #expect(try decode(enc, mixed.count, 1) == mixed)
    }

    @Test(arguments: 0...32)
    func roundTripEveryBitWidth(bw: Int) throws {
        let maxV: UInt64 = bw == 0 ? 0 : (bw == 32 ? UInt64(UInt32.max) : (1 << UInt64(bw)) - 1)
        var values: [UInt32] = []
        var x: UInt64 = 0x1234_5678
        for i in 0..<1000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let runLen = i % 13 == 0 ? 9 + i % 5 : 1
            let v = maxV == 0 ? 0 : UInt32((x >> 17) % (maxV + 1))
            values.append(contentsOf: repeatElement(v, count: runLen))
        }
        values.append(UInt32(maxV))
        let enc = encode(values, bw)
        #expect(try decode(enc, values.count, bw) == values)
    }

    /// Levels (bytes) find the end of a run eight at a time: the encoding must be what the
    /// element-by-element scan of the same values as `UInt32` gives, for runs ending at every
    /// offset within a word and in the tail, for every level value.
    @Test func byteLevelsEncodeAsWiderValues() throws {
        var rng = LCG(11)
        for trial in 0..<200 {
            var levels: [UInt8] = []
            while levels.count < 50 + trial * 3 {
                let v = UInt8(rng.below(3))
                levels.append(contentsOf: repeatElement(v, count: rng.below(4) == 0 ? 1 + rng.below(40) : 1 + rng.below(3)))
            }
            var fast: [UInt8] = []
            levels.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 2, into: &fast) }
            let wide = encode(levels.map(UInt32.init), 2)
            #expect(fast == wide, "trial \(trial)")
            #expect(try decode(fast, levels.count, 2) == levels.map(UInt32.init))
        }
        for n in 0..<40 {
            for cut in 0...n {
                let levels = [UInt8](repeating: 1, count: cut) + [UInt8](repeating: 0, count: n - cut)
                var fast: [UInt8] = []
                levels.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 1, into: &fast) }
                #expect(fast == encode(levels.map(UInt32.init), 1), "n \(n) cut \(cut)")
            }
        }
    }

    /// The encoder skips runs of one eight pairs at a time and finds run ends eight bytes at a
    /// time: its output must be the plain element-by-element algorithm's (below), byte for byte,
    /// for runs starting and ending at every offset.
    @Test func fastScansEncodeAsTheSimpleScan() {
        func reference(_ v: [UInt32], _ bw: Int) -> [UInt8] {
            var out: [UInt8] = []
            v.withUnsafeBufferPointer { p in
                var pending = 0, i = 0
                while i < p.count {
                    var j = i + 1
                    while j < p.count && p[j] == p[i] { j += 1 }
                    var start = i, len = j - i
                    if len >= 8 {
                        let rem = (start - pending) & 7
                        if rem != 0 { start += 8 - rem; len -= 8 - rem }
                        if len >= 8 {
                            if start > pending { RLEHybridEncoder.bitPack(p, pending..<start, bitWidth: bw, into: &out) }
                            RLEHybridEncoder.writeRLERun(UInt64(p[i]), count: len, bitWidth: bw, into: &out)
                            pending = j
                        }
                    }
                    i = j
                }
                if pending < p.count { RLEHybridEncoder.bitPack(p, pending..<p.count, bitWidth: bw, into: &out) }
            }
            return out
        }
        var rng = LCG(23)
        for trial in 0..<300 {
            var v: [UInt32] = []
            let target = rng.below(120)
            while v.count < target {
                let x = UInt32(rng.below(trial % 3 == 0 ? 3 : 1000))
                v.append(contentsOf: repeatElement(x, count: rng.below(5) == 0 ? 1 + rng.below(30) : 1))
            }
            #expect(encode(v, 10) == reference(v, 10), "trial \(trial)")
            let bytes = v.map { UInt8($0 % 3) }
            var fast: [UInt8] = []
            bytes.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 2, into: &fast) }
            #expect(fast == reference(bytes.map(UInt32.init), 2), "bytes, trial \(trial)")
        }
    }

    /// A flat optional column's levels are counted eight at a time: the values given must
    /// still match the levels marked present, and a level above 1 is still refused.
    @Test func flatLevelsAreCountedAndChecked() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "v", physical: .int64, logical: nil, repetition: .optional)])
        var rng = LCG(5)
        let defs = (0..<1037).map { _ in UInt8(rng.below(4) == 0 ? 0 : 1) }
        let values = defs.indices.filter { defs[$0] == 1 }.map { Int64($0) }
        let bytes = try writeInMemory(schema) { w in try w.writeInt64(column: 0, values: values, defLevels: defs) }.bytes
        let read = try ParquetFileReader(bytes: bytes).readColumn(rowGroup: 0, column: 0)
        #expect(read.values == .int64(values) && read.defLevels == defs)
        #expect(throws: ParquetError.self) {
            _ = try writeInMemory(schema) { w in try w.writeInt64(column: 0, values: Array(values.dropLast()), defLevels: defs) }
        }
        var bad = defs
        bad[1029] = 2
        do {
            _ = try writeInMemory(schema) { w in try w.writeInt64(column: 0, values: values, defLevels: bad) }
            Issue.record("a definition level of 2 in a flat column was accepted")
        } catch {
            #expect("\(error)".contains("definition level 2 above the maximum 1"), "\(error)")
        }
    }

    @Test func truncatedInputFails() {
        let enc = encode([0, 1, 2, 3, 4, 5, 6, 7, 1, 2], 3)
        for cut in 0..<enc.count {
            #expect(throws: ParquetError.self) { _ = try decode(Array(enc[0..<cut]), 10, 3) }
        }
    }
}
