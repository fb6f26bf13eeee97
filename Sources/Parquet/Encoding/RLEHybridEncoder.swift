/// RLE / bit-packing hybrid encoder (Encodings.md): RLE runs for >= 8 repeats, bit-packed groups of 8
/// otherwise, the last group zero-padded. Used for levels and dictionary indices.
enum RLEHybridEncoder {
    /// Number of bits needed for `maxValue` (0 for 0).
    @inline(__always)
    static func bitWidth(_ maxValue: UInt64) -> Int { maxValue == 0 ? 0 : 64 - maxValue.leadingZeroBitCount }

    /// Appends the hybrid encoding of `values` (each < 2^bitWidth) to `out`.
    static func encode<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: inout [UInt8]
    ) {
        precondition(bitWidth >= 0 && bitWidth <= 32)
        let n = values.count
        var pendingStart = 0
        var i = 0
        while i < n {
            i = nextRepeat(values, from: i)  // the values before it are runs of one: left pending
            let v = values[i]
            let j = runEnd(values, from: i &+ 1, of: v)
            var runStart = i
            var runLen = j &- i
            if runLen >= 8 {
                // Complete the pending bit-packed values to a multiple of 8 with the run's first values,
                // so bit-packed groups never need padding mid-stream.
                let rem = (runStart &- pendingStart) & 7
                if rem != 0 {
                    let borrow = 8 &- rem
                    runStart &+= borrow
                    runLen &-= borrow
                }
                if runLen >= 8 {
                    if runStart > pendingStart {
                        bitPack(values, pendingStart..<runStart, bitWidth: bitWidth, into: &out)
                    }
                    writeRLERun(UInt64(v), count: runLen, bitWidth: bitWidth, into: &out)
                    pendingStart = j
                }
            }
            i = j
        }
        if pendingStart < n {
            bitPack(values, pendingStart..<n, bitWidth: bitWidth, into: &out)
        }
    }

    /// The first index from `i` on whose value repeats at the next index, or the last index.
    /// Dictionary indices (4 bytes) are compared eight pairs at a time: in a column worth a
    /// dictionary most neighbours differ, and the run scan took about ten instructions to find
    /// each run of one.
    @inline(__always)
    static func nextRepeat<T: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<T>, from i: Int) -> Int {
        let n = values.count
        var k = i
        if MemoryLayout<T>.size == 4, let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            while n &- k >= 9 {
                let a = raw.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<UInt32>.self)
                let b = raw.loadUnaligned(fromByteOffset: (k &+ 1) &* 4, as: SIMD8<UInt32>.self)
                if any(a .== b) { break }
                k &+= 8
            }
        }
        while k &+ 1 < n && values[k] != values[k &+ 1] { k &+= 1 }
        return k
    }

    /// The end of the run of `v` that goes on at `from`. Levels (bytes) are compared eight at a
    /// time: a page's definition levels are mostly one long run (a column without nulls), which
    /// a byte loop walked at about four instructions a level, for every column of every page.
    @inline(__always)
    static func runEnd<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, from: Int, of v: T
    ) -> Int {
        let n = values.count
        var j = from
        if MemoryLayout<T>.size == 1, let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            let pattern = UInt64(truncatingIfNeeded: v) &* 0x0101_0101_0101_0101
            while n &- j >= 8 {
                let diff = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) ^ pattern
                if diff != 0 { return j &+ diff.trailingZeroBitCount >> 3 }
                j &+= 8
            }
        }
        while j < n && values[j] == v { j &+= 1 }
        return j
    }

    static func encode(_ values: [UInt8], bitWidth: Int, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
    }

    @inline(__always)
    static func writeVarint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func writeRLERun(_ value: UInt64, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        writeVarint(UInt64(count) << 1, into: &out)
        var v = value
        for _ in 0..<((bitWidth + 7) / 8) {
            out.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// One bit-packed run over `range`, padded with zeros to a multiple of 8 values.
    static func bitPack<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, _ range: Range<Int>, bitWidth: Int, into out: inout [UInt8]
    ) {
        let groups = (range.count + 7) / 8
        writeVarint(UInt64(groups) << 1 | 1, into: &out)
        if bitWidth == 0 { return }
        let start = out.count
        let total = groups * bitWidth
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBytes { buf in
            // Bits gather in a 64-bit word and leave it 32 at a time (one 4-byte store where a
            // byte loop took one step per byte): a value is at most 32 bits, so the word never
            // holds more than 63. The stores stay in bounds: a 4-byte store only writes value
            // bits, and the zero padding values contribute zero bits to bytes already zeroed.
            let p = buf.baseAddress! + start
            var o = 0
            var acc: UInt64 = 0
            var bits = 0
            for k in range {
                acc |= UInt64(values[k]) << UInt64(bits)
                bits &+= bitWidth
                if bits >= 32 {
                    p.storeBytes(of: UInt32(truncatingIfNeeded: acc).littleEndian, toByteOffset: o, as: UInt32.self)
                    o &+= 4
                    acc >>= 32
                    bits &-= 32
                }
            }
            // Flush the partial word.
            while bits > 0 {
                p.storeBytes(of: UInt8(truncatingIfNeeded: acc), toByteOffset: o, as: UInt8.self)
                o &+= 1
                acc >>= 8
                bits &-= 8
            }
        }
    }
}
