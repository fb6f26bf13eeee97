import Foundation
import OrderModel
import Testing
@testable import Pipeline

/// The queue between stage threads: order kept, producers blocked past capacity, cancel
/// wakes both sides.
struct BatchQueueTests {
    func batch(_ n: Int) -> OrderBatch {
        var b = OrderBatch()
        for i in 0..<n {
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: "o\(i)")
            b.endOrder()
        }
        return b
    }

    @Test func batchesArriveInOrderAndTheProducerWaitsForRoom() throws {
        let q = BatchQueue(capacity: 2)
        let produced = ManagedCounter()
        let t = StageThread(name: "producer") {
            for n in 1...6 {
                _ = q.push(self.batch(n))
                produced.add()
            }
            q.close()
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(produced.value <= 3)  // two wait, the third push blocks
        var sizes: [Int] = []
        while let b = q.pop() { sizes.append(b.count) }
        t.join()
        #expect(sizes == [1, 2, 3, 4, 5, 6])
    }

    @Test func cancelWakesABlockedProducerAndConsumer() {
        let q = BatchQueue(capacity: 1)
        #expect(q.push(batch(1)))
        let result = ManagedCounter()
        let t = StageThread(name: "producer") { if !q.push(self.batch(2)) { result.add() } }
        Thread.sleep(forTimeInterval: 0.1)
        q.cancel()
        t.join()
        #expect(result.value == 1)
        #expect(q.pop() == nil)
        #expect(!q.push(batch(3)))
    }
}

/// A counter two threads can touch.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
