/// Bulk row copies between columns of one kind: how a stage that writes several output rows
/// per input row (fulfillment: a parent snapshot and its child orders, each a copy of most of
/// the parent's fields) fills its output a column at a time instead of a field at a time per
/// row.
extension Column {
    /// Appends row `rows[i]` of `source` for every `i`, nulls as nulls: the same values, in
    /// the same storage layout, as `append` / `appendNull` row by row would leave. A source
    /// row at or past `source.count` (a table that defers null padding) is null.
    ///
    /// Each array is grown once to its final size and then filled through a buffer pointer:
    /// row by row, every `Array.append` pays a capacity and uniqueness check, which over the
    /// ~120 order fields was most of the cost of copying a row.
    public mutating func appendGathering(from source: Column, rows: UnsafeBufferPointer<Int32>) {
        precondition(source.kind == kind, "appendGathering from a \(source.kind) column into a \(kind) column")
        let n = rows.count
        guard n > 0 else { return }
        // A field the source batch never carries (most of the ~120 fields of any one feed).
        if source.nullCount == source.count {
            padNulls(to: count + n)
            return
        }
        let have = source.count
        // Validity is recorded only once a column holds a null (`validity`): count the nulls
        // gathered first, and write flags only if this column has or gets one.
        var nulls = 0
        source.withValidity { sv in
            for i in 0..<n {
                let s = Int(rows[i])
                if !(s < have && sv[s]) { nulls += 1 }
            }
        }
        if nulls > 0 || nullCount > 0 {
            if nullCount == 0 { recordValidity() }
            let v0 = validity.count
            validity.append(contentsOf: repeatElement(false, count: n))
            validity.withUnsafeMutableBufferPointer { out in
                source.withValidity { sv in
                    for i in 0..<n {
                        let s = Int(rows[i])
                        out[v0 + i] = s < have && sv[s]
                    }
                }
            }
        }
        switch kind {
        case .string:
            source.withValidity { sv in
                Self.gather(source.bytes, source.offsets, rows: rows, valid: sv, into: &bytes, &offsets)
            }
        case .stringList, .stringMap:
            gatherElements(of: source, rows: rows)
        default:
            let i0 = ints.count
            ints.append(contentsOf: repeatElement(0, count: n))
            ints.withUnsafeMutableBufferPointer { out in
                source.ints.withUnsafeBufferPointer { si in
                    for i in 0..<n where Int(rows[i]) < have { out[i0 + i] = si[Int(rows[i])] }  // 0 where null
                }
            }
        }
        nullCount += nulls
        count += n
    }

    /// Appends the strings `rows` of an arena (`sb`, `so`: value `i` is `so[i]..<so[i+1]`) to
    /// another: one pass for the size, one to copy. A row that `valid` does not hold as true
    /// (null, or past its end) is an empty range, as `appendNull` leaves it; `valid` nil:
    /// every row is present (list elements).
    private static func gather(_ sb: ByteArena, _ so: [UInt32], rows: UnsafeBufferPointer<Int32>,
                               valid: UnsafeBufferPointer<Bool>?, into bytes: inout ByteArena, _ offsets: inout [UInt32]) {
        let n = rows.count
        @inline(__always) func present(_ s: Int) -> Bool {
            guard let valid else { return true }
            return s < valid.count && valid[s]
        }
        so.withUnsafeBufferPointer { so in
            var total = 0
            for r in rows where present(Int(r)) { total += Int(so[Int(r) + 1] - so[Int(r)]) }
            let b0 = bytes.count, o0 = offsets.count
            // The arena's new tail (`total` bytes from `b0`).
            let ob = bytes.appendZeros(total) - b0
            offsets.append(contentsOf: repeatElement(0, count: n))
            offsets.withUnsafeMutableBufferPointer { oo in
                sb.withUnsafeBufferPointer { sbp in
                    var at = b0
                    for i in 0..<n {
                        let s = Int(rows[i])
                        if present(s) {
                            let lo = Int(so[s]), len = Int(so[s + 1]) - lo
                            // Both ranges were bounds-checked by the sizing pass and the growth above.
                            copyBytes(ob + at, sbp.baseAddress! + lo, len)
                            at += len
                        }
                        oo[o0 + i] = UInt32(at)
                    }
                }
            }
        }
    }

    /// List and map rows: a row offset per row, and the elements of the non-null rows (values,
    /// and keys for a map) gathered by element index. A null row owns no elements.
    private mutating func gatherElements(of source: Column, rows: UnsafeBufferPointer<Int32>) {
        let n = rows.count, have = source.count
        let r0 = rowOffsets.count
        rowOffsets.append(contentsOf: repeatElement(0, count: n))
        let e0 = offsets.count - 1  // elements already in this column
        // The row offsets first (which also counts the elements), then the element index
        // vector filled in place: appending index by index cost a capacity check per element.
        var e = e0
        rowOffsets.withUnsafeMutableBufferPointer { ro in
            source.rowOffsets.withUnsafeBufferPointer { sro in
                source.withValidity { sv in
                    for i in 0..<n {
                        let s = Int(rows[i])
                        if s < have && sv[s] { e += Int(sro[s + 1] - sro[s]) }
                        ro[r0 + i] = UInt32(e)
                    }
                }
            }
        }
        let elements = [Int32](unsafeUninitializedCapacity: e - e0) { out, initialized in
            source.rowOffsets.withUnsafeBufferPointer { sro in
                source.withValidity { sv in
                    var k = 0
                    for i in 0..<n {
                        let s = Int(rows[i])
                        guard s < have && sv[s] else { continue }
                        for x in Int(sro[s])..<Int(sro[s + 1]) {
                            out[k] = Int32(x)
                            k += 1
                        }
                    }
                    initialized = k  // == e - e0: the same rows as the first pass
                }
            }
        }
        guard !elements.isEmpty else { return }
        elements.withUnsafeBufferPointer { el in
            Self.gather(source.bytes, source.offsets, rows: el, valid: nil, into: &bytes, &offsets)
            if kind == .stringMap {
                Self.gather(source.keyBytes, source.keyOffsets, rows: el, valid: nil, into: &keyBytes, &keyOffsets)
            }
        }
    }
}
