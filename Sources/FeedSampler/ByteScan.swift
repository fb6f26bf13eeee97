/// Finding the first byte that needs quoting or escaping, eight bytes at a time.
///
/// Most fields need neither, so the writers ask this first and copy the field whole. The word
/// tests are the classic "has a zero byte" bit tricks (Mycroft): they never miss a match; a
/// word that seems to match is rechecked byte by byte.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    private static func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }

    @inline(__always)
    private static func hasByte(_ w: UInt64, _ b: UInt8) -> Bool { hasZero(w ^ (ones &* UInt64(b))) }

    /// Whether any byte of `w` is below 0x20.
    @inline(__always)
    private static func hasControl(_ w: UInt64) -> Bool { (w &- ones &* 0x20) & ~w & highs != 0 }

    @inline(__always)
    private static func isSpecial(_ b: UInt8, csv: Bool) -> Bool {
        csv ? (b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D) : (b < 0x20 || b == 0x22 || b == 0x5C)
    }

    /// Index of the first byte that a CSV field must be quoted for (`,` `"` CR LF, `csv`) or that a
    /// JSON string must escape (control, `"`, `\\`); `s.count` when there is none.
    @inline(__always)
    static func firstSpecial(_ s: UnsafeRawBufferPointer, csv: Bool) -> Int {
        let n = s.count
        var i = 0
        while i + 8 <= n {
            let w = s.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let hit =
                csv
                ? hasByte(w, 0x2C) || hasByte(w, 0x22) || hasByte(w, 0x0A) || hasByte(w, 0x0D)
                : hasControl(w) || hasByte(w, 0x22) || hasByte(w, 0x5C)
            if hit { break }
            i += 8
        }
        while i < n {
            if isSpecial(s[i], csv: csv) { return i }
            i += 1
        }
        return n
    }
}
