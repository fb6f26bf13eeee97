import OrderModel

/// Runs a profile's field programs over one record's source values and writes the results
/// into the batch's columns. Owns the per-thread mutable state: template scratch space and
/// the time-zone caches.
final class RecordMapper {
    let profile: Profile
    let record: SlotValues
    let item: SlotValues
    /// Per field op, what the hot path needs without touching the op itself (copying an op
    /// would retain its strings and arrays): target, kind and, for a plain `field` reference,
    /// its slot.
    private struct Plan {
        let column: Int
        let kind: ColumnKind
        /// The source slot when the spec is a plain reference with no options, else -1.
        let slot: Int
        /// For dates and times: the index of the format in `formats`, and the zone.
        let format: Int
        let zone: Int
    }
    /// Time formats of the plain date/time references (plain memory: no retains per use).
    private let formats: UnsafeMutablePointer<TimeFormat>
    /// Day numbers of recent `YYYY-MM-DD` texts, for the formats that are exactly that.
    private let dateMemo = DateMemo()
    private let formatCount: Int
    /// The plans and ops of order and line fields, as plain memory owned by the mapper: the
    /// per-record loops bound `orderPlan` and `profile.orderOps` as arrays, a retain and a
    /// release of each per order, and passing an op on retained it too. The ops and their
    /// array are shared by every chunk's mapper, so the threads contended for those reference
    /// counts (`mapOrder`'s were 2% of a TPC-H scale-1 `run`'s CPU samples, `perf record`).
    /// The ops are held unretained: `profile` keeps them alive as long as the mapper.
    private let orderPlan: UnsafeMutableBufferPointer<Plan>
    private let linePlan: UnsafeMutableBufferPointer<Plan>
    private let orderOps: UnsafeMutableBufferPointer<Unmanaged<FieldOp>>
    private let lineOps: UnsafeMutableBufferPointer<Unmanaged<FieldOp>>
    private var zones: [ZoneResolver]
    /// Template output; grows, never shrinks. Pointers into it are valid until the next template.
    private var scratch: UnsafeMutableRawBufferPointer
    private var scratchUsed = 0
    /// Local calendar day of the last created_at, to derive order_date when it is not mapped.
    private(set) var createdLocalDay: Int64?
    private let mapsOrderDate: Bool
    private let mapsSource: Bool
    private let mapsLineNo: Bool
    private let requiredOrder: [Int]
    private let requiredLine: [Int]
    private let sourceBytes: [UInt8]

    init(profile: Profile) {
        self.profile = profile
        record = SlotValues(count: profile.recordSlots.count)
        item = SlotValues(count: profile.itemSlots.count)
        zones = profile.zones.map(ZoneResolver.init)
        scratch = .allocate(byteCount: 4096, alignment: 1)
        mapsOrderDate = profile.orderOps.contains { $0.column == OrderField.orderDate }
        mapsSource = profile.orderOps.contains { $0.column == OrderField.source }
        mapsLineNo = profile.lineOps.contains { $0.column == LineField.lineNo }
        requiredOrder = OrderSchema.orderFields.indices.filter { OrderSchema.orderFields[$0].required }
        requiredLine = OrderSchema.lineFields.indices.filter {
            OrderSchema.lineFields[$0].required && $0 != LineField.orderId
        }
        sourceBytes = Array(profile.source.utf8)
        var fmts: [TimeFormat] = []
        func plan(_ op: FieldOp) -> Plan {
            var slot = -1
            var format = -1
            if op.spec.isSimpleSlot, case .slot(let s) = op.spec.source {
                slot = s
                if let f = op.spec.timeFormat {
                    fmts.append(f)
                    format = fmts.count - 1
                }
            }
            return Plan(column: op.column, kind: op.kind, slot: slot, format: format, zone: op.spec.zone)
        }
        orderPlan = .copy(of: profile.orderOps.map(plan))
        linePlan = .copy(of: profile.lineOps.map(plan))
        orderOps = .copy(of: profile.orderOps.map { Unmanaged.passUnretained($0) })
        lineOps = .copy(of: profile.lineOps.map { Unmanaged.passUnretained($0) })
        formatCount = fmts.count
        formats = .allocate(capacity: max(1, fmts.count))
        formats.initialize(from: fmts, count: fmts.count)
    }

    deinit {
        orderOps.deallocate()
        lineOps.deallocate()
        orderPlan.deallocate()
        linePlan.deallocate()
        formats.deinitialize(count: formatCount)
        formats.deallocate()
        dateMemo.free()
        scratch.deallocate()
        record.free()
        item.free()
    }

    /// Runs `body` with op `i` of `ops` borrowed, not retained (see `orderOps`).
    @inline(__always)
    private static func withOp(
        _ ops: UnsafeMutableBufferPointer<Unmanaged<FieldOp>>, _ i: Int, _ body: (FieldOp) throws(MapFailure) -> Void
    ) throws(MapFailure) {
        var failure: MapFailure?
        ops[i]._withUnsafeGuaranteedRef { op in
            do throws(MapFailure) { try body(op) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    // MARK: Orders and lines

    /// Sets every mapped order field of the open order from `record`.
    func mapOrder(into batch: inout OrderBatch) throws(MapFailure) {
        createdLocalDay = nil
        let plan = orderPlan
        let ops = orderOps
        let values = record
        for i in plan.indices {
            let p = plan[i]
            if p.slot >= 0 {
                guard let v = values.value(p.slot) else { continue }
                try fastConvert(p, v, table: &batch.orders, ops: ops, index: i)
            } else {
                scratchUsed = 0
                try Self.withOp(ops, i) { op throws(MapFailure) in try apply(op, values: values, table: &batch.orders) }
            }
        }
        if !mapsSource {
            sourceBytes.withUnsafeBytes { batch.orders.set(OrderField.source, utf8: $0) }
        }
        if !mapsOrderDate, let day = createdLocalDay {
            batch.orders.set(OrderField.orderDate, int: day)
        }
    }

    /// Checks the order's required fields (after mapping, before `endOrder`).
    func checkOrder(_ orders: borrowing ColumnTable) throws(MapFailure) {
        for c in requiredOrder where !orders.isSet(c) {
            let name = OrderSchema.orderFields[c].name
            let from = profile.orderOps.first { $0.column == c }.map { " (mapped from \($0.spec.label), empty here)" } ?? " (not mapped by the profile)"
            throw MapFailure(code: "missing_required", reason: "required field \(name) has no value\(from)", field: name)
        }
    }

    /// Adds one line to the open order from `values` (the record itself or one item).
    /// (Generic over the reader rather than taking a closure for `ext`: a closure's context
    /// retained and released what it captured once per line.)
    func mapLine<E: RecordExtras>(fromItem: Bool, into batch: inout OrderBatch, extras: E) throws(MapFailure) {
        batch.beginLine()
        let values = fromItem ? item : record
        do throws(MapFailure) {
            let plan = linePlan
            let ops = lineOps
            for i in plan.indices {
                let p = plan[i]
                if p.slot >= 0 {
                    guard let v = values.value(p.slot) else { continue }
                    try fastConvert(p, v, table: &batch.lines, ops: ops, index: i)
                } else {
                    scratchUsed = 0
                    try Self.withOp(ops, i) { op throws(MapFailure) in try apply(op, values: values, table: &batch.lines) }
                }
            }
            if !mapsLineNo {
                batch.lines.set(LineField.lineNo, int: Int64(batch.openOrderLineCount + 1))
            }
            for c in requiredLine where !batch.lines.isSet(c) {
                let name = OrderSchema.lineFields[c].name
                let from = profile.lineOps.first { $0.column == c }.map { " (mapped from \($0.spec.label), empty here)" } ?? " (not mapped by the profile)"
                throw MapFailure(code: "missing_required", reason: "required line field \(name) has no value\(from)", field: name)
            }
            extras.addLineExt(&batch.lines)
        } catch {
            batch.cancelLine()
            throw error
        }
        batch.endLine()
    }

    // MARK: One field

    @inline(__always)
    private func apply(_ op: FieldOp, values: SlotValues, table: inout ColumnTable) throws(MapFailure) {
        guard let bytes = try evaluate(op.spec, values, op: op, alternative: false) else { return }
        try convert(op, op.spec, bytes, into: &table)
    }

    /// The text a spec yields for this record, or nil (absent).
    private func evaluate(_ spec: ValueSpec, _ values: SlotValues, op: FieldOp, alternative: Bool)
        throws(MapFailure) -> UnsafeRawBufferPointer?
    {
        if let w = spec.when, !holds(w, values) { return nil }
        var text: UnsafeRawBufferPointer
        switch spec.source {
        case .slot(let s):
            guard let v = values.value(s) else { return nil }
            text = v
        case .constant(let c):
            text = c.bytes
        case .template(let parts):
            guard let t = template(parts, values) else { return nil }
            text = t
        case .firstOf(let alternatives):
            for a in alternatives {
                if let v = try evaluate(a, values, op: op, alternative: true) {
                    // The alternative's own conversion options (format, zone, scale) are lost
                    // here on purpose: first_of picks text; the outer spec converts it.
                    text = v
                    return try mapped(spec, text, op: op, alternative: alternative)
                }
            }
            return nil
        }
        return try mapped(spec, text, op: op, alternative: alternative)
    }

    @inline(__always)
    private func mapped(_ spec: ValueSpec, _ text: UnsafeRawBufferPointer, op: FieldOp, alternative: Bool)
        throws(MapFailure) -> UnsafeRawBufferPointer?
    {
        guard let map = spec.map else { return text }
        for e in map where e.key.bytes.bytesEqual(text) { return e.value.bytes }
        if let d = spec.mapDefault { return d.bytes }
        if alternative { return nil }
        throw MapFailure(
            code: "unmapped_value", reason: "\(op.name) (from \(spec.label)): \(text.quoted()) has no entry in the profile's map",
            field: op.name)
    }

    private func holds(_ c: Condition, _ values: SlotValues) -> Bool {
        let v = values.value(c.slot)
        if let p = c.present, (v != nil) != p { return false }
        if let list = c.oneOf {
            guard let v, list.contains(where: { $0.bytes.bytesEqual(v) }) else { return false }
        }
        if let list = c.noneOf, let v, list.contains(where: { $0.bytes.bytesEqual(v) }) { return false }
        return true
    }

    private func template(_ parts: [ValueSpec.TemplatePart], _ values: SlotValues) -> UnsafeRawBufferPointer? {
        var need = 0
        for p in parts {
            switch p {
            case .literal(let l): need += l.bytes.count
            case .slot(let s):
                guard values.isPresent(s) else { return nil }  // a template with a missing part is absent
                need += values.length[s]
            }
        }
        if scratchUsed + need > scratch.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(scratch.count * 2, scratchUsed + need), alignment: 1)
            // Earlier results of this field (first_of alternatives) are not reused after growth.
            scratch.deallocate()
            scratch = bigger
            scratchUsed = 0
        }
        let start = scratchUsed
        for p in parts {
            let b: UnsafeRawBufferPointer
            switch p {
            case .literal(let l): b = l.bytes
            case .slot(let s): b = values.value(s)!
            }
            if !b.isEmpty {
                (scratch.baseAddress! + scratchUsed).copyMemory(from: b.baseAddress!, byteCount: b.count)
                scratchUsed += b.count
            }
        }
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scratch)[start..<scratchUsed])
    }

    // MARK: Conversion

    /// Converts a plain field reference without copying its op; errors take the slow path
    /// for their message.
    @inline(__always)
    private func fastConvert(_ p: Plan, _ text: UnsafeRawBufferPointer, table: inout ColumnTable, ops: UnsafeMutableBufferPointer<Unmanaged<FieldOp>>, index: Int)
        throws(MapFailure)
    {
        switch p.kind {
        case .string:
            table.set(p.column, utf8: text)
            return
        case .decimal:
            if case .success(let v) = ExactDecimal.parse(text) {
                table.set(p.column, int: v)
                return
            }
        case .int64:
            if let v = ValueParsers.int64(text) {
                table.set(p.column, int: v)
                return
            }
        case .int32:
            if let v = ValueParsers.int64(text), v >= Int64(Int32.min) && v <= Int64(Int32.max) {
                table.set(p.column, int: v)
                return
            }
        case .bool:
            if let b = ValueParsers.bool(text) {
                table.set(p.column, int: b ? 1 : 0)
                return
            }
        case .date:
            if text.count == 10 && formats[p.format].isISODate {
                let (h, t, slot) = DateMemo.key(text)
                if let days = dateMemo.lookup(h, t, slot) {
                    table.set(p.column, int: days)
                    return
                }
                if let d = formats[p.format].parse(text) {
                    dateMemo.store(h, t, slot, d.days)
                    table.set(p.column, int: d.days)
                    return
                }
            } else if let d = formats[p.format].parse(text) {
                table.set(p.column, int: d.days)
                return
            }
        case .timestamp:
            if let d = formats[p.format].parse(text) {
                let local = d.days * 86_400 + d.secondOfDay
                let offset = Int64(d.offsetSeconds ?? zones[p.zone].offset(atLocal: local))
                table.set(p.column, int: (local - offset) * CivilTime.microsPerSecond + d.micros)
                if p.column == OrderField.createdAt && table.fields.count == OrderSchema.orderFields.count {
                    createdLocalDay = d.days
                }
                return
            }
        default:
            break
        }
        try Self.withOp(ops, index) { op throws(MapFailure) in try convert(op, op.spec, text, into: &table) }
    }

    private func bad(_ op: FieldOp, _ spec: ValueSpec, _ text: UnsafeRawBufferPointer, _ what: String) -> MapFailure {
        MapFailure(code: "bad_type", reason: "\(op.name) (from \(spec.label)): \(text.quoted()) is not \(what)", field: op.name)
    }

    /// A decimal that is one but cannot be held: too long, or too precise.
    private func explained(_ op: FieldOp, _ spec: ValueSpec, _ text: UnsafeRawBufferPointer, _ why: ExactDecimal.ParseError)
        -> MapFailure
    {
        MapFailure(code: "bad_type", reason: "\(op.name) (from \(spec.label)): \(text.quoted()) \(why.explanation)", field: op.name)
    }

    @inline(__always)
    private func convert(_ op: FieldOp, _ spec: ValueSpec, _ text: UnsafeRawBufferPointer, into table: inout ColumnTable)
        throws(MapFailure)
    {
        switch op.kind {
        case .string:
            table.set(op.column, utf8: text)
        case .decimal:
            switch ExactDecimal.parse(text) {
            case .success(let v): table.set(op.column, int: try scaled(v, op, spec, text))
            case .failure(.empty), .failure(.notANumber): throw bad(op, spec, text, "an exact decimal number")
            case .failure(let why): throw explained(op, spec, text, why)
            }
        case .int32, .int64:
            var v: Int64
            if spec.numerator == 1 && spec.denominator == 1, let i = ValueParsers.int64(text) {
                v = i
            } else {
                // Through an exact decimal (e.g. kg -> g), rounded half away from zero to a whole number.
                let d: Int64
                switch ExactDecimal.parse(text) {
                case .success(let v): d = v
                case .failure(.empty), .failure(.notANumber): throw bad(op, spec, text, "a plain decimal number")
                case .failure(let why): throw explained(op, spec, text, why)
                }
                let s = try scaled(d, op, spec, text)
                let q = s / ExactDecimal.scale, r = s % ExactDecimal.scale
                v = q + (r >= ExactDecimal.scale / 2 ? 1 : (r <= -ExactDecimal.scale / 2 ? -1 : 0))
            }
            if op.kind == .int32 && (v < Int64(Int32.min) || v > Int64(Int32.max)) {
                throw bad(op, spec, text, "a 32-bit integer")
            }
            table.set(op.column, int: v)
        case .bool:
            guard let b = ValueParsers.bool(text) else { throw bad(op, spec, text, "a boolean (true/false)") }
            table.set(op.column, int: b ? 1 : 0)
        case .date:
            guard let p = spec.timeFormat!.parse(text) else { throw bad(op, spec, text, "a date in the format \(spec.timeFormat!.pattern)") }
            table.set(op.column, int: p.days)
        case .timestamp:
            guard let p = spec.timeFormat!.parse(text) else {
                throw bad(op, spec, text, "a time in the format \(spec.timeFormat!.pattern)")
            }
            let local = p.days * 86_400 + p.secondOfDay
            let offset = Int64(p.offsetSeconds ?? zones[spec.zone].offset(atLocal: local))
            table.set(op.column, int: (local - offset) * CivilTime.microsPerSecond + p.micros)
            if op.column == OrderField.createdAt && table.fields.count == OrderSchema.orderFields.count {
                createdLocalDay = p.days
            }
        case .stringList:
            table.touch(op.column)
            guard let sep = spec.split else {
                table.addElement(op.column, utf8: text)
                return
            }
            var s = 0
            let n = text.count
            while s <= n {
                var e = s
                while e < n && text[e] != sep { e += 1 }
                var a = s, b = e
                while a < b && text[a] == 0x20 { a += 1 }
                while b > a && text[b - 1] == 0x20 { b -= 1 }
                if b > a { table.addElement(op.column, utf8: UnsafeRawBufferPointer(rebasing: text[a..<b])) }
                s = e + 1
            }
        case .stringMap:
            break  // rejected by the profile compiler
        }
    }

    @inline(__always)
    private func scaled(_ v: Int64, _ op: FieldOp, _ spec: ValueSpec, _ text: UnsafeRawBufferPointer) throws(MapFailure) -> Int64 {
        if spec.numerator == 1 && spec.denominator == 1 { return v }
        let (m, o) = v.multipliedReportingOverflow(by: spec.numerator)
        if o { throw bad(op, spec, text, "in range after scaling") }
        if m % spec.denominator != 0 && op.kind == .decimal {
            throw MapFailure(
                code: "bad_type", reason: "\(op.name) (from \(spec.label)): \(text.quoted()) cannot be scaled exactly to 4 decimals",
                field: op.name)
        }
        let v = m / spec.denominator
        if op.kind == .decimal && v.magnitude > ExactDecimal.maxMagnitude.magnitude {
            throw explained(op, spec, text, .outOfRange)
        }
        return v
    }
}
