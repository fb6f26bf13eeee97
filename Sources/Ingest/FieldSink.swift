/// Where libcsv's field callback puts the values of the record being parsed: one growable
/// byte arena and the start and end offset of each field. Plain memory reached through a
/// pointer (the callback context), so the per-field path has no reference counting and no
/// exclusivity bookkeeping.
///
/// A record split in one pass (`CSVScanner.splitSimple`) is not copied: with `base` set, its
/// fields are ranges of the read buffer starting at `base` (`commitReferences`).
struct FieldSink {
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCapacity: Int
    var used = 0
    var starts: UnsafeMutablePointer<Int>
    var ends: UnsafeMutablePointer<Int>
    var endCapacity: Int
    var count = 0
    /// When set, the fields are ranges of this buffer instead of the arena.
    var base: UnsafeRawPointer?
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
        starts = .allocate(capacity: endCapacity)
    }

    func free() {
        bytes.deallocate()
        ends.deallocate()
        starts.deallocate()
    }

    mutating func clear() {
        used = 0
        count = 0
        tooLongField = -1
        base = nil
    }

    /// Gives back the room a record of very many fields took (it is a reject past
    /// `max_columns`; the next records need the usual few hundred).
    mutating func shrinkFields() {
        guard endCapacity > 4096 else { return }
        ends.deallocate()
        starts.deallocate()
        endCapacity = 256
        ends = .allocate(capacity: endCapacity)
        starts = .allocate(capacity: endCapacity)
        count = 0
    }

    @inline(__always)
    private mutating func reserveField() {
        if count == endCapacity { growFields() }
    }

    /// Doubles the room for field ranges (also when `wb_csv_split_simple` finds a record with
    /// more fields than there is room for past `count`).
    mutating func growFields() {
        let n = UnsafeMutablePointer<Int>.allocate(capacity: endCapacity * 2)
        n.update(from: ends, count: count)
        ends.deallocate()
        ends = n
        let s = UnsafeMutablePointer<Int>.allocate(capacity: endCapacity * 2)
        s.update(from: starts, count: count)
        starts.deallocate()
        starts = s
        endCapacity *= 2
    }

    /// Takes the `n` field ranges written past `count` into `starts`/`ends` by
    /// `wb_csv_split_simple`, which left a field over `maxField` empty, as `add` does
    /// (`tooLong`: the first such field of those, or -1; `length`: its length).
    @inline(__always)
    mutating func commitReferences(_ n: Int, tooLong: Int, length: Int) {
        if tooLong >= 0 && tooLongField < 0 {
            tooLongField = count + tooLong
            tooLongLength = length
        }
        count += n
    }

    @inline(__always)
    mutating func add(_ ptr: UnsafeRawPointer?, _ len: Int) {
        reserveField()
        starts[count] = used
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

    /// Where field offsets count from.
    var fieldBase: UnsafeRawPointer { base ?? UnsafeRawPointer(bytes) }
}
