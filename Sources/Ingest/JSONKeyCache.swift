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

    /// The cache's state behind one constant pointer: `cached` runs once per JSON member, and
    /// each read of a stored `var` of a class is a dynamic exclusivity check, several per
    /// member; reads through the pointer are plain loads.
    private struct Store {
        var start: UnsafeMutablePointer<Int>
        var length: UnsafeMutablePointer<Int>
        var result: UnsafeMutablePointer<Int>
        var positions: Int
        /// The remembered keys back to back; appended to when a position's key changes.
        var bytes: UnsafeMutablePointer<UInt8>
        var used = 0
    }
    private let store: UnsafeMutablePointer<Store>
    private let byteCapacity = 1 << 14

    init() {
        let positions = 64
        let start = UnsafeMutablePointer<Int>.allocate(capacity: positions)
        start.initialize(repeating: 0, count: positions)
        let length = UnsafeMutablePointer<Int>.allocate(capacity: positions)
        length.initialize(repeating: -1, count: positions)
        let result = UnsafeMutablePointer<Int>.allocate(capacity: positions)
        result.initialize(repeating: JSONKeyCache.unmapped, count: positions)
        store = .allocate(capacity: 1)
        store.initialize(
            to: Store(start: start, length: length, result: result, positions: positions, bytes: .allocate(capacity: byteCapacity)))
    }

    deinit {
        store.pointee.start.deallocate()
        store.pointee.length.deallocate()
        store.pointee.result.deallocate()
        store.pointee.bytes.deallocate()
        store.deallocate()
    }

    /// The remembered result for `key` at member position `ordinal`, or nil when another key
    /// (or none) was seen there.
    @inline(__always)
    func cached(_ key: UnsafeRawBufferPointer, at ordinal: Int) -> Int? {
        let s = store.pointee
        guard ordinal < s.positions, s.length[ordinal] == key.count else { return nil }
        if key.count > 0 && !Self.same(UnsafeRawPointer(s.bytes + s.start[ordinal]), key.baseAddress!, key.count) { return nil }
        return s.result[ordinal]
    }

    /// Byte equality of two ranges of `n` bytes. Keys are short: up to 16 bytes compare with
    /// two (overlapping) 8-byte loads instead of a call to memcmp per member.
    @inline(__always)
    private static func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        if n >= 8 && n <= 16 {
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n < 8 {
            for i in 0..<n where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) {
                return false
            }
            return true
        }
        return memcmp(a, b, n) == 0
    }

    /// Remembers that `key` at position `ordinal` resolved to `value`.
    func remember(_ key: UnsafeRawBufferPointer, at ordinal: Int, _ value: Int) {
        if ordinal >= store.pointee.positions { grow(ordinal + 1) }
        if key.count > byteCapacity { return }  // not worth keeping; such keys take the slow path
        let s = store
        if s.pointee.used + key.count > byteCapacity {
            // The keys keep changing (no repeated order): start over rather than grow.
            s.pointee.length.update(repeating: -1, count: s.pointee.positions)
            s.pointee.used = 0
        }
        let used = s.pointee.used
        if key.count > 0 {
            (s.pointee.bytes + used).update(from: key.baseAddress!.assumingMemoryBound(to: UInt8.self), count: key.count)
        }
        s.pointee.start[ordinal] = used
        s.pointee.length[ordinal] = key.count
        s.pointee.result[ordinal] = value
        s.pointee.used = used + key.count
    }

    private func grow(_ need: Int) {
        let positions = store.pointee.positions
        let n = max(need, positions * 2)
        func moved(_ p: UnsafeMutablePointer<Int>, fill: Int) -> UnsafeMutablePointer<Int> {
            let q = UnsafeMutablePointer<Int>.allocate(capacity: n)
            q.update(from: p, count: positions)
            (q + positions).initialize(repeating: fill, count: n - positions)
            p.deallocate()
            return q
        }
        store.pointee.start = moved(store.pointee.start, fill: 0)
        store.pointee.length = moved(store.pointee.length, fill: -1)
        store.pointee.result = moved(store.pointee.result, fill: JSONKeyCache.unmapped)
        store.pointee.positions = n
    }
}

#if canImport(Glibc)
import Glibc
#endif
