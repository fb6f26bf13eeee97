/// The generator's pseudo-random numbers: xoshiro256** seeded through SplitMix64.
///
/// Written here rather than taken from the standard library because `SystemRandomNumberGenerator`
/// cannot be seeded and the standard library's range helpers do not promise the same draws on
/// every platform and release. Everything below is integer arithmetic (plus one exact
/// integer-to-double conversion), so a seed gives the same bytes on every machine.
public struct SampleRandom: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        s0 = SampleRandom.splitMix(&sm)
        s1 = SampleRandom.splitMix(&sm)
        s2 = SampleRandom.splitMix(&sm)
        s3 = SampleRandom.splitMix(&sm)
    }

    /// An independent stream for item `index` of the stream family `seed`/`salt`: lets the
    /// generator rebuild order `index` later (for its status updates) without keeping it.
    public init(seed: UInt64, salt: UInt64, index: UInt64) {
        var sm = seed ^ salt
        let mixed = SampleRandom.splitMix(&sm) &+ index &* 0xD1B5_4A32_D192_ED03
        self.init(seed: mixed)
    }

    /// SplitMix64 step (Steele, Lea, Flood 2014): spreads a seed over the four state words.
    @inline(__always)
    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits (xoshiro256**, Blackman and Vigna 2018).
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in `0..<n` (`n > 0`), by Lemire's multiply-and-reject method, which is
    /// exact (no modulo bias) and needs no division on the common path.
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// A uniform integer in `lo...hi`.
    @inline(__always)
    public mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    /// A uniform double in `[0, 1)` built from the top 53 bits (exact, platform independent).
    @inline(__always)
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniformly chosen element of a non-empty array.
    @inline(__always)
    public mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }

    /// An index drawn with the given integer weights (their sum must be positive).
    public mutating func weighted(_ weights: [Int]) -> Int {
        var total = 0
        for w in weights { total += w }
        var r = below(total)
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.count - 1
    }
}
