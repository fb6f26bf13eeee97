import Testing
@testable import Rules

@Suite struct DigestMapTests {
    /// A small deterministic generator (the test must not depend on the run).
    struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return s ^ (s >> 29)
        }
    }

    /// Random inserts, overwrites, removals and lookups against `Dictionary`. The keys' low bits
    /// come from a few values only, so probe runs are long, wrap around the table's end, and
    /// removals shift entries back across the wrap.
    @Test func behavesAsADictionary() {
        var rng = Rng(s: 42)
        var map = DigestMap<Int>(filler: -1)
        var reference: [Digest128: Int] = [:]
        var pool: [Digest128] = []
        for step in 0..<40_000 {
            let op = rng.next() % 10
            let key: Digest128
            if op < 4 || pool.isEmpty {
                // Low bits from 0..<8 or from the table's last slots: collisions and wrap-around.
                let low = rng.next() % 2 == 0 ? rng.next() % 8 : UInt64.max - rng.next() % 8
                key = Digest128(hi: rng.next(), lo: (rng.next() << 16) | (low & 0xFFFF))
                pool.append(key)
            } else {
                key = pool[Int(rng.next() % UInt64(pool.count))]
            }
            if op < 6 {
                map[key] = step
                reference[key] = step
            } else if op < 8 {
                map[key] = nil
                reference[key] = nil
            }
            #expect(map[key] == reference[key])
            if step % 4_000 == 0 {
                #expect(map.count == reference.count)
                for k in pool { #expect(map[k] == reference[k]) }
            }
        }
        var seen: [Digest128: Int] = [:]
        map.forEach { seen[$0] = $1 }
        #expect(seen == reference)
        #expect(map.count == reference.count)
    }

    @Test func emptyAndReserved() {
        var map = DigestMap<String>(filler: "")
        let k = Digest128(hi: 1, lo: 2)
        #expect(map[k] == nil)
        map[k] = nil
        #expect(map.count == 0)
        map.reserveCapacity(1_000)
        for i in 0..<1_000 { map[Digest128(hi: UInt64(i), lo: UInt64(i) &* 0x9E37_79B9_7F4A_7C15)] = "v\(i)" }
        #expect(map.count == 1_000)
        #expect(map[Digest128(hi: 999, lo: 999 &* 0x9E37_79B9_7F4A_7C15)] == "v999")
        #expect(map[k] == nil)
    }
}
