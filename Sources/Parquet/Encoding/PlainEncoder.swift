import ByteStorage

/// PLAIN encoding helpers (Encodings.md): little-endian fixed widths, u32-length-prefixed byte arrays,
/// LSB-first bit-packed booleans.
enum PlainEncoder {
    @inline(__always)
    static func appendU32(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func appendFixed<T: ParquetFixedValue>(_ values: UnsafeBufferPointer<T>, to out: inout [UInt8]) {
        // Little-endian hosts only (x86_64, arm64): the in-memory layout is the PLAIN layout.
        out.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    static func appendByteArrays(
        _ bytes: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, to out: inout [UInt8]
    ) {
        guard !range.isEmpty else { return }
        let total = Int(offsets[range.upperBound] - offsets[range.lowerBound]) + 4 * range.count
        append(bytes, offsets, range, total: total, to: &out)
    }

    /// Entries `indices` of an arena, in that order (a dictionary-encoded page rewritten PLAIN
    /// from its dictionary).
    static func appendByteArrays(
        _ bytes: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, gathering indices: UnsafeBufferPointer<UInt32>,
        to out: inout [UInt8]
    ) {
        guard !indices.isEmpty else { return }
        var total = 4 * indices.count
        for i in indices { total += Int(offsets[Int(i) + 1] &- offsets[Int(i)]) }
        append(bytes, offsets, indices.lazy.map { Int($0) }, total: total, to: &out)
    }

    /// Grows `out` once by `total` bytes, then writes each entry's length and bytes.
    @inline(__always)
    private static func append<Entries: Sequence<Int>>(
        _ bytes: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, _ entries: Entries, total: Int,
        to out: inout [UInt8]
    ) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBytes { dst in
            // In bounds: `total` counts exactly the lengths and bytes written here.
            var o = start
            for i in entries {
                let s = Int(offsets[i])
                let len = Int(offsets[i + 1]) - s
                dst.storeBytes(of: UInt32(len).littleEndian, toByteOffset: o, as: UInt32.self)
                o &+= 4
                copyBytes(dst.baseAddress! + o, bytes + s, len)
                o &+= len
            }
        }
    }
}
