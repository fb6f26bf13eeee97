import OrderModel

/// One column of the rows a partition holds for its next row group, kept in the form the
/// Parquet writer takes: definition (and, for lists and maps, repetition) levels plus the
/// dense non-null values. Encoding a row group therefore hands these arrays over as they are.
///
/// Rows arrive as column slices of a batch (`append(_:rows:)`): one type switch per column
/// and batch, then a tight loop over the selected rows. A column that has only seen nulls
/// keeps a count instead of levels, so the many model fields a feed never fills cost
/// nothing per row.
struct PendingColumn {
    let kind: ColumnKind
    /// Top-level rows.
    private(set) var rows = 0
    /// Level entries: one per row for flat columns; for lists and maps one per element, or
    /// one for a null or empty row.
    private(set) var entries = 0
    /// Whether `defs` (and `reps`) hold every entry; before the first non-null row every
    /// entry is an implied 0 and no array is allocated.
    private(set) var materialized = false
    /// Flat: 1 present, 0 null. Lists/maps: 0 null, 1 empty, 2 element.
    private(set) var defs: [UInt8] = []
    /// Lists/maps: 0 at the first entry of a row, 1 after.
    private(set) var reps: [UInt8] = []
    private(set) var ints: [Int64] = []
    private(set) var int32s: [Int32] = []
    private(set) var bools: [Bool] = []
    /// Strings, list elements and map values: value i is `bytes[offsets[i]..<offsets[i+1]]`.
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [UInt32] = []
    /// Map keys, parallel to the values.
    private(set) var keyBytes: [UInt8] = []
    private(set) var keyOffsets: [UInt32] = []

    init(kind: ColumnKind) {
        self.kind = kind
    }

    var isNested: Bool { kind == .stringList || kind == .stringMap }

    private var hasBytes: Bool { kind == .string || isNested }

    /// Adds `n` null rows.
    mutating func appendNulls(_ n: Int) {
        rows += n
        entries += n
        guard materialized else { return }
        Self.extend(&defs, by: n)
        if isNested { Self.extend(&reps, by: n) }
    }

    private mutating func materialize() {
        guard !materialized else { return }
        materialized = true
        defs = []
        Self.extend(&defs, by: entries)
        if isNested {
            reps = []
            Self.extend(&reps, by: entries)
        }
        if hasBytes { offsets = [0] }
        if kind == .stringMap { keyOffsets = [0] }
    }

    /// Appends rows `sel` (in that order) of `col`, a column of the same kind.
    ///
    /// Each array grows once per call (`extend`), then the loops write through pointers: a
    /// per-value `Array.append` pays a uniqueness and capacity check per value, and this runs
    /// for every field of every routed row.
    mutating func append(_ col: Column, rows sel: UnsafeBufferPointer<Int32>) {
        col.withView { view in withUnsafePointer(to: view) { append($0, rows: sel) } }
    }

    /// `append(_:rows:)` with the column read through a view bound once per batch (the router
    /// binds every column of a batch before it scatters the rows): reading the `Column`'s
    /// arrays in place still retained each of them around every use, and those buffers are
    /// shared with the thread that built the batch, so each retain was an atomic on a cache
    /// line the other core had written (7.5% of the routing thread's samples with the
    /// fulfillment dataset on).
    mutating func append(_ col: UnsafePointer<ColumnView>, rows sel: UnsafeBufferPointer<Int32>) {
        let n = sel.count
        if n == 0 { return }
        if col.pointee.nullCount == col.pointee.count {
            appendNulls(n)
            return
        }
        materialize()
        rows += n
        appendPresent(col, sel)
    }

    /// `append(_:rows:)` for a column with values; the helpers take its validity (one flag per
    /// row of `col`) as a buffer.
    @inline(__always)
    private mutating func appendPresent(_ col: UnsafePointer<ColumnView>, _ sel: UnsafeBufferPointer<Int32>) {
        let valid = UnsafeBufferPointer(start: col.pointee.valid, count: col.pointee.count)
        let n = sel.count
        switch kind {
        case .string:
            entries += n
            let d0 = defs.count
            Self.extend(&defs, by: n)
            let allValid = col.pointee.nullCount == 0
            let present = defs.withUnsafeMutableBufferPointer { Self.fillDefs($0, from: d0, valid, sel, allValid: allValid) }
            Self.copyStrings(col.pointee.bytes, col.pointee.offsets, valid, allValid: allValid, sel, present, into: &bytes, &offsets)
        case .int64, .decimal, .timestamp:
            entries += n
            Self.gather(col, valid, sel, into: &ints, defs: &defs, zero: 0) { $0 }
        case .int32, .date:
            entries += n
            Self.gather(col, valid, sel, into: &int32s, defs: &defs, zero: 0) { Int32(truncatingIfNeeded: $0) }
        case .bool:
            entries += n
            Self.gather(col, valid, sel, into: &bools, defs: &defs, zero: false) { $0 != 0 }
        case .stringList, .stringMap:
            appendNested(col, valid, sel)
        }
    }

    /// Grows `a` by `k` zeroed elements.
    @inline(__always)
    private static func extend<T: FixedWidthInteger>(_ a: inout [T], by k: Int) {
        guard k > 0 else { return }
        reserve(&a, k)
        a.append(contentsOf: repeatElement(0, count: k))
    }

    /// Makes room for `k` more elements, doubling when full. Never reserves the exact size,
    /// which would reallocate on every call.
    ///
    /// Doubling, not growing by half (as these buffers did until 2026-11-29): a partition's
    /// buffers were then freed at every spill and grew again from 16, so on shuffled input the
    /// routing thread spent about a fifth of its time in the growth (copies, `malloc`/`free`,
    /// fresh pages). Spills now keep most buffers (`removeAllKeepingCapacity`). The budget
    /// charges capacities, so doubling holds somewhat less row data per budget, yet it measured
    /// lower peak memory (TPC-H scale 1 flat: 209-214 MiB against 229-244 MiB, fewer buffers
    /// alive twice during a growth) and 0.65% fewer instructions (callgrind, 0.1 flat: `memcpy`
    /// -17%).
    @inline(__always)
    private static func reserve<T>(_ a: inout [T], _ k: Int) {
        let need = a.count + k
        if a.capacity < need { a.reserveCapacity(grownCapacity(need)) }
    }

    /// The capacity an array grows to for `n` elements: 16, or the power of two that holds
    /// them. A function of the count alone, so the memory the budget charges (`heapBytes`)
    /// does not depend on how the rows arrived (in how many appends), and neither do the
    /// writer's decisions.
    @inline(__always)
    static func grownCapacity(_ n: Int) -> Int {
        n <= 16 ? 16 : 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount)
    }

    /// Sets `dd[from + j]` to 1 for each selected row that holds a value (the slots were
    /// appended as 0); returns how many do.
    @inline(__always)
    private static func fillDefs(
        _ dd: UnsafeMutableBufferPointer<UInt8>, from d0: Int, _ valid: UnsafeBufferPointer<Bool>,
        _ sel: UnsafeBufferPointer<Int32>, allValid: Bool
    ) -> Int {
        if allValid {
            UnsafeMutableBufferPointer(rebasing: dd[d0..<(d0 + sel.count)]).update(repeating: 1)
            return sel.count
        }
        var present = 0
        for (j, r32) in sel.enumerated() where valid[Int(r32)] {
            dd[d0 + j] = 1
            present += 1
        }
        return present
    }

    /// Appends the definition levels of the selected rows and the values of those that hold
    /// one, converted by `convert`, into `values`. The values grow once (by `zero`s), then one
    /// loop writes through pointers: appending a lazily mapped selection went through the
    /// generic sequence path, about ten times the instructions per value.
    @inline(__always)
    private static func gather<T>(
        _ col: UnsafePointer<ColumnView>, _ valid: UnsafeBufferPointer<Bool>, _ sel: UnsafeBufferPointer<Int32>, into values: inout [T],
        defs: inout [UInt8], zero: T, _ convert: (Int64) -> T
    ) {
        let d0 = defs.count
        extend(&defs, by: sel.count)
        let allValid = col.pointee.nullCount == 0
        let present = defs.withUnsafeMutableBufferPointer { fillDefs($0, from: d0, valid, sel, allValid: allValid) }
        guard present > 0 else { return }
        let v0 = values.count
        reserve(&values, present)
        values.append(contentsOf: repeatElement(zero, count: present))
        let v = col.pointee.ints
        values.withUnsafeMutableBufferPointer { out in
            // In bounds: `present` counted the valid rows of this same selection.
            var k = v0
            if allValid {
                for r32 in sel {
                    out[k] = convert(v[Int(r32)])
                    k &+= 1
                }
            } else {
                for r32 in sel where valid[Int(r32)] {
                    out[k] = convert(v[Int(r32)])
                    k &+= 1
                }
            }
        }
    }

    /// Lists and maps: a first pass counts the level entries, elements and bytes of the
    /// selection, the arrays grow once, then one pass fills the levels and one per arena copies
    /// each row's elements (contiguous in the source) with one memcpy.
    private mutating func appendNested(_ col: UnsafePointer<ColumnView>, _ valid: UnsafeBufferPointer<Bool>, _ sel: UnsafeBufferPointer<Int32>) {
        let isMap = kind == .stringMap
        let ro = col.pointee.rowOffsets
        var levels = 0
        var elements = 0
        for r32 in sel {
            let r = Int(r32)
            let count = valid[r] ? Int(ro[r + 1] &- ro[r]) : 0
            levels += Swift.max(count, 1)
            elements += count
        }
        let l0 = defs.count
        Self.extend(&defs, by: levels)
        Self.extend(&reps, by: levels)
        defs.withUnsafeMutableBufferPointer { dd in
            reps.withUnsafeMutableBufferPointer { rr in
                // Slots start as (def 0, rep 0), a null row; in bounds: `levels` counted them.
                var k = l0
                for r32 in sel {
                    let r = Int(r32)
                    let count = valid[r] ? Int(ro[r + 1] &- ro[r]) : 0
                    if count == 0 {
                        if valid[r] { dd[k] = 1 }
                        k += 1
                        continue
                    }
                    dd[k] = 2
                    for j in 1..<count {
                        dd[k + j] = 2
                        rr[k + j] = 1
                    }
                    k += count
                }
            }
        }
        entries += levels
        Self.copyElements(col.pointee.bytes, col.pointee.offsets, rowOffsets: ro, valid, sel, elements, into: &bytes, &offsets)
        if isMap {
            Self.copyElements(col.pointee.keyBytes, col.pointee.keyOffsets, rowOffsets: ro, valid, sel, elements, into: &keyBytes, &keyOffsets)
        }
    }

    /// `copyElements` for a flat string column (one string per row), in a loop without the
    /// per-row element ranges of lists and maps: it runs for every routed string field, and the
    /// general loop cost about five times the instructions of the copy itself per value.
    private static func copyStrings(
        _ srcBytes: UnsafePointer<UInt8>, _ off: UnsafePointer<UInt32>, _ valid: UnsafeBufferPointer<Bool>, allValid: Bool,
        _ sel: UnsafeBufferPointer<Int32>, _ present: Int, into bytes: inout [UInt8], _ offsets: inout [UInt32]
    ) {
        guard present > 0 else { return }
        var total = 0
        for r32 in sel {
            let r = Int(r32)
            if allValid || valid[r] { total &+= Int(off[r &+ 1] &- off[r]) }
        }
        growArena(srcBytes, by: total, present, into: &bytes, &offsets) { src, dst, od, b0, o0 in
            var p = b0
            var k = o0
            for r32 in sel {
                let r = Int(r32)
                if !allValid && !valid[r] { continue }
                let a = Int(off[r])
                let len = Int(off[r &+ 1]) &- a
                copyBytes(dst + p, src + a, len)
                p &+= len
                od[k] = UInt32(truncatingIfNeeded: p)
                k &+= 1
            }
        }
    }

    /// Grows `bytes` by `total` and `offsets` by `count` (zeroed), then calls `fill` with the
    /// source arena, the destination arena and offsets, and where the new bytes and offsets
    /// start, for it to write them (`total` and `count` were counted over the values it copies,
    /// so its writes stay in bounds). An empty arena may have no address; then no byte is
    /// copied, and any non-null pointer serves.
    @inline(__always)
    private static func growArena(
        _ srcBytes: UnsafePointer<UInt8>, by total: Int, _ count: Int, into bytes: inout [UInt8], _ offsets: inout [UInt32],
        _ fill: (UnsafeRawPointer, UnsafeMutableRawPointer, UnsafeMutableBufferPointer<UInt32>, Int, Int) -> Void
    ) {
        let b0 = bytes.count
        let o0 = offsets.count
        extend(&bytes, by: total)
        extend(&offsets, by: count)
        bytes.withUnsafeMutableBytes { dst in
            offsets.withUnsafeMutableBufferPointer { od in
                let none = UnsafeMutableRawPointer(bitPattern: 1)!
                fill(UnsafeRawPointer(srcBytes), dst.baseAddress ?? none, od, b0, o0)
            }
        }
    }

    /// Appends the list or map elements (values or keys) of the selected valid rows to an arena,
    /// `rowOffsets` giving each row's elements (`copyStrings` does flat strings). The arrays
    /// grow once, then each row's bytes (contiguous in the source) are one memcpy.
    private static func copyElements(
        _ srcBytes: UnsafePointer<UInt8>, _ off: UnsafePointer<UInt32>, rowOffsets ro: UnsafePointer<UInt32>,
        _ valid: UnsafeBufferPointer<Bool>, _ sel: UnsafeBufferPointer<Int32>, _ elements: Int,
        into bytes: inout [UInt8], _ offsets: inout [UInt32]
    ) {
        guard elements > 0 else { return }
        @inline(__always) func span(_ r: Int) -> Range<Int> { Int(ro[r])..<Int(ro[r + 1]) }
        var total = 0
        for r32 in sel where valid[Int(r32)] {
            let e = span(Int(r32))
            total += Int(off[e.upperBound] &- off[e.lowerBound])
        }
        growArena(srcBytes, by: total, elements, into: &bytes, &offsets) { src, dst, od, b0, o0 in
            var p = b0
            var k = o0
            for r32 in sel where valid[Int(r32)] {
                let e = span(Int(r32))
                if e.isEmpty { continue }
                let a = Int(off[e.lowerBound])
                let len = Int(off[e.upperBound]) - a
                copyBytes(dst + p, src + a, len)
                for i in e {
                    od[k] = UInt32(p + Int(off[i + 1]) - a)
                    k += 1
                }
                p += len
            }
        }
    }

    /// Appends every row of `other` (a column of the same kind).
    mutating func append(contentsOf other: PendingColumn) {
        guard other.materialized else {
            appendNulls(other.rows)
            return
        }
        materialize()
        rows += other.rows
        entries += other.entries
        defs.append(contentsOf: other.defs)
        reps.append(contentsOf: other.reps)
        ints.append(contentsOf: other.ints)
        int32s.append(contentsOf: other.int32s)
        bools.append(contentsOf: other.bools)
        Self.appendStrings(other.bytes, other.offsets, 0..<max(0, other.offsets.count - 1), to: &bytes, &offsets)
        Self.appendStrings(other.keyBytes, other.keyOffsets, 0..<max(0, other.keyOffsets.count - 1), to: &keyBytes, &keyOffsets)
    }

    /// Appends strings `values` of an arena (value i: `b[o[i]..<o[i+1]]`) to `bytes`, with their
    /// end offsets rebased onto it.
    static func appendStrings(_ b: [UInt8], _ o: [UInt32], _ values: Range<Int>, to bytes: inout [UInt8], _ offsets: inout [UInt32]) {
        guard !values.isEmpty else { return }
        let from = Int(o[values.lowerBound])
        let shift = Int64(bytes.count) - Int64(from)
        bytes.append(contentsOf: b[from..<Int(o[values.upperBound])])
        o.withUnsafeBufferPointer { p in
            for k in values.lowerBound + 1...values.upperBound { offsets.append(UInt32(Int64(p[k]) + shift)) }
        }
    }

    /// Bytes of memory held (capacities), for the memory budget.
    /// Counted from the element counts (`grownCapacity`), not the arrays' capacities, which
    /// depend on the history of appends; after `removeAllKeepingCapacity`, from the counts the
    /// arrays had reached when they were emptied, until they pass them.
    var heapBytes: Int {
        @inline(__always) func held(_ n: Int, _ kept: Int32, _ width: Int) -> Int {
            let c = n == 0 ? 0 : Self.grownCapacity(n)
            return Swift.max(c, Int(kept)) * width
        }
        return held(defs.count, kept.defs, 1) + held(reps.count, kept.reps, 1) + held(ints.count, kept.ints, 8)
            + held(int32s.count, kept.int32s, 4) + held(bools.count, kept.bools, 1) + held(bytes.count, kept.bytes, 1)
            + held(offsets.count, kept.offsets, 4) + held(keyBytes.count, kept.keyBytes, 1)
            + held(keyOffsets.count, kept.keyOffsets, 4)
    }

    /// The element capacities charged for arrays emptied by `removeAllKeepingCapacity`
    /// (`grownCapacity` of the counts they had), so that memory kept for the next rows is
    /// still charged to the budget.
    private struct KeptCapacity {
        var defs: Int32 = 0, reps: Int32 = 0, ints: Int32 = 0, int32s: Int32 = 0, bools: Int32 = 0
        var bytes: Int32 = 0, offsets: Int32 = 0, keyBytes: Int32 = 0, keyOffsets: Int32 = 0
    }
    private var kept = KeptCapacity()

    /// Drops every row but keeps the arrays' memory for the next ones: a partition whose rows
    /// went to the spill file fills the same buffers again instead of growing new ones from
    /// 16 elements (see `PartitionedWriter.spillAll`). The column stays materialized: later
    /// null rows are written as levels, which encodes the same as a column that was never set.
    mutating func removeAllKeepingCapacity() {
        @inline(__always) func keep<T>(_ a: inout [T], _ k: inout Int32) {
            if !a.isEmpty { k = Swift.max(k, Int32(clamping: Self.grownCapacity(a.count))) }
            a.removeAll(keepingCapacity: true)
        }
        keep(&defs, &kept.defs)
        keep(&reps, &kept.reps)
        keep(&ints, &kept.ints)
        keep(&int32s, &kept.int32s)
        keep(&bools, &kept.bools)
        keep(&bytes, &kept.bytes)
        keep(&offsets, &kept.offsets)
        keep(&keyBytes, &kept.keyBytes)
        keep(&keyOffsets, &kept.keyOffsets)
        rows = 0
        entries = 0
        if materialized {
            if hasBytes { offsets.append(0) }
            if kind == .stringMap { keyOffsets.append(0) }
        }
    }

    /// Bytes of row data held (counts), for row-group thresholds.
    var dataBytes: Int {
        defs.count + reps.count + ints.count * 8 + int32s.count * 4 + bools.count + bytes.count + offsets.count * 4
            + keyBytes.count + keyOffsets.count * 4
    }

    /// The string value of flat row `row`, or nil when null (tests and rejects; scans the levels).
    func string(_ row: Int) -> String? {
        guard kind == .string, materialized, defs[row] == 1 else { return nil }
        var i = 0
        for r in 0..<row where defs[r] == 1 { i += 1 }
        return String(decoding: bytes[Int(offsets[i])..<Int(offsets[i + 1])], as: UTF8.self)
    }
}

// MARK: Spill form

extension PendingColumn {
    /// Appends the column to `out`: counts, a mask of the non-empty arrays, then each of those
    /// in its spill form (`SpillCoding`). Spilled segments of many small partitions are mostly
    /// these headers, so empty arrays cost one bit. A string arena and its offsets go together
    /// (the offsets' bit), and are there whenever the offsets are.
    func serialize(into out: inout [UInt8]) {
        SpillCoding.put(Int64(rows), &out)
        SpillCoding.put(Int64(entries), &out)
        guard materialized else {
            out.append(0)
            return
        }
        out.append(1)
        // Which arrays follow (bit i: the i-th below), without an array literal per column.
        var mask: UInt16 = 0
        if !defs.isEmpty { mask |= 1 }
        if !reps.isEmpty { mask |= 2 }
        if !ints.isEmpty { mask |= 4 }
        if !int32s.isEmpty { mask |= 8 }
        if !bools.isEmpty { mask |= 16 }
        if !offsets.isEmpty { mask |= 32 }
        if !keyOffsets.isEmpty { mask |= 64 }
        withUnsafeBytes(of: mask.littleEndian) { out.append(contentsOf: $0) }
        if mask & 1 != 0 { SpillCoding.putLevels(defs, &out) }
        if mask & 2 != 0 { SpillCoding.putLevels(reps, &out) }
        if mask & 4 != 0 { SpillCoding.putInts(ints, &out) }
        if mask & 8 != 0 { SpillCoding.putInts(int32s, &out) }
        if mask & 16 != 0 { SpillCoding.put(bools, &out) }
        if mask & 32 != 0 { SpillCoding.putStrings(bytes, offsets, &out) }
        if mask & 64 != 0 { SpillCoding.putStrings(keyBytes, keyOffsets, &out) }
    }

    /// Reads a column written by `serialize` at `p` and appends its rows, decoding straight
    /// into this column's arrays (a partition's segments are appended one after the other when
    /// it writes; decoding each into a column of its own and appending that copied them twice).
    mutating func appendSerialized(_ raw: UnsafeRawBufferPointer, _ p: inout Int) {
        let segmentRows = Int(SpillCoding.get(raw, &p) as Int64)
        let segmentEntries = Int(SpillCoding.get(raw, &p) as Int64)
        let hasValues = raw[p] == 1
        p += 1
        guard hasValues else {
            appendNulls(segmentRows)
            return
        }
        materialize()
        rows += segmentRows
        entries += segmentEntries
        let mask = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt16.self))
        p += 2
        if mask & 1 != 0 { SpillCoding.getLevels(raw, &p, into: &defs) }
        if mask & 2 != 0 { SpillCoding.getLevels(raw, &p, into: &reps) }
        if mask & 4 != 0 { SpillCoding.getInts(raw, &p, into: &ints) }
        if mask & 8 != 0 { SpillCoding.getInts(raw, &p, into: &int32s) }
        if mask & 16 != 0 { bools.append(contentsOf: SpillCoding.get(raw, &p) as [Bool]) }
        if mask & 32 != 0 { SpillCoding.getStrings(raw, &p, bytes: &bytes, offsets: &offsets) }
        if mask & 64 != 0 { SpillCoding.getStrings(raw, &p, bytes: &keyBytes, offsets: &keyOffsets) }
    }
}
