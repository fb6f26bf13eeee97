/// Decoder for the RLE / bit-packing hybrid. Bounded: it never reads past its slice and never produces more
/// than the requested count, so corrupt run headers turn into errors, not huge allocations.
struct RLEHybridDecoder {
    let bytes: UnsafeRawBufferPointer
    var pos: Int
    let bitWidth: Int
    let what: String

    init(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, what: String) {
        self.bytes = bytes
        self.pos = 0
        self.bitWidth = bitWidth
        self.what = what
    }

    private func fail(_ m: String) -> ParquetError { .corrupt("\(what): \(m)") }

    private mutating func varint() throws -> UInt64 {
        var r: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < bytes.count else { throw fail("truncated run header") }
            let b = bytes[pos]
            pos += 1
            r |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return r }
            shift += 7
            guard shift < 64 else { throw fail("run header longer than 10 bytes") }
        }
    }

    /// Decodes exactly `count` values into `out` (appending): levels into `UInt8`, dictionary
    /// indices into `UInt32`.
    mutating func decode<Value: FixedWidthInteger & UnsignedInteger>(count: Int, into out: inout [Value]) throws {
        guard bitWidth >= 0 && bitWidth <= min(32, Value.bitWidth) else { throw fail("bit width \(bitWidth) out of range") }
        var left = count
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while left > 0 {
            let header = try varint()
            if header & 1 == 0 {
                let n = header >> 1
                guard n > 0 else { throw fail("empty RLE run") }
                let nb = (bitWidth + 7) / 8
                guard bytes.count - pos >= nb else { throw fail("truncated RLE value") }
                var v: UInt64 = 0
                for k in 0..<nb { v |= UInt64(bytes[pos + k]) << UInt64(8 * k) }
                pos += nb
                guard v <= mask else { throw fail("RLE value \(v) wider than \(bitWidth) bits") }
                let take = Int(min(n, UInt64(left)))
                out.append(contentsOf: repeatElement(Value(truncatingIfNeeded: v), count: take))
                left -= take
            } else {
                let groups = header >> 1
                guard groups > 0 else { throw fail("empty bit-packed run") }
                guard groups <= UInt64(bytes.count) else { throw fail("bit-packed run of \(groups) groups exceeds the data") }
                let nbytes = Int(groups) * bitWidth
                guard bytes.count - pos >= nbytes else {
                    // Writers may leave off the trailing bytes of the final group only in broken files.
                    throw fail("truncated bit-packed run (\(nbytes) bytes declared, \(bytes.count - pos) left)")
                }
                let values = Int(groups) * 8
                let take = min(values, left)
                var acc: UInt64 = 0
                var bits = 0
                var p = pos
                for _ in 0..<take {
                    while bits < bitWidth {
                        acc |= UInt64(bytes[p]) << UInt64(bits)
                        p += 1
                        bits += 8
                    }
                    out.append(Value(truncatingIfNeeded: acc & mask))
                    acc = bitWidth == 0 ? acc : acc >> UInt64(bitWidth)
                    bits -= bitWidth
                }
                pos += nbytes
                left -= take
            }
        }
    }
}
