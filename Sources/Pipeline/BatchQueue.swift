import Foundation
import OrderModel

/// A bounded queue of batches between two stage threads. At most `capacity` batches wait, so
/// a fast producer blocks instead of filling memory: the memory of a run is counted in batches
/// in flight, whatever the input size. `cancel()` wakes both sides; after it `push` throws and
/// `pop` returns nil, which is how a failure anywhere stops every thread of a line.
final class BatchQueue: @unchecked Sendable {
    struct Cancelled: Error {}

    private let condition = NSCondition()
    /// At most `capacity` batches: removing the first is a move of one or two elements, and a
    /// popped batch is released at once (an index into a growing array would keep them all).
    private var items: [OrderBatch] = []
    private let capacity: Int
    private var closed = false
    private var cancelled = false

    init(capacity: Int = 2) {
        self.capacity = capacity
    }

    /// Waits for room, then queues `batch`. Returns false once the queue was cancelled.
    func push(_ batch: OrderBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(batch)
        condition.broadcast()
        return true
    }

    /// The next batch, or nil when the producer closed the queue and it is drained, or on cancel.
    func pop() -> OrderBatch? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed && !cancelled { condition.wait() }
        if cancelled || items.isEmpty { return nil }
        let batch = items.removeFirst()
        condition.broadcast()
        return batch
    }

    /// No more batches will come: `pop` returns nil once the queue is drained.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops what waits and wakes everyone: the line failed.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// Runs a body on its own thread (with a stack big enough for the parsers) and lets the
/// caller wait for it to end.
final class StageThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    /// The body runs on the new thread only; what it captures is handed over to it (the
    /// stages share nothing but the queues and the failure box, which lock).
    init(name: String, _ body: @escaping () -> Void) {
        nonisolated(unsafe) let work = body
        let t = Thread { [done] in
            work()
            done.signal()
        }
        t.name = name
        t.stackSize = 8 << 20
        t.start()
    }

    func join() { done.wait() }
}
