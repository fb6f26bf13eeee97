/// Finds a key that one JSON object names twice, as its members are read.
///
/// Small objects (nearly all records) are scanned: the keys so far, compared in place. Past
/// `scanLimit` members the keys go into a hash set, so that an object of 100,000 members (a
/// 16 MiB line allows that) costs one insert each rather than 5 billion comparisons.
struct RepeatedKeys {
    static let scanLimit = 16
    private var hashed: Set<[UInt8]> = []
    private var hashing = false

    /// Forgets the keys of the previous object.
    mutating func reset() {
        if hashing {
            hashed.removeAll(keepingCapacity: true)
            hashing = false
        }
    }

    /// Whether `key` is one of the `count` keys read before it in this object (`keyAt(k)`, in
    /// order); `key` then counts as read.
    @inline(__always)
    mutating func repeats(_ key: UnsafeRawBufferPointer, count: Int, keyAt: (Int) -> UnsafeRawBufferPointer) -> Bool {
        if !hashing {
            if count < Self.scanLimit {
                for k in 0..<count where keyAt(k).elementsEqual(key) { return true }
                return false
            }
            hashing = true
            for k in 0..<count { hashed.insert(Array(keyAt(k))) }
        }
        return !hashed.insert(Array(key)).inserted
    }
}

/// The mapped slots one JSON object has named so far, so a mapped key named twice is caught
/// even when its first value was empty or null (the slot's value stays unset then, so its
/// presence cannot tell). A stamp per slot: clearing for the next object is one increment.
/// Plain memory, freed by the owner (`free`).
struct SeenSlots {
    private let stamps: UnsafeMutablePointer<UInt32>
    private let count: Int
    private var generation: UInt32 = 1

    init(count: Int) {
        self.count = max(1, count)
        stamps = .allocate(capacity: self.count)
        stamps.initialize(repeating: 0, count: self.count)
    }

    func free() { stamps.deallocate() }

    /// Forgets the slots of the previous object.
    @inline(__always)
    mutating func reset() {
        generation &+= 1
        if generation == 0 {  // wrapped: old stamps could match again
            stamps.update(repeating: 0, count: count)
            generation = 1
        }
    }

    /// Marks `slot` named; false when this object named it before.
    @inline(__always)
    mutating func insert(_ slot: Int) -> Bool {
        if stamps[slot] == generation { return false }
        stamps[slot] = generation
        return true
    }
}
