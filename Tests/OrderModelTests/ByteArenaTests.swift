import Testing
import ByteStorage

@Suite struct ByteArenaTests {
    private func append(_ s: String, to a: inout ByteArena) {
        var s = s
        s.withUTF8 { a.append(UnsafeRawBufferPointer($0)) }
    }

    private func text(_ a: ByteArena) -> String { String(decoding: a, as: UTF8.self) }

    @Test func appendsGrowPastEveryCapacityAndKeepTheBytes() {
        var a = ByteArena()
        #expect(a.isEmpty && a.capacity == 0)
        var expected: [UInt8] = []
        for i in 0..<5_000 {
            let piece = "v\(i),"
            append(piece, to: &a)
            expected.append(contentsOf: piece.utf8)
        }
        a.append(UInt8(ascii: "!"))
        expected.append(UInt8(ascii: "!"))
        #expect(a.count == expected.count)
        #expect(a.capacity >= a.count)
        #expect(Array(a) == expected)
        #expect(a[3..<6].elementsEqual(expected[3..<6]))
        a.withUnsafeBytes { #expect($0.elementsEqual(expected)) }
    }

    @Test func aCopyIsUnchangedByWritesToTheOriginal() {
        var a = ByteArena("shared".utf8)
        let b = a  // shares the allocation until a writes
        append("+more", to: &a)
        #expect(text(a) == "shared+more")
        #expect(text(b) == "shared")
        var c = a
        c.removeLast(5)
        append("!", to: &c)  // c's first write after the copy: a keeps its bytes
        #expect(text(c) == "shared!")
        #expect(text(a) == "shared+more")
        _ = c.appendZeros(2)
        #expect(Array(c.suffix(2)) == [0, 0])
        #expect(text(a) == "shared+more")
    }

    @Test func removeAllKeepsTheRoomAndLeavesCopiesAlone() {
        var a = ByteArena("abcdef".utf8)
        let cap = a.capacity
        a.removeAll(keepingCapacity: true)
        #expect(a.isEmpty && a.capacity == cap)
        append("xy", to: &a)
        let b = a
        a.removeAll(keepingCapacity: true)  // shared with b: a new allocation of the same room
        #expect(a.isEmpty && a.capacity == cap)
        append("z", to: &a)
        #expect(text(a) == "z")
        #expect(text(b) == "xy")
        a.removeAll()
        #expect(a.capacity == 0)
    }

    @Test func appendZerosReturnsTheNewTailToFill() {
        var a = ByteArena("ab".utf8)
        let p = a.appendZeros(3)
        p[0] = UInt8(ascii: "c"); p[2] = UInt8(ascii: "e")
        #expect(Array(a) == [0x61, 0x62, 0x63, 0, 0x65])
        a.reserveCapacity(1_000)
        #expect(a.capacity >= 1_000 && a.count == 5)
        #expect(a == ByteArena([0x61, 0x62, 0x63, 0, 0x65]))
        #expect(a != ByteArena("abc".utf8))
    }

    @Test func slicesReadTheirBytes() {
        let a = ByteArena("hello world".utf8)
        let s = a[6..<11]
        #expect(String(decoding: s, as: UTF8.self) == "world")
        s.withUnsafeBytes { #expect($0.elementsEqual("world".utf8)) }
        #expect(ByteSlice.empty.isEmpty)
        #expect(ByteSlice(utf8: "cold").elementsEqual("cold".utf8))
    }
}
