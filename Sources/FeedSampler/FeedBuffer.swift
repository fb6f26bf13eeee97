import OrderModel

/// The byte buffer every feed writer appends to. It is flushed to the sink only between
/// records, so a writer can still cut or extend the record it is writing (the bad-record
/// kinds `truncated_json` and `wrong_field_count` do that).
///
/// It owns raw memory rather than an `[UInt8]`: an array append checks uniqueness and capacity
/// through generic code on every call, which was a fifth of the generator's time; here an
/// append is a bounds check and a store. All the unsafe pointer work of the module is in this file.
struct FeedBuffer: ~Copyable {
    /// Flush once this much is buffered (the writes are then about 1 MiB each).
    static let flushThreshold = 1 << 20

    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes pending (not yet flushed).
    private(set) var count = 0
    /// Bytes handed to the sink so far.
    private(set) var flushed = 0

    init(capacity: Int = FeedBuffer.flushThreshold + 256 * 1024) {
        self.capacity = max(capacity, 64)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Total bytes produced (flushed and pending).
    var total: Int { flushed + count }

    /// The pending bytes as an array (tests and small helpers).
    var pending: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The pending byte at `i`.
    subscript(i: Int) -> UInt8 { base[i] }

    /// Drops pending bytes from `newCount` on.
    mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count)
        count = newCount
    }

    /// Index of the last pending `byte`, if any.
    func lastIndex(of byte: UInt8) -> Int? {
        var i = count - 1
        while i >= 0 {
            if base[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    /// Grows geometrically; only over-long records take it past the initial capacity.
    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        p.update(from: base, count: count)
        base.deallocate()
        base = p
        capacity = newCapacity
    }

    /// Called between records: hands the buffer to the sink once it holds 1 MiB.
    @inline(__always)
    mutating func boundary<S: FeedSink>(_ sink: inout S) throws {
        if count >= FeedBuffer.flushThreshold { try flush(&sink) }
    }

    mutating func flush<S: FeedSink>(_ sink: inout S) throws {
        if count == 0 { return }
        try sink.write(UnsafeRawBufferPointer(start: base, count: count))
        flushed += count
        count = 0
    }

    /// Appends a copy of the pending bytes `start..<end` (a repeated part of a record).
    mutating func repeatRange(_ start: Int, _ end: Int) {
        let n = end - start
        reserve(n)  // before taking pointers: growing moves the storage
        (base + count).update(from: base + start, count: n)
        count += n
    }

    /// Appends raw bytes.
    @inline(__always)
    mutating func raw(_ p: UnsafeRawBufferPointer) {
        let n = p.count
        if n == 0 { return }
        reserve(n)
        (base + count).update(from: p.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
    }

    @inline(__always) mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always) mutating func raw(_ s: [UInt8]) { s.withUnsafeBytes { raw($0) } }

    @inline(__always) mutating func raw(_ s: ArraySlice<UInt8>) { s.withUnsafeBytes { raw($0) } }

    @inline(__always) mutating func ascii(_ s: StaticString) {
        raw(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Decimal digits of a non-negative integer.
    @inline(__always) mutating func int(_ v: Int) {
        var digits = 1
        var t = v
        while t >= 10 {
            t /= 10
            digits += 1
        }
        reserve(digits)
        var i = count + digits - 1
        t = v
        repeat {
            base[i] = UInt8(truncatingIfNeeded: t % 10) &+ 0x30
            t /= 10
            i -= 1
        } while t > 0
        count += digits
    }

    /// `v` zero-padded to `width` digits (v < 10^width).
    @inline(__always) mutating func padded(_ v: Int, _ width: Int) {
        reserve(width)
        var t = v
        var i = count + width - 1
        while i >= count {
            base[i] = UInt8(truncatingIfNeeded: t % 10) &+ 0x30
            t /= 10
            i -= 1
        }
        count += width
    }

    /// Money from integer cents with exactly two decimals: `1234` -> `12.34`.
    @inline(__always) mutating func money(_ cents: Int64) {
        var c = cents
        if c < 0 {
            byte(UInt8(ascii: "-"))
            c = -c
        }
        int(Int(c / 100))
        byte(UInt8(ascii: "."))
        padded(Int(c % 100), 2)
    }

    /// Money with up to two decimals, as a JSON number: `1230` -> `12.3`, `1200` -> `12`.
    @inline(__always) mutating func moneyShort(_ cents: Int64) {
        let c = cents < 0 ? -cents : cents
        if cents < 0 { byte(UInt8(ascii: "-")) }
        int(Int(c / 100))
        let frac = Int(c % 100)
        if frac == 0 { return }
        byte(UInt8(ascii: "."))
        if frac % 10 == 0 {
            byte(UInt8(frac / 10) &+ 0x30)
        } else {
            padded(frac, 2)
        }
    }

    /// A rate given in whole percent as a two-decimal fraction: `4` -> `0.04`, `10` -> `0.10`.
    @inline(__always) mutating func percentRate(_ pct: Int) {
        byte(UInt8(ascii: "0"))
        byte(UInt8(ascii: "."))
        padded(pct, 2)
    }

    /// `YYYY-MM-DD` of a day count since 1970-01-01.
    @inline(__always) mutating func date(days: Int64) {
        let (y, m, d) = CivilTime.civil(days: days)
        padded(y, 4)
        byte(UInt8(ascii: "-"))
        padded(m, 2)
        byte(UInt8(ascii: "-"))
        padded(d, 2)
    }

    /// `YYYY-MM-DD HH:MM:SS` of a wall-clock second count since 1970-01-01 00:00 (in whatever
    /// zone the caller already applied).
    @inline(__always) mutating func dateTime(seconds: Int64) {
        let day = seconds >= 0 ? seconds / 86_400 : -((-seconds - 1) / 86_400) - 1
        let rest = Int(seconds - day * 86_400)
        date(days: day)
        byte(UInt8(ascii: " "))
        padded(rest / 3600, 2)
        byte(UInt8(ascii: ":"))
        padded(rest / 60 % 60, 2)
        byte(UInt8(ascii: ":"))
        padded(rest % 60, 2)
    }

    /// A UTC offset in minutes as `+0800` / `-0400`.
    @inline(__always) mutating func offset(minutes: Int) {
        byte(minutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let m = minutes < 0 ? -minutes : minutes
        padded(m / 60, 2)
        padded(m % 60, 2)
    }

    /// `count` bytes of plain filler text (letters and spaces only, so it never needs CSV quoting
    /// or JSON escaping); used for the over-long bad records.
    mutating func filler(_ count: Int) {
        let phrase = FeedBuffer.fillerPhrase
        var left = count
        while left > 0 {
            let n = min(left, phrase.count)
            raw(phrase[0..<n])
            left -= n
        }
    }

    static let fillerPhrase: [UInt8] = Array(
        "furiously regular deposits sleep quickly above the blithely even packages ".utf8)
}
