import Testing
@testable import Rules

@Suite struct SHA256Tests {
    func digest(_ s: String) -> String {
        let h = SHA256()
        h.update(Array(s.utf8))
        var out: [UInt8] = []
        h.finish(into: &out)
        return SHA256.hex(out)
    }

    @Test func nistVectors() {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(digest(String(repeating: "a", count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func resetAndIncrementalUpdatesAgree() {
        let h = SHA256()
        h.update(Array("a".utf8))
        h.reset()
        for chunk in ["ab", "c"] { h.update(Array(chunk.utf8)) }
        var out: [UInt8] = []
        h.finish(into: &out)
        #expect(SHA256.hex(out) == digest("abc"))
        // 55, 56 and 64 bytes straddle the padding boundary (values from Python's hashlib).
        #expect(digest(String(repeating: "x", count: 55)) == "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072")
        #expect(digest(String(repeating: "x", count: 56)) == "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e")
        #expect(digest(String(repeating: "x", count: 64)) == "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c")
    }
}
