import OrderModel

/// How a buffered column's arrays are written to the spill file (`PendingColumn.serialize`)
/// and read back. The file never leaves this process, so the forms are little-endian and
/// private, but compact: every spilled byte is copied into the page cache, written to disk by
/// the kernel and read back. At TPC-H scale 1 the flat run spilled 1.6 GiB of raw arrays, and
/// the copies into the page cache were up to a tenth of the run's CPU time. Most of those bytes
/// were redundant:
/// - level arrays of columns without nulls (all 1) or without repeats (all 0): one byte;
/// - 4-byte string offsets of values a few bytes long: one length each, 1, 2 or 4 bytes wide;
/// - strings that are the same in every row (source file, batch id, constants of a profile):
///   the value once;
/// - strings of few distinct values (map keys, flags, ship modes): up to 8 distinct values
///   once, then a 1-byte index per row;
/// - integers (keys, cents, days): the minimum, then each value's distance from it in 1, 2,
///   4 or 8 bytes.
/// With them the same run spills 0.6 GB. Each form is a pass over the values on both sides,
/// which costs about what the kernel saves in copies where writing to the page cache is cheap,
/// and much less where it is not.
enum SpillCoding {
    static func put(_ v: Int64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func get(_ raw: UnsafeRawBufferPointer, _ p: inout Int) -> Int64 {
        let v = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: Int64.self))
        p += 8
        return v
    }

    /// An array as it is (count, then its bytes).
    static func put<T: BitwiseCopyable>(_ a: [T], _ out: inout [UInt8]) {
        put(Int64(a.count), &out)
        a.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    static func get<T: BitwiseCopyable>(_ raw: UnsafeRawBufferPointer, _ p: inout Int) -> [T] {
        let n = Int(get(raw, &p) as Int64)
        let size = n * MemoryLayout<T>.stride
        let a = [T](unsafeUninitializedCapacity: n) { buf, count in
            if size > 0 { UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: raw.baseAddress! + p, byteCount: size) }
            count = n
        }
        p += size
        return a
    }

    /// Makes room in `a` for `k` more elements: exactly when it is empty (a partition's first
    /// segment), else at least doubling, as `Array.append` would, so that appending a
    /// partition's segments one after the other stays linear.
    @inline(__always)
    private static func grow<T>(_ a: inout [T], by k: Int) {
        let need = a.count + k
        if a.capacity < need { a.reserveCapacity(a.isEmpty ? need : Swift.max(need, 2 * a.capacity)) }
    }

    /// Appends `n` zeros to `a` (room made by `grow`) and hands the new elements to `fill`,
    /// which must write all of them.
    @inline(__always)
    private static func appendFilled<T: FixedWidthInteger>(_ a: inout [T], _ n: Int, _ fill: (UnsafeMutableBufferPointer<T>) -> Void) {
        guard n > 0 else { return }
        grow(&a, by: n)
        let a0 = a.count
        a.append(contentsOf: repeatElement(0, count: n))
        a.withUnsafeMutableBufferPointer { fill(UnsafeMutableBufferPointer(rebasing: $0[a0...])) }
    }

    /// `appendFilled` of `n` bytes to `out`, handed over as raw memory to store values of any width.
    @inline(__always)
    private static func write(_ n: Int, _ out: inout [UInt8], _ fill: (UnsafeMutableRawPointer) -> Void) {
        appendFilled(&out, n) { fill(UnsafeMutableRawPointer($0.baseAddress!)) }
    }

    // MARK: Levels

    private enum LevelForm: UInt8 { case raw = 0, same = 1 }

    /// Definition or repetition levels: one byte when they are all the same.
    static func putLevels(_ a: [UInt8], _ out: inout [UInt8]) {
        put(Int64(a.count), &out)
        guard let first = a.first else { return }
        let same = a.withUnsafeBytes { b in
            // A word at a time: level arrays are a byte per row of every spilled column.
            let pattern = UInt64(first) &* 0x0101_0101_0101_0101
            var i = 0
            while i + 8 <= b.count {
                if b.loadUnaligned(fromByteOffset: i, as: UInt64.self) != pattern { return false }
                i += 8
            }
            while i < b.count {
                if b[i] != first { return false }
                i += 1
            }
            return true
        }
        if same {
            out.append(LevelForm.same.rawValue)
            out.append(first)
        } else {
            out.append(LevelForm.raw.rawValue)
            out.append(contentsOf: a)
        }
    }

    /// Appends levels written by `putLevels` to `a`.
    static func getLevels(_ raw: UnsafeRawBufferPointer, _ p: inout Int, into a: inout [UInt8]) {
        let n = Int(get(raw, &p) as Int64)
        guard n > 0 else { return }
        let form = raw[p]
        p += 1
        grow(&a, by: n)
        if form == LevelForm.same.rawValue {
            a.append(contentsOf: repeatElement(raw[p], count: n))
            p += 1
        } else {
            a.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[p..<(p + n)]))
            p += n
        }
    }

    // MARK: Integers

    /// The fewest bytes (1, 2, 4 or 8) that hold `v`.
    @inline(__always)
    private static func width(_ v: UInt64) -> Int {
        v <= 0xFF ? 1 : v <= 0xFFFF ? 2 : v <= 0xFFFF_FFFF ? 4 : 8
    }

    /// Appends `n` values `value(i)`, each truncated to `w` bytes (1, 2, 4 or 8), little-endian.
    @inline(__always)
    private static func putNarrow<V: FixedWidthInteger>(_ n: Int, width w: Int, _ out: inout [UInt8], _ value: (Int) -> V) {
        write(n * w, &out) { dst in
            @inline(__always) func store<N: FixedWidthInteger>(_: N.Type) {
                for i in 0..<n { dst.storeBytes(of: N(truncatingIfNeeded: value(i)).littleEndian, toByteOffset: i * w, as: N.self) }
            }
            switch w {
            case 1: store(UInt8.self)
            case 2: store(UInt16.self)
            case 4: store(UInt32.self)
            default: store(UInt64.self)
            }
        }
    }

    /// Reads `n` values of `w` bytes at `src` (written by `putNarrow`), handing each to `use`
    /// with its index.
    @inline(__always)
    private static func getNarrow(_ src: UnsafeRawPointer, _ n: Int, width w: Int, _ use: (Int, UInt64) -> Void) {
        @inline(__always) func load<N: FixedWidthInteger & UnsignedInteger>(_: N.Type) {
            for i in 0..<n { use(i, UInt64(N(littleEndian: src.loadUnaligned(fromByteOffset: i * w, as: N.self)))) }
        }
        switch w {
        case 1: load(UInt8.self)
        case 2: load(UInt16.self)
        case 4: load(UInt32.self)
        default: load(UInt64.self)
        }
    }

    /// Integers (Int64 or Int32 values): the minimum, then each value minus it, as narrow as the
    /// range allows.
    static func putInts<T: FixedWidthInteger & SignedInteger>(_ a: [T], _ out: inout [UInt8]) {
        put(Int64(a.count), &out)
        guard !a.isEmpty else { return }
        a.withUnsafeBufferPointer { v in
            var lo = Int64(v[0]), hi = lo
            for x in v {
                let w = Int64(truncatingIfNeeded: x)
                lo = Swift.min(lo, w)
                hi = Swift.max(hi, w)
            }
            // The true difference is below 2^64, so the wrapped one read unsigned is exact.
            let w = width(UInt64(bitPattern: hi &- lo))
            out.append(UInt8(w))
            put(lo, &out)
            putNarrow(v.count, width: w, &out) { UInt64(bitPattern: Int64(truncatingIfNeeded: v[$0]) &- lo) }
        }
    }

    /// Appends integers written by `putInts` to `a`.
    static func getInts<T: FixedWidthInteger & SignedInteger>(_ raw: UnsafeRawBufferPointer, _ p: inout Int, into a: inout [T]) {
        let n = Int(get(raw, &p) as Int64)
        guard n > 0 else { return }
        let w = Int(raw[p])
        p += 1
        let lo = get(raw, &p)
        let src = raw.baseAddress! + p
        p += n * w
        appendFilled(&a, n) { buf in
            getNarrow(src, n, width: w) { i, d in buf[i] = T(truncatingIfNeeded: lo &+ Int64(bitPattern: d)) }
        }
    }

    // MARK: Strings

    private enum StringForm: UInt8 { case lengths = 0, same = 1, dictionary = 2 }

    /// Below this many values a dictionary is not tried: a small segment's strings are few bytes.
    static let minDictionaryValues = 32
    /// At most this many distinct values make a dictionary. Few enough to find a value's entry
    /// by scanning them, cheaper than hashing it: a first version with 255 entries in a hash
    /// table cost more CPU than the bytes it saved cost the kernel to copy. The columns worth
    /// it are flags, modes and map keys, of a handful of values.
    static let maxDictionaryEntries = 8

    /// Strings `bytes[offsets[i]..<offsets[i+1]]` (`offsets` is not empty: it starts at 0).
    static func putStrings(_ bytes: [UInt8], _ offsets: [UInt32], _ out: inout [UInt8]) {
        let n = offsets.count - 1
        precondition(n >= 0, "string offsets start at 0")
        put(Int64(n), &out)
        guard n > 0 else { return }
        bytes.withUnsafeBytes { b in
            offsets.withUnsafeBufferPointer { o in
                let base = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                if allSame(base, o) {
                    let len = Int(o[1])
                    out.append(StringForm.same.rawValue)
                    put(Int64(len), &out)
                    out.append(contentsOf: UnsafeRawBufferPointer(start: base, count: len))
                } else if n < minDictionaryValues || !putDictionary(base, o, &out) {
                    putLengths(base, o, &out)
                }
            }
        }
    }

    /// Whether `n` bytes at `p` and `q` are equal: a word at a time, inline. The values compared
    /// here are mostly a few to a few dozen bytes, where a call to memcmp cost more than the
    /// comparison.
    @inline(__always)
    private static func equalBytes(_ p: UnsafeRawPointer, _ q: UnsafeRawPointer, _ n: Int) -> Bool {
        var k = 0
        while k + 8 <= n {
            if p.loadUnaligned(fromByteOffset: k, as: UInt64.self) != q.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k &+= 8
        }
        while k < n {
            if p.load(fromByteOffset: k, as: UInt8.self) != q.load(fromByteOffset: k, as: UInt8.self) { return false }
            k &+= 1
        }
        return true
    }

    /// Whether every value equals the first.
    private static func allSame(_ b: UnsafeRawPointer, _ o: UnsafeBufferPointer<UInt32>) -> Bool {
        let len = Int(o[1])
        for i in 1..<(o.count - 1) {
            let a = Int(o[i])
            if Int(o[i + 1]) - a != len || !equalBytes(b, b + a, len) { return false }
        }
        return true
    }

    /// The plain form: each value's length, as narrow as the longest allows, then the bytes.
    private static func putLengths(_ b: UnsafeRawPointer, _ o: UnsafeBufferPointer<UInt32>, _ out: inout [UInt8]) {
        let n = o.count - 1
        var longest: UInt32 = 0
        for i in 0..<n { longest = Swift.max(longest, o[i + 1] &- o[i]) }
        let w = width(UInt64(longest))
        out.append(StringForm.lengths.rawValue)
        out.append(UInt8(w))
        putNarrow(n, width: w, &out) { o[$0 + 1] &- o[$0] }
        let total = Int(o[n])
        put(Int64(total), &out)
        out.append(contentsOf: UnsafeRawBufferPointer(start: b, count: total))
    }

    /// The dictionary form, if the values have at most `maxDictionaryEntries` distinct ones and
    /// it is smaller than the plain form; else writes nothing and returns false. Gives up at the
    /// first value past the limit, so a column of mostly distinct values costs a few lookups.
    private static func putDictionary(_ b: UnsafeRawPointer, _ o: UnsafeBufferPointer<UInt32>, _ out: inout [UInt8]) -> Bool {
        let n = o.count - 1
        return withUnsafeTemporaryAllocation(of: Entry.self, capacity: maxDictionaryEntries) { entries in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { indices in
                var count = 0
                for i in 0..<n {
                    let a = Int(o[i])
                    let v = Entry(b + a, Int(o[i &+ 1]) &- a, value: i)
                    var e = 0
                    while e < count && !entries[e].same(as: v, b, o) { e &+= 1 }
                    if e == count {
                        if count == maxDictionaryEntries { return false }
                        (entries.baseAddress! + count).initialize(to: v)
                        count &+= 1
                    }
                    indices[i] = UInt8(truncatingIfNeeded: e)
                }
                let entryBytes = entries[..<count].reduce(0) { $0 + 4 + $1.length }
                // The plain form needs at least a byte per value for its length, plus the bytes.
                guard entryBytes + n < n + Int(o[n]) else { return false }
                out.append(StringForm.dictionary.rawValue)
                out.append(UInt8(count - 1))
                for e in entries[..<count] {
                    withUnsafeBytes(of: UInt32(e.length).littleEndian) { out.append(contentsOf: $0) }
                    out.append(contentsOf: UnsafeRawBufferPointer(start: b + Int(o[e.value]), count: e.length))
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: indices[..<n]))
                return true
            }
        }
    }

    /// A distinct value of `putDictionary`: its length and two words that, for values of up to
    /// 16 bytes, hold every byte (the first and last 8, 4 or 1-3 bytes), so most values are
    /// compared in two words. Longer values compare the bytes in between too.
    private struct Entry {
        let w0: UInt64
        let w1: UInt64
        let length: Int
        /// The index of the value it was made from (its first occurrence).
        let value: Int

        @inline(__always)
        init(_ p: UnsafeRawPointer, _ len: Int, value: Int) {
            length = len
            self.value = value
            if len >= 8 {
                w0 = p.loadUnaligned(as: UInt64.self)
                w1 = p.loadUnaligned(fromByteOffset: len - 8, as: UInt64.self)
            } else if len >= 4 {
                w0 = UInt64(p.loadUnaligned(as: UInt32.self))
                w1 = UInt64(p.loadUnaligned(fromByteOffset: len - 4, as: UInt32.self))
            } else if len > 0 {
                w0 = UInt64(p.load(as: UInt8.self)) | UInt64(p.load(fromByteOffset: len / 2, as: UInt8.self)) << 8
                w1 = UInt64(p.load(fromByteOffset: len - 1, as: UInt8.self))
            } else {
                w0 = 0
                w1 = 0
            }
        }

        /// Whether `v` (of the same arena `b`, offsets `o`) has the same bytes.
        @inline(__always)
        func same(as v: Entry, _ b: UnsafeRawPointer, _ o: UnsafeBufferPointer<UInt32>) -> Bool {
            guard length == v.length && w0 == v.w0 && w1 == v.w1 else { return false }
            return length <= 16 || equalBytes(b + Int(o[value]) + 8, b + Int(o[v.value]) + 8, length - 16)
        }
    }

    /// Appends strings written by `putStrings` to `bytes` and `offsets` (not empty: it ends at
    /// `bytes.count`), their ends rebased onto `bytes`.
    static func getStrings(_ raw: UnsafeRawBufferPointer, _ p: inout Int, bytes: inout [UInt8], offsets: inout [UInt32]) {
        let n = Int(get(raw, &p) as Int64)
        guard n > 0 else { return }
        let form = raw[p]
        p += 1
        let src = raw.baseAddress!
        let base = UInt32(truncatingIfNeeded: bytes.count)
        switch form {
        case StringForm.same.rawValue:
            let len = Int(get(raw, &p) as Int64)
            let value = src + p
            p += len
            appendFilled(&bytes, n * len) { buf in
                for i in 0..<n { copyBytes(UnsafeMutableRawPointer(buf.baseAddress! + i * len), value, len) }
            }
            appendFilled(&offsets, n) { buf in
                for i in 0..<n { buf[i] = base &+ UInt32(truncatingIfNeeded: (i + 1) * len) }
            }
        case StringForm.dictionary.rawValue:
            let k = Int(raw[p]) + 1
            p += 1
            var starts = [Int](repeating: 0, count: k)
            var lengths = [UInt32](repeating: 0, count: k)
            for e in 0..<k {
                lengths[e] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self))
                starts[e] = p + 4
                p += 4 + Int(lengths[e])
            }
            let idx = (src + p).assumingMemoryBound(to: UInt8.self)
            p += n
            var total = 0
            lengths.withUnsafeBufferPointer { len in
                appendFilled(&offsets, n) { buf in
                    var end = base
                    for i in 0..<n {
                        end &+= len[Int(idx[i])]
                        buf[i] = end
                    }
                    total = Int(end &- base)
                }
                starts.withUnsafeBufferPointer { st in
                    appendFilled(&bytes, total) { buf in
                        var at = 0
                        for i in 0..<n {
                            let e = Int(idx[i])
                            let l = Int(len[e])
                            copyBytes(UnsafeMutableRawPointer(buf.baseAddress! + at), src + st[e], l)
                            at += l
                        }
                    }
                }
            }
        default:
            let w = Int(raw[p])
            p += 1
            let lens = src + p
            p += n * w
            appendFilled(&offsets, n) { buf in
                var end = base
                getNarrow(lens, n, width: w) { i, length in
                    end &+= UInt32(truncatingIfNeeded: length)
                    buf[i] = end
                }
            }
            let total = Int(get(raw, &p) as Int64)
            grow(&bytes, by: total)
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: src + p, count: total))
            p += total
        }
    }
}
