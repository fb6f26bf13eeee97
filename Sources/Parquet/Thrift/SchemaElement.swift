/// `parquet.thrift` SchemaElement: one node of the flattened (depth-first) schema.
public struct SchemaElement: Sendable, Equatable {
    public var type: Int32?
    public var typeLength: Int32?
    public var repetitionType: Int32?
    public var name: String
    public var numChildren: Int32?
    public var convertedType: Int32?
    public var scale: Int32?
    public var precision: Int32?
    public var fieldId: Int32?
    /// The decoded LogicalType union, when it is a member this module knows.
    public var logicalType: LogicalType?
    /// Union member id of a LogicalType this module does not model (e.g. UUID, JSON), for display.
    public var otherLogicalTypeId: Int16?

    public init(name: String) { self.name = name }

    func write(to w: inout CompactWriter) {
        w.beginStructElement()
        if let type { w.i32(1, type) }
        if let typeLength { w.i32(2, typeLength) }
        if let repetitionType { w.i32(3, repetitionType) }
        w.string(4, name)
        if let numChildren { w.i32(5, numChildren) }
        if let convertedType { w.i32(6, convertedType) }
        if let scale { w.i32(7, scale) }
        if let precision { w.i32(8, precision) }
        if let fieldId { w.i32(9, fieldId) }
        if let logicalType {
            w.beginStruct(10)
            Self.writeLogical(logicalType, to: &w)
            w.endStruct()
        }
        w.endStruct()
    }

    /// The LogicalType union body: exactly one member field.
    static func writeLogical(_ t: LogicalType, to w: inout CompactWriter) {
        switch t {
        case .string: w.emptyStruct(1)
        case .map: w.emptyStruct(2)
        case .list: w.emptyStruct(3)
        case .decimal(let precision, let scale):
            w.beginStruct(5)
            w.i32(1, scale)
            w.i32(2, precision)
            w.endStruct()
        case .date: w.emptyStruct(6)
        case .timestampMicros(let utc):
            w.beginStruct(8)
            w.bool(1, utc)
            w.beginStruct(2)
            w.emptyStruct(2)  // TimeUnit.MICROS
            w.endStruct()
            w.endStruct()
        case .integer(let bitWidth, let signed):
            w.beginStruct(10)
            w.i8(1, bitWidth)
            w.bool(2, signed)
            w.endStruct()
        }
    }

    static func read(from r: inout CompactReader) throws -> SchemaElement {
        var e = SchemaElement(name: "")
        var haveName = false
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.i32.rawValue): e.type = try r.i32()
            case (2, CompactType.i32.rawValue): e.typeLength = try r.i32()
            case (3, CompactType.i32.rawValue): e.repetitionType = try r.i32()
            case (4, CompactType.binary.rawValue):
                e.name = try r.string()
                haveName = true
            case (5, CompactType.i32.rawValue): e.numChildren = try r.i32()
            case (6, CompactType.i32.rawValue): e.convertedType = try r.i32()
            case (7, CompactType.i32.rawValue): e.scale = try r.i32()
            case (8, CompactType.i32.rawValue): e.precision = try r.i32()
            case (9, CompactType.i32.rawValue): e.fieldId = try r.i32()
            case (10, CompactType.structure.rawValue): try readLogical(&r, into: &e)
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard haveName else { throw r.error("schema element lacks its name") }
        return e
    }

    private static func readLogical(_ r: inout CompactReader, into e: inout SchemaElement) throws {
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            guard t == CompactType.structure.rawValue else {
                try r.skip(t)
                continue
            }
            switch id {
            case 1: e.logicalType = .string
            case 2: e.logicalType = .map
            case 3: e.logicalType = .list
            case 6: e.logicalType = .date
            default: break
            }
            switch id {
            case 5:
                var scale: Int32 = 0, precision: Int32 = 0
                try r.beginStruct()
                while let (fid, ft) = try r.fieldHeader() {
                    if fid == 1 && ft == CompactType.i32.rawValue { scale = try r.i32() }
                    else if fid == 2 && ft == CompactType.i32.rawValue { precision = try r.i32() }
                    else { try r.skip(ft) }
                }
                r.endStruct()
                e.logicalType = .decimal(precision: precision, scale: scale)
            case 8:
                var utc = false, micros = false
                try r.beginStruct()
                while let (fid, ft) = try r.fieldHeader() {
                    if fid == 1 && (ft == 1 || ft == 2) { utc = try r.boolValue(ft) }
                    else if fid == 2 && ft == CompactType.structure.rawValue {
                        try r.beginStruct()
                        while let (uid, ut) = try r.fieldHeader() {
                            if uid == 2 { micros = true }
                            try r.skip(ut)
                        }
                        r.endStruct()
                    } else { try r.skip(ft) }
                }
                r.endStruct()
                if micros { e.logicalType = .timestampMicros(adjustedToUTC: utc) } else { e.otherLogicalTypeId = 8 }
            case 10:
                var width: Int8 = 0, signed = true
                try r.beginStruct()
                while let (fid, ft) = try r.fieldHeader() {
                    if fid == 1 && ft == CompactType.i8.rawValue { width = Int8(bitPattern: try r.byte()) }
                    else if fid == 2 && (ft == 1 || ft == 2) { signed = try r.boolValue(ft) }
                    else { try r.skip(ft) }
                }
                r.endStruct()
                e.logicalType = .integer(bitWidth: width, signed: signed)
            case 1, 2, 3, 6:
                try r.skip(t)
            default:
                e.otherLogicalTypeId = id
                try r.skip(t)
            }
        }
        r.endStruct()
    }
}
