/// MurmurHash3 x86_32 (Austin Appleby's public-domain reference), the hash of
/// `bucket(N, column)` partitions.
///
/// Why this hash: it is the one Apache Iceberg's bucket transform specifies (seed 0, strings
/// hashed as their UTF-8 bytes, integers as 8 little-endian bytes, bucket =
/// `(hash & Int32.max) % N`), so a bucket number written here is the bucket any engine
/// implementing that spec computes for the same value. It is stable across platforms and
/// versions, unlike Swift's per-process seeded `Hasher`. Written here because no Swift
/// package on the build machines provides it; it is 40 lines.
public enum Murmur3 {
    @inline(__always) private static func mix(_ k: UInt32) -> UInt32 {
        var k = k &* 0xcc9e_2d51
        k = (k << 15) | (k >> 17)
        return k &* 0x1b87_3593
    }

    /// The 32-bit hash of `bytes` with `seed`.
    public static func hash32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var h = seed
        let n = bytes.count
        let blocks = n / 4
        for i in 0..<blocks {
            let k = bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).littleEndian
            h ^= mix(k)
            h = (h << 13) | (h >> 19)
            h = h &* 5 &+ 0xe654_6b64
        }
        var k: UInt32 = 0
        let tail = blocks * 4
        switch n & 3 {
        case 3:
            k ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            k ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            k ^= UInt32(bytes[tail])
            h ^= mix(k)
        default: break
        }
        h ^= UInt32(truncatingIfNeeded: n)
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// The hash of an integer as Iceberg hashes `int` and `long`: 8 little-endian bytes.
    public static func hash32(int value: Int64) -> UInt32 {
        withUnsafeBytes(of: value.littleEndian) { hash32($0) }
    }

    /// The bucket of a hash: `(hash & Int32.max) % n`.
    @inlinable public static func bucket(_ hash: UInt32, count n: Int) -> Int {
        Int(hash & 0x7FFF_FFFF) % n
    }
}
