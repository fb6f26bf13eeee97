/// Where libcsv's field callback puts the values of the record being parsed: one growable
/// byte arena and the end offset of each field. Plain memory reached through a pointer (the
/// callback context), so the per-field path has no reference counting and no exclusivity
/// bookkeeping.
struct FieldSink {
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCapacity: Int
    var used = 0
    var ends: UnsafeMutablePointer<Int>
    var endCapacity: Int
    var count = 0
    let maxField: Int
    var tooLongField = -1
    var tooLongLength = 0
    /// The reader, for the end-of-record callback.
    var reader: Unmanaged<CSVReader>?

    init(maxField: Int) {
        self.maxField = maxField
        byteCapacity = 1 << 16
        bytes = .allocate(capacity: byteCapacity)
        endCapacity = 256
        ends = .allocate(capacity: endCapacity)
    }

    func free() {
        bytes.deallocate()
        ends.deallocate()
    }

    mutating func clear() {
        used = 0
        count = 0
        tooLongField = -1
    }

    @inline(__always)
    mutating func add(_ ptr: UnsafeRawPointer?, _ len: Int) {
        if count == endCapacity {
            let n = UnsafeMutablePointer<Int>.allocate(capacity: endCapacity * 2)
            n.update(from: ends, count: count)
            ends.deallocate()
            ends = n
            endCapacity *= 2
        }
        if len > maxField {
            if tooLongField < 0 {
                tooLongField = count
                tooLongLength = len
            }
        } else if let ptr, len > 0 {
            if used + len > byteCapacity {
                let cap = max(byteCapacity * 2, used + len)
                let n = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
                n.update(from: bytes, count: used)
                bytes.deallocate()
                bytes = n
                byteCapacity = cap
            }
            (bytes + used).update(from: ptr.assumingMemoryBound(to: UInt8.self), count: len)
            used += len
        }
        ends[count] = used
        count += 1
    }

    var fieldBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: bytes, count: used) }
    var fieldEnds: UnsafeBufferPointer<Int> { UnsafeBufferPointer(start: ends, count: count) }
}
