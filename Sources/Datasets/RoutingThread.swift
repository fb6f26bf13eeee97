import OrderModel

/// A second thread that routes batches into partitions while the caller produces the next
/// one (parsing a feed, decoding NDJSON): the two halves of a run overlap on two cores.
///
/// A `SerialWorker` holding at most two waiting batches, so memory stays bounded by two
/// batches beyond the partition buffers. Rejects found while routing are handed back to the
/// caller thread (`takeRejects`), which owns the reject file. A failure stops the thread and
/// is rethrown to the caller at its next call.
final class RoutingThread: @unchecked Sendable {
    private let worker = SerialWorker(maxWaiting: 2)
    private let lock = Lock()
    private var rejects: [Reject] = []
    private let route: (OrderBatch) throws(WaybillError) -> [Reject]

    init(route: @escaping (OrderBatch) throws(WaybillError) -> [Reject]) {
        self.route = route
    }

    /// Queues a batch; blocks while two are waiting. Routes inline if no thread could start.
    func submit(_ batch: OrderBatch) throws(WaybillError) {
        try worker.submit(bytes: 0) { [self] (_: inout [UInt8]) throws(WaybillError) in
            let found = try route(batch)
            lock.withLock { rejects.append(contentsOf: found) }
        }
    }

    /// Waits until every queued batch is routed; throws the thread's failure.
    func drain() throws(WaybillError) { try worker.drain() }

    /// Rejects found so far (in input order), removed from the thread's list.
    func takeRejects() -> [Reject] {
        lock.lock()
        defer { lock.unlock() }
        let r = rejects
        rejects = []
        return r
    }

    /// Stops the thread (dropping what is queued) and waits for it.
    func stop() { worker.stop() }
}
