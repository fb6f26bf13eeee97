/// Dictionary of fixed-width values: open addressing over the values' bit patterns, no per-value allocation.
struct FixedDictionary<T: ParquetFixedValue> {
    /// Appends the index of each value (one call per slice, so a column writer's stored
    /// dictionary and indices are exclusivity-checked once per slice, not per value). As in
    /// `ByteDictionary.appendIndices`, `out` grows once and values already in the dictionary
    /// are looked up through pointers; a new value is inserted where its probe ended.
    mutating func appendIndices(_ values: UnsafeBufferPointer<T>, to out: inout [UInt32]) {
        guard !values.isEmpty else { return }
        if slots.isEmpty { allocateSlots(for: values.count) }
        let o0 = out.count
        growForIndices(&out, by: values.count)
        out.withUnsafeMutableBufferPointer { dst in
            var k = 0
            var w = o0
            var slot = 0
            while true {
                k = indicesOfKnown(values, from: k, into: dst, at: &w, missSlot: &slot)
                if k == values.count { break }
                dst[w] = insert(values[k], slot: slot)
                w += 1
                k += 1
            }
        }
    }

    /// Writes the indices of `values[from...]` to `dst[w...]` while each is already in the
    /// dictionary; returns the position of the first that is not (or the end), with the empty
    /// slot its probe ended on in `missSlot`.
    @inline(__always)
    private func indicesOfKnown(
        _ values: UnsafeBufferPointer<T>, from: Int, into dst: UnsafeMutableBufferPointer<UInt32>, at w: inout Int,
        missSlot: inout Int
    ) -> Int {
        let mask = self.mask
        return self.values.withUnsafeBufferPointer { vs in
            slots.withUnsafeBufferPointer { sl in
                var k = from
                while k < values.count {
                    let (found, slot) = Self.probe(values[k].bits, mask, vs, sl)
                    if found < 0 {
                        missSlot = slot
                        return k
                    }
                    dst[w] = UInt32(found)
                    w &+= 1
                    k &+= 1
                }
                return k
            }
        }
    }

    private(set) var values: [T] = []
    /// Empty until the first value: most columns of a wide model are null in a given feed, and
    /// every column of every file would otherwise allocate and fill a table it never uses.
    private var slots: [Int32] = []
    private var mask = 0

    /// A table for about `n` first values (see `initialSlotCount`).
    private mutating func allocateSlots(for n: Int) {
        let size = initialSlotCount(forFirst: n)
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { values.count }
    /// Size of the PLAIN dictionary page body.
    var plainSize: Int { values.count * T.byteWidth }

    mutating func reset() {
        guard !values.isEmpty else { return }
        values.removeAll(keepingCapacity: true)
        slots = []
    }

    @inline(__always)
    private static func hash(_ b: UInt64) -> Int {
        // Fibonacci hashing: one multiply spreads sequential ids over the table.
        Int(truncatingIfNeeded: (b &* 0x9E37_79B9_7F4A_7C15) >> 20)
    }

    /// Adds `v` (not in the dictionary) at `slot`, the empty slot its probe ended on; returns
    /// its index.
    @inline(__always)
    private mutating func insert(_ v: T, slot s: Int) -> UInt32 {
        let idx = values.count
        values.append(v)
        slots[s] = Int32(idx)
        if values.count * 2 > slots.count { grow() }
        return UInt32(idx)
    }

    /// The entry holding the bit pattern `b` and its slot, or entry -1 and the empty slot where
    /// it would go (linear probing).
    @inline(__always)
    private static func probe(
        _ b: UInt64, _ mask: Int, _ values: UnsafeBufferPointer<T>, _ slots: UnsafeBufferPointer<Int32>
    ) -> (entry: Int, slot: Int) {
        var s = hash(b) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { return (-1, s) }
            if values[e].bits == b { return (e, s) }
            s = (s &+ 1) & mask
        }
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        for (i, v) in values.enumerated() {
            var s = Self.hash(v.bits) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(i)
        }
    }

    /// PLAIN body of the dictionary page.
    func plainBody(into out: inout [UInt8]) {
        values.withUnsafeBytes { out.append(contentsOf: $0) }
    }
}
