import ByteStorage

/// Dictionary of byte strings: values live in one arena, open addressing hashes the bytes directly,
/// so no String (or other heap object) is made per value.
struct ByteDictionary {
    private(set) var arena = ByteArena()
    /// starts[i]..<starts[i+1] is entry i in the arena.
    private(set) var starts: [UInt32] = [0]
    private var hashes: [UInt64] = []
    /// Empty until the first value (see FixedDictionary.slots).
    private var slots: [Int32] = []
    private var mask = 0
    /// The last index returned for a value of each length (mod 16), checked before hashing:
    /// map keys and small enumerations (status, ship mode) repeat in short cycles of values of
    /// different lengths, so most of their lookups end with one compare instead of a hash and
    /// a probe. Empty until the first value.
    private var recent: [UInt32] = []

    var count: Int { hashes.count }
    /// Size of the PLAIN dictionary page body (4-byte length + bytes per entry).
    var plainSize: Int { arena.count + 4 * hashes.count }

    mutating func reset() {
        guard !hashes.isEmpty else { return }
        arena.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        hashes.removeAll(keepingCapacity: true)
        slots = []
        recent = []
    }

    /// Appends the index of each value `k` in `range` (bytes `base[offsets[k]..<offsets[k+1]]`).
    /// One call per slice: `out` grows once, and the values already in the dictionary (nearly
    /// all of them, in a column worth a dictionary) are looked up through pointers taken once
    /// per run of such values (`indicesOfKnown`); a per-value `Array.append` and subscript
    /// paid a uniqueness check and a bounds check for each.
    mutating func appendIndices(
        _ base: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, to out: inout [UInt32]
    ) {
        guard !range.isEmpty else { return }
        if slots.isEmpty {
            let size = initialSlotCount(forFirst: range.count)
            slots = [Int32](repeating: -1, count: size)
            mask = size - 1
        }
        if recent.isEmpty { recent = [UInt32](repeating: .max, count: 16) }
        let o0 = out.count
        growForIndices(&out, by: range.count)
        out.withUnsafeMutableBufferPointer { dst in
            var k = range.lowerBound
            var w = o0
            var miss = (hash: UInt64(0), slot: 0)
            while true {
                k = indicesOfKnown(base, offsets, from: k, to: range.upperBound, into: dst, at: &w, miss: &miss)
                if k == range.upperBound { break }
                // A new value, already hashed and probed: inserted at the slot the probe ended on.
                let s = Int(offsets[k])
                let n = Int(offsets[k + 1]) - s
                let i = insert(base + s, count: n, hash: miss.hash, slot: miss.slot)
                recent[n & 15] = i
                dst[w] = i
                w += 1
                k += 1
            }
        }
    }

    /// Writes the indices of values `from..<end` to `dst[w...]` while each is already in the
    /// dictionary; returns the first value that is not (or `end`), with its hash and the empty
    /// slot its probe ended on in `miss`. Each value is checked against the last entry of its
    /// length (mod 16) first, then hashed and probed.
    @inline(__always)
    private mutating func indicesOfKnown(
        _ base: UnsafeRawPointer, _ offsets: UnsafeBufferPointer<UInt32>, from: Int, to end: Int,
        into dst: UnsafeMutableBufferPointer<UInt32>, at w: inout Int, miss: inout (hash: UInt64, slot: Int)
    ) -> Int {
        let mask = self.mask
        return arena.withUnsafeBytes { a in
            let ab = Self.base(a)
            return starts.withUnsafeBufferPointer { st in
                hashes.withUnsafeBufferPointer { hs in
                    slots.withUnsafeBufferPointer { sl in
                        recent.withUnsafeMutableBufferPointer { rc in
                            var k = from
                            while k < end {
                                let s = Int(offsets[k])
                                let n = Int(offsets[k + 1]) &- s
                                let p = base + s
                                let e = rc[n & 15]
                                if e != .max {
                                    let a0 = Int(st[Int(e)])
                                    if Int(st[Int(e) + 1]) &- a0 == n && memcmpEqual(ab + a0, p, n) {
                                        dst[w] = e
                                        w &+= 1
                                        k &+= 1
                                        continue
                                    }
                                }
                                let h = ByteHash.hash(p, n)
                                let (found, slot) = Self.probe(p, n, h, mask, ab, st, hs, sl)
                                if found < 0 {
                                    miss = (h, slot)
                                    return k
                                }
                                rc[n & 15] = UInt32(found)
                                dst[w] = UInt32(found)
                                w &+= 1
                                k &+= 1
                            }
                            return k
                        }
                    }
                }
            }
        }
    }

    /// Adds the bytes `p[0..<n]` (hash `h`, not in the dictionary) at `slot`, the empty slot
    /// their probe ended on; returns their index.
    @inline(__always)
    private mutating func insert(_ p: UnsafeRawPointer, count n: Int, hash h: UInt64, slot s: Int) -> UInt32 {
        let idx = hashes.count
        arena.append(UnsafeRawBufferPointer(start: p, count: n))
        starts.append(UInt32(arena.count))
        hashes.append(h)
        slots[s] = Int32(idx)
        if hashes.count * 2 > slots.count { grow() }
        return UInt32(idx)
    }

    /// The entry holding the bytes `p[0..<n]` (hash `h`) and its slot, or entry -1 and the
    /// empty slot where they would go: linear probing over `slots`, comparing hashes first.
    @inline(__always)
    private static func probe(
        _ p: UnsafeRawPointer, _ n: Int, _ h: UInt64, _ mask: Int, _ arena: UnsafeRawPointer,
        _ starts: UnsafeBufferPointer<UInt32>, _ hashes: UnsafeBufferPointer<UInt64>, _ slots: UnsafeBufferPointer<Int32>
    ) -> (entry: Int, slot: Int) {
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let f = Int(slots[s])
            if f < 0 { return (-1, s) }
            if hashes[f] == h {
                let a = Int(starts[f])
                if Int(starts[f + 1]) &- a == n && memcmpEqual(arena + a, p, n) { return (f, s) }
            }
            s = (s &+ 1) & mask
        }
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        for (i, h) in hashes.enumerated() {
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(i)
        }
    }

    /// Folds the entries `entries` into `stats` (min/max; the null count is the caller's).
    func updateStats(_ stats: inout ByteStats, entries: [UInt32]) {
        arena.withUnsafeBytes { a in
            starts.withUnsafeBufferPointer { st in
                entries.withUnsafeBufferPointer { stats.update(Self.base(a), st, gathering: $0) }
            }
        }
    }

    /// PLAIN body of the dictionary page.
    func plainBody(into out: inout [UInt8]) {
        guard count > 0 else { return }
        arena.withUnsafeBytes { a in
            starts.withUnsafeBufferPointer { PlainEncoder.appendByteArrays(Self.base(a), $0, 0..<count, to: &out) }
        }
    }

    /// PLAIN encoding of the entries `indices` (in that order): a dictionary-encoded page
    /// rewritten when its column turns out too distinct for a dictionary.
    func appendPlain(_ indices: [UInt32], to out: inout [UInt8]) {
        guard !indices.isEmpty else { return }
        arena.withUnsafeBytes { a in
            starts.withUnsafeBufferPointer { st in
                indices.withUnsafeBufferPointer { PlainEncoder.appendByteArrays(Self.base(a), st, gathering: $0, to: &out) }
            }
        }
    }

    /// The arena's address; an arena of only empty strings may have none, and then any non-null
    /// pointer serves since no byte is read.
    private static func base(_ a: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        a.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i &+ 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i &+= 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i &+= 1
    }
    return true
}

/// A fast non-cryptographic 64-bit hash of a byte range (8 bytes per step, multiply-xorshift mixing).
enum ByteHash {
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func hash(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(n)
        var i = 0
        while i &+ 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h = (h << 29) | (h >> 35)
            i &+= 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift &+= 8
                i &+= 1
            }
            h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        }
        return mix(h)
    }
}

/// Grows `out` by `n` slots (zeroed, to be overwritten), reserving geometrically: a column
/// writer's index buffer is kept across pages, so it soon stops growing.
@inline(__always)
func growForIndices(_ out: inout [UInt32], by n: Int) {
    let need = out.count + n
    if out.capacity < need { out.reserveCapacity(max(need, 2 * out.capacity)) }
    out.append(contentsOf: repeatElement(0, count: n))
}

/// The hash table size a dictionary starts with, given the values of its first slice: room
/// for them at half load (the tables double past that), between 16 and 1,024 slots. A fixed
/// 1,024 cost a 4 KiB fill per dictionary-encoded column chunk, which was 5% of the
/// instructions of a write of small partitions (a file per partition and dataset, each with
/// a few dozen dictionary columns of a handful of values). The indices do not depend on it.
@inline(__always)
func initialSlotCount(forFirst n: Int) -> Int {
    let want = max(16, min(1024, 2 * n))
    return want <= 16 ? 16 : 1 << (Int.bitWidth - (want - 1).leadingZeroBitCount)
}
