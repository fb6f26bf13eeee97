// Compact-protocol encoding and decoding of the footer structs. Writers emit fields in ascending id order with
// exact IDL wire types; readers check each known field's wire type and skip everything else.

enum KeyValueWriting {
    static func write(_ key: String, _ value: String?, to w: inout CompactWriter) {
        w.beginStructElement()
        w.string(1, key)
        if let value { w.string(2, value) }
        w.endStruct()
    }
}

extension ColumnMetaData {
    func write(to w: inout CompactWriter) {
        w.i32(1, type)
        w.listHeader(2, .i32, count: encodings.count)
        for e in encodings { w.i32Element(e) }
        w.listHeader(3, .binary, count: pathInSchema.count)
        for p in pathInSchema { w.stringElement(p) }
        w.i32(4, codec)
        w.i64(5, numValues)
        w.i64(6, totalUncompressedSize)
        w.i64(7, totalCompressedSize)
        w.i64(9, dataPageOffset)
        if let dictionaryPageOffset { w.i64(11, dictionaryPageOffset) }
        if let statistics {
            w.beginStruct(12)
            statistics.write(to: &w)
            w.endStruct()
        }
        if let encodingStats {
            w.listHeader(13, .structure, count: encodingStats.count)
            for s in encodingStats {
                w.beginStructElement()
                w.i32(1, s.pageType)
                w.i32(2, s.encoding)
                w.i32(3, s.count)
                w.endStruct()
            }
        }
    }

    static func read(from r: inout CompactReader) throws -> ColumnMetaData {
        var type: Int32?, codec: Int32?, numValues: Int64?, usize: Int64?, csize: Int64?, dataOffset: Int64?
        var encodings: [Int32]?, path: [String]?
        var m = ColumnMetaData(
            type: 0, encodings: [], pathInSchema: [], codec: 0, numValues: 0, totalUncompressedSize: 0,
            totalCompressedSize: 0, dataPageOffset: 0)
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.i32.rawValue): type = try r.i32()
            case (2, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .i32, "ColumnMetaData.encodings element")
                var list: [Int32] = []
                list.reserveCapacity(n)
                for _ in 0..<n { list.append(try r.i32()) }
                encodings = list
            case (3, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .binary, "ColumnMetaData.path_in_schema element")
                var list: [String] = []
                for _ in 0..<n { list.append(try r.string()) }
                path = list
            case (4, CompactType.i32.rawValue): codec = try r.i32()
            case (5, CompactType.i64.rawValue): numValues = try r.i64()
            case (6, CompactType.i64.rawValue): usize = try r.i64()
            case (7, CompactType.i64.rawValue): csize = try r.i64()
            case (9, CompactType.i64.rawValue): dataOffset = try r.i64()
            case (11, CompactType.i64.rawValue): m.dictionaryPageOffset = try r.i64()
            case (12, CompactType.structure.rawValue): m.statistics = try Statistics.read(from: &r)
            case (13, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .structure, "ColumnMetaData.encoding_stats element")
                var list: [PageEncodingStats] = []
                for _ in 0..<n {
                    var pt: Int32 = 0, enc: Int32 = 0, count: Int32 = 0
                    try r.beginStruct()
                    while let (fid, ft) = try r.fieldHeader() {
                        switch (fid, ft) {
                        case (1, CompactType.i32.rawValue): pt = try r.i32()
                        case (2, CompactType.i32.rawValue): enc = try r.i32()
                        case (3, CompactType.i32.rawValue): count = try r.i32()
                        default: try r.skip(ft)
                        }
                    }
                    r.endStruct()
                    list.append(PageEncodingStats(pageType: pt, encoding: enc, count: count))
                }
                m.encodingStats = list
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard let type, let encodings, let path, let codec, let numValues, let usize, let csize, let dataOffset else {
            throw r.error("column metadata lacks a required field")
        }
        m.type = type
        m.encodings = encodings
        m.pathInSchema = path
        m.codec = codec
        m.numValues = numValues
        m.totalUncompressedSize = usize
        m.totalCompressedSize = csize
        m.dataPageOffset = dataOffset
        return m
    }
}

extension RowGroup {
    func write(to w: inout CompactWriter) {
        w.beginStructElement()
        w.listHeader(1, .structure, count: columns.count)
        for c in columns {
            w.beginStructElement()
            w.i64(2, c.fileOffset)
            if let meta = c.metaData {
                w.beginStruct(3)
                meta.write(to: &w)
                w.endStruct()
            }
            if let v = c.offsetIndexOffset { w.i64(4, v) }
            if let v = c.offsetIndexLength { w.i32(5, v) }
            if let v = c.columnIndexOffset { w.i64(6, v) }
            if let v = c.columnIndexLength { w.i32(7, v) }
            w.endStruct()
        }
        w.i64(2, totalByteSize)
        w.i64(3, numRows)
        if let fileOffset { w.i64(5, fileOffset) }
        if let totalCompressedSize { w.i64(6, totalCompressedSize) }
        if let ordinal { w.i16(7, ordinal) }
        w.endStruct()
    }

    static func read(from r: inout CompactReader) throws -> RowGroup {
        var columns: [ColumnChunk]?, total: Int64?, rows: Int64?
        var g = RowGroup(columns: [], totalByteSize: 0, numRows: 0)
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .structure, "RowGroup.columns element")
                var list: [ColumnChunk] = []
                for _ in 0..<n {
                    var c = ColumnChunk()
                    try r.beginStruct()
                    while let (fid, ft) = try r.fieldHeader() {
                        switch (fid, ft) {
                        case (2, CompactType.i64.rawValue): c.fileOffset = try r.i64()
                        case (3, CompactType.structure.rawValue): c.metaData = try ColumnMetaData.read(from: &r)
                        case (4, CompactType.i64.rawValue): c.offsetIndexOffset = try r.i64()
                        case (5, CompactType.i32.rawValue): c.offsetIndexLength = try r.i32()
                        case (6, CompactType.i64.rawValue): c.columnIndexOffset = try r.i64()
                        case (7, CompactType.i32.rawValue): c.columnIndexLength = try r.i32()
                        default: try r.skip(ft)
                        }
                    }
                    r.endStruct()
                    list.append(c)
                }
                columns = list
            case (2, CompactType.i64.rawValue): total = try r.i64()
            case (3, CompactType.i64.rawValue): rows = try r.i64()
            case (5, CompactType.i64.rawValue): g.fileOffset = try r.i64()
            case (6, CompactType.i64.rawValue): g.totalCompressedSize = try r.i64()
            case (7, CompactType.i16.rawValue): g.ordinal = try r.i16()
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard let columns, let total, let rows else { throw r.error("row group lacks columns, total_byte_size or num_rows") }
        g.columns = columns
        g.totalByteSize = total
        g.numRows = rows
        return g
    }
}

extension FileMetaData {
    /// `schemaElements`: `schema` already serialized (`ParquetSchema.serializedElements`).
    func serialized(schemaElements: [UInt8]? = nil) -> [UInt8] {
        var w = CompactWriter()
        w.i32(1, version)
        w.listHeader(2, .structure, count: schema.count)
        if let schemaElements {
            w.bytes.append(contentsOf: schemaElements)
        } else {
            for e in schema { e.write(to: &w) }
        }
        w.i64(3, numRows)
        w.listHeader(4, .structure, count: rowGroups.count)
        for g in rowGroups { g.write(to: &w) }
        if let kv = keyValueMetadata {
            w.listHeader(5, .structure, count: kv.count)
            for (k, v) in kv { KeyValueWriting.write(k, v, to: &w) }
        }
        if let createdBy { w.string(6, createdBy) }
        if let orders = columnOrders {
            w.listHeader(7, .structure, count: orders.count)
            for _ in orders {
                // ColumnOrder union with member 1 = TYPE_ORDER{}.
                w.beginStructElement()
                w.emptyStruct(1)
                w.endStruct()
            }
        }
        w.endStruct()
        return w.bytes
    }

    static func read(from r: inout CompactReader) throws -> FileMetaData {
        var version: Int32?, schema: [SchemaElement]?, rows: Int64?, groups: [RowGroup]?
        var m = FileMetaData(schema: [], numRows: 0, rowGroups: [])
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.i32.rawValue): version = try r.i32()
            case (2, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .structure, "FileMetaData.schema element")
                var list: [SchemaElement] = []
                for _ in 0..<n { list.append(try SchemaElement.read(from: &r)) }
                schema = list
            case (3, CompactType.i64.rawValue): rows = try r.i64()
            case (4, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .structure, "FileMetaData.row_groups element")
                var list: [RowGroup] = []
                for _ in 0..<n { list.append(try RowGroup.read(from: &r)) }
                groups = list
            case (5, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .structure, "FileMetaData.key_value_metadata element")
                var list: [(key: String, value: String?)] = []
                for _ in 0..<n {
                    var k: String?, v: String?
                    try r.beginStruct()
                    while let (fid, ft) = try r.fieldHeader() {
                        switch (fid, ft) {
                        case (1, CompactType.binary.rawValue): k = try r.string()
                        case (2, CompactType.binary.rawValue): v = try r.string()
                        default: try r.skip(ft)
                        }
                    }
                    r.endStruct()
                    guard let k else { throw r.error("key-value entry lacks its key") }
                    list.append((k, v))
                }
                m.keyValueMetadata = list
            case (6, CompactType.binary.rawValue): m.createdBy = try r.string()
            case (7, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .structure, "FileMetaData.column_orders element")
                var list: [Bool] = []
                for _ in 0..<n {
                    var typeOrder = false
                    try r.beginStruct()
                    while let (fid, ft) = try r.fieldHeader() {
                        if fid == 1 { typeOrder = true }
                        try r.skip(ft)
                    }
                    r.endStruct()
                    list.append(typeOrder)
                }
                m.columnOrders = list
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard let version, let schema, let rows, let groups else {
            throw r.error("file metadata lacks version, schema, num_rows or row_groups")
        }
        m.version = version
        m.schema = schema
        m.numRows = rows
        m.rowGroups = groups
        return m
    }
}
