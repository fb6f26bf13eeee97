/// A fixed table of byte strings in one allocation that lives as long as the process.
///
/// Why not `[[UInt8]]`: reading an element of a global array of arrays retains and releases the
/// element's buffer, and in the generator's inner loops that reference counting cost more than
/// writing the bytes. A `ByteTable` is a trivial value (two pointers and a count), so reading
/// from it costs a load and nothing else.
struct ByteTable: @unchecked Sendable {
    private let base: UnsafePointer<UInt8>
    private let offsets: UnsafePointer<Int>
    let count: Int

    init(_ strings: [String]) {
        var all: [UInt8] = []
        var offs: [Int] = [0]
        for s in strings {
            all.append(contentsOf: s.utf8)
            offs.append(all.count)
        }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: max(all.count, 1))
        b.initialize(from: all, count: all.count)
        let o = UnsafeMutablePointer<Int>.allocate(capacity: offs.count)
        o.initialize(from: offs, count: offs.count)
        base = UnsafePointer(b)
        offsets = UnsafePointer(o)
        count = strings.count
    }

    /// The bytes of entry `i`.
    @inline(__always)
    subscript(i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + offsets[i], count: offsets[i + 1] - offsets[i])
    }

    /// A uniformly drawn entry.
    @inline(__always)
    func pick(_ rng: inout SampleRandom) -> UnsafeRawBufferPointer { self[rng.below(count)] }
}

/// A block of bytes that lives as long as the process (the comment text pool).
struct BytePool: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init(_ array: [UInt8]) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(array.count, 1), alignment: 1)
        array.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        bytes = UnsafeRawBufferPointer(start: p, count: array.count)
    }

    @inline(__always)
    subscript(start: Int, length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])
    }
}

/// Bytes of a string, copied once into memory that lives as long as the process: a trivial
/// value, so table rows holding it cost no reference counting.
func immortal(_ s: String) -> UnsafeRawBufferPointer {
    let bytes = Array(s.utf8)
    let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
    bytes.withUnsafeBytes { if $0.count > 0 { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
    return UnsafeRawBufferPointer(start: p, count: bytes.count)
}

extension ByteTable {
    /// No bytes.
    static var empty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
}

extension SampleRandom {
    /// A uniformly drawn entry of a byte table.
    @inline(__always)
    mutating func pick(_ t: ByteTable) -> UnsafeRawBufferPointer { t[below(t.count)] }
}
