import Ingest
import OrderModel

/// Reads one input as unified NDJSON the way `waybill transact` and `waybill write` read stdin.
enum UnifiedFuzz {
    static func read(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        do {
            let file = try MemoryFile(bytes)
            // A small line limit keeps the over-long-line path within reach of short inputs.
            let reader = try UnifiedNDJSONReader(fd: file.fd, path: "fuzz", stage: "write", maxLineBytes: 4096)
            var batch = OrderBatch()
            while try reader.next(into: &batch, maxOrders: 5) {
                outcome.records += batch.count
                var out: [UInt8] = []
                UnifiedNDJSONEncoder().encode(batch, into: &out)
                batch.removeAll()
                outcome.rejects += reader.takeRejects().count
            }
            outcome.rejects += reader.takeRejects().count
            withExtendedLifetime(file) {}
        } catch {
            outcome.error = error.description
        }
        return outcome
    }
}
