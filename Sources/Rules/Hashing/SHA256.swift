/// SHA-256 (FIPS 180-4), streaming, reusable without allocation after creation.
///
/// Written here because Foundation has no SHA-256 on Linux, and swift-crypto would add a
/// large BoringSSL build to every build of the tool for two small uses (salted PII hashes and
/// order content hashes). Tested against the FIPS/NIST vectors in RulesTests.
public final class SHA256 {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private var totalBytes: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public init() { reset() }

    /// Starts a new digest.
    public func reset() {
        state = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        blockCount = 0
        totalBytes = 0
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        totalBytes &+= UInt64(bytes.count)
        absorb(bytes)
    }

    public func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if let done = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        update(Array(bytes))
    }

    /// Fills the block buffer from `bytes`, compressing whole blocks straight from the input.
    private func absorb(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var i = 0
        let n = bytes.count
        block.withUnsafeMutableBytes { blk in
            while i < n {
                if blockCount == 0 && n - i >= 64 {
                    compress(base + i)
                    i += 64
                    continue
                }
                let take = min(64 - blockCount, n - i)
                (blk.baseAddress! + blockCount).copyMemory(from: base + i, byteCount: take)
                blockCount += take
                i += take
                if blockCount == 64 {
                    compress(UnsafeRawPointer(blk.baseAddress!))
                    blockCount = 0
                }
            }
        }
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
        let bits = totalBytes &* 8
        var pad: UInt8 = 0x80
        withUnsafeBytes(of: &pad) { appendRaw($0) }
        var zero: UInt8 = 0
        while blockCount != 56 { withUnsafeBytes(of: &zero) { appendRaw($0) } }
        var len = bits.bigEndian
        withUnsafeBytes(of: &len) { appendRaw($0) }
        for v in [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7] {
            out.append(UInt8(v >> 24))
            out.append(UInt8(v >> 16 & 0xff))
            out.append(UInt8(v >> 8 & 0xff))
            out.append(UInt8(v & 0xff))
        }
    }

    /// The first 16 bytes of the digest as two words (for keys and content hashes).
    public func finish128() -> Digest128 {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        finish(into: &out)
        var a: UInt64 = 0, b: UInt64 = 0
        for i in 0..<8 {
            a = a << 8 | UInt64(out[i])
            b = b << 8 | UInt64(out[8 + i])
        }
        return Digest128(hi: a, lo: b)
    }

    private func appendRaw(_ bytes: UnsafeRawBufferPointer) { absorb(bytes) }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    /// One 64-byte block; the message schedule lives on the stack.
    private func compress(_ p: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                w[t] = UInt32(p.load(fromByteOffset: t * 4, as: UInt8.self)) << 24
                    | UInt32(p.load(fromByteOffset: t * 4 + 1, as: UInt8.self)) << 16
                    | UInt32(p.load(fromByteOffset: t * 4 + 2, as: UInt8.self)) << 8
                    | UInt32(p.load(fromByteOffset: t * 4 + 3, as: UInt8.self))
            }
            for t in 16..<64 {
                let s0 = Self.rotr(w[t - 15], 7) ^ Self.rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = Self.rotr(w[t - 2], 17) ^ Self.rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            Self.k.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
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
