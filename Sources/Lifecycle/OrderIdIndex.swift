/// The current (winning) version of every order id seen, keyed by the id's bytes.
///
/// Open addressing over one byte arena: a dataset of millions of orders costs two array
/// entries and the id bytes per order, and no String or heap object per row.
struct OrderIdIndex {
    /// Where a row sits and how it ranks. Higher `version`, then `updatedAt`, then batch rank
    /// (file batch ids in sorted order), then position wins.
    struct Entry: Equatable {
        var version: Int64
        var updatedAt: Int64
        var batchRank: Int32
        var partition: Int32
        var file: Int32
        var row: Int32

        func beats(_ o: Entry) -> Bool {
            if version != o.version { return version > o.version }
            if updatedAt != o.updatedAt { return updatedAt > o.updatedAt }
            if batchRank != o.batchRank { return batchRank > o.batchRank }
            if partition != o.partition { return partition > o.partition }
            if file != o.file { return file > o.file }
            return row > o.row
        }
    }

    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private(set) var entries: [Entry] = []
    private var slots: [Int32] = Array(repeating: -1, count: 1024)

    var count: Int { entries.count }

    private static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: ids are short, and this needs no table
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    private func equal(_ i: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let s = starts[i], e = i + 1 < starts.count ? starts[i + 1] : arena.count
        guard e - s == key.count else { return false }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + s, key.baseAddress!, key.count) == 0 || key.count == 0 }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    private func find(_ key: UnsafeRawBufferPointer) -> Int {
        let mask = slots.count - 1
        var s = Self.hash(key) & mask
        while slots[s] >= 0 && !equal(Int(slots[s]), key) { s = (s + 1) & mask }
        return s
    }

    /// Records a row; keeps the better of it and the current winner.
    mutating func offer(_ key: UnsafeRawBufferPointer, _ e: Entry) {
        let s = find(key)
        if slots[s] >= 0 {
            let i = Int(slots[s])
            if e.beats(entries[i]) { entries[i] = e }
            return
        }
        slots[s] = Int32(entries.count)
        starts.append(arena.count)
        arena.append(contentsOf: key)
        entries.append(e)
        if entries.count * 2 > slots.count { grow() }
    }

    func winner(_ key: UnsafeRawBufferPointer) -> Entry? {
        let s = find(key)
        return slots[s] >= 0 ? entries[Int(slots[s])] : nil
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        arena.withUnsafeBytes { a in
            for i in starts.indices {
                let e = i + 1 < starts.count ? starts[i + 1] : arena.count
                var s = Self.hash(UnsafeRawBufferPointer(rebasing: a[starts[i]..<e])) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(i)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
