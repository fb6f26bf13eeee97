/// Comment text in the style of TPC-H's `o_comment`/`l_comment`: sentences over the spec's
/// small vocabulary. As in dbgen, a pool of text is made once (from a fixed seed, so it is the
/// same everywhere) and each comment is a random window of it, which may split words at either
/// end; drawing a window costs two random numbers instead of building a sentence.
enum TPCHText {
    static let poolSize = 1 << 20
    static let pool: BytePool = {
        var rng = SampleRandom(seed: 0x7470_6368_7465_7874)
        var text: [UInt8] = []
        fill(&text, length: poolSize, rng: &rng)
        return BytePool(text)
    }()

    /// The start of a random window of `length` bytes of the pool.
    @inline(__always)
    static func window(length: Int, rng: inout SampleRandom) -> Int { rng.below(poolSize - length) }

    @inline(__always)
    static func bytes(_ start: Int, _ length: Int) -> UnsafeRawBufferPointer { pool[start, length] }

    static let adverbs = words("sometimes always never furiously slyly carefully blithely quickly fluffily slowly quietly ruthlessly thinly closely doggedly daringly bravely stealthily permanently enticingly idly busily regularly finally ironically evenly boldly silently")
    static let adjectives = words("special pending unusual express furious sly careful blithe quick fluffy slow quiet ruthless thin close dogged daring brave stealthy permanent enticing idle busy regular final ironic even bold silent")
    static let nouns = words("foxes ideas theodolites pinto_beans instructions dependencies excuses platelets asymptotes courts dolphins multipliers sauternes warthogs frets dinos attainments somas Tiresias patterns forges braids hockey_players frays warhorses dugouts notornis epitaphs pearls tithes waters orbits gifts sheaves depths sentiments decoys realms pains grouches escapades packages deposits requests accounts")
    static let verbs = words("sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was lose sublate solve thrash promise engage hinder print x-ray breach eat grow impress mold poach serve run dazzle snooze doze unwind kindle play hang believe doubt")
    static let prepositions = words("about above according_to across after against along alongside_of among around at atop before behind beneath beside besides between beyond by despite during except for from in_place_of inside instead_of into near of on outside over past since through throughout to toward under until up upon without with within")
    static let terminators: [[UInt8]] = [". ", "; ", ": ", "? ", "! ", " -- ", ", "].map { Array($0.utf8) }

    private static func words(_ s: String) -> [[UInt8]] {
        s.split(separator: " ").map { $0.utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 } }
    }

    /// Replaces `out` with `length` bytes of comment text (`length` >= 1).
    static func fill(_ out: inout [UInt8], length: Int, rng: inout SampleRandom) {
        out.removeAll(keepingCapacity: true)
        let skip = rng.below(6)
        let want = length + skip
        while out.count < want {
            if rng.below(3) == 0 { append(&out, rng.pick(adverbs)) }
            append(&out, rng.pick(adjectives))
            append(&out, rng.pick(nouns))
            append(&out, rng.pick(verbs))
            if rng.below(2) == 0 {
                append(&out, rng.pick(prepositions))
                out.append(contentsOf: [0x74, 0x68, 0x65, 0x20])  // "the "
                append(&out, rng.pick(nouns))
            }
            out.removeLast()  // the space after the last word
            out.append(contentsOf: rng.pick(terminators))
        }
        out.removeFirst(skip)
        out.removeLast(out.count - length)
    }

    @inline(__always)
    private static func append(_ out: inout [UInt8], _ w: [UInt8]) {
        out.append(contentsOf: w)
        out.append(0x20)
    }
}
