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
        guard let profile else {
            throw WaybillError.usage("reading unified NDJSON needs the NDJSON decoder, not in this build yet: use --profile FILE with feed files")
        }
        let loaded = try ProfileLoader.load(path: profile)
        let resolved = try InputResolver.resolve(inputs)
        let collector = FeedCollector(profile: loaded, rejects: rejects, batchID: batchId) {
            (batch: inout OrderBatch) throws(WaybillError) in try body(batch)
        }
        try collector.collect(resolved)
        return collector.books
    }
}
