/// The current values of a record's (or item's) source fields, by slot: pointers into the
/// reader's buffers, valid while the record is being mapped. An empty value counts as absent.
struct SlotValues {
    private(set) var start: [UnsafeRawPointer?]
    private(set) var length: [Int]

    init(count: Int) {
        start = Array(repeating: nil, count: count)
        length = Array(repeating: 0, count: count)
    }

    @inline(__always)
    mutating func set(_ slot: Int, _ bytes: UnsafeRawBufferPointer) {
        start[slot] = bytes.baseAddress
        length[slot] = bytes.count
    }

    @inline(__always)
    mutating func clear() {
        for i in length.indices { length[i] = 0 }
    }

    @inline(__always)
    func isPresent(_ slot: Int) -> Bool { length[slot] > 0 }

    @inline(__always)
    func value(_ slot: Int) -> UnsafeRawBufferPointer? {
        let n = length[slot]
        return n > 0 ? UnsafeRawBufferPointer(start: start[slot], count: n) : nil
    }
}

/// Why a record could not be mapped: becomes a reject.
struct MapFailure: Error {
    var code: String
    var reason: String
    var field: String?
}

extension UnsafeRawBufferPointer {
    /// Byte equality with another buffer.
    @inline(__always)
    func bytesEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return memcmp(baseAddress!, other.baseAddress!, count) == 0
    }

    /// The bytes as text for messages, shortened.
    func quoted(max: Int = 80) -> String {
        let s = String(decoding: prefix(max), as: UTF8.self)
        return "\"" + s + (count > max ? "…" : "") + "\""
    }
}

#if canImport(Glibc)
import Glibc
#endif
