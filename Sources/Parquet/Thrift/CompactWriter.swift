/// Thrift compact protocol type nibbles (apache/thrift `doc/specs/thrift-compact-protocol.md`).
enum CompactType: UInt8 {
    case stop = 0, boolTrue = 1, boolFalse = 2, i8 = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
    case binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// Hand-rolled Thrift compact protocol writer for the handful of Parquet structs: no codegen,
/// exact wire types (an i8 is one raw byte), fields in ascending id order.
struct CompactWriter {
    var bytes: [UInt8] = []
    /// Previous field id of the struct being written; a nested struct pushes it and restarts from 0.
    private var lastFieldId: Int16 = 0
    private var idStack: [Int16] = []

    init() { bytes.reserveCapacity(256) }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        lastFieldId = 0
        idStack.removeAll(keepingCapacity: true)
    }

    // MARK: primitives

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func zigzag(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }

    mutating func zigzagVarint(_ n: Int64) { varint(Self.zigzag(n)) }

    @inline(__always)
    mutating func fieldHeader(_ id: Int16, _ type: CompactType) {
        let delta = Int(id) - Int(lastFieldId)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta << 4) | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzagVarint(Int64(id))
        }
        lastFieldId = id
    }

    // MARK: fields

    mutating func i32(_ id: Int16, _ v: Int32) {
        fieldHeader(id, .i32)
        zigzagVarint(Int64(v))
    }

    mutating func i16(_ id: Int16, _ v: Int16) {
        fieldHeader(id, .i16)
        zigzagVarint(Int64(v))
    }

    mutating func i64(_ id: Int16, _ v: Int64) {
        fieldHeader(id, .i64)
        zigzagVarint(v)
    }

    /// An i8 is a single raw byte on the wire, not a varint (IntType.bitWidth is the only user).
    mutating func i8(_ id: Int16, _ v: Int8) {
        fieldHeader(id, .i8)
        bytes.append(UInt8(bitPattern: v))
    }

    /// Bool fields carry their value in the type nibble and have no payload.
    mutating func bool(_ id: Int16, _ v: Bool) {
        fieldHeader(id, v ? .boolTrue : .boolFalse)
    }

    mutating func binary(_ id: Int16, _ v: [UInt8]) {
        fieldHeader(id, .binary)
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    mutating func string(_ id: Int16, _ v: String) {
        fieldHeader(id, .binary)
        stringElement(v)
    }

    /// Raw string element of a list (no field header). Straight from the string's UTF-8
    /// storage: the footer writes every column's path and name in every file.
    mutating func stringElement(_ v: String) {
        var v = v
        v.withUTF8 { u in
            varint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    mutating func listHeader(_ id: Int16, _ elementType: CompactType, count: Int) {
        fieldHeader(id, .list)
        listHeaderBody(elementType, count: count)
    }

    mutating func listHeaderBody(_ elementType: CompactType, count: Int) {
        if count <= 14 {
            bytes.append(UInt8(count << 4) | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func i32Element(_ v: Int32) { zigzagVarint(Int64(v)) }

    /// Opens a struct-typed field; its fields restart numbering from 0.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, .structure)
        beginStructElement()
    }

    /// Opens a struct that is a list element (no field header).
    mutating func beginStructElement() {
        idStack.append(lastFieldId)
        lastFieldId = 0
    }

    mutating func endStruct() {
        bytes.append(CompactType.stop.rawValue)
        lastFieldId = idStack.popLast() ?? 0
    }

    /// An empty struct (e.g. LogicalType STRING{}) as a field: header then the stop byte.
    mutating func emptyStruct(_ id: Int16) {
        fieldHeader(id, .structure)
        bytes.append(CompactType.stop.rawValue)
    }
}
