/// A typed column writer. The batch loop (level validation, row counting, page and chunk cuts) is shared
/// here; conforming types only append values, flush a page and seal a chunk.
protocol LeafWriter: AnyObject {
    var asm: ChunkAssembler { get }
    /// Estimated encoded bytes of the open page's values.
    var pageValueBytes: Int { get }
    /// Bytes held by the dictionary of the open chunk.
    var dictionaryBytes: Int { get }
    /// Emits the open page (no-op when empty).
    func flushPage() throws
    /// Checks the dictionary after a slice; falls back to PLAIN when it is too big or certain
    /// to be dropped. `valuesLeft`: the values still to come in this chunk, when known.
    func checkDictionary(valuesLeft: Int?) throws
    /// Flushes the open page and seals the chunk.
    func sealChunk() throws
    /// Frees the page buffers and dictionary storage kept for reuse (called between row groups,
    /// when the chunk is sealed and no page is open).
    func releaseBuffers()
}

extension LeafWriter {
    /// Bytes this column holds in memory for the open row group(s).
    var bufferedBytes: Int { asm.storedBytes + pageValueBytes + asm.pageLevelBytes + dictionaryBytes }

    /// Rows written to this column since the last row group was handed out (sealed chunks + open chunk).
    var pendingRows: Int { asm.sealedRows + asm.chunkRows }

    /// Validates one batch and feeds it slice by slice, cutting pages at row boundaries and chunks at the
    /// row-group row limit. `append(levelRange, valueRange)` adds the values of the slice to the open page.
    func feed(
        valueCount: Int, def: UnsafeBufferPointer<UInt8>?, rep: UnsafeBufferPointer<UInt8>?,
        append: (Range<Int>, Range<Int>) throws -> Void
    ) throws {
        let a = asm
        let name = a.column.dottedPath
        let maxDef = a.maxDef
        let maxRep = a.maxRep
        let n: Int
        if maxDef > 0 {
            guard let def else { throw ParquetError.invalid("column '\(name)' is nullable/nested: definition levels are required") }
            n = def.count
            var present = 0
            if valueCount == 0, countFlatLevels(def) == 0 {
                // A column with no value in this call (model fields a feed never fills): every
                // level is 0, checked 8 bytes at a time.
            } else if maxDef == 1, let ones = countFlatLevels(def) {
                present = ones  // a flat optional column, 8 levels at a time
            } else {
                for d in def {
                    if d > maxDef { throw ParquetError.invalid("column '\(name)': definition level \(d) above the maximum \(maxDef)") }
                    if d == maxDef { present &+= 1 }
                }
            }
            guard present == valueCount else {
                throw ParquetError.invalid(
                    "column '\(name)': \(valueCount) values given but the definition levels mark \(present) as present")
            }
        } else {
            if let def, def.count != valueCount {
                throw ParquetError.invalid("column '\(name)': \(def.count) definition levels for \(valueCount) values of a required column")
            }
            n = valueCount
        }
        if maxRep > 0 {
            guard let rep, rep.count == n else {
                throw ParquetError.invalid("column '\(name)' is repeated: \(n) repetition levels are required, got \(rep?.count ?? 0)")
            }
            if n > 0 && rep[0] != 0 {
                throw ParquetError.invalid("column '\(name)': a batch must start at a row boundary (repetition level 0)")
            }
            for r in rep where r > maxRep {
                throw ParquetError.invalid("column '\(name)': repetition level \(r) above the maximum \(maxRep)")
            }
        }
        let props = a.properties
        var i = 0
        var v = 0
        while i < n {
            let budget = min(
                props.dataPageRowLimit - a.pageRows, props.rowGroupRowLimit - a.chunkRows, ParquetDefaults.appendSliceRows)
            var j: Int
            var rows: Int
            if maxRep == 0 {
                j = min(n, i + max(budget, 1))
                rows = j - i
            } else {
                // A slice ends just before the (budget+1)-th row start, so pages only break at rep = 0.
                rows = 0
                j = i
                let r = rep!
                while j < n {
                    if r[j] == 0 {
                        if rows == max(budget, 1) { break }
                        rows += 1
                    }
                    j += 1
                }
            }
            var values = j - i
            if maxDef > 0 && valueCount == 0 {
                values = 0
            } else if maxDef > 0 && valueCount != n {
                let d = def!
                if maxDef == 1, let ones = countFlatLevels(UnsafeBufferPointer(rebasing: d[i..<j])) {
                    values = ones
                } else {
                    values = 0
                    for k in i..<j where d[k] == maxDef { values &+= 1 }
                }
            }
            a.appendLevels(def: def, rep: rep, i..<j)
            try append(i..<j, v..<(v + values))
            a.pageEntries += j - i
            a.pageNulls += Int64(j - i - values)
            a.pageRows += rows
            a.chunkRows += rows
            v += values
            i = j
            try checkDictionary(valuesLeft: props.chunksWrittenWhole ? valueCount - v : nil)
            if a.pageRows >= props.dataPageRowLimit || pageValueBytes + a.pageLevelBytes >= props.dataPageByteLimit {
                try flushPage()
            }
            if a.chunkRows >= props.rowGroupRowLimit {
                try sealChunk()
            }
        }
    }
}

/// How many levels are 1 when every level is 0 or 1 (a flat optional column's), eight bytes at
/// a time; nil when one is above 1 (the caller's byte loop then names it). 0 exactly when every
/// level is 0, whatever the column's maximum (a column given no value). The byte loop it
/// replaces took about three instructions a level for every column of every row group.
private func countFlatLevels(_ levels: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let base = levels.baseAddress else { return 0 }
    let raw = UnsafeRawPointer(base)
    let n = levels.count
    var count = 0
    var high: UInt64 = 0
    var k = 0
    while n - k >= 8 {
        let w = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
        high |= w & 0xFEFE_FEFE_FEFE_FEFE
        // With every byte 0 or 1, the top byte of the product is the sum of the eight.
        count &+= Int(truncatingIfNeeded: (w &* 0x0101_0101_0101_0101) >> 56)
        k += 8
    }
    while k < n {
        high |= UInt64(levels[k] & 0xFE)
        count &+= Int(levels[k])
        k += 1
    }
    return high == 0 ? count : nil
}
