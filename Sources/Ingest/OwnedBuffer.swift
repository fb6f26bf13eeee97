extension UnsafeMutableBufferPointer {
    /// A copy of `elements` in memory of its own, which the caller frees with `deallocate()`
    /// (elements of trivial types only: they are not deinitialised). For lists that are fixed
    /// once built and read on every record: a loop reads them through the pointer, where
    /// reading an array stored in a class retains and releases its buffer on each access.
    static func copy(of elements: [Element]) -> Self {
        let b = allocate(capacity: elements.count)
        _ = b.initialize(from: elements)
        return b
    }
}
