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
        for h in Self.hashRows(t) { sum &+= h }
        rows += t.rowCount
        t.removeAll()
        scratch = t
    }

    /// One hash per row, built column by column (one pass over each column's arrays, through
    /// buffer pointers: no per-value copy or bounds check).
    static func hashRows(_ t: ColumnTable) -> [UInt64] {
        var hs = [UInt64](repeating: 0xcbf2_9ce4_8422_2325, count: t.rowCount)
        @inline(__always) func mix(_ h: inout UInt64, _ b: UInt8) { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        @inline(__always) func mixInt(_ h: inout UInt64, _ v: Int64) {
            for i in 0..<8 { mix(&h, UInt8(truncatingIfNeeded: v >> (8 * i))) }
        }
        @inline(__always) func mixBytes(_ h: inout UInt64, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            mixInt(&h, Int64(range.count))
            for i in range { mix(&h, b[i]) }
        }
        hs.withUnsafeMutableBufferPointer { h in
            t.columns.withUnsafeBufferPointer { cols in
                for c in cols.indices {
                    let col = cols[c]
                    col.bytes.withUnsafeBufferPointer { vb in
                        col.keyBytes.withUnsafeBufferPointer { kb in
                            for r in 0..<t.rowCount {
                                if col.isNull(r) {
                                    mix(&h[r], 0)
                                    continue
                                }
                                mix(&h[r], 1)
                                switch col.kind {
                                case .string: mixBytes(&h[r], vb, col.range(r))
                                case .stringList, .stringMap:
                                    let e = col.elements(r)
                                    mixInt(&h[r], Int64(e.count))
                                    for i in e {
                                        if col.kind == .stringMap { mixBytes(&h[r], kb, col.keyRange(i)) }
                                        mixBytes(&h[r], vb, col.elementRange(i))
                                    }
                                default: mixInt(&h[r], col.int(r))
                                }
                            }
                        }
                    }
                }
            }
            // A final avalanche, so that the sum of row hashes does not cancel on near-equal rows.
            for r in h.indices {
                var x = h[r]
                x ^= x >> 33
                x = x &* 0xff51_afd7_ed55_8ccd
                x ^= x >> 33
                h[r] = x
            }
        }
        return hs
    }
}
