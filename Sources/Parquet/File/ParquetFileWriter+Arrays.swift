/// Array conveniences over the buffer-pointer API (tests, small callers).
extension ParquetFileWriter {
    public func writeBooleans(column: Int, values: [Bool], defLevels: [UInt8]? = nil, repLevels: [UInt8]? = nil) throws {
        try values.withUnsafeBufferPointer { v in
            try withOptionalBuffers(defLevels, repLevels) { try writeBooleans(column: column, values: v, defLevels: $0, repLevels: $1) }
        }
    }

    public func writeInt32(column: Int, values: [Int32], defLevels: [UInt8]? = nil, repLevels: [UInt8]? = nil) throws {
        try values.withUnsafeBufferPointer { v in
            try withOptionalBuffers(defLevels, repLevels) { try writeInt32(column: column, values: v, defLevels: $0, repLevels: $1) }
        }
    }

    public func writeInt64(column: Int, values: [Int64], defLevels: [UInt8]? = nil, repLevels: [UInt8]? = nil) throws {
        try values.withUnsafeBufferPointer { v in
            try withOptionalBuffers(defLevels, repLevels) { try writeInt64(column: column, values: v, defLevels: $0, repLevels: $1) }
        }
    }

    public func writeDoubles(column: Int, values: [Double], defLevels: [UInt8]? = nil, repLevels: [UInt8]? = nil) throws {
        try values.withUnsafeBufferPointer { v in
            try withOptionalBuffers(defLevels, repLevels) { try writeDoubles(column: column, values: v, defLevels: $0, repLevels: $1) }
        }
    }

    public func writeByteArrays(
        column: Int, bytes: [UInt8], offsets: [UInt32], defLevels: [UInt8]? = nil, repLevels: [UInt8]? = nil
    ) throws {
        try bytes.withUnsafeBytes { b in
            try offsets.withUnsafeBufferPointer { o in
                try withOptionalBuffers(defLevels, repLevels) {
                    try writeByteArrays(column: column, bytes: b, offsets: o, defLevels: $0, repLevels: $1)
                }
            }
        }
    }

    /// Strings, for tests and small callers (hot paths should pass an arena).
    public func writeStrings(column: Int, values: [String], defLevels: [UInt8]? = nil, repLevels: [UInt8]? = nil) throws {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        for s in values {
            bytes.append(contentsOf: s.utf8)
            offsets.append(UInt32(bytes.count))
        }
        try writeByteArrays(column: column, bytes: bytes, offsets: offsets, defLevels: defLevels, repLevels: repLevels)
    }
}

private func withOptionalBuffers<R>(
    _ a: [UInt8]?, _ b: [UInt8]?, _ body: (UnsafeBufferPointer<UInt8>?, UnsafeBufferPointer<UInt8>?) throws -> R
) rethrows -> R {
    func inner(_ pa: UnsafeBufferPointer<UInt8>?) throws -> R {
        if let b { return try b.withUnsafeBufferPointer { try body(pa, $0) } }
        return try body(pa, nil)
    }
    if let a { return try a.withUnsafeBufferPointer { try inner($0) } }
    return try inner(nil)
}
