import OrderModel

/// A compact row form of one order with its lines, used to hold the rows waiting for their
/// partition's next row group.
///
/// Why not keep an `OrderBatch` per partition: a batch has three small arrays per column
/// before it holds a single row (about 20 KB for the ~130 columns of orders and lines), so
/// ten thousand partitions would cost hundreds of megabytes before any data. One growing
/// byte buffer per partition costs nothing when empty, and its size is exactly what the
/// memory budget counts. Rows are decoded back into a reused `OrderBatch` right before the
/// Parquet writer encodes them column by column.
///
/// Layout per table row, column after column: numeric = tag byte (0 null, 1 value) + 8 bytes;
/// string = tag + u32 length + bytes; list = tag + u32 count + (u32 length + bytes) per
/// element; map = as list with (u32 length + key bytes) before each value. Then u32 line
/// count and the lines the same way (without `order_id`, which `endOrder` fills in).
enum RowCodec {
    /// Appends order `row` of `batch` and its lines.
    static func encodeOrder(_ batch: OrderBatch, row: Int, into out: inout [UInt8]) {
        encodeRow(batch.orders, row: row, from: 0, into: &out)
        let lines = batch.lineRange(row)
        appendU32(UInt32(lines.count), into: &out)
        for l in lines { encodeRow(batch.lines, row: l, from: 1, into: &out) }
    }

    private static func encodeRow(_ table: ColumnTable, row: Int, from first: Int, into out: inout [UInt8]) {
        // Through a buffer pointer so each access reads one array of the column instead of
        // copying (retaining and releasing) the whole Column struct per value.
        table.columns.withUnsafeBufferPointer { cols in
            for c in first..<cols.count {
                if !cols[c].valid[row] {
                    out.append(0)
                    continue
                }
                out.append(1)
                switch cols[c].kind {
                case .string:
                    let start = Int(cols[c].offsets[row])
                    let end = Int(cols[c].offsets[row + 1])
                    appendU32(UInt32(end - start), into: &out)
                    cols[c].bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
                case .stringList, .stringMap:
                    let col = cols[c]
                    let e = col.elements(row)
                    appendU32(UInt32(e.count), into: &out)
                    for i in e {
                        if col.kind == .stringMap {
                            let k = col.keyRange(i)
                            appendU32(UInt32(k.count), into: &out)
                            out.append(contentsOf: col.keyBytes[k])
                        }
                        let v = col.elementRange(i)
                        appendU32(UInt32(v.count), into: &out)
                        out.append(contentsOf: col.bytes[v])
                    }
                default:
                    withUnsafeBytes(of: cols[c].ints[row].littleEndian) { out.append(contentsOf: $0) }
                }
            }
        }
    }

    @inline(__always) static func appendU32(_ v: UInt32, into out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Decodes every order in `buffer` into `batch`; returns the number of orders.
    @discardableResult
    static func decodeAll(_ buffer: [UInt8], into batch: inout OrderBatch) -> Int {
        var n = 0
        buffer.withUnsafeBytes { raw in
            var p = 0
            while p < raw.count {
                batch.beginOrder()
                decodeRow(raw, &p, into: &batch.orders, from: 0)
                let lineCount = Int(readU32(raw, &p))
                for _ in 0..<lineCount {
                    batch.beginLine()
                    decodeRow(raw, &p, into: &batch.lines, from: 1)
                    batch.endLine()
                }
                batch.endOrder()
                n += 1
            }
        }
        return n
    }

    @inline(__always) private static func readU32(_ raw: UnsafeRawBufferPointer, _ p: inout Int) -> UInt32 {
        let v = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self))
        p += 4
        return v
    }

    private static func decodeRow(_ raw: UnsafeRawBufferPointer, _ p: inout Int, into table: inout ColumnTable, from first: Int) {
        for c in first..<table.columns.count {
            let tag = raw[p]
            p += 1
            if tag == 0 { continue }  // endRow() makes unset fields null
            switch table.columns[c].kind {
            case .string:
                let n = Int(readU32(raw, &p))
                table.set(c, utf8: UnsafeRawBufferPointer(rebasing: raw[p..<p + n]))
                p += n
            case .stringList, .stringMap:
                let isMap = table.columns[c].kind == .stringMap
                let count = Int(readU32(raw, &p))
                table.touch(c)
                for _ in 0..<count {
                    var key: UnsafeRawBufferPointer? = nil
                    if isMap {
                        let kn = Int(readU32(raw, &p))
                        key = UnsafeRawBufferPointer(rebasing: raw[p..<p + kn])
                        p += kn
                    }
                    let vn = Int(readU32(raw, &p))
                    table.addElement(c, utf8: UnsafeRawBufferPointer(rebasing: raw[p..<p + vn]), key: key)
                    p += vn
                }
            default:
                table.set(c, int: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: Int64.self)))
                p += 8
            }
        }
    }
}
