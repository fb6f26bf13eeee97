import OrderModel
import Parquet

/// Hands one pending column to the Parquet writer. The column already holds levels and dense
/// values in the writer's layout, so this passes its arrays through; it only supplies the
/// implied zero levels of a column that never saw a value, and the value leaf of a map
/// (whose present entries sit one definition level deeper than the keys).
struct PendingColumnEncoder {
    private var zeros: [UInt8] = []
    private var mapValueDefs: [UInt8] = []
    private static let emptyOffsets: [UInt32] = [0]

    mutating func write(_ col: PendingColumn, leaf: Int, to w: ParquetFileWriter) throws {
        if !col.materialized {
            try writeNulls(col, leaf: leaf, to: w)
            return
        }
        try col.defs.withUnsafeBufferPointer { defs in
            switch col.kind {
            case .string:
                try col.bytes.withUnsafeBytes { b in
                    try col.offsets.withUnsafeBufferPointer { try w.writeByteArrays(column: leaf, bytes: b, offsets: $0, defLevels: defs) }
                }
            case .int32, .date:
                try col.int32s.withUnsafeBufferPointer { try w.writeInt32(column: leaf, values: $0, defLevels: defs) }
            case .int64, .decimal, .timestamp:
                try col.ints.withUnsafeBufferPointer { try w.writeInt64(column: leaf, values: $0, defLevels: defs) }
            case .bool:
                try col.bools.withUnsafeBufferPointer { try w.writeBooleans(column: leaf, values: $0, defLevels: defs) }
            case .stringList, .stringMap:
                try col.reps.withUnsafeBufferPointer { reps in
                    if col.kind == .stringMap {
                        try col.keyBytes.withUnsafeBytes { b in
                            try col.keyOffsets.withUnsafeBufferPointer {
                                try w.writeByteArrays(column: leaf, bytes: b, offsets: $0, defLevels: defs, repLevels: reps)
                            }
                        }
                        mapValueDefs.removeAll(keepingCapacity: true)
                        mapValueDefs.append(contentsOf: defs.lazy.map { $0 == 2 ? 3 : $0 })
                    }
                    try col.bytes.withUnsafeBytes { b in
                        try col.offsets.withUnsafeBufferPointer { o in
                            if col.kind == .stringMap {
                                try mapValueDefs.withUnsafeBufferPointer {
                                    try w.writeByteArrays(column: leaf + 1, bytes: b, offsets: o, defLevels: $0, repLevels: reps)
                                }
                            } else {
                                try w.writeByteArrays(column: leaf, bytes: b, offsets: o, defLevels: defs, repLevels: reps)
                            }
                        }
                    }
                }
            }
        }
    }

    /// A column with only null rows: all levels 0, no values.
    private mutating func writeNulls(_ col: PendingColumn, leaf: Int, to w: ParquetFileWriter) throws {
        if zeros.count < col.entries { zeros = [UInt8](repeating: 0, count: col.entries) }
        try zeros.withUnsafeBufferPointer { all in
            let z = UnsafeBufferPointer(rebasing: all[0..<col.entries])
            let reps: UnsafeBufferPointer<UInt8>? = col.isNested ? z : nil
            switch col.kind {
            case .string, .stringList, .stringMap:
                try Self.emptyOffsets.withUnsafeBufferPointer { o in
                    try w.writeByteArrays(column: leaf, bytes: UnsafeRawBufferPointer(start: nil, count: 0), offsets: o, defLevels: z,
                        repLevels: reps)
                    if col.kind == .stringMap {
                        try w.writeByteArrays(column: leaf + 1, bytes: UnsafeRawBufferPointer(start: nil, count: 0), offsets: o,
                            defLevels: z, repLevels: reps)
                    }
                }
            case .int32, .date:
                try w.writeInt32(column: leaf, values: UnsafeBufferPointer(start: nil, count: 0), defLevels: z)
            case .int64, .decimal, .timestamp:
                try w.writeInt64(column: leaf, values: UnsafeBufferPointer(start: nil, count: 0), defLevels: z)
            case .bool:
                try w.writeBooleans(column: leaf, values: UnsafeBufferPointer(start: nil, count: 0), defLevels: z)
            }
        }
    }
}
