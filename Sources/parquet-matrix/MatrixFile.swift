import Parquet

/// One file of the matrix: its columns, writer settings and batch size.
struct MatrixFile {
    let name: String
    let columns: [MatrixColumn]
    var properties: WriterProperties
    /// Rows per write call (exercises batch boundaries inside pages and row groups).
    var batchRows = 7777
    /// Files with the same data share one entry in expected.json's "datasets".
    var dataset: String

    init(name: String, columns: [MatrixColumn], properties: WriterProperties, batchRows: Int = 7777, dataset: String? = nil) {
        self.name = name
        self.columns = columns
        self.properties = properties
        self.batchRows = batchRows
        self.dataset = dataset ?? name
    }

    var rows: Int { columns.first?.rowCount ?? 0 }

    func write(to dir: String) throws -> FileSummary {
        let schema = try ParquetSchema(fields: columns.map(\.node))
        let w = try ParquetFileWriter(
            path: dir + "/" + name, schema: schema, properties: properties,
            keyValueMetadata: [("waybill.matrix", name), ("waybill.schema_version", "1")])
        var start = 0
        while start < rows {
            let end = min(rows, start + batchRows)
            var leaf = 0
            for c in columns {
                try c.write(w, leaf: leaf, rows: start..<end)
                leaf += c.leafCount
            }
            start = end
        }
        return try w.close(fsync: false)
    }

    func json(summary: FileSummary) -> String {
        let p = properties
        var out = "{\"name\":\(JSON.string(name)),\"rows\":\(rows),\"row_groups\":\(summary.rowGroups),"
        out += "\"file_bytes\":\(summary.fileBytes),"
        out += "\"settings\":{\"codec\":\"\(p.compression.name.lowercased())\",\"dictionary\":\(p.dictionaryEnabled),"
        out += "\"dictionary_limit\":\(p.dictionaryPageByteLimit),\"page_rows\":\(p.dataPageRowLimit),"
        out += "\"row_group_rows\":\(p.rowGroupRowLimit),\"level\":\(p.compressionLevel ?? (p.compression == .gzip ? 6 : 3)),"
        let plainCols = p.columnDictionary.filter { !$0.value }.keys.sorted().map(JSON.string).joined(separator: ",")
        out += "\"plain_columns\":[\(plainCols)]},"
        return out + "\"dataset\":\(JSON.string(dataset))}"
    }

    /// The dataset entry: every column's name, kind and values.
    func datasetJSON() -> String {
        var out = "["
        for (i, c) in columns.enumerated() {
            if i > 0 { out += "," }
            out += "{\"name\":\(JSON.string(c.name)),\"kind\":\"\(c.kind)\",\"values\":"
            c.json(into: &out)
            out += "}"
        }
        return out + "]"
    }
}
