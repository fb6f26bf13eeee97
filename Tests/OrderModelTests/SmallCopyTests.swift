import ByteStorage
import Testing

@Suite struct SmallCopyTests {
    /// Every length from 0 to 70 (each branch of `copyBytes` and its edges: 3/4, 7/8, 15/16,
    /// 32/33), from and to every alignment within a word: the copy equals the source and the
    /// bytes around the destination are untouched.
    @Test func copiesExactlyTheBytesAsked() {
        let source = (0..<128).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for n in 0...70 {
            for srcAt in 0..<8 {
                for dstAt in 0..<8 {
                    var dst = [UInt8](repeating: 0xEE, count: 100)
                    source.withUnsafeBytes { s in
                        dst.withUnsafeMutableBytes { d in copyBytes(d.baseAddress! + 8 + dstAt, s.baseAddress! + srcAt, n) }
                    }
                    let start = 8 + dstAt
                    #expect(Array(dst[start..<(start + n)]) == Array(source[srcAt..<(srcAt + n)]), "n \(n)")
                    #expect(dst[0..<start].allSatisfy { $0 == 0xEE } && dst[(start + n)...].allSatisfy { $0 == 0xEE }, "n \(n)")
                }
            }
        }
    }
}
