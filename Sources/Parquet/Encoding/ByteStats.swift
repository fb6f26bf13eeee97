#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Running min/max of byte strings in unsigned lexicographic order (what TYPE_ORDER means for BYTE_ARRAY).
struct ByteStats {
    var min: [UInt8]?
    var max: [UInt8]?
    var nullCount: Int64 = 0

    /// -1, 0, 1 comparing by unsigned bytes, shorter prefix first.
    @inline(__always)
    static func compare(_ a: UnsafeRawPointer, _ na: Int, _ b: UnsafeRawPointer, _ nb: Int) -> Int {
        // memcmp compares as unsigned char, which is exactly the order TYPE_ORDER defines for BYTE_ARRAY.
        let c = memcmp(a, b, Swift.min(na, nb))
        if c != 0 { return c < 0 ? -1 : 1 }
        return na == nb ? 0 : (na < nb ? -1 : 1)
    }

    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compare(pa.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, pa.count, pb.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, pb.count) } }
    }

    /// Updates with values `range` of an arena; finds the slice's extremes first so at most two copies are made.
    mutating func update(_ bytes: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        update(bytes, offsets, first: range.lowerBound, rest: range.dropFirst())
    }

    /// Updates with the values `entries` of an arena (dictionary entries, in any order).
    mutating func update(_ bytes: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, gathering entries: UnsafeBufferPointer<UInt32>) {
        guard let f = entries.first else { return }
        update(bytes, offsets, first: Int(f), rest: entries.dropFirst().lazy.map { Int($0) })
    }

    @inline(__always)
    private mutating func update<S: Sequence<Int>>(_ bytes: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, first: Int, rest: S) {
        var lo = first
        var hi = first
        for k in rest {
            let s = Int(offsets[k]), n = Int(offsets[k + 1]) - s
            let ls = Int(offsets[lo]), ln = Int(offsets[lo + 1]) - ls
            if Self.compare(bytes + s, n, bytes + ls, ln) < 0 { lo = k; continue }
            let hs = Int(offsets[hi]), hn = Int(offsets[hi + 1]) - hs
            if Self.compare(bytes + s, n, bytes + hs, hn) > 0 { hi = k }
        }
        let ls = Int(offsets[lo]), ln = Int(offsets[lo + 1]) - ls
        let hs = Int(offsets[hi]), hn = Int(offsets[hi + 1]) - hs
        if let m = min {
            let smaller = m.withUnsafeBytes { Self.compare(bytes + ls, ln, $0.baseAddress ?? bytes, $0.count) < 0 }
            if smaller { min = Array(UnsafeRawBufferPointer(start: bytes + ls, count: ln)) }
        } else {
            min = Array(UnsafeRawBufferPointer(start: bytes + ls, count: ln))
        }
        if let m = max {
            let larger = m.withUnsafeBytes { Self.compare(bytes + hs, hn, $0.baseAddress ?? bytes, $0.count) > 0 }
            if larger { max = Array(UnsafeRawBufferPointer(start: bytes + hs, count: hn)) }
        } else {
            max = Array(UnsafeRawBufferPointer(start: bytes + hs, count: hn))
        }
    }

    mutating func merge(_ o: ByteStats) {
        nullCount += o.nullCount
        if let l = o.min, min == nil || Self.compare(l, min!) < 0 { min = l }
        if let h = o.max, max == nil || Self.compare(h, max!) > 0 { max = h }
    }

    /// Thrift statistics with min/max_value truncated to `limit` bytes; never the deprecated signed min/max.
    func thrift(truncateTo limit: Int, utf8: Bool) -> Statistics {
        var s = Statistics()
        s.nullCount = nullCount
        if let lo = min {
            let t = StatsTruncation.truncateMin(lo, limit: limit, utf8: utf8)
            s.minValue = t
            s.isMinValueExact = t.count == lo.count
        }
        if let hi = max {
            if let t = StatsTruncation.truncateMax(hi, limit: limit, utf8: utf8) {
                s.maxValue = t
                s.isMaxValueExact = t == hi
            }
        }
        return s
    }
}

/// Truncation of byte-string bounds (arrow-rs semantics): the min becomes a prefix (a lower bound), the max a
/// prefix whose last code point (or byte) is incremented (an upper bound); both cut at UTF-8 boundaries.
enum StatsTruncation {
    /// Largest prefix length <= limit that does not split a UTF-8 sequence.
    static func boundary(_ v: [UInt8], _ limit: Int, utf8: Bool) -> Int {
        guard v.count > limit else { return v.count }
        var n = limit
        if utf8 {
            while n > 0 && (v[n] & 0xC0) == 0x80 { n -= 1 }
        }
        return n
    }

    static func truncateMin(_ v: [UInt8], limit: Int, utf8: Bool) -> [UInt8] {
        guard v.count > limit else { return v }
        return Array(v[0..<boundary(v, limit, utf8: utf8)])
    }

    /// nil when no upper bound of at most `limit` bytes exists (e.g. all 0xFF / U+10FFFF).
    static func truncateMax(_ v: [UInt8], limit: Int, utf8: Bool) -> [UInt8]? {
        guard v.count > limit else { return v }
        var p = Array(v[0..<boundary(v, limit, utf8: utf8)])
        if !utf8 {
            while let last = p.last {
                if last < 0xFF {
                    p[p.count - 1] = last + 1
                    return p
                }
                p.removeLast()
            }
            return nil
        }
        // Walk code points from the end; replace the first that has a successor of the same encoded length.
        while !p.isEmpty {
            var start = p.count - 1
            while start > 0 && (p[start] & 0xC0) == 0x80 { start -= 1 }
            let len = p.count - start
            let scalarValue = String(decoding: p[start...], as: UTF8.self).unicodeScalars.first!.value
            var next = scalarValue + 1
            if next >= 0xD800 && next <= 0xDFFF { next = 0xE000 }
            if let sc = Unicode.Scalar(next) {
                let enc = Array(String(Character(sc)).utf8)
                if enc.count == len {
                    p.replaceSubrange(start..., with: enc)
                    return p
                }
            }
            p.removeSubrange(start...)
        }
        return nil
    }
}
