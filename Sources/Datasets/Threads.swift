#if canImport(Glibc)
import Glibc
#endif

// The few thread primitives the writer and the committer share. They are pthread-based on
// purpose: libdispatch's concurrentPerform may leave its pool thread idle on a busy machine
// (`runOnThreads`), and the writer's parallel finish needs nothing more than a mutex.

/// A pthread mutex.
final class Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }

    /// Runs `body` holding the lock.
    @inline(__always)
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Items handed out one at a time, last first, to the threads of `runOnThreads`.
///
/// The writer's parallel finish keeps its own list: it takes the next partition under the lock
/// that also guards the partitions' bookkeeping, in the same critical section.
final class WorkList<Item>: @unchecked Sendable {
    private let lock = Lock()
    private var items: [Item]

    init(_ items: [Item]) { self.items = items }

    /// The next item, or nil when every one was taken.
    func next() -> Item? { lock.withLock { items.popLast() } }
}

/// Hands a value that is not `Sendable` to the threads of `runOnThreads`, which must share it
/// under a lock of their own.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Runs `body` on the calling thread and on `count - 1` new threads, and waits for all of
/// them. If a thread cannot be started, the others (at least the calling one) do its share.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) {
    final class Job: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var threads: [pthread_t] = []
    for _ in 1..<max(count, 1) {
        var t = pthread_t()
        let job = Unmanaged.passRetained(Job(body)).toOpaque()
        let rc = pthread_create(&t, nil, { arg in
            let job = Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue()
            job.body()
            return nil
        }, job)
        if rc == 0 {
            threads.append(t)
        } else {
            Unmanaged<Job>.fromOpaque(job).release()  // no thread: the calling thread does the work
        }
    }
    body()
    for t in threads { pthread_join(t, nil) }
}
