#if canImport(Glibc)
import Glibc
#endif
import Ingest
import OrderModel

/// Where `waybill write` gets its batches: raw feeds through a collect profile (one process,
/// no NDJSON in between), or unified NDJSON.
enum WriteInput {
    /// Reads every input and hands each batch to `body`; returns the books of the reading
    /// side (records in, orders out, rejected, merged).
    static func read(
        inputs: [String], profile: String?, batchId: String, rejects: RejectWriter,
        body: @escaping (OrderBatch) throws(WaybillError) -> Void
    ) throws(WaybillError) -> Books {
        guard let profile else { return try readUnified(inputs: inputs, rejects: rejects, body: body) }
        let loaded = try ProfileLoader.load(path: profile)
        let resolved = try InputResolver.resolve(inputs)
        let collector = FeedCollector(profile: loaded, rejects: rejects, batchID: batchId) {
            (batch: inout OrderBatch) throws(WaybillError) in try body(batch)
        }
        try collector.collect(resolved)
        return collector.books
    }

    /// Unified NDJSON (what `collect`, `transact` and `fulfill` print), file after file.
    private static func readUnified(
        inputs: [String], rejects: RejectWriter, body: (OrderBatch) throws(WaybillError) -> Void
    ) throws(WaybillError) -> Books {
        var books = Books()
        var batch = OrderBatch()
        for path in inputs {
            // An empty file holds no orders (the reader would take it for an unknown archive).
            var st = stat()
            if path != "-" && stat(path, &st) == 0 && st.st_size == 0 {
                books.files += 1
                continue
            }
            let reader = try UnifiedNDJSONReader(path: path, stage: "write")
            books.files += 1
            while try reader.next(into: &batch, maxOrders: 4096) {
                for r in reader.takeRejects() { try rejects.write(r) }
                if batch.count > 0 { try body(batch) }
                books.ordersOut += batch.count
                books.linesOut += batch.lines.rowCount
                batch.removeAll()
            }
            for r in reader.takeRejects() { try rejects.write(r) }
            books.recordsIn += reader.recordsIn
            books.rejected += reader.rejected
        }
        books.rowsOut = books.ordersOut
        return books
    }
}
