/// Remembers the day numbers of recently parsed `YYYY-MM-DD` texts.
///
/// A feed's dates have few distinct values (TPC-H has ~2,500 in six million lines, an order
/// export a few hundred per day of orders), so a direct-mapped table keyed by the ten bytes
/// answers most date fields with two loads and compares instead of a parse and a calendar
/// computation. Plain memory owned by one `RecordMapper` (one thread).
struct DateMemo {
    private static let slots = 4096  // 80 KiB: a few years of days, and room to spare
    /// Per slot: the first eight bytes of the text, the last two (bit 16 set when the slot is
    /// filled, so an empty slot never matches), and the day number.
    private let head: UnsafeMutablePointer<UInt64>
    private let tail: UnsafeMutablePointer<UInt32>
    private let days: UnsafeMutablePointer<Int64>

    init() {
        head = .allocate(capacity: Self.slots)
        head.initialize(repeating: 0, count: Self.slots)
        tail = .allocate(capacity: Self.slots)
        tail.initialize(repeating: 0, count: Self.slots)
        days = .allocate(capacity: Self.slots)
        days.initialize(repeating: 0, count: Self.slots)
    }

    func free() {
        head.deallocate()
        tail.deallocate()
        days.deallocate()
    }

    /// The key of a 10-byte text: its first eight bytes and its last two (tagged as filled).
    @inline(__always)
    static func key(_ text: UnsafeRawBufferPointer) -> (UInt64, UInt32, Int) {
        let p = text.baseAddress!
        let h = p.loadUnaligned(as: UInt64.self)
        let t = UInt32(p.loadUnaligned(fromByteOffset: 8, as: UInt16.self)) | 0x1_0000
        // Multiplicative hashing: the top bits of the product depend on every byte.
        let mixed = (h ^ UInt64(t) &<< 48 ^ UInt64(t)) &* 0x9E37_79B9_7F4A_7C15
        return (h, t, Int(truncatingIfNeeded: mixed >> 52))
    }

    /// The remembered day number for a 10-byte text, if any.
    @inline(__always)
    func lookup(_ h: UInt64, _ t: UInt32, _ slot: Int) -> Int64? {
        head[slot] == h && tail[slot] == t ? days[slot] : nil
    }

    @inline(__always)
    func store(_ h: UInt64, _ t: UInt32, _ slot: Int, _ d: Int64) {
        head[slot] = h
        tail[slot] = t
        days[slot] = d
    }
}
