/// The sizes of a batch's arrays, to start a new batch at them instead of empty
/// (`OrderBatch.reserveCapacity`): the chunked reader starts each chunk's k-th batch at the
/// sizes of the previous chunk's k-th.
///
/// Why: a new batch's ~150 columns grow from nothing to a batch's size, each array by
/// repeated doubling, every step an allocation and a copy of what it held. At TPC-H 0.1
/// (flat `run`, callgrind) those copies were about 1.3% of all instructions. Sized like a
/// batch before it, a new batch is one allocation per array. Keeping spent batches for reuse
/// instead saved as much, but the spare batches raised the peak RSS by 20-30 MiB (past the
/// 256 MiB target at TPC-H scale 1); sized batches hold no memory between batches.
public struct BatchCapacity: Sendable {
    var orders: [Column.Capacity]
    var lines: [Column.Capacity]
    var orderRows: Int
    var lineRows: Int

    /// The sizes `batch` holds (its counts, not its allocations: the next batch of a feed is
    /// much like the last).
    public init(of batch: OrderBatch) {
        orders = batch.orders.columns.map(\.capacity)
        lines = batch.lines.columns.map(\.capacity)
        orderRows = batch.orders.rowCount
        lineRows = batch.lines.rowCount
    }
}

extension Column {
    /// The element counts of a column's arrays.
    struct Capacity: Sendable {
        var ints = 0, validity = 0, bytes = 0, offsets = 0, rowOffsets = 0, keyBytes = 0, keyOffsets = 0
    }

    /// A column left all null is sized by the padding that fills it in one append (a batch of a
    /// feed leaves most of the ~150 columns so): no room is reserved for it.
    var capacity: Capacity {
        if nullCount == count { return Capacity() }
        return Capacity(ints: ints.count, validity: validity.count, bytes: bytes.count, offsets: offsets.count,
                 rowOffsets: rowOffsets.count, keyBytes: keyBytes.count, keyOffsets: keyOffsets.count)
    }

    /// Makes room for `c` and a quarter more (arrays already that large are left alone). The
    /// quarter: batches of a fixed number of orders vary in lines and bytes, and one element
    /// past an exact reservation would copy the whole array into one twice its size.
    mutating func reserveCapacity(_ c: Capacity) {
        @inline(__always) func room(_ n: Int) -> Int { n + n / 4 }
        if room(c.ints) > ints.capacity { ints.reserveCapacity(room(c.ints)) }
        if room(c.validity) > validity.capacity { validity.reserveCapacity(room(c.validity)) }
        if room(c.bytes) > bytes.capacity { bytes.reserveCapacity(room(c.bytes)) }
        if room(c.offsets) > offsets.capacity { offsets.reserveCapacity(room(c.offsets)) }
        if room(c.rowOffsets) > rowOffsets.capacity { rowOffsets.reserveCapacity(room(c.rowOffsets)) }
        if room(c.keyBytes) > keyBytes.capacity { keyBytes.reserveCapacity(room(c.keyBytes)) }
        if room(c.keyOffsets) > keyOffsets.capacity { keyOffsets.reserveCapacity(room(c.keyOffsets)) }
    }
}

extension OrderBatch {
    /// Makes room in every array for what `capacity` describes (see `BatchCapacity`).
    public mutating func reserveCapacity(_ capacity: BatchCapacity) {
        orders.reserveColumns(capacity.orders)
        lines.reserveColumns(capacity.lines)
        reserveRows(orders: capacity.orderRows, lines: capacity.lineRows)
    }
}

extension ColumnTable {
    mutating func reserveColumns(_ capacity: [Column.Capacity]) {
        guard capacity.count == columns.count else { return }  // another schema: nothing to go by
        for c in columns.indices { columns[c].reserveCapacity(capacity[c]) }
    }
}
