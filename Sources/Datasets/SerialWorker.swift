#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// One thread that runs jobs in the order they were submitted, and knows how many bytes the
/// jobs still waiting or running hold. The partitioned writer hands it the row groups it cuts
/// while the input is still arriving, so encoding and compressing them runs beside routing and
/// parsing instead of after them; one thread keeps a partition's row groups in order.
///
/// A failed job stops the worker: the jobs behind it are dropped and the failure is rethrown
/// to the submitting thread at its next call. If no thread can be started, jobs run inline.
/// `maxWaiting` bounds the jobs waiting to start (`submit` blocks), for callers whose jobs hold
/// memory the byte count does not see (the routing thread's batches).
final class SerialWorker: @unchecked Sendable {
    /// A job gets the scratch buffer of the thread that runs it.
    typealias Job = (inout [UInt8]) throws(WaybillError) -> Void

    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var queue: [(bytes: Int, run: Job)] = []
    private var buffer: [UInt8] = []
    private var head = 0
    private var runningBytes = 0
    private var completed = 0
    private var closed = false
    private var failure: WaybillError?
    private var thread: pthread_t?
    private let maxWaiting: Int

    init(maxWaiting: Int = .max) {
        self.maxWaiting = maxWaiting
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
        var t = pthread_t()
        let me = Unmanaged.passRetained(self).toOpaque()
        if pthread_create(&t, nil, { arg in
            let me = Unmanaged<SerialWorker>.fromOpaque(arg!).takeRetainedValue()
            me.run()
            return nil
        }, me) == 0 {
            thread = t
        } else {
            Unmanaged<SerialWorker>.fromOpaque(me).release()
        }
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    /// Queues `job`, which holds `bytes` of memory until it ends; throws an earlier job's
    /// failure instead.
    func submit(bytes: Int, _ job: @escaping Job) throws(WaybillError) {
        guard thread != nil else { return try job(&buffer) }
        pthread_mutex_lock(&mutex)
        while queue.count - head >= maxWaiting && failure == nil { pthread_cond_wait(&changed, &mutex) }
        if let failure {
            pthread_mutex_unlock(&mutex)
            throw failure
        }
        queue.append((bytes, job))
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    /// Bytes held by the jobs waiting or running.
    var pendingBytes: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return runningBytes + queue[head...].reduce(0) { $0 + $1.bytes }
    }

    /// Waits until one more job has ended (returns at once when none is waiting or running);
    /// throws the worker's failure.
    func waitForProgress() throws(WaybillError) {
        pthread_mutex_lock(&mutex)
        let seen = completed
        while completed == seen && failure == nil && (head < queue.count || isRunning) {
            pthread_cond_wait(&changed, &mutex)
        }
        let f = failure
        pthread_mutex_unlock(&mutex)
        if let f { throw f }
    }

    /// Waits until every job has ended; throws the worker's failure.
    func drain() throws(WaybillError) {
        pthread_mutex_lock(&mutex)
        while (head < queue.count || isRunning) && failure == nil { pthread_cond_wait(&changed, &mutex) }
        let f = failure
        pthread_mutex_unlock(&mutex)
        if let f { throw f }
    }

    /// Throws the worker's failure, if a job failed.
    func check() throws(WaybillError) {
        pthread_mutex_lock(&mutex)
        let f = failure
        pthread_mutex_unlock(&mutex)
        if let f { throw f }
    }

    /// Stops the thread after the job it is running (dropping the waiting ones) and waits for it.
    func stop() {
        pthread_mutex_lock(&mutex)
        closed = true
        queue.removeAll()
        head = 0
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
    }

    /// Under `mutex`: a job has been taken and has not ended yet.
    private var isRunning = false

    private func run() {
        while true {
            pthread_mutex_lock(&mutex)
            while head == queue.count && !closed { pthread_cond_wait(&changed, &mutex) }
            if closed {
                pthread_mutex_unlock(&mutex)
                return
            }
            var job: Job? = queue[head].run
            let bytes = queue[head].bytes
            queue[head].run = { _ in }
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            runningBytes = bytes
            isRunning = true
            pthread_mutex_unlock(&mutex)
            var failed: WaybillError?
            do throws(WaybillError) { try job!(&buffer) } catch { failed = error }
            if buffer.capacity > 1 << 20 { buffer = [] }
            job = nil  // its captures (the rows it wrote) go before the bytes are counted free
            pthread_mutex_lock(&mutex)
            runningBytes = 0
            isRunning = false
            completed += 1
            if let failed {
                failure = failed
                queue.removeAll()
                head = 0
            }
            pthread_cond_broadcast(&changed)
            pthread_mutex_unlock(&mutex)
            if failed != nil { return }
        }
    }
}
