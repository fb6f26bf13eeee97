/// Eight bytes at a time (SWAR, "SIMD within a register"): tests on a `UInt64` of input bytes
/// that find a byte value without a loop per byte. The parsers and writers scan text with
/// them (JSON escaping; CSV fields and newline counts go through CByteScan's SIMD); the
/// formulas are Bit Twiddling Hacks' "determine if a word has a zero byte" / "has a byte less
/// than n".
public enum ByteWord {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

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
}
