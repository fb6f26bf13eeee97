import OrderModel
import Parquet

/// One model field of a decoded row group, with per-row positions into the decoded values so
/// that any row can be copied in O(its values) without rescanning the level streams.
///
/// A struct of flat arrays (not an enum with array payloads): copying a row reads the arrays
/// in place, where binding an enum's payload would retain and release every array per field
/// per row. Null map values (possible in files of other writers) read back as empty strings:
/// the model's maps have no null values.
struct DecodedColumn {
    enum Shape: UInt8 {
        /// Not in the file and not a partition key: every row is null.
        case absent
        /// A partition column restored from the folder name: the same value on every row
        /// (`ints[0]` or `bytes`), or null when `isNullConstant`.
        case constant
        /// A flat column: `slot[r]` is the value index of row r, -1 when null.
        case flat
        /// A list: row r is null when `state[r] == 0`, else its elements are values
        /// `start[r]..<start[r+1]` of `bytes`/`offsets`.
        case list
        /// A map: as a list, keys in `keyBytes`/`keyOffsets`, the value of entry e at `slot[e]` (-1: null).
        case map
    }

    var shape: Shape
    /// Whether values are bytes (strings) rather than `ints`.
    var isBytes = false
    var isNullConstant = false
    var ints: [Int64] = []
    var bytes: [UInt8] = []
    var offsets: [UInt32] = [0]
    var keyBytes: [UInt8] = []
    var keyOffsets: [UInt32] = [0]
    var slot: [Int32] = []
    var state: [UInt8] = []
    var start: [Int32] = []

    static let absent = DecodedColumn(shape: .absent)

    static func constant(int v: Int64?) -> DecodedColumn {
        var c = DecodedColumn(shape: .constant)
        if let v { c.ints = [v] } else { c.isNullConstant = true }
        return c
    }

    static func constant(bytes v: [UInt8]?) -> DecodedColumn {
        var c = DecodedColumn(shape: .constant)
        c.isBytes = true
        if let v { c.bytes = v } else { c.isNullConstant = true }
        return c
    }

    /// A flat optional (or required) column.
    static func flat(_ data: ColumnData, maxDef: Int, rows: Int) -> DecodedColumn {
        var c = DecodedColumn(shape: .flat)
        c.slot = [Int32](repeating: -1, count: rows)
        if maxDef == 0 {
            for r in 0..<rows { c.slot[r] = Int32(r) }
        } else {
            var v: Int32 = 0
            let top = UInt8(maxDef)
            for r in 0..<min(rows, data.defLevels.count) where data.defLevels[r] == top {
                c.slot[r] = v
                v += 1
            }
        }
        switch data.values {
        case .int32(let a): c.ints = a.map { Int64($0) }
        case .int64(let a): c.ints = a
        case .boolean(let a): c.ints = a.map { $0 ? 1 : 0 }
        case .double(let a): c.ints = a.map { Int64($0) }
        case .float(let a): c.ints = a.map { Int64($0) }
        case .byteArray(let b, let o):
            c.isBytes = true
            c.bytes = b
            c.offsets = o
        }
        return c
    }

    /// Row boundaries of a repeated leaf: a row starts at every repetition level 0. Sets, per
    /// row, its state (0 null, 1 empty, 2 with elements) and the index of its first element
    /// among the leaf's entries of definition level >= `elementDef`.
    mutating func setRows(_ data: ColumnData, elementDef: UInt8, rows: Int) {
        state = [UInt8](repeating: 0, count: rows)
        start = [Int32](repeating: 0, count: rows + 1)
        var row = -1
        var elements: Int32 = 0
        for i in 0..<data.defLevels.count {
            let d = data.defLevels[i]
            if data.repLevels[i] == 0 {
                row += 1
                if row >= rows { break }
                start[row] = elements
                state[row] = d == 0 ? 0 : (d < elementDef ? 1 : 2)
            }
            if d >= elementDef { elements += 1 }
        }
        if rows > 0 { start[rows] = elements }
    }

    static func byteArrays(_ v: ColumnData.Values) -> ([UInt8], [UInt32]) {
        if case .byteArray(let b, let o) = v { return (b, o) }
        return ([], [0])
    }

    func isNull(_ r: Int) -> Bool {
        switch shape {
        case .absent: return true
        case .constant: return isNullConstant
        case .flat: return slot[r] < 0
        case .list, .map: return state[r] == 0
        }
    }

    /// Sets row `r` of this column into field `c` of the row being built in `table`.
    func copy(row r: Int, into table: inout ColumnTable, field c: Int) {
        switch shape {
        case .absent:
            table.setNull(c)
        case .constant:
            if isNullConstant {
                table.setNull(c)
            } else if isBytes {
                bytes.withUnsafeBytes { table.set(c, utf8: $0) }
            } else {
                table.set(c, int: ints[0])
            }
        case .flat:
            let s = Int(slot[r])
            if s < 0 {
                table.setNull(c)
            } else if isBytes {
                bytes.withUnsafeBytes { table.set(c, utf8: UnsafeRawBufferPointer(rebasing: $0[Int(offsets[s])..<Int(offsets[s + 1])])) }
            } else {
                table.set(c, int: ints[s])
            }
        case .list, .map:
            guard state[r] != 0 else {
                table.setNull(c)
                return
            }
            table.touch(c)
            let isMap = shape == .map
            bytes.withUnsafeBytes { v in
                keyBytes.withUnsafeBytes { k in
                    for e in Int(start[r])..<Int(start[r + 1]) {
                        if !isMap {
                            table.addElement(c, utf8: UnsafeRawBufferPointer(rebasing: v[Int(offsets[e])..<Int(offsets[e + 1])]))
                            continue
                        }
                        let key = UnsafeRawBufferPointer(rebasing: k[Int(keyOffsets[e])..<Int(keyOffsets[e + 1])])
                        let s = Int(slot[e])
                        let value = s < 0 ? UnsafeRawBufferPointer(rebasing: v[0..<0])
                            : UnsafeRawBufferPointer(rebasing: v[Int(offsets[s])..<Int(offsets[s + 1])])
                        table.addElement(c, utf8: value, key: key)
                    }
                }
            }
        }
    }
}
