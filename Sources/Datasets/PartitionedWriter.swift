import OrderModel
#if canImport(Glibc)
import Glibc
#endif

/// Routes orders to partitions and partitions to data files under two hard limits: the bytes
/// of rows waiting for a row group (`memoryBudget`) and the number of open files
/// (`maxOpenFiles`), whatever the number of partitions and the order of the input.
///
/// - A batch is routed in one pass (a partition per order), then each partition present in
///   it takes its rows column by column into its `PendingTable`s (orders and lines).
/// - A partition whose rows reach the row-group threshold writes a row group.
/// - When all partitions together pass the row budget, the largest is written first while it
///   is big enough for a decent row group and its files can open without closing another's;
///   otherwise (many partitions) every partition's rows go to a spill file and come back when
///   its partition writes (`SpillFile`).
/// - Writing needs the partition's files open; at the open-file cap the least recently used
///   partition's files are closed, and if that partition comes back it continues in a new
///   file (`-c001`, `-c002`, ...).
/// Sorted or clustered input therefore streams with one partition open; shuffled input over
/// many partitions costs a pass through local disk, never more memory or more files.
final class PartitionedWriter {
    private struct OpenFile {
        var sink: DataFileSink
        var name: String
        /// Its name in the staging folder (`StagedFile.stagedName`).
        var stagedName: String
        var rows: Int
    }

    private final class Slot {
        let directory: String
        let values: [String?]
        var pending: PartitionRows?
        /// The rows waiting to be written: `pending` unless it only holds memory kept by
        /// `spillAll` for the next rows.
        var waitingRows: PartitionRows? { bufferedOrders > 0 ? pending : nil }
        /// Memory charged for `pending` (its heap bytes when last measured).
        var heapBytes = 0
        var dataBytes = 0
        var bufferedOrders = 0
        var spilled: [SpillFile.Segment] = []
        var spilledOrders = 0
        var spilledBytes = 0
        var open: [OpenFile?]
        var nextSeq: [Int]
        var lastUse: UInt64 = 0
        /// The routing thread's model of the files: which of them are open once every row
        /// group handed out so far is written, and when the partition last handed one out.
        var plannedOpen: [Bool]
        var plannedUse: UInt64 = 0
        var rows: [Int]
        var bytes: [Int]
        var files: [Int]

        init(directory: String, values: [String?], datasets: Int) {
            self.directory = directory
            self.values = values
            open = Array(repeating: nil, count: datasets)
            plannedOpen = Array(repeating: false, count: datasets)
            nextSeq = Array(repeating: 0, count: datasets)
            rows = Array(repeating: 0, count: datasets)
            bytes = Array(repeating: 0, count: datasets)
            files = Array(repeating: 0, count: datasets)
        }
    }

    let options: DatasetWriteOptions
    let stagingRoot: String
    private let factory: DataFileSinkFactory
    private var slots: [Slot] = []
    private var slotIndex: [[UInt8]: Int] = [:]
    private var openSlots: Set<Int> = []
    /// Partitions being written by the encoder or a thread of the parallel finish, with how
    /// many writers each (a finish thread runs a partition's queued encoder jobs): never closed
    /// as the least recently used.
    private var busy: [Int: Int] = [:]
    /// The next partition and the first failure of a parallel finish (under its lock).
    private var finishNext = 0
    /// The partitions in the order the finish writes them (`finishOrder()`).
    private var finishQueue: [Int] = []
    private var finishFailure: WaybillError?
    private(set) var openFiles = 0
    private(set) var peakOpenFiles = 0
    private(set) var bufferedBytes = 0
    private(set) var peakBufferedBytes = 0
    private(set) var staged: [StagedFile] = []
    /// Orders taken (children included), lines landed in `order_lines/`, and the planned
    /// children among the orders (landed in `fulfillment/` when it is written).
    private(set) var orders = 0
    private(set) var lines = 0
    private(set) var children = 0
    private var clock: UInt64 = 0
    /// The routing thread's model of the open files (`Slot.plannedOpen`), on which it decides
    /// whether a partition may write: the files actually open at that moment depend on how far
    /// the encoder thread has got, so deciding on them made the files depend on thread timing.
    private var plannedOpenFiles = 0
    private var plannedOpenSlots: Set<Int> = []
    private var planClock: UInt64 = 0
    private var keyScratch: [UInt8] = []
    private var valueScratch: [UInt8] = []
    private var lastKey: [UInt8] = [0xFF]
    private var lastSlot = -1
    /// With one partition key over a numeric column (`order_month` of a date, a bucket of a
    /// number): the partition of recently seen raw values, direct-mapped by a hash of the value.
    /// The folder name is a function of the value alone, so a hit skips formatting it and
    /// looking it up by its bytes (a SipHash of ~20 bytes per order: 7% of the routing
    /// thread on the TPC-H feeds, whose months come in random order). Filled only from
    /// lookups that succeeded; nulls always take the full path.
    private let rawKeyField: Int?
    private var rawCacheValue = [Int64](repeating: 0, count: PartitionedWriter.rawCacheSize)
    private var rawCacheSlot = [Int32](repeating: -1, count: PartitionedWriter.rawCacheSize)
    private static let rawCacheSize = 4096  // eleven years of days
    /// Per batch: the partition of each order row, and the rows grouped by partition.
    private var rowSlot: [Int32] = []
    private var slotRows: [Int32] = []
    private var lineRows: [Int32] = []
    private var orderRows: [Int32] = []
    /// Per batch: whether it holds planned children, and which of its orders are.
    private var hasChildren = false
    private var childFlags: [Bool] = []
    /// Whether planned children are kept (for `fulfillment/`); else they are only counted.
    private let writesChildren: Bool
    private var childRows: [Int32] = []
    /// `takeByColumn`'s partitions and their tables while it fills them.
    private var pieces: [Piece] = []
    private var work: [PartitionRows] = []
    private var slotCount: [Int32] = []
    private var slotFill: [Int32] = []
    private var touched: [Int] = []
    private let keyPrefixes: [[UInt8]]
    private let rowGroupBytes: Int
    private let rowBudget: Int
    /// A partition smaller than this is not worth a row group of its own under memory pressure.
    private let minRowGroupBytes: Int
    private var spill: SpillFile?
    /// Data files opened in the staging folder so far (their staged names count up).
    private var stagedFiles = 0
    private var readBuffer: [UInt8] = []
    /// How many times the buffers went to the spill file.
    private(set) var spills = 0
    /// Bytes written to the spill file.
    var spillBytes: Int { spill?.size ?? 0 }
    private let maxOpenFiles: Int
    private let lock = Lock()
    /// Encodes the row groups cut while the input still arrives (`encodeThreads` > 1), so that
    /// encoding overlaps routing and parsing. While it exists, everything it shares with the
    /// routing thread (`slots`, the file bookkeeping, `clock`) is read and written under `lock`.
    private var encoder: SerialWorker?

    init(options: DatasetWriteOptions, stagingRoot: String, factory: DataFileSinkFactory) {
        self.options = options
        self.stagingRoot = stagingRoot
        self.factory = factory
        keyPrefixes = options.partitionKeys.map { key in
            var b: [UInt8] = []
            var name = key.name
            name.withUTF8 { HivePath.appendEscaped(UnsafeRawBufferPointer($0), into: &b) }
            b.append(UInt8(ascii: "="))
            return b
        }
        rowGroupBytes = options.effectiveRowGroupBytes
        rowBudget = options.rowBudget
        minRowGroupBytes = max(64 << 10, options.effectiveRowGroupBytes / 8)
        routeStep = max(16, min(4096, options.rowBudget >> 14))
        maxStepBytes = max(1 << 20, options.rowBudget / 4)
        writesChildren = options.datasets.contains(.fulfillment)
        maxOpenFiles = options.effectiveMaxOpenFiles
        if options.encodeThreads > 1 { encoder = SerialWorker() }
        if options.partitionKeys.count == 1, let key = options.partitionKeys.first,
           OrderSchema.orderFields[key.field].kind.isNumeric {
            rawKeyField = key.field
        } else {
            rawKeyField = nil
        }
    }

    deinit { encoder?.stop() }

    /// Stops the encoder thread, dropping the row groups it has not started (the writer is
    /// being dropped: its queued jobs hold the writer, so its own deinit would never run).
    func stopEncoder() {
        encoder?.stop()
        encoder = nil
    }

    /// Why an order could not be routed (the caller turns it into a reject).
    struct RouteError: Error {
        var row: Int
        var reason: String
    }

    /// Computes the partition folder of order `row` into `keyScratch`.
    private func route(_ batch: OrderBatch, row: Int) -> RouteError? {
        keyScratch.removeAll(keepingCapacity: true)
        for (k, key) in options.partitionKeys.enumerated() {
            let start = keyScratch.count
            if k > 0 { keyScratch.append(UInt8(ascii: "/")) }
            keyScratch.append(contentsOf: keyPrefixes[k])
            valueScratch.removeAll(keepingCapacity: true)
            if key.appendValue(of: batch.orders, row: row, into: &valueScratch) {
                valueScratch.withUnsafeBytes { HivePath.appendEscaped($0, into: &keyScratch) }
            } else {
                keyScratch.append(contentsOf: HivePath.defaultPartition.utf8)
            }
            if keyScratch.count - start - (k > 0 ? 1 : 0) > HivePath.maxComponentBytes {
                return RouteError(row: row, reason: "partition value of '\(key.name)' makes a folder name longer than "
                    + "\(HivePath.maxComponentBytes) bytes")
            }
        }
        return nil
    }

    /// The partition of order `row` (creating it), or a RouteError.
    private func slot(for batch: OrderBatch, row: Int) -> Result<Int, RouteError> {
        guard let field = rawKeyField else { return slotByName(batch, row: row) }
        let raw: Int64? = batch.orders.columns.withUnsafeBufferPointer { cols in
            let col = cols.baseAddress! + field
            return col.pointee.isNull(row) ? nil : col.pointee.int(row)
        }
        guard let v = raw else { return slotByName(batch, row: row) }
        let h = Int(truncatingIfNeeded: (UInt64(bitPattern: v) &* 0x9E37_79B9_7F4A_7C15) >> 52)  // 12 bits: rawCacheSize
        if rawCacheSlot[h] >= 0 && rawCacheValue[h] == v { return .success(Int(rawCacheSlot[h])) }
        let found = slotByName(batch, row: row)
        if case .success(let i) = found {
            rawCacheValue[h] = v
            rawCacheSlot[h] = Int32(i)
        }
        return found
    }

    /// `slot(for:row:)` by the partition's folder name.
    private func slotByName(_ batch: OrderBatch, row: Int) -> Result<Int, RouteError> {
        if let e = route(batch, row: row) { return .failure(e) }
        if keyScratch == lastKey { return .success(lastSlot) }
        let i: Int
        if let found = slotIndex[keyScratch] {
            i = found
        } else {
            i = slots.count
            let slot = Slot(directory: String(decoding: keyScratch, as: UTF8.self), values: values(batch, row: row),
                datasets: options.datasets.count)
            if encoder != nil { lock.lock() }
            slots.append(slot)
            if encoder != nil { lock.unlock() }
            slotIndex[keyScratch] = i
            slotCount.append(0)
            inStep.append(false)
        }
        // Copy into lastKey's own storage: assigning would share keyScratch's buffer and make
        // the next removeAll(keepingCapacity:) allocate.
        lastKey.removeAll(keepingCapacity: true)
        lastKey.append(contentsOf: keyScratch)
        lastSlot = i
        return .success(i)
    }

    /// Orders routed so far (every order handed to `add`).
    private var routed = 0
    /// Orders are routed in steps of this many orders (or fewer, see `maxStepBytes`), counted
    /// over all orders so far whatever the batches: row groups by size and spills are decided at the end of a step,
    /// from the rows buffered (never from what the encoder thread has still to write), so the
    /// files depend on the orders alone, not on where batches were cut (by a batch size, or by
    /// the chunks of a file read on several threads) nor on thread timing. 4096 orders, fewer
    /// under a small budget (one step's rows may come on top of the budget: about 1/16 of it
    /// at 1 KiB per order).
    private let routeStep: Int
    /// A step also ends at the order that brings the bytes its orders hold (`OrderBatch.dataBytes`,
    /// a measure of content alone) to this: a quarter of the row budget. Orders of thousands of
    /// `ext` entries (80 KB each) made a step of 4096 orders 330 MB, all buffered on top of
    /// the budget before the step's end could spill any (peak 1.1 GiB at a 128 MiB budget).
    private let maxStepBytes: Int
    /// Orders routed in the current step, and the bytes they hold.
    private var stepOrders = 0
    private var stepBytes = 0
    /// Partitions that took rows in the current step, in the order they first did.
    private var stepTouched: [Int] = []
    private var inStep: [Bool] = []

    /// Adds every order of `batch` (with its lines); returns the orders that could not be
    /// routed (not added).
    func add(_ batch: OrderBatch) throws(WaybillError) -> [RouteError] {
        try encoder?.check()
        var errors: [RouteError] = []
        hasChildren = FulfillmentRows.markChildren(batch.orders, into: &childFlags)
        var start = 0
        while start < batch.count {
            var end = min(batch.count, start + routeStep - stepOrders)
            let bytes = batch.dataBytes(orders: start..<end)
            if stepBytes + bytes >= maxStepBytes {
                // The step ends at the order that brings it to `maxStepBytes`: the least `end`
                // that does, by bisection (the measure costs a read of each column's offsets).
                var lo = start + 1, hi = end
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if stepBytes + batch.dataBytes(orders: start..<mid) >= maxStepBytes { hi = mid } else { lo = mid + 1 }
                }
                end = lo
                stepBytes = maxStepBytes
            } else {
                stepBytes += bytes
            }
            try add(batch, rows: start..<end, errors: &errors)
            routed += end - start
            stepOrders += end - start
            start = end
            if stepOrders == routeStep || stepBytes >= maxStepBytes {
                try endStep()
                stepOrders = 0
                stepBytes = 0
            }
        }
        return errors
    }

    /// The decisions of a step: partitions whose rows reach the row-group size write a row
    /// group (in the order they first took rows in the step), then the buffers are brought
    /// under the budget. A partition whose files are not open while the open files are at the
    /// cap keeps its rows instead (the budget spills them): opening its files would close
    /// another partition's, which then goes on in a continuation file. Writing as soon as a
    /// row group was full made about six files per partition and dataset of TPC-H scale 1
    /// with the fulfillment dataset (80 partitions, 240 files, a cap of 42).
    private func endStep() throws(WaybillError) {
        for i in stepTouched {
            inStep[i] = false
            let slot = slots[i]
            if slot.bufferedOrders > 0 && slot.dataBytes + slot.spilledBytes >= rowGroupBytes
                && filesAfterQueue(opening: i) <= maxOpenFiles {
                try flush(i)
            }
        }
        stepTouched.removeAll(keepingCapacity: true)
        if bufferedBytes > rowBudget / 2 { try relievePressure() }
        if let encoder {
            while bufferedBytes + encoder.pendingBytes > rowBudget { try encoder.waitForProgress() }
        }
    }

    /// Adds orders `rows` of `batch`.
    private func add(_ batch: OrderBatch, rows: Range<Int>, errors: inout [RouteError]) throws(WaybillError) {
        rowSlot.removeAll(keepingCapacity: true)
        touched.removeAll(keepingCapacity: true)
        for row in rows {
            switch slot(for: batch, row: row) {
            case .success(let i):
                if slotCount[i] == 0 { touched.append(i) }
                slotCount[i] += 1
                rowSlot.append(Int32(i))
            case .failure(let e):
                errors.append(e)
                rowSlot.append(-1)
            }
        }
        if slots.count > options.maxPartitions {
            throw .data("this write would create more than \(options.maxPartitions) partitions (the latest: "
                + "\(slots[slots.count - 1].directory)): is --partition-by a key of too many values? Nothing was "
                + "committed; raise the limit with --max-partitions (output.max_partitions in a pipeline) if they are meant")
        }
        // Group the rows by partition (counting sort: input order kept within a partition).
        // Starts and fill cursors live in arrays indexed by partition (as `slotCount`), not
        // dictionaries: the fill loop runs once per row.
        if slotFill.count < slots.count { slotFill.append(contentsOf: repeatElement(0, count: slots.count - slotFill.count)) }
        var next: Int32 = 0
        for i in touched {
            slotFill[i] = next
            next += slotCount[i]
        }
        slotRows.removeAll(keepingCapacity: true)
        slotRows.append(contentsOf: repeatElement(0, count: Int(next)))
        slotRows.withUnsafeMutableBufferPointer { out in
            slotFill.withUnsafeMutableBufferPointer { fill in
                // In bounds: fill[k] runs from partition k's start up to start + slotCount[k].
                for (r, i) in rowSlot.enumerated() where i >= 0 {
                    let k = Int(i)
                    out[Int(fill[k])] = Int32(rows.lowerBound + r)
                    fill[k] += 1
                }
            }
        }
        pieces.removeAll(keepingCapacity: true)
        for i in touched {
            // The fill cursor ended at the partition's end.
            let from = Int(slotFill[i] - slotCount[i])
            let n = Int(slotCount[i])
            slotCount[i] = 0
            let slot = slots[i]
            if slot.bufferedOrders + slot.spilledOrders + n < options.rowGroupRows {
                pieces.append(Piece(slot: i, rows: from..<(from + n)))
            } else {
                try take(batch, rows: from..<(from + n), into: i)  // cuts a row group by rows
            }
            if !inStep[i] {
                inStep[i] = true
                stepTouched.append(i)
            }
        }
        if !pieces.isEmpty { takeByColumn(batch, &pieces) }
    }

    /// The rows of one partition in a step, routed by `takeByColumn`: its orders
    /// `slotRows[rows]`, split into `orderRows[orders]`, `childRows[children]` and their lines
    /// `lineRows[lines]`.
    private struct Piece {
        var slot: Int
        var rows: Range<Int>
        var orders = 0..<0
        var children = 0..<0
        var lines = 0..<0
    }

    /// `takeByColumn`'s inner loops: for each field of `dataset`'s table (`columns`: the column
    /// of `source` each field takes; nil, the same index), every piece's rows `sel[range]`.
    private func appendByColumn(
        _ source: ColumnTable, _ sel: [Int32], columns: [Int]?, to dataset: DatasetKind, _ pieces: [Piece]
    ) {
        sel.withUnsafeBufferPointer { sel in
            // Views of the batch's columns, bound once per call (see `PendingColumn.append`).
            source.withViews(of: columns) { src in
                // The partitions' tables through one pointer for the whole call: `work[j]` in
                // the loop checked the array's uniqueness (and retained around it) per field
                // and piece.
                work.withUnsafeMutableBufferPointer { work in
                    for c in src.indices {
                        let col = src.baseAddress! + c
                        for j in pieces.indices {
                            let p = pieces[j]
                            switch dataset {
                            case .orders:
                                work[j].orders.appendColumn(c, col, rows: UnsafeBufferPointer(rebasing: sel[p.orders]))
                            case .orderLines:
                                work[j].lines.appendColumn(c, col, rows: UnsafeBufferPointer(rebasing: sel[p.lines]))
                            case .fulfillment:
                                work[j].children.appendColumn(c, col, rows: UnsafeBufferPointer(rebasing: sel[p.children]))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds each piece's rows to its partition, column by column: every partition's slice of
    /// a batch column, then the next column. Partition by partition, every column of the batch
    /// was read once per partition touched (about 80 with TPC-H's months, ~50 orders each): the
    /// columns no longer sat in the cache when the next partition came to them, and the gathers
    /// waited on memory. A piece must cut no row group (`take` cuts them into such pieces).
    private func takeByColumn(_ batch: OrderBatch, _ pieces: inout [Piece]) {
        orderRows.removeAll(keepingCapacity: true)
        childRows.removeAll(keepingCapacity: true)
        lineRows.removeAll(keepingCapacity: true)
        work.removeAll(keepingCapacity: true)
        for j in pieces.indices {
            let o0 = orderRows.count, c0 = childRows.count, l0 = lineRows.count
            for k in pieces[j].rows {
                let r = Int(slotRows[k])
                // Children go to their own table (`fulfillment/` only), without their lines.
                if hasChildren && childFlags[r] {
                    childRows.append(Int32(r))
                    continue
                }
                orderRows.append(Int32(r))
                for l in batch.lineRange(r) { lineRows.append(Int32(l)) }
            }
            pieces[j].orders = o0..<orderRows.count
            pieces[j].children = c0..<childRows.count
            pieces[j].lines = l0..<lineRows.count
            // Moved out of the slot, so the tables are uniquely held and grow in place.
            let slot = slots[pieces[j].slot]
            work.append(slot.pending ?? PartitionRows())
            slot.pending = nil
        }
        appendByColumn(batch.orders, orderRows, columns: nil, to: .orders, pieces)
        if writesChildren { appendByColumn(batch.orders, childRows, columns: FulfillmentRows.source, to: .fulfillment, pieces) }
        appendByColumn(batch.lines, lineRows, columns: nil, to: .orderLines, pieces)
        for j in pieces.indices {
            let p = pieces[j]
            work[j].orders.endAppend(rows: p.orders.count)
            if writesChildren { work[j].children.endAppend(rows: p.children.count) }
            work[j].lines.endAppend(rows: p.lines.count)
            let slot = slots[p.slot]
            slot.pending = work[j]
            slot.bufferedOrders += p.rows.count
            orders += p.rows.count
            children += p.children.count
            lines += p.lines.count
            remeasure(slot)
        }
        work.removeAll(keepingCapacity: true)
        peakBufferedBytes = max(peakBufferedBytes, heldBytes)
    }

    /// Adds the orders `slotRows[range]` of `batch` to partition `i`, cutting row groups at
    /// `rowGroupRows` orders exactly.
    private func take(_ batch: OrderBatch, rows range: Range<Int>, into i: Int) throws(WaybillError) {
        let slot = slots[i]
        var from = range.lowerBound
        while from < range.upperBound {
            let room = options.rowGroupRows - slot.bufferedOrders - slot.spilledOrders
            let to = min(range.upperBound, from + max(room, 1))
            var piece = [Piece(slot: i, rows: from..<to)]
            takeByColumn(batch, &piece)
            // Full by rows: exactly here, whatever the batches (by size: at the end of the step).
            if slot.bufferedOrders + slot.spilledOrders >= options.rowGroupRows { try flush(i) }
            from = to
        }
    }

    /// Rows waiting in partitions plus rows handed to the encoder and not yet written.
    private var heldBytes: Int { bufferedBytes + (encoder?.pendingBytes ?? 0) }

    /// Recounts a partition's memory after its tables changed.
    private func remeasure(_ slot: Slot) {
        let heap = slot.pending?.heapBytes ?? 0
        bufferedBytes += heap - slot.heapBytes
        slot.heapBytes = heap
        slot.dataBytes = slot.pending?.dataBytes ?? 0
    }

    /// Drops a partition's waiting rows from memory (they were written or spilled).
    private func release(_ slot: Slot) {
        bufferedBytes -= slot.heapBytes
        slot.heapBytes = 0
        slot.dataBytes = 0
        slot.pending = nil
        slot.bufferedOrders = 0
    }

    private func values(_ batch: OrderBatch, row: Int) -> [String?] {
        options.partitionKeys.map { key in
            var v: [UInt8] = []
            guard key.appendValue(of: batch.orders, row: row, into: &v), !v.isEmpty else { return nil }
            return String(decoding: v, as: UTF8.self)
        }
    }

    /// Frees memory until the buffers are under three eighths of the row budget: writes the
    /// largest partition as a row group while it is big enough to make a decent one, else
    /// moves every partition's rows to the spill file (many partitions, none with many rows).
    /// Called when the buffers pass half the budget: the other half is room for the rows handed
    /// to the encoder thread, which count against the budget by waiting for it (`endStep`) but
    /// never decide anything here (their amount depends on thread timing). With the trigger at
    /// the full budget, the routing thread waited on the encoder for much of a scale-1 run.
    private func relievePressure() throws(WaybillError) {
        let target = keptBytesLimit
        while bufferedBytes > target {
            var largest = -1
            var size = 0
            for (i, s) in slots.enumerated() where s.bufferedOrders > 0 && s.heapBytes > size {
                largest = i
                size = s.heapBytes
            }
            guard largest >= 0 else {
                releaseIdle()  // only memory kept by `spillAll` for partitions that took no rows since
                break
            }
            let s = slots[largest]
            // Writing it must not close another partition's file (that partition would go on in
            // a continuation file: shuffled input over more partitions than the cap made 3-4
            // files per partition at TPC-H scale 1); while the files are at the cap, spill.
            if s.dataBytes + s.spilledBytes >= minRowGroupBytes && filesAfterQueue(opening: largest) <= maxOpenFiles {
                try flush(largest)
            } else {
                try spillAll()
            }
        }
    }

    /// The files open, in the routing thread's model, once partition `i` has written.
    private func filesAfterQueue(opening i: Int) -> Int {
        plannedOpenFiles + slots[i].plannedOpen.reduce(0) { $0 + ($1 ? 0 : 1) }
    }

    /// Records in the model that partition `i` writes: its files open, closing the least
    /// recently planned partition's at the cap, as `ensureOpen` does with the real files.
    /// A model, not a mirror: it opens every dataset's file, and knows nothing of the files
    /// closed at `maxFileBytes`; what matters is that it follows from the orders alone.
    private func planWrite(_ i: Int) {
        let slot = slots[i]
        planClock += 1
        slot.plannedUse = planClock
        for d in options.datasets.indices where !slot.plannedOpen[d] {
            while plannedOpenFiles >= maxOpenFiles {
                let victim = leastRecentlyUsed(plannedOpenSlots, other: i) { slots[$0].plannedUse }
                if victim < 0 { break }
                for vd in options.datasets.indices where slots[victim].plannedOpen[vd] {
                    slots[victim].plannedOpen[vd] = false
                    plannedOpenFiles -= 1
                }
                plannedOpenSlots.remove(victim)
            }
            slot.plannedOpen[d] = true
            plannedOpenFiles += 1
            plannedOpenSlots.insert(i)
        }
    }

    /// The partition of `candidates` other than `i` whose `use` (nil: not eligible) is oldest,
    /// or -1: the files an opening closes at the cap, in the real files (`ensureOpen`) and in
    /// the routing thread's model (`planWrite`).
    private func leastRecentlyUsed(_ candidates: Set<Int>, other i: Int, use: (Int) -> UInt64?) -> Int {
        var victim = -1
        var oldest = UInt64.max
        for s in candidates where s != i {
            if let u = use(s), u < oldest {
                victim = s
                oldest = u
            }
        }
        return victim
    }

    /// Moves every partition's waiting rows to the spill file.
    ///
    /// The partitions that had rows keep their buffers' memory, emptied, for the next ones (in
    /// partition order, while the memory kept stays within `keptBytesLimit`, still charged to
    /// the budget); the others give theirs back, as does every partition that took no rows
    /// since the last spill. On shuffled input every partition takes rows between two spills,
    /// and freeing all buffers at each spill made them grow again from 16 elements: at TPC-H
    /// scale 0.1, malloc, free, copies and fresh pages of that growth were about 8% of the
    /// routing thread, which bounds the input phase.
    private func spillAll() throws(WaybillError) {
        if spill == nil { spill = try SpillFile(path: stagingRoot + "/rows.spill", compressAfter: options.spillCompressAfter) }
        var kept = 0
        for slot in slots where slot.pending != nil {
            guard slot.bufferedOrders > 0 else {
                release(slot)
                continue
            }
            slot.spilled.append(try spill!.append { slot.pending!.serialize(into: &$0) })
            slot.spilledOrders += slot.bufferedOrders
            slot.spilledBytes += slot.dataBytes
            if kept + slot.heapBytes <= keptBytesLimit {
                slot.pending!.removeAllKeepingCapacity()
                slot.bufferedOrders = 0
                remeasure(slot)
                kept += slot.heapBytes
            } else {
                release(slot)
            }
        }
        spills += 1
    }

    /// The most memory `spillAll` keeps for the partitions' next rows: the level it brings the
    /// buffers down to (`relievePressure`), so keeping it never triggers the next relief early.
    private var keptBytesLimit: Int { rowBudget / 8 * 3 }

    /// Gives back the memory kept for partitions that hold no rows.
    private func releaseIdle() {
        for slot in slots where slot.pending != nil && slot.bufferedOrders == 0 { release(slot) }
    }

    /// Writes partition `i`'s waiting rows (spilled ones first, in input order), as row
    /// groups of at most `rowGroupBytes` of row data.
    private func flush(_ i: Int) throws(WaybillError) {
        let slot = slots[i]
        guard slot.bufferedOrders + slot.spilledOrders > 0 else { return }
        planWrite(i)
        let spilled = slot.spilled
        slot.spilled = []
        slot.spilledOrders = 0
        slot.spilledBytes = 0
        let pending = slot.waitingRows
        let held = slot.heapBytes
        release(slot)
        if let encoder {
            // The encoder reads the segments with pread while this thread appends new ones.
            if !spilled.isEmpty { try spill!.sync() }
            try encoder.submit(bytes: held) { [self] (buffer: inout [UInt8]) throws(WaybillError) in
                // Used when written, not when handed out: the least recently used partition,
                // whose files an opening closes, must not depend on how far routing has got.
                // Busy: a thread of the parallel finish must not close this partition's files.
                lock.lock()
                clock += 1
                slot.lastUse = clock
                markBusy(i)
                lock.unlock()
                defer {
                    lock.lock()
                    unmarkBusy(i)
                    lock.unlock()
                }
                try write(i, spilled: spilled, pending: pending, buffer: &buffer, locked: true)
            }
            return
        }
        clock += 1
        slot.lastUse = clock
        try write(i, spilled: spilled, pending: pending, buffer: &readBuffer, locked: false)
        if readBuffer.capacity > 1 << 20 { readBuffer = [] }
    }

    /// Encodes a partition's spilled segments and waiting rows as row groups. `locked`: another
    /// thread routes or encodes other partitions, so the shared file bookkeeping takes the lock
    /// (and the spill file, synced beforehand, is only read).
    private func write(
        _ i: Int, spilled: [SpillFile.Segment], pending: PartitionRows?, buffer: inout [UInt8], locked: Bool
    ) throws(WaybillError) {
        if spilled.isEmpty {
            if let pending { try writeTables(i, pending, locked: locked) }
            return
        }
        try writeSpilled(i, spilled, pending, buffer: &buffer, locked: locked)
    }

    private func writeSpilled(
        _ i: Int, _ spilled: [SpillFile.Segment], _ tail: PartitionRows?, buffer: inout [UInt8], locked: Bool
    ) throws(WaybillError) {
        var rows = PartitionRows()
        for seg in spilled {
            if locked { try spill!.readWritten(seg, into: &buffer) } else { try spill!.read(seg, into: &buffer) }
            buffer.withUnsafeBytes { raw in
                var p = 0
                rows.appendSerialized(raw, &p)
            }
            if rows.dataBytes >= rowGroupBytes {
                try writeTables(i, rows, locked: locked)
                rows = PartitionRows()
            }
        }
        if let tail { rows.append(contentsOf: tail) }
        try writeTables(i, rows, locked: locked)
    }

    /// Writes the tables as one row group of each dataset of partition `i`.
    private func writeTables(_ i: Int, _ rows: PartitionRows, locked: Bool) throws(WaybillError) {
        if locked { lock.lock() }
        let slot = slots[i]
        if locked { lock.unlock() }
        guard !rows.isEmpty else { return }
        for (d, dataset) in options.datasets.enumerated() {
            let table = rows.table(dataset)
            if table.rowCount == 0 { continue }
            if locked { lock.lock() }
            do throws(WaybillError) { try ensureOpen(i, d) } catch {
                if locked { lock.unlock() }
                throw error
            }
            let file = slot.open[d]!
            if locked { lock.unlock() }
            try file.sink.writeRowGroup(table)
            if locked { lock.lock() }
            slot.open[d]!.rows += table.rowCount
            do throws(WaybillError) {
                if file.sink.bytesWritten >= options.maxFileBytes { try close(i, d) }
            } catch {
                if locked { lock.unlock() }
                throw error
            }
            if locked { lock.unlock() }
        }
    }

    private func ensureOpen(_ i: Int, _ d: Int) throws(WaybillError) {
        let slot = slots[i]
        if slot.open[d] != nil { return }
        while openFiles >= maxOpenFiles {
            // Close the least recently used partition other than this one (and not being written).
            let victim = leastRecentlyUsed(openSlots, other: i) { busy[$0] == nil ? slots[$0].lastUse : nil }
            if victim < 0 { break }  // only this partition's other file is open
            for vd in options.datasets.indices where slots[victim].open[vd] != nil { try close(victim, vd) }
        }
        let dataset = options.datasets[d]
        let seq = slot.nextSeq[d]
        slot.nextSeq[d] += 1
        let name = Self.fileName(batch: options.batchId, seq: seq, compression: options.compression)
        let stagedName = "\(dataset.name)-\(stagedFiles).parquet"
        stagedFiles += 1
        let path = stagingRoot + "/" + stagedName
        let sink = try factory.makeSink(path: path, dataset: dataset, options: options)
        slot.open[d] = OpenFile(sink: sink, name: name, stagedName: stagedName, rows: 0)
        openSlots.insert(i)
        openFiles += 1
        peakOpenFiles = max(peakOpenFiles, openFiles)
    }

    /// `part-<batch>-c<seq>.<codec>.parquet`: deterministic for a batch, so a rerun replaces
    /// its own files; the batch id keeps appends of different batches apart.
    static func fileName(batch: String, seq: Int, compression: DatasetCompression) -> String {
        let s = String(seq)
        let padded = s.count >= 3 ? s : String(repeating: "0", count: 3 - s.count) + s
        let codec = compression == .none ? "" : compression.rawValue + "."
        return "part-\(batch)-c\(padded).\(codec)parquet"
    }

    private func close(_ i: Int, _ d: Int) throws(WaybillError) {
        let slot = slots[i]
        guard let file = slot.open[d] else { return }
        slot.open[d] = nil
        openFiles -= 1
        if slot.open.allSatisfy({ $0 == nil }) { openSlots.remove(i) }
        let (size, crc) = try file.sink.finish()
        staged.append(StagedFile(dataset: options.datasets[d], directory: slot.directory, name: file.name,
            values: slot.values, rows: file.rows, bytes: size, crc32: crc, stagedName: file.stagedName))
        slot.rows[d] += file.rows
        slot.bytes[d] += size
        slot.files[d] += 1
    }

    /// Partitions whose files are open first: they continue those files before any other
    /// partition's opening could close them (which would split them into continuation files).
    private func finishOrder() -> [Int] {
        let open = slots.indices.filter { i in slots[i].open.contains { $0 != nil } }
        let closed = slots.indices.filter { i in !slots[i].open.contains { $0 != nil } }
        return open + closed
    }

    /// Writes every waiting row and closes every file; returns the staged files.
    func finish() throws(WaybillError) -> [StagedFile] {
        // The row groups handed to the encoder are written first, in the order they were cut:
        // which files they open and close then follows from the orders alone. (Running the
        // ones not started yet on the finish's threads, with their partitions, made the files
        // depend on how far the encoder had got.)
        if let encoder {
            try encoder.drain()
            encoder.stop()
            self.encoder = nil
        }
        // Most runs end with every partition still waiting (rows arrive interleaved and fit in
        // the budget, or went to the spill file), so encoding them all is a large share of
        // the run: `encodeThreads` threads take partitions in turn.
        if options.encodeThreads > 1 && slots.count > 1 && maxOpenFiles >= 2 * options.encodeThreads * options.datasets.count {
            try finishInParallel(threads: options.encodeThreads)
        } else {
            // Partition by partition, so the end of a run holds one partition's files open,
            // not the cap's worth.
            for i in finishOrder() {
                try flush(i)
                for d in options.datasets.indices where slots[i].open[d] != nil { try close(i, d) }
            }
        }
        // Every spilled row is written: the spill file goes now, before the commit's syncfs,
        // which would otherwise write its dirty pages to disk for nothing (TPC-H scale 0.1:
        // 163 MB, a syncfs of 112 ms instead of about 55).
        spill?.remove()  // kept for its size (`spillBytes`)
        return staged
    }

    /// `finish()` on `threads` threads: reading spilled rows and encoding the row groups run
    /// unlocked, on rows and files only one thread touches; opening, closing and the counters
    /// run under `lock`. Staged files end up in partition order, as sequentially.
    private func finishInParallel(threads: Int) throws(WaybillError) {
        try spill?.sync()  // from here on the spill file is only read (pread), from both threads
        finishQueue = finishOrder()
        finishNext = 0
        finishFailure = nil
        let base = staged.count
        let box = UncheckedBox(self)
        runOnThreads(threads) {
            let w = box.value
            var buffer: [UInt8] = []
            while true {
                w.lock.lock()
                if w.finishFailure != nil || w.finishNext >= w.finishQueue.count {
                    w.lock.unlock()
                    return
                }
                let i = w.finishQueue[w.finishNext]
                w.finishNext += 1
                w.markBusy(i)
                let slot = w.slots[i]
                w.clock += 1
                slot.lastUse = w.clock
                let spilled = slot.spilled
                let pending = slot.waitingRows
                slot.spilled = []
                slot.spilledOrders = 0
                slot.spilledBytes = 0
                w.release(slot)
                w.lock.unlock()
                do throws(WaybillError) {
                    try w.write(i, spilled: spilled, pending: pending, buffer: &buffer, locked: true)
                    w.lock.lock()
                    defer { w.lock.unlock() }
                    w.unmarkBusy(i)
                    for d in w.options.datasets.indices where slot.open[d] != nil { try w.close(i, d) }
                } catch {
                    w.lock.lock()
                    if w.finishFailure == nil { w.finishFailure = error }
                    w.unmarkBusy(i)
                    w.lock.unlock()
                    return
                }
            }
        }
        if let finishFailure { throw finishFailure }
        // close() appended in whichever order the threads finished: restore partition order.
        var order: [String: Int] = [:]
        for (i, slot) in slots.enumerated() { order[slot.directory] = i }
        let datasetIndex = { (d: DatasetKind) in self.options.datasets.firstIndex(of: d) ?? 0 }
        staged[base...].sort {
            (order[$0.directory] ?? 0, datasetIndex($0.dataset), $0.name) < (order[$1.directory] ?? 0, datasetIndex($1.dataset), $1.name)
        }
    }

    /// Under `lock`: one more / one fewer writer on partition `i`.
    private func markBusy(_ i: Int) { busy[i, default: 0] += 1 }
    private func unmarkBusy(_ i: Int) { busy[i] = busy[i]! > 1 ? busy[i]! - 1 : nil }

    /// Closes open files without caring about errors (the run is being abandoned).
    func abandon() {
        encoder?.stop()
        encoder = nil
        for i in slots.indices {
            for d in options.datasets.indices { if let f = slots[i].open[d] { _ = try? f.sink.finish() } }
        }
    }

    /// Rows, bytes and files per partition and dataset.
    var partitionStats: [PartitionStats] {
        var out: [PartitionStats] = []
        for (d, dataset) in options.datasets.enumerated() {
            for s in slots where s.files[d] > 0 {
                out.append(PartitionStats(dataset: dataset.name, path: s.directory, values: s.values,
                    rows: s.rows[d], bytes: s.bytes[d], files: s.files[d]))
            }
        }
        return out.sorted { ($0.dataset, $0.path) < ($1.dataset, $1.path) }
    }
}
