import OrderModel

/// What a reader supplies for one record besides its slot values: its unmapped fields and
/// its lines. Readers implement it with final classes, used generically (no existential).
protocol RecordExtras {
    /// Adds the record's unmapped order-level fields to the open order's `ext`.
    func addOrderExt(_ table: inout ColumnTable)
    /// Adds the record's lines to the open order.
    func addLines(_ mapper: RecordMapper, _ batch: inout OrderBatch) throws(MapFailure)
    /// Adds the unmapped fields of the line being mapped to its `ext` (called by `mapLine`).
    func addLineExt(_ table: inout ColumnTable)
    /// The record's unmapped order-level fields, which the rows of a grouped order must repeat
    /// or leave empty: how many, and field `i`'s value (empty when absent) and column name.
    /// NDJSON records have none here: their `ext` keys differ from record to record.
    var orderExtCount: Int { get }
    func orderExtValue(_ i: Int) -> UnsafeRawBufferPointer
    func orderExtName(_ i: Int) -> String
}

/// Turns mapped records into orders in a batch: groups consecutive rows of one order, rolls a
/// failed order back and turns all its rows into rejects (nothing half-mapped is emitted),
/// stamps lineage, keeps the books and hands full batches on.
final class OrderAssembler {
    private(set) var batch = OrderBatch()
    let mapper: RecordMapper
    let rejects: RejectWriter
    private let batchSize: Int
    /// Bytes of the records in the batch: a batch is also handed on once they pass
    /// `maxBatchRecordBytes`, so that wide records (thousands of `ext` columns, 80 KB an
    /// order) do not make batches of hundreds of MiB at `batchSize` orders.
    private var batchRecordBytes = 0
    static let maxBatchRecordBytes = 8 << 20
    private let emit: (inout OrderBatch) throws(WaybillError) -> Void
    private let batchID: [UInt8]
    private let groupKey: Int?
    private let groupStart: Int?
    /// `max_order_rows`: a grouped order of more rows is rejected (`order_too_large`).
    private let maxOrderRows: Int
    /// The slots only order fields read (`Profile.orderOnlySlots`), when rows are grouped; plain
    /// memory, read for every row (an array here was retained per row).
    private let orderSlots: UnsafeMutableBufferPointer<Int>
    /// Set when emitting failed (e.g. stdout closed): readers stop early.
    private(set) var failure: WaybillError?

    /// The state each record touches, in plain memory owned by the assembler: stored class
    /// properties cost a dynamic exclusivity check per access (a few per record, several per
    /// cent of `collect`), the pointee of a pointer none.
    private struct State {
        var books = Books()
        var file = ""
        var member: String?
        var fileBytes: [UInt8] = []
        var memberBytes: [UInt8]?
        // The open group (order being assembled).
        var open = false
        var key: [UInt8] = []
        var rows: [(line: Int, offset: Int, rawEnd: Int)] = []
        /// Raw bytes of the open order's rows, for their rejects (appended once per row).
        var raw = ByteBuffer()
        /// The open order's first row: its order-only slots, then its order `ext` fields, back
        /// to back; value `k` ends at `firstEnds[k]`.
        var first = ByteBuffer()
        var firstEnds: [Int] = []
        var failed: MapFailure?
    }
    private let state: UnsafeMutablePointer<State>

    var books: Books { state.pointee.books }

    init(mapper: RecordMapper, rejects: RejectWriter, batchID: String, batchSize: Int,
         emit: @escaping (inout OrderBatch) throws(WaybillError) -> Void) {
        self.mapper = mapper
        self.rejects = rejects
        self.batchSize = batchSize
        self.emit = emit
        self.batchID = Array(batchID.utf8)
        groupKey = mapper.profile.groupKey
        groupStart = mapper.profile.groupStartWhenSet
        maxOrderRows = mapper.profile.limits.maxOrderRows
        let slots = groupKey == nil ? [] : mapper.profile.orderOnlySlots()
        orderSlots = .allocate(capacity: slots.count)
        _ = orderSlots.initialize(from: slots)
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        // A record sets a dozen of the ~120 fields: the rest are padded in bulk at flush.
        batch.defersNullPadding = true
    }

    var stopped: Bool { failure != nil }

    /// Sizes the batch being filled like a full one (`BatchCapacity`).
    func reserveCapacity(_ capacity: BatchCapacity) { batch.reserveCapacity(capacity) }

    deinit {
        state.pointee.raw.free()
        state.pointee.first.free()
        orderSlots.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Starts a new file or archive member (orders never span two).
    func begin(file: String, member: String?) {
        closeGroup()
        let s = state
        s.pointee.file = file
        s.pointee.member = member
        s.pointee.fileBytes = Array(file.utf8)
        s.pointee.memberBytes = member.map { Array($0.utf8) }
    }

    func countFile() { state.pointee.books.files += 1 }
    func countMember() { state.pointee.books.archiveMembers += 1 }
    func countBytes(_ n: Int) { state.pointee.books.bytesRead += n }

    /// Ends the current member.
    func endMember() { closeGroup() }

    /// Adds the books of records another assembler mapped (a chunk of a file read in parallel).
    func absorb(_ other: Books) {
        var b = other
        b.files = 0
        b.archiveMembers = 0
        b.bytesRead = 0
        state.pointee.books.add(b)
    }

    /// Ends the open order and hands on the batch so far, so that batches made elsewhere
    /// (chunks of a file read in parallel) follow it in input order.
    func flushPending() throws(WaybillError) {
        closeGroup()
        if let failure { throw failure }
        if batch.count > 0 { try flush() }
    }

    /// Ends the run: the last order and the last batch.
    func finish() throws(WaybillError) {
        closeGroup()
        if let failure { throw failure }
        if batch.count > 0 { try flush() }
    }

    // MARK: Records

    /// One source record whose slot values are in `mapper.record`.
    func record<E: RecordExtras>(_ extras: E, raw bytes: UnsafeRawBufferPointer, line: Int, offset: Int) {
        let s = state
        s.pointee.books.recordsIn += 1
        var startsNew = true
        if let g = groupKey, s.pointee.open {
            let k = mapper.record.value(g) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            let restart = groupStart.map { mapper.record.isPresent($0) } ?? false
            // A row without a key continues no order: two keyless rows in a row are two broken
            // records (each a reject of its own), not one order whose rows disagree.
            startsNew = restart || k.isEmpty || !Self.equal(s.pointee.key, k)
        }
        if startsNew {
            closeGroup()
            openGroup()
        }
        addRow(bytes, line: line, offset: offset)
        if let f = s.pointee.failed {
            rejectRow(s.pointee.rows.count - 1, code: f.code, reason: "order rejected as a whole: " + f.reason, field: f.field)
            forgetRows()
            return
        }
        if !startsNew && s.pointee.rows.count > maxOrderRows {
            let key = String(decoding: s.pointee.key, as: UTF8.self)
            failGroup(MapFailure(
                code: "order_too_large",
                reason: "order '\(key)' has more than max_order_rows \(maxOrderRows) rows (a group.key that never changes?)"))
            return
        }
        if !startsNew, let conflict = orderConflict(extras) {
            failGroup(conflict)
            return
        }
        if startsNew && (batch.count >= batchSize || batchRecordBytes >= Self.maxBatchRecordBytes) { try? flush() }
        batchRecordBytes += bytes.count
        // One access to `batch` for the whole record (see `State`).
        let failure = Self.map(extras, mapper, startsNew, into: &batch)
        if let failure {
            failGroup(failure)
        } else if startsNew && groupKey != nil {
            keepFirstRow(extras)
        }
        if groupKey == nil { closeGroup() }
    }

    /// Keeps the order fields of a grouped order's first row, which its other rows are
    /// checked against (`orderConflict`).
    private func keepFirstRow<E: RecordExtras>(_ extras: E) {
        let s = state
        s.pointee.first.removeAll()
        s.pointee.firstEnds.removeAll(keepingCapacity: true)
        for slot in orderSlots {
            if let v = mapper.record.value(slot) { s.pointee.first.append(v) }
            s.pointee.firstEnds.append(s.pointee.first.count)
        }
        for i in 0..<extras.orderExtCount {
            s.pointee.first.append(extras.orderExtValue(i))
            s.pointee.firstEnds.append(s.pointee.first.count)
        }
    }

    /// A later row of a grouped order that gives an order field another value than the first
    /// row: the order takes its fields from the first row, so the other value would be dropped
    /// without a word (or two orders share a key). Empty values are allowed (shop exports
    /// leave them blank on continuation rows).
    private func orderConflict<E: RecordExtras>(_ extras: E) -> MapFailure? {
        let s = state
        var k = 0, start = 0
        for slot in orderSlots {
            let end = s.pointee.firstEnds[k]
            if let v = mapper.record.value(slot), !s.pointee.first.equals(start..<end, v) {
                return conflict(mapper.profile.recordSlots.names[slot], v, start..<end)
            }
            start = end
            k += 1
        }
        for i in 0..<extras.orderExtCount {
            let end = s.pointee.firstEnds[k]
            let v = extras.orderExtValue(i)
            if !v.isEmpty && !s.pointee.first.equals(start..<end, v) { return conflict(extras.orderExtName(i), v, start..<end) }
            start = end
            k += 1
        }
        return nil
    }

    private func conflict(_ column: String, _ value: UnsafeRawBufferPointer, _ first: Range<Int>) -> MapFailure {
        let s = state
        let was = s.pointee.first.bytes(first).withUnsafeBytes { $0.quoted() }
        return MapFailure(
            code: "order_fields_differ",
            reason: "column '\(column)' is \(value.quoted()) here but \(was) on the order's first row (line "
                + "\(s.pointee.rows[0].line)): the rows of one order must repeat its order fields or leave them empty",
            field: column)
    }

    @inline(__always)
    private static func equal(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        a.withUnsafeBytes { $0.bytesEqual(b) }
    }

    private static func map<E: RecordExtras>(_ extras: E, _ mapper: RecordMapper, _ startsNew: Bool, into batch: inout OrderBatch)
        -> MapFailure?
    {
        do throws(MapFailure) {
            if startsNew {
                batch.beginOrder()
                try mapper.mapOrder(into: &batch)
                extras.addOrderExt(&batch.orders)
            }
            try extras.addLines(mapper, &batch)
            return nil
        } catch {
            return error
        }
    }

    /// A record that could not be parsed or read. With grouping, `key` (the group key as far as
    /// it could be read) decides: the open order is rejected with it when the key is the same
    /// or unknown (it may have been one of its rows), and later rows with the same key are
    /// rejected too, so no order is emitted without one of its rows.
    func broken(
        raw bytes: UnsafeRawBufferPointer, line: Int, offset: Int, code: String, reason: String, field: String? = nil,
        key brokenKey: UnsafeRawBufferPointer? = nil
    ) {
        let s = state
        s.pointee.books.recordsIn += 1
        let f = MapFailure(code: code, reason: reason, field: field)
        if s.pointee.open && groupKey != nil {
            let sameOrUnknown = brokenKey.map { k in s.pointee.key.withUnsafeBytes { $0.bytesEqual(k) } } ?? true
            if sameOrUnknown {
                addRow(bytes, line: line, offset: offset)
                if s.pointee.failed == nil {
                    failGroup(f)
                } else {
                    rejectRow(s.pointee.rows.count - 1, code: code, reason: reason, field: field)
                    forgetRows()
                }
                if brokenKey == nil { closeGroup() }
                return
            }
        }
        closeGroup()
        // The mapper's record is not this broken one (it may point into a block already
        // freed): the group key comes from the caller only.
        openGroup(keyFromRecord: false)
        if let brokenKey { s.pointee.key.append(contentsOf: brokenKey) }
        addRow(bytes, line: line, offset: offset)
        rejectRow(0, code: code, reason: reason, field: field)
        s.pointee.failed = f
        if groupKey == nil || brokenKey == nil { closeGroup() }
    }

    // MARK: Groups

    private func openGroup(keyFromRecord: Bool = true) {
        let s = state
        s.pointee.open = true
        s.pointee.failed = nil
        s.pointee.rows.removeAll(keepingCapacity: true)
        s.pointee.raw.removeAll()
        s.pointee.key.removeAll(keepingCapacity: true)
        if keyFromRecord, let g = groupKey, let k = mapper.record.value(g) { s.pointee.key.append(contentsOf: k) }
    }

    @inline(__always)
    private func addRow(_ bytes: UnsafeRawBufferPointer, line: Int, offset: Int) {
        let s = state
        s.pointee.raw.append(bytes)
        s.pointee.rows.append((line, offset, s.pointee.raw.count))
    }

    private func failGroup(_ f: MapFailure) {
        batch.cancelOrder()
        let s = state
        s.pointee.failed = f
        let last = s.pointee.rows.count - 1
        for r in 0..<last {
            rejectRow(r, code: f.code, reason: "order rejected as a whole: line \(s.pointee.rows[last].line): " + f.reason, field: f.field)
        }
        rejectRow(last, code: f.code, reason: f.reason, field: f.field)
        forgetRows()
    }

    /// Drops the rows of a failed order once they are rejects: its later rows are rejected one
    /// by one as they come, so an order of millions of rows does not keep them all.
    private func forgetRows() {
        state.pointee.rows.removeAll(keepingCapacity: true)
        state.pointee.raw.removeAll()
    }

    private func closeGroup() {
        let s = state
        guard s.pointee.open else { return }
        s.pointee.open = false
        if s.pointee.failed == nil {
            let firstLine = s.pointee.rows.first?.line ?? 0
            // One access to `batch` for the lineage, the check and the end of the order.
            let result = Self.endOrder(&batch, mapper, batchID, s, firstLine: firstLine)
            switch result {
            case .success(let lines):
                s.pointee.books.rowsOut += s.pointee.rows.count
                s.pointee.books.ordersOut += 1
                s.pointee.books.linesOut += lines
            case .failure(let error):
                failGroup(error)
            }
        }
        s.pointee.failed = nil
    }

    /// Stamps lineage, checks the required fields and ends the open order; the number of its
    /// lines, or why it fails.
    private static func endOrder(
        _ batch: inout OrderBatch, _ mapper: RecordMapper, _ batchID: [UInt8], _ s: UnsafeMutablePointer<State>,
        firstLine: Int
    ) -> Result<Int, MapFailure> {
        batchID.withUnsafeBytes { batch.orders.set(OrderField.batchId, utf8: $0) }
        s.pointee.fileBytes.withUnsafeBytes { batch.orders.set(OrderField.sourceFile, utf8: $0) }
        if let m = s.pointee.memberBytes { m.withUnsafeBytes { batch.orders.set(OrderField.sourceMember, utf8: $0) } }
        batch.orders.set(OrderField.sourceLine, int: Int64(firstLine))
        do throws(MapFailure) {
            try mapper.checkOrder(batch.orders)
        } catch {
            return .failure(error)
        }
        let lines = batch.openOrderLineCount
        batch.endOrder()
        return .success(lines)
    }

    private func rejectRow(_ r: Int, code: String, reason: String, field: String?) {
        let s = state
        let rows = s.pointee.rows
        let start = r == 0 ? 0 : rows[r - 1].rawEnd
        let reject = Reject(
            stage: "collect", code: code, reason: reason, field: field,
            position: SourcePosition(file: s.pointee.file, member: s.pointee.member, line: rows[r].line, byteOffset: rows[r].offset),
            raw: s.pointee.raw.bytes(start..<rows[r].rawEnd))
        s.pointee.books.rejected += 1
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
            batchRecordBytes = 0
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

    @inline(__always)
    func equals(_ r: Range<Int>, _ other: UnsafeRawBufferPointer) -> Bool {
        UnsafeRawBufferPointer(start: base + r.lowerBound, count: r.count).bytesEqual(other)
    }

    func free() { base.deallocate() }
}
