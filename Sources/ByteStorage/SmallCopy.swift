/// Copies `n` bytes from `src` to `dst` (non-overlapping), inlined at the call site.
///
/// The routing, spill and hashing loops copy one string value at a time, most of them a few
/// to a few dozen bytes (codes, ids, dates, names). Through `copyMemory` each is a call into
/// libc's `memmove`, whose entry and size dispatch cost more than moving such a value; on the
/// routing thread of a TPC-H flat run those calls were 15% of its samples. Up to 32 bytes
/// this copies with two loads and two stores of a width that covers the value (the second pair
/// ends at the last byte and may overlap the first), as `memcpy` does inside; it reads and
/// writes nothing outside the `n` bytes. Longer values go to `copyMemory`.
@inlinable @inline(__always)
public func copyBytes(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ n: Int) {
    if n >= 16 {
        if n > 32 {
            dst.copyMemory(from: src, byteCount: n)
            return
        }
        let a = src.loadUnaligned(as: SIMD16<UInt8>.self)
        let b = src.loadUnaligned(fromByteOffset: n - 16, as: SIMD16<UInt8>.self)
        dst.storeBytes(of: a, as: SIMD16<UInt8>.self)
        dst.storeBytes(of: b, toByteOffset: n - 16, as: SIMD16<UInt8>.self)
    } else if n >= 8 {
        let a = src.loadUnaligned(as: UInt64.self)
        let b = src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        dst.storeBytes(of: a, as: UInt64.self)
        dst.storeBytes(of: b, toByteOffset: n - 8, as: UInt64.self)
    } else if n >= 4 {
        let a = src.loadUnaligned(as: UInt32.self)
        let b = src.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        dst.storeBytes(of: a, as: UInt32.self)
        dst.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
    } else if n > 0 {
        // 1 to 3 bytes: the first, the last and the middle one (some of them the same byte).
        let a = src.load(as: UInt8.self)
        let b = src.load(fromByteOffset: n - 1, as: UInt8.self)
        let c = src.load(fromByteOffset: n >> 1, as: UInt8.self)
        dst.storeBytes(of: a, as: UInt8.self)
        dst.storeBytes(of: b, toByteOffset: n - 1, as: UInt8.self)
        dst.storeBytes(of: c, toByteOffset: n >> 1, as: UInt8.self)
    }
}
