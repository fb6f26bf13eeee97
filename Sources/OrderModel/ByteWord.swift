/// Eight bytes at a time (SWAR, "SIMD within a register"): tests on a `UInt64` of input bytes
/// that find a byte value without a loop per byte. The parsers and writers scan text with
/// them (JSON escaping, newline counts; CSV fields go through CByteScan's SIMD masks); the
/// formulas are Bit Twiddling Hacks' "determine if a word has a zero byte" / "has a byte less
/// than n".
public enum ByteWord {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080
    @usableFromInline static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The high bit of each byte of `w` that equals `b`, except that bytes above the lowest
    /// match may be flagged wrongly (a borrow). Zero exactly when no byte is `b`, and its lowest
    /// set bit is always a true match.
    @inlinable @inline(__always)
    public static func matches(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(b))
        return (x &- ones) & ~x & highs
    }

    /// Nonzero exactly when some byte of `w` is below `n` (`n` at most 128); as `matches`, only
    /// its lowest set bit is sure to mark such a byte.
    @inlinable @inline(__always)
    public static func below(_ w: UInt64, _ n: UInt8) -> UInt64 {
        (w &- ones &* UInt64(n)) & ~w & highs
    }

    /// The high bit of exactly the bytes of `w` that equal `b` (no carries between bytes: each
    /// byte's low seven bits plus 0x7F stay under 0x100). Slower than `matches`; for counting.
    @inlinable @inline(__always)
    public static func exactMatches(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(b))
        return ~(((x & lows) &+ lows) | x | lows)
    }

    /// How many high bits a mask of `exactMatches` has: one per byte summed by a multiply into
    /// the top byte (at most 8). The baseline x86-64 target has no popcount instruction, and
    /// `nonzeroBitCount`'s emulation cost more.
    @inlinable @inline(__always)
    public static func count(_ mask: UInt64) -> Int {
        Int(truncatingIfNeeded: ((mask >> 7) &* ones) >> 56)
    }
}
