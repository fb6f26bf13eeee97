import Foundation
import OrderModel

/// Encodes batches as unified NDJSON and writes them to fd 1, in submission order, either
/// inline or on encoder threads of its own.
///
/// Why several encoder threads: encoding is about as much CPU as parsing and mapping, and one
/// encoder thread behind two mapping threads set `collect`'s pace while the mapping threads
/// waited (TPC-H scale 0.1: 1.2 s of encoding on one thread against 0.7 s of mapping on each
/// of two). Each encoder takes the next queued batch, encodes it into a buffer of its own,
/// then waits for its turn (batches are numbered) to write. At most two batches per encoder
/// wait in the queue, which keeps memory bounded.
final class EncodingWriter: @unchecked Sendable {
    private let encoder = UnifiedNDJSONEncoder()
    /// Inline mode's output buffer, written in chunks of about 1 MiB.
    private var buffer: [UInt8] = []
    private let condition = NSCondition()
    // Under `condition`:
    private var queue: [(sequence: Int, batch: OrderBatch)] = []
    private var submitted = 0
    /// The number of the batch whose bytes go out next.
    private var nextToWrite = 0
    private var closed = false
    private var failure: WaybillError?
    private var running = 0
    private let workers: Int

    /// `threads` encoder threads; 0 encodes and writes on the caller's thread.
    init(threads: Int) {
        workers = max(0, threads)
        guard workers > 0 else {
            buffer.reserveCapacity(2 << 20)
            return
        }
        running = workers
        for _ in 0..<workers {
            let t = Thread { [unowned self] in self.run() }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    /// Queues (or, inline, writes) a batch. The caller may reuse its batch afterwards.
    func submit(_ batch: OrderBatch) throws(WaybillError) {
        guard workers > 0 else {
            encoder.encode(batch, into: &buffer)
            if buffer.count >= 1 << 20 { try flush() }
            return
        }
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= 2 * workers && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append((submitted, batch))
        submitted += 1
        condition.broadcast()
    }

    /// Writes what is queued and stops the encoders; throws the first write error.
    func finish() throws(WaybillError) {
        if workers > 0 {
            condition.lock()
            closed = true
            condition.broadcast()
            while running > 0 { condition.wait() }
            condition.unlock()
        }
        if let failure { throw failure }
        try flush()
    }

    /// An encoder thread.
    private func run() {
        var out: [UInt8] = []
        condition.lock()
        while true {
            while queue.isEmpty && !closed && failure == nil { condition.wait() }
            if queue.isEmpty || failure != nil { break }
            let (sequence, batch) = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            out.removeAll(keepingCapacity: true)
            encoder.encode(batch, into: &out)
            condition.lock()
            while nextToWrite != sequence && failure == nil { condition.wait() }
            if failure != nil { break }
            // Its turn: nobody else writes until `nextToWrite` moves on, so the lock is free
            // for the others meanwhile (the write may block on a slow reader of a pipe).
            condition.unlock()
            var error: WaybillError?
            do throws(WaybillError) { try FD.writeAll(1, out, path: "stdout") } catch let e { error = e }
            condition.lock()
            if let error {
                failure = error
                queue.removeAll()
            }
            nextToWrite += 1
            condition.broadcast()
        }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func flush() throws(WaybillError) {
        guard !buffer.isEmpty else { return }
        try FD.writeAll(1, buffer, path: "stdout")
        buffer.removeAll(keepingCapacity: true)
    }
}
