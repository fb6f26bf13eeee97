/// `parquet.thrift` Statistics: PLAIN-encoded bounds without length prefix.
public struct Statistics: Sendable, Equatable {
    /// Deprecated signed-order bounds (fields 1/2); only written for signed-order types.
    public var max: [UInt8]?
    public var min: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public var maxValue: [UInt8]?
    public var minValue: [UInt8]?
    public var isMaxValueExact: Bool?
    public var isMinValueExact: Bool?

    public init() {}

    func write(to w: inout CompactWriter) {
        // Field order is by id: the deprecated max (1) comes before min (2).
        if let max { w.binary(1, max) }
        if let min { w.binary(2, min) }
        if let nullCount { w.i64(3, nullCount) }
        if let distinctCount { w.i64(4, distinctCount) }
        if let maxValue { w.binary(5, maxValue) }
        if let minValue { w.binary(6, minValue) }
        if let isMaxValueExact { w.bool(7, isMaxValueExact) }
        if let isMinValueExact { w.bool(8, isMinValueExact) }
    }

    static func read(from r: inout CompactReader) throws -> Statistics {
        var s = Statistics()
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.binary.rawValue): s.max = try r.binary()
            case (2, CompactType.binary.rawValue): s.min = try r.binary()
            case (3, CompactType.i64.rawValue): s.nullCount = try r.i64()
            case (4, CompactType.i64.rawValue): s.distinctCount = try r.i64()
            case (5, CompactType.binary.rawValue): s.maxValue = try r.binary()
            case (6, CompactType.binary.rawValue): s.minValue = try r.binary()
            case (7, _) where t == 1 || t == 2: s.isMaxValueExact = try r.boolValue(t)
            case (8, _) where t == 1 || t == 2: s.isMinValueExact = try r.boolValue(t)
            default: try r.skip(t)
            }
        }
        r.endStruct()
        return s
    }
}
