#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// A second thread that routes batches into partitions while the caller produces the next
/// one (parsing a feed, decoding NDJSON): the two halves of a run overlap on two cores.
///
/// The queue holds at most two batches, so memory stays bounded by two batches beyond the
/// partition buffers. Rejects found while routing are handed back to the caller thread
/// (`takeRejects`), which owns the reject file. A failure stops the thread and is rethrown
/// to the caller at its next call.
final class RoutingThread: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var queue: [OrderBatch] = []
    private var working = false
    private var closed = false
    private var failure: WaybillError?
    private var rejects: [Reject] = []
    private var thread: pthread_t?
    private let route: (OrderBatch) throws(WaybillError) -> [Reject]

    init(route: @escaping (OrderBatch) throws(WaybillError) -> [Reject]) {
        self.route = route
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
        var t = pthread_t()
        let me = Unmanaged.passRetained(self).toOpaque()
        if pthread_create(&t, nil, { arg in
            let me = Unmanaged<RoutingThread>.fromOpaque(arg!).takeRetainedValue()
            me.run()
            return nil
        }, me) == 0 {
            thread = t
        } else {
            Unmanaged<RoutingThread>.fromOpaque(me).release()  // no thread: submit routes inline
        }
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    /// Queues a batch; blocks while two are waiting. Routes inline if no thread could start.
    func submit(_ batch: OrderBatch) throws(WaybillError) {
        guard thread != nil else {
            let found = try route(batch)
            rejects.append(contentsOf: found)
            return
        }
        pthread_mutex_lock(&mutex)
        while queue.count >= 2 && failure == nil { pthread_cond_wait(&changed, &mutex) }
        if let failure {
            pthread_mutex_unlock(&mutex)
            throw failure
        }
        queue.append(batch)
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits until every queued batch is routed; throws the thread's failure.
    func drain() throws(WaybillError) {
        pthread_mutex_lock(&mutex)
        while (!queue.isEmpty || working) && failure == nil { pthread_cond_wait(&changed, &mutex) }
        let f = failure
        pthread_mutex_unlock(&mutex)
        if let f { throw f }
    }

    /// Rejects found so far (in input order), removed from the thread's list.
    func takeRejects() -> [Reject] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let r = rejects
        rejects = []
        return r
    }

    /// Stops the thread (dropping what is queued) and waits for it.
    func stop() {
        pthread_mutex_lock(&mutex)
        closed = true
        queue.removeAll()
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
    }

    private func run() {
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty && !closed { pthread_cond_wait(&changed, &mutex) }
            if closed {
                pthread_mutex_unlock(&mutex)
                return
            }
            let batch = queue.removeFirst()
            working = true
            pthread_mutex_unlock(&mutex)
            var result: Result<[Reject], WaybillError>
            do throws(WaybillError) { result = .success(try route(batch)) } catch { result = .failure(error) }
            pthread_mutex_lock(&mutex)
            working = false
            switch result {
            case .success(let found): rejects.append(contentsOf: found)
            case .failure(let error):
                failure = error
                queue.removeAll()
            }
            pthread_cond_broadcast(&changed)
            pthread_mutex_unlock(&mutex)
            if case .failure = result { return }
        }
    }
}
