import OrderModel

/// What a reader supplies for one record besides its slot values: its unmapped fields and
/// its lines. Readers implement it with final classes, used generically (no existential).
protocol RecordExtras {
    /// Adds the record's unmapped order-level fields to the open order's `ext`.
    func addOrderExt(_ table: inout ColumnTable)
    /// Adds the record's lines to the open order.
    func addLines(_ mapper: RecordMapper, _ batch: inout OrderBatch) throws(MapFailure)
}

/// Turns mapped records into orders in a batch: groups consecutive rows of one order, rolls a
/// failed order back and turns all its rows into rejects (nothing half-mapped is emitted),
/// stamps lineage, keeps the books and hands full batches on.
final class OrderAssembler {
    private(set) var batch = OrderBatch()
    let mapper: RecordMapper
    private(set) var books = Books()
    let rejects: RejectWriter
    private let batchSize: Int
    private let emit: (inout OrderBatch) throws(WaybillError) -> Void
    private let batchID: [UInt8]
    private let groupKey: Int?
    private let groupStart: Int?
    /// Set when emitting failed (e.g. stdout closed): readers stop early.
    private(set) var failure: WaybillError?

    private var file = ""
    private var member: String?
    private var fileBytes: [UInt8] = []
    private var memberBytes: [UInt8]?

    // The open group (order being assembled).
    private var open = false
    private var key: [UInt8] = []
    private var rows: [(line: Int, offset: Int, rawEnd: Int)] = []
    /// Raw bytes of the open order's rows, for their rejects (plain memory: appended once per
    /// row on the hot path).
    private var raw = ByteBuffer()
    private var failed: MapFailure?

    init(mapper: RecordMapper, rejects: RejectWriter, batchID: String, batchSize: Int,
         emit: @escaping (inout OrderBatch) throws(WaybillError) -> Void) {
        self.mapper = mapper
        self.rejects = rejects
        self.batchSize = batchSize
        self.emit = emit
        self.batchID = Array(batchID.utf8)
        groupKey = mapper.profile.groupKey
        groupStart = mapper.profile.groupStartWhenSet
        // A record sets a dozen of the ~120 fields: the rest are padded in bulk at flush.
        batch.defersNullPadding = true
    }

    var stopped: Bool { failure != nil }

    deinit { raw.free() }

    /// Starts a new file or archive member (orders never span two).
    func begin(file: String, member: String?) {
        closeGroup()
        self.file = file
        self.member = member
        fileBytes = Array(file.utf8)
        memberBytes = member.map { Array($0.utf8) }
    }

    func countFile() { books.files += 1 }
    func countMember() { books.archiveMembers += 1 }
    func countBytes(_ n: Int) { books.bytesRead += n }

    /// Ends the current member.
    func endMember() { closeGroup() }

    /// Ends the run: the last order and the last batch.
    func finish() throws(WaybillError) {
        closeGroup()
        if let failure { throw failure }
        if batch.count > 0 { try flush() }
    }

    // MARK: Records

    /// One source record whose slot values are in `mapper.record`.
    func record<E: RecordExtras>(_ extras: E, raw bytes: UnsafeRawBufferPointer, line: Int, offset: Int) {
        books.recordsIn += 1
        var startsNew = true
        if let g = groupKey, open {
            let k = mapper.record.value(g) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            let restart = groupStart.map { mapper.record.isPresent($0) } ?? false
            startsNew = restart || !key.withUnsafeBytes { $0.bytesEqual(k) }
        }
        if startsNew {
            closeGroup()
            openGroup()
        }
        addRow(bytes, line: line, offset: offset)
        if let f = failed {
            rejectRow(rows.count - 1, code: f.code, reason: "order rejected as a whole: " + f.reason, field: f.field)
            return
        }
        do throws(MapFailure) {
            if startsNew {
                if batch.count >= batchSize { try? flush() }
                batch.beginOrder()
                try mapper.mapOrder(into: &batch)
                extras.addOrderExt(&batch.orders)
            }
            try extras.addLines(mapper, &batch)
        } catch {
            failGroup(error)
        }
        if groupKey == nil { closeGroup() }
    }

    /// A record that could not be parsed or read. With grouping, `key` (the group key as far as
    /// it could be read) decides: the open order is rejected with it when the key is the same
    /// or unknown (it may have been one of its rows), and later rows with the same key are
    /// rejected too, so no order is emitted without one of its rows.
    func broken(
        raw bytes: UnsafeRawBufferPointer, line: Int, offset: Int, code: String, reason: String, field: String? = nil,
        key brokenKey: UnsafeRawBufferPointer? = nil
    ) {
        books.recordsIn += 1
        let f = MapFailure(code: code, reason: reason, field: field)
        if open && groupKey != nil {
            let sameOrUnknown = brokenKey.map { k in key.withUnsafeBytes { $0.bytesEqual(k) } } ?? true
            if sameOrUnknown {
                addRow(bytes, line: line, offset: offset)
                if failed == nil {
                    failGroup(f)
                } else {
                    rejectRow(rows.count - 1, code: code, reason: reason, field: field)
                }
                if brokenKey == nil { closeGroup() }
                return
            }
        }
        closeGroup()
        // The mapper's record is not this broken one (it may point into a block already
        // freed): the group key comes from the caller only.
        openGroup(keyFromRecord: false)
        if let brokenKey { key.append(contentsOf: brokenKey) }
        addRow(bytes, line: line, offset: offset)
        rejectRow(0, code: code, reason: reason, field: field)
        failed = f
        if groupKey == nil || brokenKey == nil { closeGroup() }
    }

    // MARK: Groups

    private func openGroup(keyFromRecord: Bool = true) {
        open = true
        failed = nil
        rows.removeAll(keepingCapacity: true)
        raw.removeAll()
        key.removeAll(keepingCapacity: true)
        if keyFromRecord, let g = groupKey, let k = mapper.record.value(g) { key.append(contentsOf: k) }
    }

    private func addRow(_ bytes: UnsafeRawBufferPointer, line: Int, offset: Int) {
        raw.append(bytes)
        rows.append((line, offset, raw.count))
    }

    private func failGroup(_ f: MapFailure) {
        batch.cancelOrder()
        failed = f
        let last = rows.count - 1
        for r in 0..<last {
            rejectRow(r, code: f.code, reason: "order rejected as a whole: line \(rows[last].line): " + f.reason, field: f.field)
        }
        rejectRow(last, code: f.code, reason: f.reason, field: f.field)
    }

    private func closeGroup() {
        guard open else { return }
        open = false
        if failed == nil {
            stampLineage()
            do throws(MapFailure) {
                try mapper.checkOrder(batch)
                let lines = batch.openOrderLineCount
                batch.endOrder()
                books.rowsOut += rows.count
                books.ordersOut += 1
                books.linesOut += lines
            } catch {
                failGroup(error)
            }
        }
        failed = nil
    }

    private func stampLineage() {
        batchID.withUnsafeBytes { batch.orders.set(OrderField.batchId, utf8: $0) }
        fileBytes.withUnsafeBytes { batch.orders.set(OrderField.sourceFile, utf8: $0) }
        if let m = memberBytes { m.withUnsafeBytes { batch.orders.set(OrderField.sourceMember, utf8: $0) } }
        batch.orders.set(OrderField.sourceLine, int: Int64(rows.first?.line ?? 0))
    }

    private func rejectRow(_ r: Int, code: String, reason: String, field: String?) {
        let start = r == 0 ? 0 : rows[r - 1].rawEnd
        let reject = Reject(
            stage: "collect", code: code, reason: reason, field: field,
            position: SourcePosition(file: file, member: member, line: rows[r].line, byteOffset: rows[r].offset),
            raw: raw.bytes(start..<rows[r].rawEnd))
        books.rejected += 1
        do {
            try rejects.write(reject)
        } catch {
            if failure == nil { failure = error }
        }
    }

    private func flush() throws(WaybillError) {
        // Whoever receives the batch sees whole columns (and may build on it as usual).
        batch.defersNullPadding = false
        defer {
            batch.removeAll()
            batch.defersNullPadding = true
        }
        do {
            try emit(&batch)
        } catch {
            if failure == nil { failure = error }
            throw error
        }
    }
}

/// A growable byte buffer in plain memory, freed with its owner.
struct ByteBuffer {
    private var base = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 1)
    private var capacity = 1 << 16
    private(set) var count = 0

    @inline(__always)
    mutating func append(_ b: UnsafeRawBufferPointer) {
        guard let src = b.baseAddress, !b.isEmpty else { return }
        if count + b.count > capacity {
            let cap = max(capacity * 2, count + b.count)
            let n = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 1)
            n.copyMemory(from: base, byteCount: count)
            base.deallocate()
            base = n
            capacity = cap
        }
        (base + count).copyMemory(from: src, byteCount: b.count)
        count += b.count
    }

    mutating func removeAll() { count = 0 }

    func bytes(_ r: Range<Int>) -> [UInt8] { Array(UnsafeRawBufferPointer(start: base + r.lowerBound, count: r.count)) }

    func free() { base.deallocate() }
}
