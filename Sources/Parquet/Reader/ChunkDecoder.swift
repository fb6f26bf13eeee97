import CCodecs

/// Decodes the pages of one column chunk. Allocations are bounded by declared sizes that were checked
/// against the bytes actually present (and a per-page decompression cap), never by raw length fields.
struct ChunkDecoder {
    let column: ColumnDescriptor
    let codec: ParquetCompression
    let expectedValues: Int64
    /// Cap on `arena` (ParquetReadLimits.maxChunkValueBytes).
    let maxValueBytes: Int
    let where_: String
    private let maxDef: UInt8
    private let maxRep: UInt8

    private var defLevels: [UInt8] = []
    private var repLevels: [UInt8] = []
    private var pages: [PageSummary] = []
    private var bools: [Bool] = []
    private var fixed: [UInt64] = []
    private var arena: [UInt8] = []
    private var offsets: [UInt32] = [0]
    // Dictionary, when the chunk has one.
    private var dictFixed: [UInt64] = []
    private var dictArena: [UInt8] = []
    private var dictOffsets: [UInt32] = [0]
    private var haveDictionary = false
    private var entries: Int64 = 0
    private var indexScratch: [UInt32] = []
    /// Width of fixed-size byte values (FIXED_LEN_BYTE_ARRAY, INT96), 0 for variable-length BYTE_ARRAY.
    private let fixedBytes: Int
    /// Width of numeric values (INT32/FLOAT 4, INT64/DOUBLE 8).
    private let numericWidth: Int
    private var bytesLike: Bool { column.physical == .byteArray || fixedBytes > 0 }

    /// A page may not claim more than this many uncompressed bytes (corrupt headers must not allocate GiBs).
    static let maxPageBytes = 1 << 30
    static let minPageAllowance = 1 << 24

    init(
        column: ColumnDescriptor, codec: ParquetCompression, expectedValues: Int64,
        maxValueBytes: Int = ParquetReadLimits.standard.maxChunkValueBytes, where w: String
    ) {
        self.column = column
        self.codec = codec
        self.expectedValues = expectedValues
        self.maxValueBytes = min(maxValueBytes, Int(UInt32.max))
        self.where_ = w
        self.maxDef = UInt8(column.maxDefinitionLevel)
        self.maxRep = UInt8(column.maxRepetitionLevel)
        switch column.physical {
        case .fixedLenByteArray: fixedBytes = max(column.typeLength ?? 0, 0)
        case .int96: fixedBytes = 12
        default: fixedBytes = 0
        }
        numericWidth = column.physical == .int32 || column.physical == .float ? 4 : 8
    }

    private func fail(_ m: String, at offset: Int) -> ParquetError { .corrupt("\(where_): \(m) (page at byte \(offset))") }

    /// Byte-array values past `maxValueBytes` (offsets are 32-bit, so never more than 4 GiB).
    private func tooManyBytes() -> ParquetError {
        ParquetError(.unsupported, "\(where_): values expand to more than \(maxValueBytes) bytes in one chunk, more than this reader decodes at once")
    }

    mutating func decodePages(_ file: [UInt8], from start: Int, to end: Int) throws {
        var pos = start
        while pos < end {
            var r = CompactReader(bytes: file, start: pos, end: end, fileOffset: 0, context: "\(where_): page header")
            let h = try PageHeader.read(from: &r)
            let bodyStart = r.pos
            let csize = Int(h.compressedPageSize), usize = Int(h.uncompressedPageSize)
            guard csize <= end - bodyStart else {
                throw fail("page body of \(csize) bytes runs past the chunk end (\(end - bodyStart) left)", at: pos)
            }
            // Bound the allocation by what the compressed bytes could plausibly expand to (zstd's best case is
            // a few 10,000 : 1), with a floor so small but highly compressible pages always pass.
            guard usize <= Self.maxPageBytes, codec != .uncompressed || usize == csize,
                usize <= max(csize &* 65536, Self.minPageAllowance)
            else {
                throw fail("implausible uncompressed size \(usize) for a \(csize)-byte page", at: pos)
            }
            guard h.type != PageType.dataPageV2.rawValue else {
                // Checked before decompressing: a V2 page compresses only its values, not its levels.
                throw ParquetError(.unsupported, "\(where_): DATA_PAGE_V2 at byte \(pos)")
            }
            if let crc = h.crc {
                let actual = file.withUnsafeBytes { wb_crc32(0, $0.baseAddress! + bodyStart, csize) }
                guard Int32(bitPattern: actual) == crc else { throw fail("page CRC mismatch", at: pos) }
            }
            let body = try file.withUnsafeBytes {
                try PageCompressor.decompress(
                    codec, UnsafeRawBufferPointer(rebasing: $0[bodyStart..<bodyStart + csize]), expected: usize,
                    where: "\(where_): page at byte \(pos)")
            }
            var summary = PageSummary(
                type: PageType(rawValue: h.type) ?? .indexPage, encoding: .plain, numValues: 0, offset: Int64(pos),
                headerSize: bodyStart - pos, compressedSize: csize, uncompressedSize: usize)
            switch h.type {
            case PageType.dictionaryPage.rawValue:
                guard let d = h.dictionaryPageHeader else { throw fail("dictionary page without its header", at: pos) }
                guard !haveDictionary else { throw fail("second dictionary page in one chunk", at: pos) }
                guard pages.isEmpty else { throw fail("dictionary page after a data page", at: pos) }
                guard d.encoding == ParquetEncoding.plain.rawValue || d.encoding == ParquetEncoding.plainDictionary.rawValue else {
                    throw ParquetError(.unsupported, "\(where_): dictionary page encoding \(ParquetEncoding.name(of: d.encoding))")
                }
                summary.encoding = ParquetEncoding(rawValue: d.encoding) ?? .plain
                summary.numValues = Int(d.numValues)
                try decodeDictionary(body, count: Int(d.numValues), at: pos)
            case PageType.dataPage.rawValue:
                guard let d = h.dataPageHeader else { throw fail("data page without its header", at: pos) }
                guard let enc = ParquetEncoding(rawValue: d.encoding) else {
                    throw ParquetError(.unsupported, "\(where_): data page encoding \(d.encoding)")
                }
                summary.encoding = enc
                summary.numValues = Int(d.numValues)
                summary.statistics = d.statistics
                try decodeDataPage(body, numValues: Int(d.numValues), encoding: enc, at: pos)
            case PageType.dataPageV2.rawValue:
                throw ParquetError(.unsupported, "\(where_): DATA_PAGE_V2 at byte \(pos)")
            default:
                break  // index pages and unknown page types carry nothing to decode
            }
            pages.append(summary)
            pos = bodyStart + csize
        }
    }

    private mutating func decodeDictionary(_ body: [UInt8], count: Int, at pos: Int) throws {
        haveDictionary = true
        try body.withUnsafeBytes { b in
            var p = 0
            if fixedBytes > 0 {
                guard count <= b.count / fixedBytes else { throw fail("dictionary of \(count) values needs \(count * fixedBytes) bytes, page has \(b.count)", at: pos) }
                dictArena.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<(count * fixedBytes)]))
                for i in 0..<count { dictOffsets.append(UInt32((i + 1) * fixedBytes)) }
                return
            }
            switch column.physical {
            case .byteArray:
                for _ in 0..<count {
                    guard b.count - p >= 4 else { throw fail("dictionary entry length runs past the page", at: pos) }
                    let len = Int(b.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
                    p += 4
                    guard len <= b.count - p else { throw fail("dictionary entry of \(len) bytes runs past the page", at: pos) }
                    dictArena.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[p..<p + len]))
                    dictOffsets.append(UInt32(dictArena.count))
                    p += len
                }
            case .int32, .int64, .double, .float:
                let w = numericWidth
                guard count <= b.count / w else { throw fail("dictionary of \(count) values needs \(count * w) bytes, page has \(b.count)", at: pos) }
                dictFixed.reserveCapacity(count)
                for i in 0..<count { dictFixed.append(Self.loadLE(b, i * w, w)) }
            default:
                throw ParquetError(.unsupported, "\(where_): dictionary for \(column.physical.name)")
            }
        }
    }

    @inline(__always)
    private static func loadLE(_ b: UnsafeRawBufferPointer, _ at: Int, _ width: Int) -> UInt64 {
        width == 4 ? UInt64(b.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian)
            : b.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
    }

    private mutating func decodeDataPage(_ body: [UInt8], numValues n: Int, encoding: ParquetEncoding, at pos: Int) throws {
        guard Int64(n) <= expectedValues - entries else {
            throw fail("page holds \(n) entries, more than the chunk's remaining \(expectedValues - entries)", at: pos)
        }
        entries += Int64(n)
        try body.withUnsafeBytes { b in
            var p = 0
            if maxRep > 0 { p = try levels(b, p, n, maxRep, &repLevels, "repetition", pos) }
            var present = n
            if maxDef > 0 {
                let before = defLevels.count
                p = try levels(b, p, n, maxDef, &defLevels, "definition", pos)
                present = 0
                for i in before..<defLevels.count where defLevels[i] == maxDef { present += 1 }
            }
            let values = UnsafeRawBufferPointer(rebasing: b[p...])
            switch encoding {
            case .plain: try decodePlain(values, present, pos)
            case .rleDictionary, .plainDictionary: try decodeDictionaryIndices(values, present, pos)
            default: throw ParquetError(.unsupported, "\(where_): data page encoding \(encoding.name) at byte \(pos)")
            }
        }
    }

    private func levels(
        _ b: UnsafeRawBufferPointer, _ p: Int, _ n: Int, _ maxLevel: UInt8, _ out: inout [UInt8], _ kind: String, _ pos: Int
    ) throws -> Int {
        guard b.count - p >= 4 else { throw fail("\(kind) level length runs past the page", at: pos) }
        let len = Int(b.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
        guard len <= b.count - p - 4 else { throw fail("\(kind) levels of \(len) bytes run past the page", at: pos) }
        var dec = RLEHybridDecoder(
            UnsafeRawBufferPointer(rebasing: b[(p + 4)..<(p + 4 + len)]),
            bitWidth: RLEHybridEncoder.bitWidth(UInt64(maxLevel)), what: "\(where_): \(kind) levels of page at byte \(pos)")
        let before = out.count
        // Straight into the one-byte levels (the bit width of a level is at most 8).
        try dec.decode(count: n, into: &out)
        for i in before..<out.count where out[i] > maxLevel {
            throw fail("\(kind) level \(out[i]) above the maximum \(maxLevel)", at: pos)
        }
        return p + 4 + len
    }

    private mutating func decodePlain(_ b: UnsafeRawBufferPointer, _ count: Int, _ pos: Int) throws {
        switch column.physical {
        case .boolean:
            guard count <= b.count * 8 else { throw fail("\(count) booleans need more than the page's \(b.count) bytes", at: pos) }
            for i in 0..<count { bools.append((b[i >> 3] >> UInt8(i & 7)) & 1 == 1) }
        case .fixedLenByteArray, .int96:
            let w = fixedBytes
            guard w > 0 else { throw fail("fixed-length column without a type length", at: pos) }
            guard count <= b.count / w else { throw fail("\(count) values need \(count * w) bytes, page has \(b.count)", at: pos) }
            guard count * w <= maxValueBytes - arena.count else { throw tooManyBytes() }
            arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<(count * w)]))
            for _ in 0..<count { offsets.append(offsets.last! + UInt32(w)) }
        case .int32, .int64, .double, .float:
            let w = numericWidth
            guard count <= b.count / w else { throw fail("\(count) values need \(count * w) bytes, page has \(b.count)", at: pos) }
            fixed.reserveCapacity(fixed.count + count)
            for i in 0..<count { fixed.append(Self.loadLE(b, i * w, w)) }
        case .byteArray:
            var p = 0
            for _ in 0..<count {
                guard b.count - p >= 4 else { throw fail("byte array length runs past the page", at: pos) }
                let len = Int(b.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
                p += 4
                guard len <= b.count - p else { throw fail("byte array of \(len) bytes runs past the page", at: pos) }
                guard len <= maxValueBytes - arena.count else { throw tooManyBytes() }
                arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[p..<p + len]))
                offsets.append(UInt32(truncatingIfNeeded: arena.count))
                p += len
            }
        }
    }

    private mutating func decodeDictionaryIndices(_ b: UnsafeRawBufferPointer, _ count: Int, _ pos: Int) throws {
        guard haveDictionary else { throw fail("dictionary-encoded page without a dictionary page", at: pos) }
        if count == 0 { return }
        guard b.count >= 1 else { throw fail("missing dictionary index bit width", at: pos) }
        let width = Int(b[0])
        guard width <= 32 else { throw fail("dictionary index bit width \(width)", at: pos) }
        var dec = RLEHybridDecoder(
            UnsafeRawBufferPointer(rebasing: b[1...]), bitWidth: width, what: "\(where_): dictionary indices of page at byte \(pos)")
        indexScratch.removeAll(keepingCapacity: true)
        try dec.decode(count: count, into: &indexScratch)
        let dictCount = bytesLike ? dictOffsets.count - 1 : dictFixed.count
        for i in indexScratch {
            guard Int(i) < dictCount else { throw fail("dictionary index \(i) beyond the \(dictCount) entries", at: pos) }
            if bytesLike {
                let s = Int(dictOffsets[Int(i)]), e = Int(dictOffsets[Int(i) + 1])
                guard e - s <= maxValueBytes - arena.count else { throw tooManyBytes() }
                arena.append(contentsOf: dictArena[s..<e])
                offsets.append(UInt32(truncatingIfNeeded: arena.count))
            } else {
                fixed.append(dictFixed[Int(i)])
            }
        }
    }

    func finish() -> ColumnData {
        let values: ColumnData.Values
        switch column.physical {
        case .boolean: values = .boolean(bools)
        case .int32: values = .int32(fixed.map { Int32(bitPattern: UInt32(truncatingIfNeeded: $0)) })
        case .int64: values = .int64(fixed.map { Int64(bitPattern: $0) })
        case .double: values = .double(fixed.map { Double(bitPattern: $0) })
        case .float: values = .float(fixed.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) })
        default: values = .byteArray(bytes: arena, offsets: offsets)
        }
        return ColumnData(values: values, defLevels: defLevels, repLevels: repLevels, pages: pages)
    }
}
