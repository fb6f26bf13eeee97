extension Column {
    /// Adds `n` elements to the list or map row being built in one go, as `n` calls of
    /// `appendElement(utf8:key:)` would: element `i`'s value is `values[valueEnd(i - 1)..<valueEnd(i)]`
    /// (from 0), and for a map its key is `key(i)`. For a writer whose values already sit back
    /// to back in one buffer (fulfillment's plan reasons, ~8 per child order): each array grows
    /// once, where element by element every value and key paid a generic `Array.append`.
    public mutating func appendElements(_ n: Int, values: UnsafeRawBufferPointer, valueEnd: (Int) -> Int,
                                        key: (Int) -> UnsafeRawBufferPointer) {
        precondition(kind == .stringList || kind == .stringMap, "appendElements on a \(kind) column")
        guard n > 0 else { return }
        let b0 = bytes.count
        bytes.append(values)
        let o0 = offsets.count
        offsets.append(contentsOf: repeatElement(0, count: n))
        offsets.withUnsafeMutableBufferPointer { o in
            for i in 0..<n { o[o0 + i] = UInt32(b0 + valueEnd(i)) }
        }
        guard kind == .stringMap else { return }
        var total = 0
        for i in 0..<n { total += key(i).count }
        let k0 = keyBytes.count, ko0 = keyOffsets.count
        // The arena's new tail (`total` bytes from `k0`).
        let kb = UnsafeMutableRawPointer(keyBytes.appendZeros(total) - k0)
        keyOffsets.append(contentsOf: repeatElement(0, count: n))
        keyOffsets.withUnsafeMutableBufferPointer { ko in
            var at = k0
            for i in 0..<n {
                let k = key(i)
                // Room for every key was made above (`total`).
                if let from = k.baseAddress, k.count > 0 { (kb + at).copyMemory(from: from, byteCount: k.count) }
                at += k.count
                ko[ko0 + i] = UInt32(at)
            }
        }
    }
}
