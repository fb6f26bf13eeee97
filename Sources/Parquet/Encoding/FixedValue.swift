/// The fixed-width physical types (INT32, INT64, DOUBLE): what the generic column writer and reader need.
protocol ParquetFixedValue: Sendable {
    static var physical: PhysicalType { get }
    /// Bit pattern used for dictionary identity (so -0.0 and +0.0 stay distinct, NaNs match bit-for-bit).
    var bits: UInt64 { get }
    /// Order used for statistics (signed integers, IEEE doubles without NaN).
    static func less(_ a: Self, _ b: Self) -> Bool
    /// NaN values are left out of statistics.
    var excludedFromStats: Bool { get }
    init(littleEndianBits: UInt64)
}

extension Int32: ParquetFixedValue {
    static var physical: PhysicalType { .int32 }
    @inline(__always) var bits: UInt64 { UInt64(UInt32(bitPattern: self)) }
    @inline(__always) static func less(_ a: Int32, _ b: Int32) -> Bool { a < b }
    @inline(__always) var excludedFromStats: Bool { false }
    init(littleEndianBits b: UInt64) { self = Int32(bitPattern: UInt32(truncatingIfNeeded: b)) }
}

extension Int64: ParquetFixedValue {
    static var physical: PhysicalType { .int64 }
    @inline(__always) var bits: UInt64 { UInt64(bitPattern: self) }
    @inline(__always) static func less(_ a: Int64, _ b: Int64) -> Bool { a < b }
    @inline(__always) var excludedFromStats: Bool { false }
    init(littleEndianBits b: UInt64) { self = Int64(bitPattern: b) }
}

extension Double: ParquetFixedValue {
    static var physical: PhysicalType { .double }
    @inline(__always) var bits: UInt64 { bitPattern }
    @inline(__always) static func less(_ a: Double, _ b: Double) -> Bool { a < b }
    @inline(__always) var excludedFromStats: Bool { isNaN }
    init(littleEndianBits b: UInt64) { self = Double(bitPattern: b) }
}

extension ParquetFixedValue {
    static var byteWidth: Int { MemoryLayout<Self>.size }

    /// PLAIN little-endian bytes (statistics and dictionary bodies).
    var plainBytes: [UInt8] {
        var v = bits
        var out = [UInt8]()
        out.reserveCapacity(Self.byteWidth)
        for _ in 0..<Self.byteWidth {
            out.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
        return out
    }
}

/// Running min/max/null count of fixed-width values.
struct FixedStats<T: ParquetFixedValue> {
    var min: T?
    var max: T?
    var nullCount: Int64 = 0

    @inline(__always)
    mutating func update(_ values: UnsafeBufferPointer<T>) {
        guard !values.isEmpty else { return }
        var lo: T? = min
        var hi: T? = max
        for v in values where !v.excludedFromStats {
            if let l = lo {
                if T.less(v, l) { lo = v }
                if let h = hi, T.less(h, v) { hi = v }
            } else {
                lo = v
                hi = v
            }
        }
        min = lo
        max = hi
    }

    mutating func merge(_ o: FixedStats<T>) {
        nullCount += o.nullCount
        if let l = o.min { if let m = min { if T.less(l, m) { min = l } } else { min = l } }
        if let h = o.max { if let m = max { if T.less(m, h) { max = h } } else { max = h } }
    }

    /// Thrift statistics: min/max_value plus the deprecated signed min/max (ints and doubles are signed-order).
    func thrift() -> Statistics {
        var s = Statistics()
        s.nullCount = nullCount
        if var lo = min, var hi = max {
            if T.self == Double.self {
                // parquet.thrift ColumnOrder: a zero bound is written as -0.0 (min) and +0.0 (max).
                if lo.bits & 0x7FFF_FFFF_FFFF_FFFF == 0 { lo = T(littleEndianBits: 0x8000_0000_0000_0000) }
                if hi.bits & 0x7FFF_FFFF_FFFF_FFFF == 0 { hi = T(littleEndianBits: 0) }
            }
            s.minValue = lo.plainBytes
            s.maxValue = hi.plainBytes
            s.min = s.minValue
            s.max = s.maxValue
            s.isMinValueExact = true
            s.isMaxValueExact = true
        }
        return s
    }
}
