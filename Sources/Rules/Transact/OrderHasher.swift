import CXXHash
import OrderModel

/// Hashes orders for dedup: the key is the first half of SHA-256 over `order_id`
/// (`source:external_order_id`), the content hash covers every order and line field except
/// lineage (batch, file, member, line) and what `transact` itself writes (hold codes, rule
/// results, PII hashes), so the same order read from another file or re-run is a duplicate.
///
/// Content is serialised column by column for the whole batch into one arena (each row's
/// bytes in its own segment), then hashed row by row: reading a column row by row would copy
/// the column struct (and retain its arrays) once per field, which dominated the profile.
/// Each value is a presence byte, then the value (8 bytes for numbers; an 8-byte length and
/// the bytes for text; an element count and length-prefixed elements for lists and maps), so
/// adjacent fields cannot run together.
///
/// The content hash is XXH3-128 of those bytes (state format 2, docs/rules.md section 4). It
/// was the first half of SHA-256 until 2026-11-29, which was about a quarter of the transact
/// thread (hashing a kilobyte or two per order) for a job that needs no resistance to crafted
/// collisions: a payload that collided with another version of the same order on purpose
/// could only make its own conflicting update count as a duplicate, and whoever sends the feed
/// controls its updates anyway. The key keeps SHA-256: it names the order in the state, and
/// states written before cannot be re-keyed. `legacyContent` still computes the SHA-256 form,
/// to compare with entries of a state written in format 1.
final class OrderHasher {
    private let sha = SHA256()
    /// XXH3's streaming state, made once (the order's bytes and its lines' lie in two arenas).
    private let xxh: OpaquePointer
    private let orderColumns: [Int]
    /// Every line field but `order_id` (it repeats the order's) and `child_order_id` (the
    /// fulfillment plan's output, appended in model version 4: left out, the content hash of
    /// an order is what version 3 computed, so states written before still match).
    private let lineColumns = OrderSchema.lineFields.indices.filter { $0 != LineField.orderId && $0 != LineField.childOrderId }
    private var orderArena: [UInt8] = []
    private var lineArena: [UInt8] = []
    private var orderOffsets: [Int] = []
    private var lineOffsets: [Int] = []

    init() {
        let skip: Set<String> = [
            "batch_id", "source_file", "source_member", "source_line", "hold_codes", "rule_results",
            "consignee_phone_hash", "consignee_email_hash",
        ]
        orderColumns = OrderSchema.orderFields.indices.filter { !skip.contains(OrderSchema.orderFields[$0].name) }
        // Allocation fails only when memory is exhausted.
        xxh = XXH3_createState()!
    }

    deinit { XXH3_freeState(xxh) }

    /// The keys of every order of `batch`, appended to `out`. The `order_id` column is bound
    /// once per batch: bound per order (`let col = columns[...]`), the copy retained and
    /// released each of its arrays for every order.
    func keys(_ batch: OrderBatch, into out: inout [Digest128]) {
        let col = batch.orders.columns[OrderField.orderId]
        col.bytes.withUnsafeBytes { bytes in
            for row in 0..<batch.count {
                sha.reset()
                if !col.isNull(row) { sha.update(UnsafeRawBufferPointer(rebasing: bytes[col.range(row)])) }
                out.append(sha.finish128())
            }
        }
    }

    /// The content hash of every order of `batch`. Keeps the batch's serialised bytes until the
    /// next call, for `legacyContent`.
    func contents(_ batch: OrderBatch) -> [Digest128] {
        // Line order_id repeats the order's: skipped.
        Self.serialize(batch.orders, columns: orderColumns, arena: &orderArena, offsets: &orderOffsets)
        Self.serialize(batch.lines, columns: lineColumns, arena: &lineArena, offsets: &lineOffsets)
        var out: [Digest128] = []
        out.reserveCapacity(batch.count)
        orderArena.withUnsafeBytes { oa in
            lineArena.withUnsafeBytes { la in
                for r in 0..<batch.count {
                    let (order, lines) = segments(batch, r)
                    XXH3_128bits_reset(xxh)
                    XXH3_128bits_update(xxh, oa.baseAddress! + order.lowerBound, order.count)
                    if !lines.isEmpty { XXH3_128bits_update(xxh, la.baseAddress! + lines.lowerBound, lines.count) }
                    let h = XXH3_128bits_digest(xxh)
                    out.append(Digest128(hi: h.high64, lo: h.low64))
                }
            }
        }
        return out
    }

    /// The content hash of order `row` of `batch` as state format 1 stored it (the first half
    /// of SHA-256 over the same bytes), to compare with an entry of a state written before
    /// format 2. Only after `contents(batch)` for the same batch.
    func legacyContent(_ batch: OrderBatch, row r: Int) -> Digest128 {
        orderArena.withUnsafeBytes { oa in
            lineArena.withUnsafeBytes { la in
                let (order, lines) = segments(batch, r)
                sha.reset()
                sha.update(UnsafeRawBufferPointer(rebasing: oa[order]))
                sha.update(UnsafeRawBufferPointer(rebasing: la[lines]))
                return sha.finish128()
            }
        }
    }

    /// Where order `r`'s content lies after `serialize`: its own bytes in the order arena and
    /// its lines' bytes in the line arena (both forms of the hash cover the two in that order).
    @inline(__always)
    private func segments(_ batch: OrderBatch, _ r: Int) -> (order: Range<Int>, lines: Range<Int>) {
        let l = batch.lineRange(r)
        return (orderOffsets[r]..<orderOffsets[r + 1], lineOffsets[l.lowerBound]..<lineOffsets[l.upperBound])
    }

    /// How `serialize` lays a column out for a batch of `n` rows, decided once so that its
    /// two passes (sizes, then bytes) agree.
    private enum Layout {
        /// Null in every row: the presence byte 0 alone, already in the zeroed arena.
        case absent
        /// A number in every row: the presence byte 1 and 8 bytes.
        case dense
        /// Anything else: row by row (`size`, `write`).
        case perRow

        init(_ col: Column, rows n: Int) {
            if col.nullCount == n {
                self = .absent
            } else if col.kind.isNumeric && col.nullCount == 0 {
                self = .dense
            } else {
                self = .perRow
            }
        }
    }

    /// Lays out the rows of `table` (only `columns`) one after another in `arena`; row `r`'s
    /// bytes are `offsets[r]..<offsets[r + 1]`.
    ///
    /// Two kinds of column take no per-value work: a column null in every row of the batch
    /// (most of the model's fields in a given feed) is its presence byte 0, which the zeroed
    /// arena already holds, so a run of them only moves each row's cursor, once for the run;
    /// a number column without nulls is 9 bytes a row, written from its values in one loop.
    /// Per column and row through `Column`'s accessors, the layout was about a third of the
    /// transact thread's samples once SHA-256 had gone.
    private static func serialize(_ table: ColumnTable, columns: [Int], arena: inout [UInt8], offsets: inout [Int]) {
        let n = table.rowCount
        offsets.removeAll(keepingCapacity: true)
        offsets.append(contentsOf: repeatElement(0, count: n + 1))
        // Through buffer pointers: an array updated in place per value checks its uniqueness
        // on every write, which cost as much as the sizes themselves.
        offsets.withUnsafeMutableBufferPointer { off in
            var fixed = 0  // bytes every row takes in the columns of fixed size (all-null, dense numbers)
            for c in columns {
                let col = table.columns[c]  // one copy per column per batch
                switch Layout(col, rows: n) {
                case .absent: fixed += 1
                case .dense: fixed += 9
                case .perRow: for r in 0..<n { off[r + 1] += size(col, r) }
                }
            }
            for r in 0..<n { off[r + 1] += off[r] + fixed }
        }
        arena.removeAll(keepingCapacity: true)
        arena.append(contentsOf: repeatElement(0, count: offsets[n]))
        var cursor = Array(offsets[0..<n])
        arena.withUnsafeMutableBytes { a in
            cursor.withUnsafeMutableBufferPointer { at in
                var skip = 0  // all-null columns passed since the cursors last moved
                for c in columns {
                    let col = table.columns[c]
                    let layout = Layout(col, rows: n)
                    if layout == .absent {
                        skip += 1
                        continue
                    }
                    if skip > 0 {
                        for r in 0..<n { at[r] += skip }
                        skip = 0
                    }
                    if layout == .dense {
                        col.ints.withUnsafeBufferPointer { v in
                            for r in 0..<n {
                                let p = at[r]
                                a[p] = 1
                                a.storeBytes(of: v[r].littleEndian, toByteOffset: p + 1, as: Int64.self)
                                at[r] = p + 9
                            }
                        }
                        continue
                    }
                    col.bytes.withUnsafeBytes { vb in
                        col.keyBytes.withUnsafeBytes { kb in
                            for r in 0..<n { write(col, r, vb, kb, a, &at[r]) }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func size(_ col: Column, _ r: Int) -> Int {
        if col.isNull(r) { return 1 }
        switch col.kind {
        case .string: return 9 + col.range(r).count
        case .stringList, .stringMap:
            var s = 9
            for e in col.elements(r) {
                s += 8 + col.elementRange(e).count
                if col.kind == .stringMap { s += 8 + col.keyRange(e).count }
            }
            return s
        default: return 9
        }
    }

    @inline(__always)
    private static func put(_ v: Int64, _ a: UnsafeMutableRawBufferPointer, _ at: inout Int) {
        a.storeBytes(of: v.littleEndian, toByteOffset: at, as: Int64.self)
        at += 8
    }

    @inline(__always)
    private static func put(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ a: UnsafeMutableRawBufferPointer, _ at: inout Int) {
        put(Int64(range.count), a, &at)
        if !range.isEmpty { copyBytes(a.baseAddress! + at, bytes.baseAddress! + range.lowerBound, range.count) }
        at += range.count
    }

    private static func write(
        _ col: Column, _ r: Int, _ vb: UnsafeRawBufferPointer, _ kb: UnsafeRawBufferPointer,
        _ a: UnsafeMutableRawBufferPointer, _ at: inout Int
    ) {
        if col.isNull(r) {
            a[at] = 0
            at += 1
            return
        }
        a[at] = 1
        at += 1
        switch col.kind {
        case .string:
            put(vb, col.range(r), a, &at)
        case .stringList, .stringMap:
            let elements = col.elements(r)
            put(Int64(elements.count), a, &at)
            for e in elements {
                if col.kind == .stringMap { put(kb, col.keyRange(e), a, &at) }
                put(vb, col.elementRange(e), a, &at)
            }
        default:
            put(col.int(r), a, &at)
        }
    }
}
