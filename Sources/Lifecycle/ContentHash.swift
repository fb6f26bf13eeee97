import Datasets
import OrderModel

/// An order-independent hash of a set of rows: the wrapping sum of one FNV-1a 64-bit hash per
/// row over every field (a null, a value, a list's elements, a map's entries, each tagged and
/// length-prefixed so that no two different rows feed the same bytes). Independent of the
/// file layout, codec and row order, so a partition recompressed into bigger row groups, or
/// packed and restored, must hash the same: that is the check that nothing was lost or doubled.
public struct ContentHash: Sendable, Equatable {
    public private(set) var rows = 0
    private var sum: UInt64 = 0
    private var scratch: ColumnTable?

    public init() {}

    /// 16 lowercase hex digits.
    public var hex: String {
        let s = String(sum, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public static func == (a: ContentHash, b: ContentHash) -> Bool { a.rows == b.rows && a.sum == b.sum }

    /// Adds every row of a decoded row group.
    public mutating func add(_ g: DecodedRowGroup) {
        var t = scratch ?? ColumnTable(fields: g.dataset.fields)
        g.appendAll(to: &t)
        for r in 0..<t.rowCount { sum &+= Self.hashRow(t, r) }
        rows += t.rowCount
        t.removeAll()
        scratch = t
    }

    static func hashRow(_ t: ColumnTable, _ r: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ b: UInt8) { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        func mixInt(_ v: Int64) { for i in 0..<8 { mix(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        func mixBytes(_ bytes: [UInt8], _ range: Range<Int>) {
            mixInt(Int64(range.count))
            for i in range { mix(bytes[i]) }
        }
        for c in t.columns.indices {
            let col = t.columns[c]
            if col.isNull(r) {
                mix(0)
                continue
            }
            mix(1)
            switch col.kind {
            case .string: mixBytes(col.bytes, col.range(r))
            case .stringList, .stringMap:
                let e = col.elements(r)
                mixInt(Int64(e.count))
                for i in e {
                    if col.kind == .stringMap { mixBytes(col.keyBytes, col.keyRange(i)) }
                    mixBytes(col.bytes, col.elementRange(i))
                }
            default: mixInt(col.int(r))
            }
        }
        // A final avalanche, so that the sum of row hashes does not cancel on near-equal rows.
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
