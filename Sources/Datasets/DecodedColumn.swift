import OrderModel
import Parquet

/// One model field of a decoded row group, with per-row positions into the decoded values so
/// that any row can be copied in O(its values) without rescanning the level streams.
///
/// Null map values (possible in files of other writers) read back as empty strings: the
/// model's maps have no null values.
enum DecodedColumn {
    /// Not in the file and not a partition key: every row is null.
    case absent
    /// A partition column restored from the folder name: the same value on every row.
    case constantInt(Int64?)
    case constantString([UInt8]?)
    /// A flat column: `slot[r]` is the value index of row r, -1 when null.
    case flat(ColumnData.Values, slot: [Int32])
    /// A list: row r is null when `state[r] == 0`, else its elements are values
    /// `start[r]..<start[r+1]`.
    case list(bytes: [UInt8], offsets: [UInt32], state: [UInt8], start: [Int32])
    /// A map: as a list, keys and values side by side.
    case map(keys: [UInt8], keyOffsets: [UInt32], values: [UInt8], valueOffsets: [UInt32], valueSlot: [Int32],
        state: [UInt8], start: [Int32])

    /// Builds the slots of a flat optional (or required) column.
    static func flat(_ data: ColumnData, maxDef: Int, rows: Int) -> DecodedColumn {
        var slot = [Int32](repeating: -1, count: rows)
        if maxDef == 0 {
            for r in 0..<rows { slot[r] = Int32(r) }
        } else {
            var v: Int32 = 0
            let top = UInt8(maxDef)
            for r in 0..<min(rows, data.defLevels.count) where data.defLevels[r] == top {
                slot[r] = v
                v += 1
            }
        }
        return .flat(data.values, slot: slot)
    }

    /// Row boundaries of a repeated leaf: a row starts at every repetition level 0. Returns,
    /// per row, its state (0 null, 1 empty, 2 with elements) and the index of its first
    /// element among the leaf's entries of definition level >= `elementDef`.
    static func rows(_ data: ColumnData, elementDef: UInt8, rows: Int) -> (state: [UInt8], start: [Int32]) {
        var state = [UInt8](repeating: 0, count: rows)
        var start = [Int32](repeating: 0, count: rows + 1)
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
        return (state, start)
    }

    static func byteArrays(_ v: ColumnData.Values) -> ([UInt8], [UInt32]) {
        if case .byteArray(let b, let o) = v { return (b, o) }
        return ([], [0])
    }

    /// Sets row `r` of this column into field `c` of the row being built in `table`.
    func copy(row r: Int, into table: inout ColumnTable, field c: Int) {
        switch self {
        case .absent:
            table.setNull(c)
        case .constantInt(let v):
            if let v { table.set(c, int: v) } else { table.setNull(c) }
        case .constantString(let v):
            if let v { v.withUnsafeBytes { table.set(c, utf8: $0) } } else { table.setNull(c) }
        case .flat(let values, let slot):
            let s = Int(slot[r])
            if s < 0 {
                table.setNull(c)
                return
            }
            switch values {
            case .int32(let a): table.set(c, int: Int64(a[s]))
            case .int64(let a): table.set(c, int: a[s])
            case .boolean(let a): table.set(c, int: a[s] ? 1 : 0)
            case .double(let a): table.set(c, int: Int64(a[s]))
            case .float(let a): table.set(c, int: Int64(a[s]))
            case .byteArray(let b, let o):
                b.withUnsafeBytes { table.set(c, utf8: UnsafeRawBufferPointer(rebasing: $0[Int(o[s])..<Int(o[s + 1])])) }
            }
        case .list(let bytes, let offsets, let state, let start):
            guard state[r] != 0 else {
                table.setNull(c)
                return
            }
            table.touch(c)
            bytes.withUnsafeBytes { b in
                for e in Int(start[r])..<Int(start[r + 1]) {
                    table.addElement(c, utf8: UnsafeRawBufferPointer(rebasing: b[Int(offsets[e])..<Int(offsets[e + 1])]))
                }
            }
        case .map(let keys, let keyOffsets, let values, let valueOffsets, let valueSlot, let state, let start):
            guard state[r] != 0 else {
                table.setNull(c)
                return
            }
            table.touch(c)
            keys.withUnsafeBytes { k in
                values.withUnsafeBytes { v in
                    for e in Int(start[r])..<Int(start[r + 1]) {
                        let key = UnsafeRawBufferPointer(rebasing: k[Int(keyOffsets[e])..<Int(keyOffsets[e + 1])])
                        let s = Int(valueSlot[e])
                        let value = s < 0 ? UnsafeRawBufferPointer(rebasing: v[0..<0])
                            : UnsafeRawBufferPointer(rebasing: v[Int(valueOffsets[s])..<Int(valueOffsets[s + 1])])
                        table.addElement(c, utf8: value, key: key)
                    }
                }
            }
        }
    }
}
