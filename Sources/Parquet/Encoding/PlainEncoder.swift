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
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBytes { dst in
            var o = start
            for i in range {
                let s = Int(offsets[i])
                let len = Int(offsets[i + 1]) - s
                dst.storeBytes(of: UInt32(len).littleEndian, toByteOffset: o, as: UInt32.self)
                o &+= 4
                if len > 0 { (dst.baseAddress! + o).copyMemory(from: bytes + s, byteCount: len) }
                o &+= len
            }
        }
    }
}
