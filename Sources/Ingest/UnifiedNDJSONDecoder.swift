import OrderModel

/// Decodes lines of the unified NDJSON form (what `UnifiedNDJSONEncoder` writes: header fields
/// at the top level, group objects, `ext`, `lines`) from a simdjson tape into an `OrderBatch`.
/// Strict: an unknown key, a value of the wrong JSON type or a missing required field makes
/// the line a reject, so encode -> decode -> encode is byte-identical for valid input.
struct UnifiedNDJSONDecoder {
    private var orderNames = SlotTable()
    private var lineNames = SlotTable()
    /// For each order field: its group; top-level keys are header fields, group names or
    /// `ext` / `lines`.
    private let orderGroup: [FieldGroup]
    private let groupNames: [(FieldGroup, [UInt8])]
    private let tsFormat = TimeFormat("%Y-%m-%dT%H:%M:%S%f%z", fixedWidth: true)!
    private let dateFormat = TimeFormat("%Y-%m-%d", fixedWidth: true)!
    /// Field kinds and required fields, read once here: indexing the schema's `FieldDef`
    /// arrays per value copies (and retains) each definition's strings.
    private let orderKinds: [ColumnKind]
    private let lineKinds: [ColumnKind]
    private let requiredOrder: [Int]
    private let requiredLine: [Int]

    init() {
        orderKinds = OrderSchema.orderFields.map(\.kind)
        lineKinds = OrderSchema.lineFields.map(\.kind)
        requiredOrder = OrderSchema.orderFields.indices.filter { OrderSchema.orderFields[$0].required }
        requiredLine = OrderSchema.lineFields.indices.filter {
            OrderSchema.lineFields[$0].required && $0 != LineField.orderId
        }
        for f in OrderSchema.orderFields { _ = orderNames.slot(f.name) }
        for f in OrderSchema.lineFields { _ = lineNames.slot(f.name) }
        orderGroup = OrderSchema.orderFields.map(\.group)
        groupNames = FieldGroup.allCases.filter { $0 != .header && $0 != .ext && $0 != .product }.map { ($0, Array($0.rawValue.utf8)) }
    }

    /// Appends the order on `tape` at `root` to `batch`, or throws (the batch is unchanged).
    func decode(_ tape: JSONTape, root: Int, into batch: inout OrderBatch) throws(MapFailure) {
        guard tape.kind(root) == .object else { throw MapFailure(code: "json_invalid", reason: "an order must be a JSON object") }
        batch.beginOrder()
        do throws(MapFailure) {
            var i = root + 1
            var ordinal = 0
            while tape.kind(i) != .end {
                let key = tape.key(i)
                if let f = orderNames.lookup(key, hint: ordinal), orderGroup[f] == .header {
                    try set(tape, i, field: f, table: &batch.orders, kind: orderKinds[f], lines: false)
                } else if let g = groupNames.first(where: { $0.1.withUnsafeBytes { $0.bytesEqual(key) } }) {
                    guard tape.kind(i) == .object else { throw wrongType(tape, i, "an object") }
                    var j = i + 1
                    // A group's fields come in schema order (null ones left out): the field
                    // after the previous one is the first guess.
                    var hint = -1
                    while tape.kind(j) != .end {
                        guard let f = orderNames.lookup(tape.key(j), hint: hint), orderGroup[f] == g.0 else {
                            throw MapFailure(
                                code: "unknown_field", reason: "\(g.0.rawValue).\(text(tape.key(j))) is not a field of the unified model",
                                field: text(tape.key(j)))
                        }
                        try set(tape, j, field: f, table: &batch.orders, kind: orderKinds[f], lines: false)
                        hint = f + 1
                        j = tape.next(j)
                    }
                } else if key.bytesEqual(UnsafeRawBufferPointer(staticBytes: "ext")) {
                    try map(tape, i, column: OrderField.ext, table: &batch.orders, name: "ext")
                } else if key.bytesEqual(UnsafeRawBufferPointer(staticBytes: "lines")) {
                    guard tape.kind(i) == .array else { throw wrongType(tape, i, "an array") }
                    var j = i + 1
                    while tape.kind(j) != .end {
                        try line(tape, j, into: &batch)
                        j = tape.next(j)
                    }
                } else {
                    throw MapFailure(code: "unknown_field", reason: "\(text(key)) is not a field of the unified model", field: text(key))
                }
                i = tape.next(i)
                ordinal += 1
            }
            for c in requiredOrder where !batch.orders.isSet(c) {
                let name = OrderSchema.orderFields[c].name
                throw MapFailure(code: "missing_required", reason: "required field \(name) is missing", field: name)
            }
        } catch {
            batch.cancelOrder()
            throw error
        }
        batch.endOrder()
    }

    private func line(_ tape: JSONTape, _ i: Int, into batch: inout OrderBatch) throws(MapFailure) {
        guard tape.kind(i) == .object else { throw wrongType(tape, i, "a line object") }
        batch.beginLine()
        var j = i + 1
        var hint = 1  // the field after the previous one (null fields are left out)
        while tape.kind(j) != .end {
            let key = tape.key(j)
            guard let f = lineNames.lookup(key, hint: hint), f != LineField.orderId else {
                batch.cancelLine()
                throw MapFailure(code: "unknown_field", reason: "lines[].\(text(key)) is not a line field", field: text(key))
            }
            do throws(MapFailure) {
                if f == LineField.ext {
                    try map(tape, j, column: f, table: &batch.lines, name: "lines[].ext")
                } else {
                    try set(tape, j, field: f, table: &batch.lines, kind: lineKinds[f], lines: true)
                }
            } catch {
                batch.cancelLine()
                throw error
            }
            j = tape.next(j)
            hint = f + 1
        }
        for c in requiredLine where !batch.lines.isSet(c) {
            batch.cancelLine()
            let name = OrderSchema.lineFields[c].name
            throw MapFailure(code: "missing_required", reason: "required line field \(name) is missing", field: name)
        }
        batch.endLine()
    }

    private func text(_ b: UnsafeRawBufferPointer) -> String { String(decoding: b, as: UTF8.self) }

    private func wrongType(_ tape: JSONTape, _ i: Int, _ expected: String) -> MapFailure {
        let name = text(tape.key(i))
        return MapFailure(code: "bad_type", reason: "\(name) must be \(expected)", field: name)
    }

    private func map(_ tape: JSONTape, _ i: Int, column: Int, table: inout ColumnTable, name: String) throws(MapFailure) {
        guard tape.kind(i) == .object else { throw wrongType(tape, i, "an object of strings") }
        table.touch(column)
        var j = i + 1
        // A key named twice would be a map DuckDB refuses to read ("Map keys must be unique").
        var seen = RepeatedKeys()
        while tape.kind(j) != .end {
            guard tape.kind(j) == .string else {
                throw MapFailure(code: "bad_type", reason: "\(name).\(text(tape.key(j))) must be a string", field: name)
            }
            if seen.repeats(tape.key(j), count: j - i - 1, keyAt: { tape.key(i + 1 + $0) }) {
                throw MapFailure(code: "duplicate_key", reason: "\(name) names \(text(tape.key(j))) twice", field: name)
            }
            table.addElement(column, utf8: tape.value(j), key: tape.key(j))
            j += 1
        }
    }

    private func set(_ tape: JSONTape, _ i: Int, field f: Int, table: inout ColumnTable, kind fieldKind: ColumnKind, lines: Bool)
        throws(MapFailure)
    {
        let kind = tape.kind(i)
        if kind == .null { return }
        let v = tape.value(i)
        switch fieldKind {
        case .string:
            guard kind == .string else { throw wrongType(tape, i, "a string") }
            table.set(f, utf8: v)
        case .int32, .int64:
            guard kind == .number, let n = ValueParsers.int64(v) else { throw wrongType(tape, i, "an integer") }
            guard fieldKind == .int64 || (n >= Int64(Int32.min) && n <= Int64(Int32.max)) else {
                throw wrongType(tape, i, "an integer from -2147483648 to 2147483647")
            }
            table.set(f, int: n)
        case .decimal:
            guard kind == .string || kind == .number else { throw wrongType(tape, i, "a decimal string such as \"12.50\"") }
            switch ExactDecimal.parse(v) {
            case .success(let d):
                table.set(f, int: d)
            case .failure(.notANumber), .failure(.empty):
                throw wrongType(tape, i, "a decimal string such as \"12.50\"")
            case .failure(let e):
                let name = text(tape.key(i))
                throw MapFailure(code: "bad_type", reason: "\(name): \(v.quoted()) \(e.explanation)", field: name)
            }
        case .timestamp:
            guard kind == .string, let p = tsFormat.parse(v) else { throw wrongType(tape, i, "an RFC 3339 time") }
            let secs = p.days * 86_400 + p.secondOfDay - Int64(p.offsetSeconds ?? 0)
            table.set(f, int: secs * CivilTime.microsPerSecond + p.micros)
        case .date:
            guard kind == .string, let p = dateFormat.parse(v) else { throw wrongType(tape, i, "a date YYYY-MM-DD") }
            table.set(f, int: p.days)
        case .bool:
            guard kind == .true || kind == .false else { throw wrongType(tape, i, "true or false") }
            table.set(f, int: kind == .true ? 1 : 0)
        case .stringList:
            guard kind == .array else { throw wrongType(tape, i, "an array of strings") }
            table.touch(f)
            var j = i + 1
            while tape.kind(j) != .end {
                guard tape.kind(j) == .string else { throw wrongType(tape, i, "an array of strings") }
                table.addElement(f, utf8: tape.value(j))
                j += 1
            }
        case .stringMap:
            try map(tape, i, column: f, table: &table, name: (lines ? OrderSchema.lineFields : OrderSchema.orderFields)[f].name)
        }
    }
}
