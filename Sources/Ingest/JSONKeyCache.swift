/// What each member position of a JSON object resolved to last time, with the key seen there.
///
/// NDJSON writers repeat their key order on every line, so remembering "the 3rd member was
/// `o_orderstatus`, which is slot 1" turns the per-member lookup (a scan over the profile's
/// slot names, and for unmapped keys a scan that finds nothing) into one length check and one
/// memcmp. A key that differs from the remembered one is looked up in full and remembered.
/// Plain memory owned by the feed, so the per-member path does no reference counting.
final class JSONKeyCache {
    /// What a key resolves to besides a slot number (>= 0).
    static let unmapped = -1
    static let ignored = -2

    private var start: UnsafeMutablePointer<Int>
    private var length: UnsafeMutablePointer<Int>
    private var result: UnsafeMutablePointer<Int>
    private var positions: Int
    /// The remembered keys back to back; appended to when a position's key changes.
    private var bytes: UnsafeMutablePointer<UInt8>
    private var used = 0
    private let byteCapacity = 1 << 14

    init() {
        positions = 64
        start = .allocate(capacity: positions)
        length = .allocate(capacity: positions)
        length.initialize(repeating: -1, count: positions)
        result = .allocate(capacity: positions)
        result.initialize(repeating: JSONKeyCache.unmapped, count: positions)
        start.initialize(repeating: 0, count: positions)
        bytes = .allocate(capacity: byteCapacity)
    }

    deinit {
        start.deallocate()
        length.deallocate()
        result.deallocate()
        bytes.deallocate()
    }

    /// The remembered result for `key` at member position `ordinal`, or nil when another key
    /// (or none) was seen there.
    @inline(__always)
    func cached(_ key: UnsafeRawBufferPointer, at ordinal: Int) -> Int? {
        guard ordinal < positions, length[ordinal] == key.count else { return nil }
        if key.count > 0 && memcmp(bytes + start[ordinal], key.baseAddress!, key.count) != 0 { return nil }
        return result[ordinal]
    }

    /// Remembers that `key` at position `ordinal` resolved to `value`.
    func remember(_ key: UnsafeRawBufferPointer, at ordinal: Int, _ value: Int) {
        if ordinal >= positions { grow(ordinal + 1) }
        if key.count > byteCapacity { return }  // not worth keeping; such keys take the slow path
        if used + key.count > byteCapacity {
            // The keys keep changing (no repeated order): start over rather than grow.
            length.update(repeating: -1, count: positions)
            used = 0
        }
        if key.count > 0 { (bytes + used).update(from: key.baseAddress!.assumingMemoryBound(to: UInt8.self), count: key.count) }
        start[ordinal] = used
        length[ordinal] = key.count
        result[ordinal] = value
        used += key.count
    }

    private func grow(_ need: Int) {
        let n = max(need, positions * 2)
        func moved(_ p: UnsafeMutablePointer<Int>, fill: Int) -> UnsafeMutablePointer<Int> {
            let q = UnsafeMutablePointer<Int>.allocate(capacity: n)
            q.update(from: p, count: positions)
            (q + positions).initialize(repeating: fill, count: n - positions)
            p.deallocate()
            return q
        }
        start = moved(start, fill: 0)
        length = moved(length, fill: -1)
        result = moved(result, fill: JSONKeyCache.unmapped)
        positions = n
    }
}

#if canImport(Glibc)
import Glibc
#endif
