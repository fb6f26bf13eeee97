import OrderModel
#if canImport(Glibc)
import Glibc
#endif

/// Routes orders to partitions and partitions to data files under two hard limits: the bytes
/// of rows waiting for a row group (`memoryBudget`) and the number of open files
/// (`maxOpenFiles`), whatever the number of partitions and the order of the input.
///
/// - Each partition keeps its waiting rows in one compact byte buffer (`RowCodec`).
/// - A partition whose buffer reaches the row-group threshold writes a row group.
/// - When all buffers together pass the row budget, the largest is written first while it
///   is big enough for a decent row group; otherwise (many small partitions) every buffer
///   goes to a spill file and comes back when its partition writes (`SpillFile`).
/// - Writing needs the partition's files open; at the open-file cap the least recently used
///   partition's files are closed, and if that partition comes back it continues in a new
///   file (`-c001`, `-c002`, ...).
/// Sorted or clustered input therefore streams with one partition open; shuffled input over
/// many partitions costs a pass through local disk, never more memory or more files.
final class PartitionedWriter {
    private struct OpenFile {
        var sink: DataFileSink
        var name: String
        var path: String
        var rows: Int
    }

    private final class Slot {
        let directory: String
        let values: [String?]
        var buffer: [UInt8] = []
        var bufferedOrders = 0
        var spilled: [SpillFile.Segment] = []
        var spilledOrders = 0
        var spilledBytes = 0
        var open: [OpenFile?]
        var nextSeq: [Int]
        var lastUse: UInt64 = 0
        var rows: [Int]
        var bytes: [Int]
        var files: [Int]

        init(directory: String, values: [String?], datasets: Int) {
            self.directory = directory
            self.values = values
            open = Array(repeating: nil, count: datasets)
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
    /// Partitions being written by the other thread of a parallel finish: never closed as
    /// the least recently used.
    private var busy: Set<Int> = []
    /// The next partition and the first failure of a parallel finish (under its lock).
    private var finishNext = 0
    private var finishFailure: WaybillError?
    private(set) var openFiles = 0
    private(set) var peakOpenFiles = 0
    private(set) var bufferedBytes = 0
    private(set) var peakBufferedBytes = 0
    private(set) var staged: [StagedFile] = []
    private(set) var orders = 0
    private(set) var lines = 0
    private var clock: UInt64 = 0
    private var scratch = OrderBatch()
    private var keyScratch: [UInt8] = []
    private var valueScratch: [UInt8] = []
    private var lastKey: [UInt8] = [0xFF]
    private var lastSlot = -1
    private let keyPrefixes: [[UInt8]]
    private let rowGroupBytes: Int
    private let rowBudget: Int
    /// A buffer smaller than this is not worth a row group of its own under memory pressure.
    private let minRowGroupBytes: Int
    private var spill: SpillFile?
    private var readBuffer: [UInt8] = []
    /// How many times the buffers went to the spill file.
    private(set) var spills = 0
    /// Bytes written to the spill file.
    var spillBytes: Int { spill?.size ?? 0 }
    private let maxOpenFiles: Int

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
        maxOpenFiles = options.effectiveMaxOpenFiles
    }

    /// Why an order could not be routed (the caller turns it into a reject).
    struct RouteError: Error {
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
                return RouteError(reason: "partition value of '\(key.name)' makes a folder name longer than "
                    + "\(HivePath.maxComponentBytes) bytes")
            }
        }
        return nil
    }

    /// Adds order `row` of `batch` (with its lines); a RouteError means it was not added.
    func add(_ batch: OrderBatch, row: Int) throws(WaybillError) -> RouteError? {
        if let e = route(batch, row: row) { return e }
        let i: Int
        if keyScratch == lastKey {
            i = lastSlot
        } else if let found = slotIndex[keyScratch] {
            i = found
        } else {
            i = slots.count
            slots.append(Slot(directory: String(decoding: keyScratch, as: UTF8.self),
                values: values(batch, row: row), datasets: options.datasets.count))
            slotIndex[keyScratch] = i
        }
        if lastSlot != i {
            // Copy into lastKey's own storage: assigning would share keyScratch's buffer and
            // make the next removeAll(keepingCapacity:) allocate.
            lastKey.removeAll(keepingCapacity: true)
            lastKey.append(contentsOf: keyScratch)
            lastSlot = i
        }
        let slot = slots[i]
        let before = slot.buffer.capacity
        RowCodec.encodeOrder(batch, row: row, into: &slot.buffer)
        bufferedBytes += slot.buffer.capacity - before
        slot.bufferedOrders += 1
        orders += 1
        lines += batch.lineRange(row).count
        peakBufferedBytes = max(peakBufferedBytes, bufferedBytes)
        if slot.bufferedOrders + slot.spilledOrders >= options.rowGroupRows
            || slot.buffer.count + slot.spilledBytes >= rowGroupBytes
        {
            try flush(i)
        }
        if bufferedBytes > rowBudget { try relievePressure() }
        return nil
    }

    private func values(_ batch: OrderBatch, row: Int) -> [String?] {
        options.partitionKeys.map { key in
            var v: [UInt8] = []
            guard key.appendValue(of: batch.orders, row: row, into: &v), !v.isEmpty else { return nil }
            return String(decoding: v, as: UTF8.self)
        }
    }

    /// Frees memory until the buffers are under three quarters of the row budget: writes the
    /// largest buffer as a row group while it is big enough to make a decent one, else
    /// moves every buffer to the spill file (many partitions, none with many rows).
    private func relievePressure() throws(WaybillError) {
        let target = rowBudget / 4 * 3
        while bufferedBytes > target {
            var largest = -1
            var size = 0
            for (i, s) in slots.enumerated() where s.buffer.capacity > size {
                largest = i
                size = s.buffer.capacity
            }
            guard largest >= 0 else { return }
            if slots[largest].buffer.count + slots[largest].spilledBytes >= minRowGroupBytes {
                try flush(largest)
            } else {
                try spillAll()
            }
        }
    }

    /// Moves every partition's waiting rows to the spill file.
    private func spillAll() throws(WaybillError) {
        if spill == nil { spill = try SpillFile(path: stagingRoot + "/rows.spill") }
        for slot in slots where slot.bufferedOrders > 0 {
            slot.spilled.append(try spill!.append(slot.buffer))
            slot.spilledOrders += slot.bufferedOrders
            slot.spilledBytes += slot.buffer.count
            bufferedBytes -= slot.buffer.capacity
            slot.buffer = []
            slot.bufferedOrders = 0
        }
        spills += 1
    }

    /// Writes partition `i`'s waiting rows (spilled ones first, in input order), as row
    /// groups of at most `rowGroupBytes` of row data.
    private func flush(_ i: Int) throws(WaybillError) {
        let slot = slots[i]
        guard slot.bufferedOrders + slot.spilledOrders > 0 else { return }
        clock += 1
        slot.lastUse = clock
        scratch.removeAll()
        var scratchBytes = 0
        for seg in slot.spilled {
            try spill!.read(seg, into: &readBuffer)
            RowCodec.decodeAll(readBuffer, into: &scratch)
            scratchBytes += seg.length
            if scratchBytes >= rowGroupBytes {
                try writeScratch(i)
                scratchBytes = 0
            }
        }
        slot.spilled = []
        slot.spilledOrders = 0
        slot.spilledBytes = 0
        if readBuffer.capacity > 1 << 20 { readBuffer = [] }
        RowCodec.decodeAll(slot.buffer, into: &scratch)
        bufferedBytes -= slot.buffer.capacity
        slot.buffer = []  // give the memory back: most partitions wait a long time for more rows
        slot.bufferedOrders = 0
        try writeScratch(i)
    }

    /// Writes the decoded rows in `scratch` as one row group of each dataset of partition `i`.
    private func writeScratch(_ i: Int) throws(WaybillError) {
        let slot = slots[i]
        guard scratch.count > 0 else { return }
        for (d, dataset) in options.datasets.enumerated() {
            let table = dataset.table(of: scratch)
            if table.rowCount == 0 { continue }
            try ensureOpen(i, d)
            let file = slot.open[d]!
            try file.sink.writeRowGroup(table)
            slot.open[d]!.rows += table.rowCount
            if file.sink.bytesWritten >= options.maxFileBytes { try close(i, d) }
        }
        scratch.removeAll()
    }

    private func ensureOpen(_ i: Int, _ d: Int) throws(WaybillError) {
        let slot = slots[i]
        if slot.open[d] != nil { return }
        while openFiles >= maxOpenFiles {
            // Close the least recently used partition other than this one.
            var victim = -1
            var oldest = UInt64.max
            for s in openSlots where s != i && !busy.contains(s) && slots[s].lastUse < oldest {
                victim = s
                oldest = slots[s].lastUse
            }
            if victim < 0 { break }  // only this partition's other file is open
            for vd in options.datasets.indices where slots[victim].open[vd] != nil { try close(victim, vd) }
        }
        let dataset = options.datasets[d]
        let seq = slot.nextSeq[d]
        slot.nextSeq[d] += 1
        let name = Self.fileName(batch: options.batchId, seq: seq, compression: options.compression)
        var dir = stagingRoot + "/" + dataset.name
        if !slot.directory.isEmpty { dir += "/" + slot.directory }
        try FileOps.makeDirectories(dir)
        let path = dir + "/" + name
        let sink = try factory.makeSink(path: path, dataset: dataset, options: options)
        slot.open[d] = OpenFile(sink: sink, name: name, path: path, rows: 0)
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
            values: slot.values, rows: file.rows, bytes: size, crc32: crc))
        slot.rows[d] += file.rows
        slot.bytes[d] += size
        slot.files[d] += 1
    }

    /// Writes every waiting row and closes every file; returns the staged files.
    func finish() throws(WaybillError) -> [StagedFile] {
        // Most runs end with every partition still waiting (rows arrive interleaved and fit in
        // the budget), so encoding them all is a large share of the run: two threads take
        // partitions in turn. Spilled rows keep the sequential path (one spill file reader).
        if spill == nil && slots.count > 1 && maxOpenFiles >= 4 * options.datasets.count {
            try finishInParallel(threads: 2)
            return staged
        }
        // Partition by partition, so the end of a run holds one partition's files open, not
        // the cap's worth.
        for i in slots.indices {
            try flush(i)
            for d in options.datasets.indices where slots[i].open[d] != nil { try close(i, d) }
        }
        return staged
    }

    /// `finish()` on `threads` threads: decoding the waiting rows and encoding the row groups
    /// run unlocked, on rows and files only one thread touches; opening, closing and the
    /// counters run under `lock`. Staged files end up in partition order, as sequentially.
    private func finishInParallel(threads: Int) throws(WaybillError) {
        let lock = Lock()
        finishNext = 0
        finishFailure = nil
        let base = staged.count
        let box = UncheckedBox(self)
        runOnThreads(threads) {
            let w = box.value
            var rows = OrderBatch()
            while true {
                lock.lock()
                if w.finishFailure != nil || w.finishNext >= w.slots.count {
                    lock.unlock()
                    return
                }
                let i = w.finishNext
                w.finishNext += 1
                w.busy.insert(i)
                let slot = w.slots[i]
                w.clock += 1
                slot.lastUse = w.clock
                let buffer = slot.buffer
                let count = slot.bufferedOrders
                w.bufferedBytes -= slot.buffer.capacity
                slot.buffer = []
                slot.bufferedOrders = 0
                lock.unlock()
                do throws(WaybillError) {
                    rows.removeAll()
                    if count > 0 { RowCodec.decodeAll(buffer, into: &rows) }
                    for (d, dataset) in w.options.datasets.enumerated() {
                        let table = dataset.table(of: rows)
                        if table.rowCount == 0 { continue }
                        lock.lock()
                        do throws(WaybillError) { try w.ensureOpen(i, d) } catch {
                            lock.unlock()
                            throw error
                        }
                        let file = slot.open[d]!
                        lock.unlock()
                        try file.sink.writeRowGroup(table)
                        lock.lock()
                        slot.open[d]!.rows += table.rowCount
                        do throws(WaybillError) {
                            if file.sink.bytesWritten >= w.options.maxFileBytes { try w.close(i, d) }
                        } catch {
                            lock.unlock()
                            throw error
                        }
                        lock.unlock()
                    }
                    lock.lock()
                    defer { lock.unlock() }
                    w.busy.remove(i)
                    for d in w.options.datasets.indices where slot.open[d] != nil { try w.close(i, d) }
                } catch {
                    lock.lock()
                    if w.finishFailure == nil { w.finishFailure = error }
                    w.busy.remove(i)
                    lock.unlock()
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

    /// Closes open files without caring about errors (the run is being abandoned).
    func abandon() {
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

/// A pthread mutex: the parallel finish needs nothing more.
private final class Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
}

/// Hands the writer to the threads of the parallel finish, which share it under `Lock`.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Runs `body` on the calling thread and on `count - 1` new threads, and waits for all of
/// them. (libdispatch's concurrentPerform may leave its pool thread idle on a busy machine.)
private func runOnThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) {
    final class Job: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var threads: [pthread_t] = []
    for _ in 1..<max(count, 1) {
        var t = pthread_t()
        let job = Unmanaged.passRetained(Job(body)).toOpaque()
        let rc = pthread_create(&t, nil, { arg in
            let job = Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue()
            job.body()
            return nil
        }, job)
        if rc == 0 {
            threads.append(t)
        } else {
            Unmanaged<Job>.fromOpaque(job).release()  // no thread: the calling thread does the work
        }
    }
    body()
    for t in threads { pthread_join(t, nil) }
}
