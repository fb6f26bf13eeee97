import Crypto

/// SHA-256 (FIPS 180-4), streaming, reusable without allocation after creation.
///
/// A thin wrapper over swift-crypto's SHA-256 (BoringSSL), which the build already has for the
/// dataset encryption: its assembly uses the SHA extensions (or AVX2) of the CPU and hashes
/// several times faster than a portable loop, and hashing every order's content for dedup was
/// the largest cost of `transact`. The wrapper keeps one reusable object per thread and the
/// 128-bit digests the state store and messages use. Tested against the FIPS/NIST vectors in
/// RulesTests.
public final class SHA256 {
    private var context = Crypto.SHA256()

    public init() {}

    /// Starts a new digest.
    public func reset() {
        context = Crypto.SHA256()
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        context.update(bufferPointer: bytes)
    }

    public func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if let done = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        update(Array(bytes))
    }

    /// Feeds one byte.
    public func update(byte: UInt8) {
        var b = byte
        withUnsafeBytes(of: &b) { update($0) }
    }

    /// Feeds a 64-bit integer (little-endian), for hashing typed values.
    public func update(int v: Int64) {
        var x = v.littleEndian
        withUnsafeBytes(of: &x) { update($0) }
    }

    /// Ends the digest and appends its 32 bytes to `out`; `reset()` before reuse.
    public func finish(into out: inout [UInt8]) {
        context.finalize().withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// The first 16 bytes of the digest as two words (for keys and content hashes).
    public func finish128() -> Digest128 {
        context.finalize().withUnsafeBytes { d in
            Digest128(hi: UInt64(bigEndian: d.loadUnaligned(as: UInt64.self)),
                      lo: UInt64(bigEndian: d.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// Hex of a whole digest (convenience).
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A 128-bit digest (the first half of a SHA-256), used as an order key and content hash.
public struct Digest128: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var hi: UInt64
    public var lo: UInt64

    public init(hi: UInt64, lo: UInt64) {
        self.hi = hi
        self.lo = lo
    }

    public static func < (a: Digest128, b: Digest128) -> Bool { a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo }

    /// The first 12 hex digits, enough to tell payloads apart in a message.
    public var description: String {
        let s = String(hi, radix: 16)
        return String((String(repeating: "0", count: 16 - s.count) + s).prefix(12))
    }
}
