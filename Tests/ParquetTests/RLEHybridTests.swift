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

    @Test func truncatedInputFails() {
        let enc = encode([0, 1, 2, 3, 4, 5, 6, 7, 1, 2], 3)
        for cut in 0..<enc.count {
            #expect(throws: ParquetError.self) { _ = try decode(Array(enc[0..<cut]), 10, 3) }
        }
    }
}
