/// Dictionary of fixed-width values: open addressing over the values' bit patterns, no per-value allocation.
struct FixedDictionary<T: ParquetFixedValue> {
    /// Appends the index of each value (one call per slice, so a column writer's stored
    /// dictionary and indices are exclusivity-checked once per slice, not per value).
    mutating func appendIndices(_ values: UnsafeBufferPointer<T>, to out: inout [UInt32]) {
        if slots.isEmpty { allocateSlots(for: values.count) }
        for x in values { out.append(index(of: x)) }
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

    /// Index of `v`, inserting it if new.
    @inline(__always)
    mutating func index(of v: T) -> UInt32 {
        let b = v.bits
        var s = Self.hash(b) & mask
        while true {
            let e = slots[s]
            if e < 0 { break }
            if values[Int(e)].bits == b { return UInt32(e) }
            s = (s &+ 1) & mask
        }
        let idx = values.count
        values.append(v)
        slots[s] = Int32(idx)
        if values.count * 2 > slots.count { grow() }
        return UInt32(idx)
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
