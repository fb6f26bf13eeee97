import OrderModel

/// Maps NDJSON records: top-level members to slots (by key, with a position hint), an
/// `items` array to lines, everything unmapped to `ext` as text (objects and arrays as JSON).
final class JSONFeed: RecordExtras {
    private let profile: Profile
    private let mapper: RecordMapper
    private let assembler: OrderAssembler
    private let reader: JSONLineReader
    private let itemsKey: [UInt8]?
    private let orderExtKey: PrefixedKey
    private let lineExtKey: PrefixedKey
    private let maxFieldBytes: Int
    /// Members of one record or line item (`max_columns`, as a CSV record's fields).
    private let maxColumns: Int
    /// The current record's state, in plain memory: the per-member and per-item paths read and
    /// append to it, and each access to a stored `var` of a class is a dynamic exclusivity check.
    private struct State {
        var tape = JSONTape(entries: nil, arena: nil)
        /// Entries of the current record that go to the order's / current item's ext.
        var orderExt: [Int] = []
        var lineExt: [Int] = []
        var items = -1
        var valueScratch: [UInt8] = []
        /// Whether the object being read names a key twice (`duplicate`): unmapped keys by
        /// name, mapped ones by slot.
        var repeatedKeys = RepeatedKeys()
        var recordSeen: SeenSlots
        var itemSeen: SeenSlots
    }
    private let st: UnsafeMutablePointer<State>
    private let recordKeys = JSONKeyCache()
    private let itemKeys = JSONKeyCache()

    init(profile: Profile, mapper: RecordMapper, assembler: OrderAssembler) {
        self.profile = profile
        self.mapper = mapper
        self.assembler = assembler
        reader = JSONLineReader(
            blockSize: profile.csv.blockSize, maxLineBytes: profile.maxLineBytes, maxDepth: profile.limits.maxJSONDepth)
        if case .items(let k) = profile.lineSource { itemsKey = Array(k.utf8) } else { itemsKey = nil }
        orderExtKey = PrefixedKey(prefix: Array((profile.source + ".").utf8))
        lineExtKey = PrefixedKey(prefix: Array((profile.source + "." + profile.lineExtPrefix).utf8))
        maxFieldBytes = profile.maxFieldBytes
        maxColumns = profile.csv.maxColumns
        st = .allocate(capacity: 1)
        st.initialize(to: State(recordSeen: SeenSlots(count: profile.recordSlots.count),
                                itemSeen: SeenSlots(count: profile.itemSlots.count)))
    }

    deinit {
        st.pointee.recordSeen.free()
        st.pointee.itemSeen.free()
        st.deinitialize(count: 1)
        st.deallocate()
    }

    /// Reads one member, or one chunk of a file read in parallel (`part`): NDJSON records are
    /// lines, so a chunk holds exactly the lines that start in its region (see
    /// `ChunkedFeedReader`; only profiles without grouping are read so).
    func read(_ stream: inout MemberStream, part: ChunkPart? = nil) -> ArchiveReadError? {
        guard let part else { return reader.read(&stream, stop: { assembler.stopped }) { line in handle(&line) } }
        let stop = { [assembler] in assembler.stopped || part.ended || part.cancelled() }
        return reader.read(&stream, offset: part.offset, line: part.line, stop: stop) { line in
            if part.ended { return }
            // A chunk whose region no line starts in starts and ends at the next line.
            if part.start == nil { part.begin(at: line.byteOffset) }
            if line.byteOffset >= part.endAfter {
                part.stop(at: line.byteOffset, line: line.line)
                return
            }
            handle(&line)
        }
    }

    private func handle(_ line: inout JSONLine) {
        switch line.problem {
        case .none: break
        case .malformed(let m):
            assembler.broken(raw: line.raw, line: line.line, offset: line.byteOffset, code: "json_invalid", reason: "not valid JSON: \(m)")
            return
        case .invalidUTF8:
            assembler.broken(
                raw: line.raw, line: line.line, offset: line.byteOffset, code: "invalid_utf8",
                reason: "the line is not valid UTF-8; declare the feed's encoding in the profile if it is latin1 or windows-1252")
            return
        case .lineTooLong(let n):
            assembler.broken(
                raw: line.raw, line: line.line, offset: line.byteOffset, code: "line_too_long",
                reason: "line of \(n)+ bytes exceeds max_line_bytes \(profile.maxLineBytes) (raw holds its first bytes)")
            return
        case .fieldTooLong(_, let n):
            assembler.broken(
                raw: line.raw, line: line.line, offset: line.byteOffset, code: "field_too_long",
                reason: "a field of \(n) bytes exceeds max_field_bytes \(profile.maxFieldBytes)")
            return
        case .tooManyFields:
            return  // CSV only
        case .wideEncoding(let name):
            assembler.broken(
                raw: line.raw, line: line.line, offset: line.byteOffset, code: "unsupported_encoding",
                reason: ByteOrderMark.wideReason(name))
            return
        }
        // A local copy: reading the stored property in the loops costs an exclusivity check each time.
        st.pointee.tape = line.tape
        let tape = line.tape
        guard tape.kind(line.root) == .object else {
            assembler.broken(raw: line.raw, line: line.line, offset: line.byteOffset, code: "json_invalid", reason: "a record must be a JSON object")
            return
        }
        mapper.record.clear()
        st.pointee.orderExt.removeAll(keepingCapacity: true)
        st.pointee.repeatedKeys.reset()
        st.pointee.recordSeen.reset()
        st.pointee.items = -1
        let recordSlots = profile.recordSlots
        var i = line.root + 1
        var ordinal = 0
        while tape.kind(i) != .end {
            if ordinal == maxColumns {
                let n = tape.memberCount(line.root)
                assembler.broken(raw: line.raw, line: line.line, offset: line.byteOffset, code: "too_many_columns",
                                 reason: "the record has \(n) members, more than max_columns \(maxColumns)")
                return
            }
            let key = tape.key(i)
            if let ik = itemsKey, ik.withUnsafeBytes({ $0.bytesEqual(key) }) {
                st.pointee.items = i
            } else {
                let slot = resolve(key, at: ordinal, in: recordKeys, slots: recordSlots, record: true)
                var problem: MapFailure? = nil
                if slot >= 0 {
                    problem = st.pointee.recordSeen.insert(slot) ? setSlot(tape, slot, i, record: true) : Self.duplicate(key)
                } else if slot == JSONKeyCache.unmapped && tape.kind(i) != .null {
                    if st.pointee.repeatedKeys.repeats(key, count: st.pointee.orderExt.count, keyAt: { tape.key(st.pointee.orderExt[$0]) }) {
                        problem = Self.duplicate(key)
                    } else {
                        st.pointee.orderExt.append(i)
                    }
                }
                if let problem {
                    assembler.broken(raw: line.raw, line: line.line, offset: line.byteOffset, code: problem.code, reason: problem.reason, field: problem.field)
                    return
                }
            }
            i = tape.next(i)
            ordinal += 1
        }
        assembler.record(self, raw: line.raw, line: line.line, offset: line.byteOffset)
    }

    /// A record whose object names a key twice is rejected: which value is meant cannot be
    /// known (RFC 8259 leaves it open; parsers differ), and two unmapped members of one name
    /// would put one key twice in `ext`, a map DuckDB refuses to read ("Map keys must be
    /// unique").
    private static func duplicate(_ key: UnsafeRawBufferPointer) -> MapFailure {
        let name = String(decoding: key, as: UTF8.self)
        return MapFailure(code: "duplicate_key", reason: "the object names \(name) twice", field: name)
    }

    /// The slot a member's key maps to, or JSONKeyCache.unmapped (goes to ext) or .ignored
    /// (dropped; the profile's ignore list applies to record members only).
    @inline(__always)
    private func resolve(_ key: UnsafeRawBufferPointer, at ordinal: Int, in cache: JSONKeyCache, slots: SlotTable, record: Bool) -> Int {
        if let r = cache.cached(key, at: ordinal) { return r }
        let r: Int
        if let s = slots.lookup(key, hint: ordinal) {
            r = s
        } else if record && !profile.ignored.isEmpty && profile.ignored.contains(String(decoding: key, as: UTF8.self)) {
            r = JSONKeyCache.ignored
        } else {
            r = JSONKeyCache.unmapped
        }
        cache.remember(key, at: ordinal, r)
        return r
    }

    /// Puts a member's value into a slot; a container where a value is expected is a failure.
    /// Strings and numbers (nearly every member) are handled inline; the rest out of line.
    @inline(__always)
    private func setSlot(_ tape: JSONTape, _ slot: Int, _ i: Int, record: Bool) -> MapFailure? {
        let k = tape.kind(i)
        if k == .string || k == .number {
            let v = tape.value(i)
            if v.count <= maxFieldBytes {
                (record ? mapper.record : mapper.item).set(slot, v)
                return nil
            }
        }
        return setSlotSlow(slot, i, record: record)
    }

    private func setSlotSlow(_ slot: Int, _ i: Int, record: Bool) -> MapFailure? {
        let tape = st.pointee.tape
        switch tape.kind(i) {
        case .object, .array:
            let name = String(decoding: tape.key(i), as: UTF8.self)
            return MapFailure(code: "bad_type", reason: "\(name) is a JSON \(tape.kind(i) == .object ? "object" : "array"), a single value was expected", field: name)
        case .null, .end:
            return nil
        default:
            let v = tape.scalarText(i)!
            if v.count > profile.maxFieldBytes {
                let name = String(decoding: tape.key(i), as: UTF8.self)
                return MapFailure(code: "field_too_long", reason: "field \(name) has \(v.count) bytes, more than max_field_bytes \(profile.maxFieldBytes)", field: name)
            }
            if record { mapper.record.set(slot, v) } else { mapper.item.set(slot, v) }
            return nil
        }
    }

    var orderExtCount: Int { 0 }
    func orderExtValue(_ i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
    func orderExtName(_ i: Int) -> String { "" }

    func addOrderExt(_ table: inout ColumnTable) {
        let tape = st.pointee.tape
        // By index: `for i in st.pointee.orderExt` retained and released the array per record.
        for k in 0..<st.pointee.orderExt.count {
            addExt(tape, st.pointee.orderExt[k], key: orderExtKey, column: OrderField.ext, into: &table)
        }
    }

    @inline(__always)
    private func addExt(_ tape: JSONTape, _ i: Int, key: PrefixedKey, column: Int, into table: inout ColumnTable) {
        let k = key.with(tape.key(i))
        if let v = tape.scalarText(i) {
            table.addElement(column, utf8: v, key: k)
        } else {
            st.pointee.valueScratch.removeAll(keepingCapacity: true)
            tape.serialize(i, into: &st.pointee.valueScratch)
            st.pointee.valueScratch.withUnsafeBytes { table.addElement(column, utf8: $0, key: k) }
        }
    }

    func addLineExt(_ table: inout ColumnTable) {
        let tape = st.pointee.tape
        for k in 0..<st.pointee.lineExt.count {  // by index, as in `addOrderExt`
            addExt(tape, st.pointee.lineExt[k], key: lineExtKey, column: LineField.ext, into: &table)
        }
    }

    func addLines(_ mapper: RecordMapper, _ batch: inout OrderBatch) throws(MapFailure) {
        let tape = st.pointee.tape
        switch profile.lineSource {
        case .none:
            return
        case .rows:
            st.pointee.lineExt.removeAll(keepingCapacity: true)  // a record's members go to the order's ext
            try mapper.mapLine(fromItem: false, into: &batch, extras: self)
        case .items(let name):
            guard st.pointee.items >= 0 else { return }
            guard tape.kind(st.pointee.items) == .array else {
                throw MapFailure(code: "bad_type", reason: "\(name) must be an array of line objects", field: name)
            }
            let itemSlots = profile.itemSlots  // bound once: a property path in the loop retains per use
            var j = st.pointee.items + 1
            var n = 0
            while tape.kind(j) != .end {
                n += 1
                guard tape.kind(j) == .object else {
                    throw MapFailure(code: "bad_type", reason: "\(name)[\(n - 1)] is not an object", field: name)
                }
                mapper.item.clear()
                st.pointee.lineExt.removeAll(keepingCapacity: true)
                st.pointee.repeatedKeys.reset()
                st.pointee.itemSeen.reset()
                var k = j + 1
                var ordinal = 0
                while tape.kind(k) != .end {
                    if ordinal == maxColumns {
                        throw MapFailure(code: "too_many_columns",
                                         reason: "\(name)[\(n - 1)] has \(tape.memberCount(j)) members, more than max_columns \(maxColumns)",
                                         field: name)
                    }
                    let slot = resolve(tape.key(k), at: ordinal, in: itemKeys, slots: itemSlots, record: false)
                    if slot >= 0 {
                        if !st.pointee.itemSeen.insert(slot) { throw Self.duplicate(tape.key(k)) }
                        if let f = setSlot(tape, slot, k, record: false) { throw f }
                    } else if tape.kind(k) != .null {
                        if st.pointee.repeatedKeys.repeats(tape.key(k), count: st.pointee.lineExt.count, keyAt: { tape.key(st.pointee.lineExt[$0]) }) {
                            throw Self.duplicate(tape.key(k))
                        }
                        st.pointee.lineExt.append(k)
                    }
                    k = tape.next(k)
                    ordinal += 1
                }
                try mapper.mapLine(fromItem: true, into: &batch, extras: self)
                j = tape.next(j)
            }
        }
    }
}
