/// Builds `<prefix><key>` for ext map keys in one buffer whose prefix is written once, so the
/// per-member path copies only the key (no array appends, no uniqueness or exclusivity checks
/// on a growable array).
final class PrefixedKey {
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private let prefixLength: Int

    init(prefix: [UInt8]) {
        prefixLength = prefix.count
        capacity = max(256, prefix.count * 2)
        buffer = .allocate(byteCount: capacity, alignment: 1)
        prefix.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    deinit { buffer.deallocate() }

    /// The prefix followed by `key`; valid until the next call.
    @inline(__always)
    func with(_ key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let need = prefixLength + key.count
        if need > capacity { grow(need) }
        if key.count > 0 { (buffer + prefixLength).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        return UnsafeRawBufferPointer(start: buffer, count: need)
    }

    private func grow(_ need: Int) {
        let n = UnsafeMutableRawPointer.allocate(byteCount: need * 2, alignment: 1)
        n.copyMemory(from: buffer, byteCount: prefixLength)
        buffer.deallocate()
        buffer = n
        capacity = need * 2
    }
}
