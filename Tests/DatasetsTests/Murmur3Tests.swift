import Testing
@testable import Datasets

@Suite struct Murmur3Tests {
    private func h(_ s: String, seed: UInt32 = 0) -> UInt32 {
        var s = s
        return s.withUTF8 { Murmur3.hash32(UnsafeRawBufferPointer($0), seed: seed) }
    }

    @Test func matchesReferenceVectors() {
        // MurmurHash3_x86_32 reference outputs.
        #expect(h("") == 0)
        #expect(h("", seed: 1) == 0x514E_28B7)
        #expect(h("hello") == 0x248B_FA47)
        #expect(h("The quick brown fox jumps over the lazy dog") == 0x2E4F_F723)
    }

    @Test func matchesIcebergBucketSpec() {
        // Apache Iceberg spec, "Appendix B: 32-bit Hash Requirements".
        #expect(h("iceberg") == 1_210_000_089)
        #expect(Murmur3.hash32(int: 34) == 2_017_239_379)
    }

    @Test func bucketsAreStable() {
        // Golden bucket numbers: changing the hash would move every existing file.
        #expect(Murmur3.bucket(h("shop:1001"), count: 16) == Murmur3.bucket(h("shop:1001"), count: 16))
        let golden = (0..<5).map { Murmur3.bucket(h("tpch:\($0 + 1)"), count: 10_000) }
        #expect(golden == goldenTpchBuckets)
        for n in [1, 7, 10_000] {
            for i in 0..<1000 { #expect((0..<n).contains(Murmur3.bucket(h("o\(i)"), count: n))) }
        }
    }
}

/// bucket(10000, order_id) of `tpch:1` ... `tpch:5`, computed once with an independent
/// implementation (Python, Tests/interop/test_datasets.py checks the same values).
let goldenTpchBuckets: [Int] = [8863, 5598, 5892, 2959, 6440]
