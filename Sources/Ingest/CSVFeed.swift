import OrderModel

/// Maps the records of CSV members: header row to slots, each row's fields to slot values,
/// unmapped columns to `ext` (order or line, by the profile's line prefix).
final class CSVFeed: RecordExtras {
    private let profile: Profile
    private let mapper: RecordMapper
    private let assembler: OrderAssembler
    private let reader: CSVReader
    /// Per header column: its slot (-1 when the profile does not name it) ...
    private var colSlot: [Int] = []
    /// ... where its value goes when unmapped: 0 nowhere, 1 order ext, 2 line ext ...
    private var colExt: [UInt8] = []
    /// ... and its ext key (`<source>.<column>`).
    private var extKeys: [[UInt8]] = []
    /// The same, in the form the per-record loops use (see `ColumnLayout`): `layout` owns the
    /// memory, `view` is what the loops read.
    private var layout = ColumnLayout()
    private var view = ColumnLayout.View()
    /// The fields of the record being mapped, for `addOrderExt`/`addLines` (plain memory: a
    /// stored `CSVRecord?` was copied, with retains, and exclusivity-checked per record).
    private let current: UnsafeMutablePointer<CurrentFields>
    /// `profile.lineSource == .rows`, decided once (the comparison is per record otherwise).
    private let linesFromRows: Bool
    private(set) var warnings: [String] = []
    /// The line of this member's header when it was a reject (too many columns, malformed):
    /// its rows have no columns to map to.
    private var headerRejected: Int?

    init(profile: Profile, mapper: RecordMapper, assembler: OrderAssembler) {
        self.profile = profile
        self.mapper = mapper
        self.assembler = assembler
        reader = CSVReader(options: profile.csv)
        linesFromRows = profile.lineSource == .rows
        current = .allocate(capacity: 1)
        current.initialize(to: CurrentFields())
    }

    deinit { current.deallocate() }

    /// Reads one member, or one chunk of a file read in parallel (`part`: where it starts, the
    /// header's columns, and the bounds it keeps); returns the read error if it is truncated or
    /// corrupt.
    func read(_ stream: inout MemberStream, file: String, part: ChunkPart? = nil) -> ArchiveReadError? {
        var needHeader = profile.hasHeader
        headerRejected = nil
        if let cols = profile.columns { setColumns(cols, file: file) }
        if let part, part.offset > 0 {
            if let names = part.columns { setColumns(names, file: nil) }  // the first chunk warns
            needHeader = false
        }
        let stop = { [assembler] in assembler.stopped || part?.ended == true || part?.cancelled() == true }
        return reader.read(&stream, offset: part?.offset ?? 0, line: part?.line ?? 1, stop: stop) { [self] record in
            if assembler.stopped { return }
            if !admit(part, record) { return }  // `if let part` here retained the part per record
            if needHeader {
                needHeader = false
                if case .none = record.problem {
                    setColumns((0..<record.count).map { String(decoding: record.field($0), as: UTF8.self) }, file: file)
                    return
                }
                // Rejected below; the rows after it say why they cannot be mapped.
                setColumns([], file: nil)
                headerRejected = record.line
            }
            handle(&record)
        }
    }

    /// Maps `header`'s columns; `file` nil: no warnings (a rejected header, a chunk after the
    /// first).
    private func setColumns(_ header: [String], file: String?) {
        let names = Self.distinctNames(header) { if let file { warnings.append("\(file): \($0)") } }
        colSlot = names.map { profile.recordSlots.index(of: $0) ?? -1 }
        let prefix = profile.lineExtPrefix
        colExt = names.indices.map { i in
            if colSlot[i] >= 0 || profile.ignored.contains(names[i]) { return 0 }
            if profile.lineSource == .rows && !prefix.isEmpty && names[i].hasPrefix(prefix) { return 2 }
            return 1
        }
        extKeys = names.map { Array((profile.source + "." + $0).utf8) }
        layout = ColumnLayout(slots: colSlot, ext: colExt, keys: extKeys)
        view = layout.view
        // One line per file, however many columns are missing (a wrong file in a folder misses
        // most of them).
        guard let file else { return }
        let present = Set(names)
        let missing = profile.recordSlots.names.filter { !present.contains($0) }
        if missing.count == 1 {
            warnings.append("\(file): column '\(missing[0])' named by profile \(profile.path) is not in the header")
        } else if !missing.isEmpty {
            let list = missing.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (missing.count > 8 ? ", ..." : "")
            warnings.append("\(file): \(missing.count) columns named by profile \(profile.path) are not in the header: \(list)")
        }
    }

    /// The header's names with every repeat renamed: the first column of a name keeps it (the
    /// profile's references are to it), the next ones become `name_2`, `name_3`, ... (skipping
    /// names the header has). Two columns of one name would otherwise both fill the slot the
    /// profile names, the last one winning, or both land in `ext` under one key, a map that
    /// DuckDB refuses to read ("Map keys must be unique"). `warn` is told once, naming the
    /// first eight renamings and how many there are (a header of many repeats is one line).
    static func distinctNames(_ header: [String], warn: (String) -> Void) -> [String] {
        var taken = Set(header)
        // Each name's first column and next suffix to try, so that a header of many repeats (a
        // line of 20,000 commas took 9 s) costs one lookup each, not a walk from `_2`.
        var firstColumn: [String: Int] = [:]
        var nextSuffix: [String: Int] = [:]
        var names = header
        var renamed: [String] = []
        var count = 0
        for (i, name) in header.enumerated() {
            guard let first = firstColumn[name] else {
                firstColumn[name] = i + 1
                continue
            }
            var k = nextSuffix[name, default: 2]
            while taken.contains("\(name)_\(k)") { k += 1 }
            nextSuffix[name] = k + 1
            names[i] = "\(name)_\(k)"
            taken.insert(names[i])
            count += 1
            if renamed.count < 8 {
                renamed.append("'\(name)' again in column \(i + 1) (first in column \(first)), read as '\(names[i])'")
            }
        }
        if count == 1 {
            warn("the header names column \(renamed[0])")
        } else if count > 1 {
            warn("the header names \(count) columns again: " + renamed.joined(separator: "; ") + (count > 8 ? "; ..." : ""))
        }
        return names
    }

    /// Whether a record maps without a parse problem (what `handle` checks before mapping).
    private func isClean(_ record: CSVRecord) -> Bool {
        guard case .none = record.problem, record.count == colSlot.count else { return false }
        if record.count > 0, ByteOrderMark.starts(record.field(0)) {
            return false
        }
        return true
    }

    /// Keeps a chunk's bounds (see `ChunkedFeedReader`): false when the record is not the
    /// chunk's to map. A chunk boundary is a clean record after a clean one with another order
    /// key (any clean pair without grouping): an order starts there whatever came before, so
    /// the chunk before and the chunk after, each reading on its own, agree on it. A chunk
    /// skips its records up to the first boundary after its first record, and stops at the
    /// first boundary after the first record that starts at or past `endAfter`. In between,
    /// one offset comparison per record.
    private func admit(_ part: ChunkPart?, _ record: CSVRecord) -> Bool {
        guard let part else { return true }  // a whole member: every record
        if part.ended { return false }
        let o = record.byteOffset
        let pastEnd = o >= part.endAfter
        if !part.skipping && !pastEnd { return true }
        if pastEnd && part.overruns(at: o, line: record.line) { return false }
        let clean = isClean(record)
        let key = clean ? keyField(record) : nil
        let boundary = part.hasPrev && part.prevClean && clean && (profile.groupKey == nil || !part.prevKeyEquals(key))
        if part.skipping {
            guard boundary else {
                part.remember(clean: clean, key: key)
                if pastEnd { part.sawEndFirst = true }
                return false
            }
            part.skipping = false
            part.begin(at: o)
            if part.sawEndFirst {
                part.stop(at: o, line: record.line)
                return false
            }
        }
        if pastEnd {
            if part.sawEndFirst && boundary {
                part.stop(at: o, line: record.line)
                return false
            }
            part.sawEndFirst = true
            part.remember(clean: clean, key: key)
        }
        return true
    }

    private func handle(_ record: inout CSVRecord) {
        switch record.problem {
        case .none:
            break
        case .malformed(let m):
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "csv_malformed", reason: m,
                key: keyFromRaw(record.raw))
            return
        case .lineTooLong(let n):
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "line_too_long",
                reason: "record of \(n) bytes exceeds max_line_bytes \(profile.maxLineBytes) (raw holds at most its first 4096 bytes)",
                key: keyFromRaw(record.raw))
            return
        case .wideEncoding(let name):
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "unsupported_encoding",
                reason: ByteOrderMark.wideReason(name))
            return
        case .tooManyFields(let n):
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "too_many_columns",
                reason: "record of \(n) fields, more than max_columns \(profile.csv.maxColumns)")
            return
        case .fieldTooLong(let f, let n):
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "field_too_long",
                reason: "field \(columnName(f)) has \(n) bytes, more than max_field_bytes \(profile.maxFieldBytes)",
                field: columnName(f), key: keyField(record))
            return
        case .invalidUTF8(let f, let at):
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "invalid_utf8",
                reason: "field \(columnName(f)) is not valid UTF-8 (byte \(at) of the value); declare the feed's encoding in the profile if it is latin1 or windows-1252",
                field: columnName(f), key: keyField(record))
            return
        }
        // A byte order mark past the start of the file (the reader drops a leading one) comes
        // from concatenated exports; kept, it would hide inside the first field's value.
        if record.count > 0, ByteOrderMark.starts(record.field(0)) {
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "bom_in_data",
                reason: "a byte order mark (EF BB BF) starts this record: files concatenated with their BOMs?",
                key: keyFromRaw(record.raw))
            return
        }
        if record.count != colSlot.count {
            let reason = headerRejected.map { "the header (line \($0)) is a reject, so no row of this file can be mapped" }
            assembler.broken(
                raw: record.raw, line: record.line, offset: record.byteOffset, code: "csv_malformed",
                reason: reason ?? "row has \(record.count) fields, the header has \(colSlot.count)")
            return
        }
        let values = mapper.record
        values.clear()
        for m in view.mapped {
            values.set(m.slot, record.field(m.column))
        }
        current.pointee = CurrentFields(base: record.base, starts: record.starts, ends: record.ends)
        assembler.record(self, raw: record.raw, line: record.line, offset: record.byteOffset)
        current.pointee = CurrentFields()
    }

    /// The group key column of a parsed record.
    private func keyField(_ record: CSVRecord) -> UnsafeRawBufferPointer? {
        guard let g = profile.groupKey, let c = colSlot.firstIndex(of: g), c < record.count else { return nil }
        return record.field(c)
    }

    /// The group key column of a record libcsv could not parse, read by a plain split at the
    /// delimiter (keys are simple ids); nil when it cannot be told.
    private func keyFromRaw(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let g = profile.groupKey, let c = colSlot.firstIndex(of: g) else { return nil }
        var field = 0, start = 0
        for i in 0...raw.count {
            if i == raw.count || raw[i] == profile.csv.delimiter {
                if field == c {
                    let v = UnsafeRawBufferPointer(rebasing: raw[start..<i])
                    return v.contains(profile.csv.quote) ? nil : v
                }
                field += 1
                start = i + 1
            }
        }
        return nil
    }

    private func columnName(_ i: Int) -> String {
        i < extKeys.count ? String(decoding: extKeys[i].dropFirst(profile.source.utf8.count + 1), as: UTF8.self) : "#\(i + 1)"
    }

    func addOrderExt(_ table: inout ColumnTable) {
        let r = current.pointee
        guard r.base != nil else { return }
        Self.addExt(r, view.orderExt, view.keyPool, column: OrderField.ext, to: &table)
    }

    var orderExtCount: Int { view.orderExt.count }

    func orderExtValue(_ i: Int) -> UnsafeRawBufferPointer {
        let r = current.pointee
        return r.base == nil ? UnsafeRawBufferPointer(start: nil, count: 0) : r.field(view.orderExt[i].column)
    }

    func orderExtName(_ i: Int) -> String {
        let e = view.orderExt[i]
        let key = UnsafeRawBufferPointer(rebasing: view.keyPool[e.keyStart..<e.keyStart + e.keyCount])
        return String(decoding: key.dropFirst(profile.source.utf8.count + 1), as: UTF8.self)  // "source." + column
    }

    func addLineExt(_ table: inout ColumnTable) {
        let r = current.pointee
        guard r.base != nil else { return }
        Self.addExt(r, view.lineExt, view.keyPool, column: LineField.ext, to: &table)
    }

    /// Adds the non-empty values of `columns` to the map field `column` under their keys.
    @inline(__always)
    private static func addExt(
        _ r: CurrentFields, _ columns: UnsafeBufferPointer<ColumnLayout.ExtColumn>, _ keys: UnsafeRawBufferPointer,
        column: Int, to table: inout ColumnTable
    ) {
        for e in columns {
            let v = r.field(e.column)
            if v.isEmpty { continue }
            table.addElement(column, utf8: v, key: UnsafeRawBufferPointer(rebasing: keys[e.keyStart..<e.keyStart + e.keyCount]))
        }
    }

    func addLines(_ mapper: RecordMapper, _ batch: inout OrderBatch) throws(MapFailure) {
        guard linesFromRows, current.pointee.base != nil else { return }
        try mapper.mapLine(fromItem: false, into: &batch, extras: self)
    }
}

/// Where the fields of the record being mapped are (see `CSVRecord`); `base` nil when none.
private struct CurrentFields {
    var base: UnsafeRawPointer?
    var starts: UnsafePointer<Int>?
    var ends: UnsafePointer<Int>?

    @inline(__always)
    func field(_ i: Int) -> UnsafeRawBufferPointer {
        let s = starts![i]
        return UnsafeRawBufferPointer(start: base! + s, count: ends![i] - s)
    }
}

/// A header's columns as the per-record loops walk them, without testing every column: the
/// mapped columns with their slots, and the order and line `ext` columns with their keys'
/// place in `keyPool` (all keys in one block, so adding an entry retains no per-key array).
/// Immutable and replaced whole per header. The lists are plain memory that the layout owns,
/// read through `View` (pointers only): reading arrays or the layout itself from the feed
/// retained and released them for every record and line, and those atomic operations were
/// 2.5% of a TPC-H scale-1 `run`'s CPU samples (`perf record`).
private final class ColumnLayout {
    struct ExtColumn {
        let column: Int
        let keyStart: Int
        let keyCount: Int
    }
    struct Mapped {
        let column: Int
        let slot: Int
    }
    /// The lists, valid while the layout lives.
    struct View {
        var mapped = UnsafeBufferPointer<Mapped>(start: nil, count: 0)
        var orderExt = UnsafeBufferPointer<ExtColumn>(start: nil, count: 0)
        var lineExt = UnsafeBufferPointer<ExtColumn>(start: nil, count: 0)
        var keyPool = UnsafeRawBufferPointer(start: nil, count: 0)
    }
    let view: View

    convenience init() { self.init(slots: [], ext: [], keys: []) }

    /// `ext[i]`: 0 nowhere, 1 order ext, 2 line ext (as `CSVFeed.colExt`).
    init(slots: [Int], ext: [UInt8], keys: [[UInt8]]) {
        let mapped = slots.indices.filter { slots[$0] >= 0 }.map { Mapped(column: $0, slot: slots[$0]) }
        var pool: [UInt8] = []
        var order: [ExtColumn] = [], line: [ExtColumn] = []
        for i in ext.indices where ext[i] != 0 {
            let e = ExtColumn(column: i, keyStart: pool.count, keyCount: keys[i].count)
            pool += keys[i]
            if ext[i] == 1 { order.append(e) } else { line.append(e) }
        }
        typealias Owned = UnsafeMutableBufferPointer
        view = View(mapped: UnsafeBufferPointer(Owned.copy(of: mapped)), orderExt: UnsafeBufferPointer(Owned.copy(of: order)),
                    lineExt: UnsafeBufferPointer(Owned.copy(of: line)), keyPool: UnsafeRawBufferPointer(Owned.copy(of: pool)))
    }

    deinit {
        view.mapped.deallocate()
        view.orderExt.deallocate()
        view.lineExt.deallocate()
        view.keyPool.deallocate()
    }
}
