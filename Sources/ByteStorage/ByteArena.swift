/// Variable-length values laid back to back (a batch column's strings, `Column.bytes`; a
/// Parquet dictionary's entries): a growable byte buffer with value semantics (copy on write),
/// like `[UInt8]`. A module of its own so that both the order model and the Parquet writer,
/// which do not depend on each other, use it.
///
/// Why not `[UInt8]`: appending one field's bytes is the hottest write of every stage that
/// builds a batch, and `Array.append(contentsOf:)` of a buffer pointer does not inline; it
/// resolves to a generic specialization exported by another library, some 70-100
/// instructions a call before the copy (callgrind, TPC-H 0.01 flat run: 3.6% of all
/// instructions, more than the mapping around it). Here an append is a uniqueness check, a
/// capacity check and a `memcpy`, all inlined. No package or stdlib type offers an appendable
/// byte buffer with that cost (`Data` and `ByteBuffer` from NIO pay more per append, and NIO
/// would be a dependency for one type).
///
/// It is a `RandomAccessCollection` of bytes, so reading code can index, slice and iterate it
/// as it did the array; hot readers use `withUnsafeBytes` / `withUnsafeBufferPointer`.
public struct ByteArena: Sendable {
    /// The allocation. Shared between copies until one of them writes (`reserveTail`).
    @usableFromInline final class Storage: @unchecked Sendable {
        @usableFromInline var base: UnsafeMutablePointer<UInt8>?
        @usableFromInline var capacity: Int

        @usableFromInline init(capacity: Int) {
            self.base = capacity > 0 ? .allocate(capacity: capacity) : nil
            self.capacity = capacity
        }

        deinit { base?.deallocate() }
    }

    /// One empty storage for every empty arena: a column that never holds a string (most of
    /// a batch's ~120) allocates nothing.
    @usableFromInline static let empty = Storage(capacity: 0)

    @usableFromInline var storage: Storage
    /// Bytes held (the allocation may be larger).
    @usableFromInline var used: Int

    @inlinable public var count: Int { used }

    @inlinable public init() {
        storage = Self.empty
        used = 0
    }

    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        self.init()
        append(contentsOf: bytes)
    }

    @inlinable public var capacity: Int { storage.capacity }

    // MARK: Writing

    /// Makes `storage` this value's own with room for `extra` more bytes: the slow path of
    /// every write (first write after a copy, or growth). Grows geometrically.
    @usableFromInline mutating func reserveSlow(_ extra: Int) {
        let need = count + extra
        let cap = isKnownUniquelyReferenced(&storage) && need <= storage.capacity
            ? storage.capacity : Swift.max(need, storage.capacity * 2, 64)
        let fresh = Storage(capacity: cap)
        if count > 0, let from = storage.base { fresh.base!.update(from: from, count: count) }
        storage = fresh
    }

    /// Room for `extra` more bytes in storage this value owns alone; returns where they go.
    @inlinable @inline(__always)
    mutating func reserveTail(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(!isKnownUniquelyReferenced(&storage) || count + extra > storage.capacity) { reserveSlow(extra) }
        return storage.base! + count
    }

    /// Appends the bytes of a buffer.
    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0 else { return }
        copyBytes(UnsafeMutableRawPointer(reserveTail(n)), bytes.baseAddress!, n)
        used += n
    }

    /// Appends one byte.
    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserveTail(1).pointee = byte
        used += 1
    }

    /// Appends a sequence of bytes (one copy when it has contiguous storage, such as a native
    /// string's UTF-8 view or an array).
    public mutating func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { append(UnsafeRawBufferPointer($0)) }
        if done == nil { for b in bytes { append(b) } }
    }

    /// Appends `n` zero bytes and returns where they start, for a caller that fills them in
    /// place (bulk copies that size their output first).
    @inlinable
    public mutating func appendZeros(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        let to = reserveTail(n)
        to.initialize(repeating: 0, count: n)
        used += n
        return to
    }

    public mutating func reserveCapacity(_ n: Int) {
        if n > count { _ = reserveTail(n - count) }
    }

    /// Drops the last `n` bytes.
    public mutating func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= count, "removeLast(\(n)) of \(count) bytes")
        used -= n
    }

    /// Empties the arena. `keepingCapacity`: as `Array`'s, the room stays (the same
    /// allocation when this value owns it alone, else a new one of the same size).
    public mutating func removeAll(keepingCapacity keep: Bool = false) {
        if !keep {
            storage = Self.empty
        } else if !isKnownUniquelyReferenced(&storage) {
            storage = Storage(capacity: storage.capacity)
        }
        used = 0
    }

    // MARK: Reading

    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: count))
    }

    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: count))
    }
}

extension ByteArena: RandomAccessCollection {
    public typealias Index = Int
    public typealias SubSequence = Slice<ByteArena>
    public typealias Indices = Range<Int>

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable public subscript(i: Int) -> UInt8 {
        precondition(i >= 0 && i < count, "index \(i) of \(count) bytes")
        return storage.base![i]
    }

    @inlinable public subscript(bounds: Range<Int>) -> Slice<ByteArena> {
        precondition(bounds.lowerBound >= 0 && bounds.upperBound <= count, "bytes \(bounds) of \(count)")
        return Slice(base: self, bounds: bounds)
    }

    @inlinable
    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try withUnsafeBufferPointer(body)
    }
}

extension ByteArena: Equatable {
    public static func == (a: ByteArena, b: ByteArena) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }
}

extension ByteArena: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: UInt8...) { self.init(elements) }
}

extension Slice where Base == ByteArena {
    /// The slice's bytes as a buffer (valid inside `body` only), as for an array slice.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try base.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[startIndex..<endIndex])) }
    }
}

/// A run of bytes inside an arena, such as one string value of a column
/// (`column.bytes[column.range(row)]`).
public typealias ByteSlice = Slice<ByteArena>

extension Slice where Base == ByteArena {
    /// No bytes.
    @inlinable public static var empty: ByteSlice { ByteArena()[0..<0] }

    /// The UTF-8 bytes of `text` as a slice (constants compared with column values).
    public init(utf8 text: String) { self = ByteArena(text.utf8)[...] }
}
