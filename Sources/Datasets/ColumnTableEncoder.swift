import OrderModel
import Parquet

/// Hands one batch column to the Parquet writer: values straight from the column's storage
/// (the string arena and its offsets, the Int64 array) whenever the layouts agree, and
/// through reused scratch arrays otherwise (nulls compacted out, Int64 narrowed to Int32).
/// No String and no per-value allocation.
struct ColumnTableEncoder {
    private var defs: [UInt8] = []
    private var reps: [UInt8] = []
    private var int64s: [Int64] = []
    private var int32s: [Int32] = []
    private var bools: [Bool] = []
    private var offsets: [UInt32] = []

    mutating func write(_ col: Column, leaf: Int, rows: Int, to w: ParquetFileWriter) throws {
        switch col.kind {
        case .string:
            try writeStrings(col, leaf: leaf, rows: rows, to: w)
        case .stringList:
            try writeElements(col, leaf: leaf, keys: false, valueDef: 2, rows: rows, to: w)
        case .stringMap:
            try writeElements(col, leaf: leaf, keys: true, valueDef: 2, rows: rows, to: w)
            try writeElements(col, leaf: leaf + 1, keys: false, valueDef: 3, rows: rows, to: w)
        case .int32, .date:
            fillDefs(col, rows)
            int32s.removeAll(keepingCapacity: true)
            col.ints.withUnsafeBufferPointer { v in
                for r in 0..<rows where col.valid[r] { int32s.append(Int32(truncatingIfNeeded: v[r])) }
            }
            try int32s.withUnsafeBufferPointer { v in
                try defs.withUnsafeBufferPointer { try w.writeInt32(column: leaf, values: v, defLevels: $0) }
            }
        case .int64, .decimal, .timestamp:
            fillDefs(col, rows)
            if col.nullCount == 0 && col.count == rows {
                try col.ints.withUnsafeBufferPointer { v in
                    try defs.withUnsafeBufferPointer { try w.writeInt64(column: leaf, values: v, defLevels: $0) }
                }
            } else {
                int64s.removeAll(keepingCapacity: true)
                for r in 0..<rows where col.valid[r] { int64s.append(col.ints[r]) }
                try int64s.withUnsafeBufferPointer { v in
                    try defs.withUnsafeBufferPointer { try w.writeInt64(column: leaf, values: v, defLevels: $0) }
                }
            }
        case .bool:
            fillDefs(col, rows)
            bools.removeAll(keepingCapacity: true)
            for r in 0..<rows where col.valid[r] { bools.append(col.ints[r] != 0) }
            try bools.withUnsafeBufferPointer { v in
                try defs.withUnsafeBufferPointer { try w.writeBooleans(column: leaf, values: v, defLevels: $0) }
            }
        }
    }

    private mutating func fillDefs(_ col: Column, _ rows: Int) {
        defs.removeAll(keepingCapacity: true)
        col.valid.withUnsafeBufferPointer { v in
            for r in 0..<rows { defs.append(v[r] ? 1 : 0) }
        }
    }

    private mutating func writeStrings(_ col: Column, leaf: Int, rows: Int, to w: ParquetFileWriter) throws {
        fillDefs(col, rows)
        try col.bytes.withUnsafeBytes { bytes in
            if col.nullCount == 0 && col.count == rows {
                try col.offsets.withUnsafeBufferPointer { o in
                    try defs.withUnsafeBufferPointer {
                        try w.writeByteArrays(column: leaf, bytes: bytes, offsets: o, defLevels: $0)
                    }
                }
                return
            }
            // A null row owns an empty range, so dropping its end offset leaves the non-null
            // values contiguous in the same arena.
            offsets.removeAll(keepingCapacity: true)
            offsets.append(col.offsets[0])
            for r in 0..<rows where col.valid[r] { offsets.append(col.offsets[r + 1]) }
            try offsets.withUnsafeBufferPointer { o in
                try defs.withUnsafeBufferPointer {
                    try w.writeByteArrays(column: leaf, bytes: bytes, offsets: o, defLevels: $0)
                }
            }
        }
    }

    /// A list's elements or a map's keys (`keys`) or values: levels per element, with
    /// definition 0 = null list/map, 1 = empty, `valueDef` = an element.
    private mutating func writeElements(
        _ col: Column, leaf: Int, keys: Bool, valueDef: UInt8, rows: Int, to w: ParquetFileWriter
    ) throws {
        defs.removeAll(keepingCapacity: true)
        reps.removeAll(keepingCapacity: true)
        for r in 0..<rows {
            if !col.valid[r] {
                defs.append(0)
                reps.append(0)
                continue
            }
            let e = col.elements(r)
            if e.isEmpty {
                defs.append(1)
                reps.append(0)
                continue
            }
            defs.append(valueDef)
            reps.append(0)
            for _ in 1..<e.count {
                defs.append(valueDef)
                reps.append(1)
            }
        }
        let end = Int(col.rowOffsets[rows])
        let bytes = keys ? col.keyBytes : col.bytes
        let offs = keys ? col.keyOffsets : col.offsets
        try bytes.withUnsafeBytes { b in
            try offs.withUnsafeBufferPointer { o in
                let used = UnsafeBufferPointer(rebasing: o[0...end])
                try defs.withUnsafeBufferPointer { d in
                    try reps.withUnsafeBufferPointer { try w.writeByteArrays(column: leaf, bytes: b, offsets: used, defLevels: d, repLevels: $0) }
                }
            }
        }
    }
}
