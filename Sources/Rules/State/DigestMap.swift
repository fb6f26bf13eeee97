/// A hash table keyed by `Digest128`: the dedup state's table (`StateStore`) and the versions a
/// run applied (`Transactor`).
///
/// Written here rather than using `Dictionary` because the keys are already hashes: they are
/// the first half of a SHA-256, uniformly spread, so their low bits pick the slot directly.
/// `Dictionary` runs every key through SipHash (`Hasher`, seeded per process) first; in the
/// TPC-H rules run its hashing, probing and growth were about 5% of all samples, more than
/// the rules' own money checks.
///
/// Open addressing with linear probing, at most three quarters full; keys, values and an
/// occupancy bitmap in three flat arrays (as `Dictionary` lays them out, so memory per key
/// stays the same). Removal shifts the following entries of the probe run back, so lookups
/// never meet a tombstone.
struct DigestMap<Value> {
    private var keys: [Digest128] = []
    private var values: [Value] = []
    /// One bit per slot: whether it holds an entry.
    private var occupied: [UInt64] = []
    /// What unoccupied value slots hold (never read as a value).
    private let filler: Value
    private(set) var count = 0

    init(filler: Value) { self.filler = filler }

    private var capacity: Int { keys.count }

    @inline(__always) private func home(_ key: Digest128) -> Int { Int(truncatingIfNeeded: key.lo) & (capacity - 1) }
    @inline(__always) private func isOccupied(_ i: Int) -> Bool { occupied[i >> 6] & (1 << UInt64(i & 63)) != 0 }
    @inline(__always) private mutating func mark(_ i: Int, _ on: Bool) {
        if on { occupied[i >> 6] |= 1 << UInt64(i & 63) } else { occupied[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    /// The slot holding `key`, or nil.
    private func slot(of key: Digest128) -> Int? {
        guard capacity > 0 else { return nil }
        var i = home(key)
        while isOccupied(i) {
            if keys[i] == key { return i }
            i = (i + 1) & (capacity - 1)
        }
        return nil
    }

    subscript(key: Digest128) -> Value? {
        get { slot(of: key).map { values[$0] } }
        set {
            if let newValue { insert(key, newValue) } else { remove(key) }
        }
    }

    /// Room for `n` entries without growing.
    mutating func reserveCapacity(_ n: Int) {
        var c = max(capacity, 16)
        while n * 4 > c * 3 { c *= 2 }
        if c > capacity { rehash(to: c) }
    }

    private mutating func insert(_ key: Digest128, _ value: Value) {
        if (count + 1) * 4 > capacity * 3 { rehash(to: max(16, capacity * 2)) }
        var i = home(key)
        while isOccupied(i) {
            if keys[i] == key {
                values[i] = value
                return
            }
            i = (i + 1) & (capacity - 1)
        }
        keys[i] = key
        values[i] = value
        mark(i, true)
        count += 1
    }

    private mutating func remove(_ key: Digest128) {
        guard var hole = slot(of: key) else { return }
        mark(hole, false)
        count -= 1
        // Backward shift: an entry further along the run moves into the hole unless its home
        // lies cyclically in (hole, j], where it would no longer be found.
        var j = hole
        while true {
            j = (j + 1) & (capacity - 1)
            guard isOccupied(j) else { return }
            let h = home(keys[j])
            let staysPut = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
            if staysPut { continue }
            keys[hole] = keys[j]
            values[hole] = values[j]
            mark(hole, true)
            mark(j, false)
            hole = j
        }
    }

    private mutating func rehash(to newCapacity: Int) {
        let oldKeys = keys, oldValues = values, oldOccupied = occupied
        keys = Array(repeating: Digest128(hi: 0, lo: 0), count: newCapacity)
        values = Array(repeating: filler, count: newCapacity)
        occupied = Array(repeating: 0, count: (newCapacity + 63) / 64)
        count = 0
        for i in oldKeys.indices where oldOccupied[i >> 6] & (1 << UInt64(i & 63)) != 0 {
            insert(oldKeys[i], oldValues[i])
        }
    }

    /// Every entry, in slot order (callers that need an order sort).
    func forEach(_ body: (Digest128, Value) throws -> Void) rethrows {
        for i in keys.indices where isOccupied(i) { try body(keys[i], values[i]) }
    }
}
