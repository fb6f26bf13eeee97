#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The counter a stage's reading loop bumps once per batch (never per record or field) so a
/// progress display can show records, bytes, throughput and an ETA per input.
///
/// It lives in OrderModel because the readers that know the byte positions (Ingest) depend on
/// nothing else. Drawing is someone else's business: the meter calls `draw` at most every
/// `interval` seconds from whichever thread bumped it, plus once when an input ends and once at
/// `finish`. A mutex makes it safe to bump from several threads (inputs read in parallel); a
/// bump costs a lock and a monotonic clock read, which is nothing next to a batch.
public final class ProgressMeter: @unchecked Sendable {
    /// What the display shows; all counts are totals so far.
    public struct Snapshot: Sendable, Equatable {
        /// The stage (`collect`, `write`, ...) and the input being read (`-` for stdin).
        public var stage: String
        public var input: String = ""
        /// 1-based position of the input among `inputCount` (0 when unknown).
        public var inputIndex = 0
        public var inputCount = 0
        /// Records read from the current input, and from all inputs.
        public var inputRecords = 0
        public var records = 0
        /// Bytes consumed from the current input as stored (compressed bytes for a compressed
        /// file), and its size when known (a regular file), for the ETA.
        public var inputBytes = 0
        public var inputSize: Int?
        /// Bytes consumed from all inputs.
        public var bytes = 0
        /// Seconds since the run started and since the current input started.
        public var elapsed = 0.0
        public var inputElapsed = 0.0

        public init(stage: String) { self.stage = stage }
    }

    /// Why `draw` is called: a periodic redraw, the end of an input, or the end of the run.
    public enum Event: Sendable { case tick, inputDone, finished }

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var state: Snapshot
    private let interval: Double
    private let draw: (Snapshot, Event) -> Void
    private let startedAt: Double
    private var inputStartedAt: Double
    private var lastDraw = 0.0
    private var bytesBeforeInput = 0
    private var recordsBeforeInput = 0
    private var finished = false

    /// - Parameters:
    ///   - interval: least time between two periodic redraws (seconds).
    ///   - draw: called with the lock held, so calls never interleave; keep it short.
    public init(stage: String, inputCount: Int = 0, interval: Double = 0.25,
                draw: @escaping (Snapshot, Event) -> Void) {
        pthread_mutex_init(lock, nil)
        state = Snapshot(stage: stage)
        state.inputCount = inputCount
        self.interval = interval
        self.draw = draw
        startedAt = Self.monotonic()
        inputStartedAt = startedAt
        lastDraw = startedAt  // a run shorter than one interval shows only its final lines
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Starts the next input; `size` is its size in bytes when known.
    public func beginInput(_ name: String, size: Int?) {
        locked {
            state.inputIndex += 1
            if state.inputCount < state.inputIndex { state.inputCount = state.inputIndex }
            state.input = name
            state.inputSize = size
            state.inputBytes = 0
            state.inputRecords = 0
            bytesBeforeInput = state.bytes
            recordsBeforeInput = state.records
            inputStartedAt = Self.monotonic()
        }
    }

    /// Sets the position in the current input: `records` read so far in the whole run and
    /// `inputBytes` consumed of the current input (both absolute, so a reader that knows them
    /// need not keep deltas).
    public func update(records: Int, inputBytes: Int) {
        locked {
            state.records = records
            state.inputRecords = records - recordsBeforeInput
            state.inputBytes = inputBytes
            state.bytes = bytesBeforeInput + inputBytes
            maybeDraw()
        }
    }

    /// Adds a batch's worth of records and bytes to the current input.
    public func add(records: Int, bytes: Int) {
        locked {
            state.records += records
            state.inputRecords += records
            state.inputBytes += bytes
            state.bytes += bytes
            maybeDraw()
        }
    }

    /// Ends the current input: draws its final line.
    public func endInput() {
        locked {
            if state.inputIndex == 0 { return }
            stamp()
            draw(state, .inputDone)
            lastDraw = Self.monotonic()
        }
    }

    /// Ends the run: draws the final line once.
    public func finish() {
        locked {
            if finished { return }
            finished = true
            stamp()
            draw(state, .finished)
        }
    }

    /// The current counts (for tests and for a caller that draws on its own schedule).
    public var snapshot: Snapshot {
        locked {
            stamp()
            return state
        }
    }

    private func maybeDraw() {
        let now = Self.monotonic()
        if now - lastDraw < interval { return }
        lastDraw = now
        stamp(now)
        draw(state, .tick)
    }

    private func stamp(_ now: Double = ProgressMeter.monotonic()) {
        state.elapsed = now - startedAt
        state.inputElapsed = now - inputStartedAt
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
