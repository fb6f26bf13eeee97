/// `parquet.thrift` DataPageHeader (V1).
struct DataPageHeader: Equatable {
    var numValues: Int32
    var encoding: Int32
    var definitionLevelEncoding: Int32 = ParquetEncoding.rle.rawValue
    var repetitionLevelEncoding: Int32 = ParquetEncoding.rle.rawValue
    var statistics: Statistics?
}

/// `parquet.thrift` DictionaryPageHeader.
struct DictionaryPageHeader: Equatable {
    var numValues: Int32
    var encoding: Int32
    var isSorted: Bool?
}

/// `parquet.thrift` PageHeader; sizes measure the page body only, never the header.
struct PageHeader: Equatable {
    var type: Int32
    var uncompressedPageSize: Int32
    var compressedPageSize: Int32
    var crc: Int32?
    var dataPageHeader: DataPageHeader?
    var dictionaryPageHeader: DictionaryPageHeader?
    /// DATA_PAGE_V2 header present (the reader refuses V2 pages; the field is only noted).
    var hasDataPageV2 = false

    func write(to w: inout CompactWriter) {
        w.i32(1, type)
        w.i32(2, uncompressedPageSize)
        w.i32(3, compressedPageSize)
        if let crc { w.i32(4, crc) }
        if let d = dataPageHeader {
            w.beginStruct(5)
            w.i32(1, d.numValues)
            w.i32(2, d.encoding)
            w.i32(3, d.definitionLevelEncoding)
            w.i32(4, d.repetitionLevelEncoding)
            if let s = d.statistics {
                w.beginStruct(5)
                s.write(to: &w)
                w.endStruct()
            }
            w.endStruct()
        }
        if let d = dictionaryPageHeader {
            w.beginStruct(7)
            w.i32(1, d.numValues)
            w.i32(2, d.encoding)
            if let sorted = d.isSorted { w.bool(3, sorted) }
            w.endStruct()
        }
        w.endStruct()
    }

    static func read(from r: inout CompactReader) throws -> PageHeader {
        var type: Int32?, usize: Int32?, csize: Int32?
        var h = PageHeader(type: 0, uncompressedPageSize: 0, compressedPageSize: 0)
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.i32.rawValue): type = try r.i32()
            case (2, CompactType.i32.rawValue): usize = try r.i32()
            case (3, CompactType.i32.rawValue): csize = try r.i32()
            case (4, CompactType.i32.rawValue): h.crc = try r.i32()
            case (5, CompactType.structure.rawValue): h.dataPageHeader = try readDataPageHeader(&r)
            case (7, CompactType.structure.rawValue): h.dictionaryPageHeader = try readDictionaryPageHeader(&r)
            case (8, CompactType.structure.rawValue):
                h.hasDataPageV2 = true
                try r.skip(t)
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard let type, let usize, let csize else { throw r.error("page header lacks type or sizes") }
        guard usize >= 0, csize >= 0 else { throw r.error("page header has a negative size") }
        h.type = type
        h.uncompressedPageSize = usize
        h.compressedPageSize = csize
        return h
    }

    private static func readDataPageHeader(_ r: inout CompactReader) throws -> DataPageHeader {
        var n: Int32?, enc: Int32?, defEnc: Int32 = 3, repEnc: Int32 = 3
        var stats: Statistics?
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.i32.rawValue): n = try r.i32()
            case (2, CompactType.i32.rawValue): enc = try r.i32()
            case (3, CompactType.i32.rawValue): defEnc = try r.i32()
            case (4, CompactType.i32.rawValue): repEnc = try r.i32()
            case (5, CompactType.structure.rawValue): stats = try Statistics.read(from: &r)
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard let n, let enc else { throw r.error("data page header lacks num_values or encoding") }
        guard n >= 0 else { throw r.error("data page header has negative num_values") }
        return DataPageHeader(
            numValues: n, encoding: enc, definitionLevelEncoding: defEnc, repetitionLevelEncoding: repEnc,
            statistics: stats)
    }

    private static func readDictionaryPageHeader(_ r: inout CompactReader) throws -> DictionaryPageHeader {
        var n: Int32?, enc: Int32?, sorted: Bool?
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.i32.rawValue): n = try r.i32()
            case (2, CompactType.i32.rawValue): enc = try r.i32()
            case (3, _) where t == 1 || t == 2: sorted = try r.boolValue(t)
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard let n, let enc else { throw r.error("dictionary page header lacks num_values or encoding") }
        guard n >= 0 else { throw r.error("dictionary page header has negative num_values") }
        return DictionaryPageHeader(numValues: n, encoding: enc, isSorted: sorted)
    }
}
