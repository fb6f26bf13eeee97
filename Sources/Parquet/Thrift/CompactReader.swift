/// Thrift compact protocol reader over a byte slice. Every length and count is checked against the bytes
/// left before anything is allocated, and unknown fields of every type are skipped, so files from newer
/// writers (and corrupt ones) never crash it.
struct CompactReader {
    let bytes: [UInt8]
    private(set) var pos: Int
    let end: Int
    /// Where in the file `bytes[0]` sits, so errors name file offsets.
    let fileOffset: Int
    /// What is being decoded, for error messages ("footer", "page header at 1234").
    let context: String
    private var lastFieldId: Int16 = 0
    private var idStack: [Int16] = []
    /// Nesting cap: a crafted file could otherwise recurse the skipper off the stack.
    static let maxDepth = 64

    init(bytes: [UInt8], start: Int, end: Int, fileOffset: Int = 0, context: String) {
        self.bytes = bytes
        self.pos = start
        self.end = end
        self.fileOffset = fileOffset
        self.context = context
    }

    var remaining: Int { end - pos }

    func error(_ what: String) -> ParquetError {
        .corrupt("\(context): \(what) at byte \(fileOffset + pos)")
    }

    mutating func byte() throws -> UInt8 {
        guard pos < end else { throw error("unexpected end of thrift data") }
        let b = bytes[pos]
        pos += 1
        return b
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw error("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw error("varint longer than 10 bytes") }
        }
    }

    mutating func zigzag() throws -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func i32() throws -> Int32 {
        let v = try zigzag()
        guard let r = Int32(exactly: v) else { throw error("i32 value \(v) out of range") }
        return r
    }

    mutating func i16() throws -> Int16 {
        let v = try zigzag()
        guard let r = Int16(exactly: v) else { throw error("i16 value \(v) out of range") }
        return r
    }

    mutating func i64() throws -> Int64 { try zigzag() }

    mutating func binary() throws -> [UInt8] {
        let n = try varint()
        guard n <= UInt64(remaining) else { throw error("binary length \(n) exceeds the \(remaining) bytes left") }
        let r = Array(bytes[pos..<pos + Int(n)])
        pos += Int(n)
        return r
    }

    mutating func string() throws -> String {
        String(decoding: try binary(), as: UTF8.self)
    }

    /// Reads a field header; returns nil at the struct's stop byte.
    mutating func fieldHeader() throws -> (id: Int16, type: UInt8)? {
        let b = try byte()
        if b == 0 { return nil }
        let type = b & 0x0F
        let delta = Int16(b >> 4)
        let id: Int16
        if delta != 0 {
            id = lastFieldId &+ delta
        } else {
            id = try i16()
        }
        lastFieldId = id
        return (id, type)
    }

    mutating func beginStruct() throws {
        guard idStack.count < Self.maxDepth else { throw error("thrift structs nested deeper than \(Self.maxDepth)") }
        idStack.append(lastFieldId)
        lastFieldId = 0
    }

    mutating func endStruct() {
        lastFieldId = idStack.popLast() ?? 0
    }

    /// Reads a list header; the element count is bounded by the bytes left (every element takes >= 1 byte).
    mutating func listHeader() throws -> (elementType: UInt8, count: Int) {
        let b = try byte()
        var count = Int(b >> 4)
        if count == 15 {
            let n = try varint()
            guard n <= UInt64(remaining) else { throw error("list of \(n) elements exceeds the \(remaining) bytes left") }
            count = Int(n)
        }
        guard count <= remaining else { throw error("list of \(count) elements exceeds the \(remaining) bytes left") }
        return (b & 0x0F, count)
    }

    /// Bool field value from its type nibble.
    func boolValue(_ type: UInt8) throws -> Bool {
        switch type {
        case CompactType.boolTrue.rawValue: return true
        case CompactType.boolFalse.rawValue: return false
        default: throw error("expected a bool field, found type \(type)")
        }
    }

    func expect(_ type: UInt8, _ wanted: CompactType, _ field: String) throws {
        guard type == wanted.rawValue else {
            throw error("field \(field) has wire type \(type), expected \(wanted.rawValue)")
        }
    }

    /// Skips a value of any type (used for unknown fields).
    mutating func skip(_ type: UInt8, depth: Int = 0) throws {
        guard depth < Self.maxDepth else { throw error("thrift values nested deeper than \(Self.maxDepth)") }
        switch type {
        case CompactType.boolTrue.rawValue, CompactType.boolFalse.rawValue: return
        case CompactType.i8.rawValue: _ = try byte()
        case CompactType.i16.rawValue, CompactType.i32.rawValue, CompactType.i64.rawValue: _ = try varint()
        case CompactType.double.rawValue:
            guard remaining >= 8 else { throw error("truncated double") }
            pos += 8
        case CompactType.binary.rawValue:
            let n = try varint()
            guard n <= UInt64(remaining) else { throw error("binary length \(n) exceeds the \(remaining) bytes left") }
            pos += Int(n)
        case CompactType.list.rawValue, CompactType.set.rawValue:
            let (elementType, count) = try listHeader()
            for _ in 0..<count {
                // Inside lists, bools are one byte each.
                if elementType == CompactType.boolTrue.rawValue || elementType == CompactType.boolFalse.rawValue {
                    _ = try byte()
                } else {
                    try skip(elementType, depth: depth + 1)
                }
            }
        case CompactType.map.rawValue:
            let n = try varint()
            guard n <= UInt64(remaining) else { throw error("map of \(n) entries exceeds the bytes left") }
            if n == 0 { return }
            let kv = try byte()
            for _ in 0..<n {
                try skip(kv >> 4, depth: depth + 1)
                try skip(kv & 0x0F, depth: depth + 1)
            }
        case CompactType.structure.rawValue:
            try beginStruct()
            while let (_, t) = try fieldHeader() { try skip(t, depth: depth + 1) }
            endStruct()
        default:
            throw error("unknown thrift wire type \(type)")
        }
    }
}
