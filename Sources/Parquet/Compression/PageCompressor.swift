import CCodecs

/// Compresses page bodies into one reusable output buffer per file writer (zstd's contexts are
/// per thread and level, in CCodecs).
final class PageCompressor {
    let codec: ParquetCompression
    let level: Int32
    /// Output of the last `compress` call; valid until the next call.
    private(set) var scratch: [UInt8] = []

    init(codec: ParquetCompression, level: Int32) throws {
        self.codec = codec
        self.level = level
    }

    /// The last small page compressed, its level and its compressed bytes. A file's null
    /// columns (most of a wide model's, in a given feed) each write a page of the same few
    /// bytes of levels: repeating the output skips zstd's per-call set-up, which for pages of
    /// a few bytes is all of its cost (about 2,700 instructions a page). zstd's output depends
    /// only on the input and the level, so the bytes are those a new call would produce.
    private var memoInput: [UInt8] = []
    private var memoOutput: [UInt8] = []
    private var memoLevel: Int32 = .min
    private static let memoMaxInput = 256

    /// Frees the output buffer (between row groups).
    func releaseScratch() { scratch = [] }

    /// Compresses `src` into `scratch` and returns the compressed size (codec != uncompressed);
    /// `level` replaces the writer's level for this call (zstd and gzip).
    func compress(_ src: UnsafeRawBufferPointer, level: Int32? = nil) throws -> Int {
        let level = level ?? self.level
        let n = src.count
        let bound: Int
        switch codec {
        case .uncompressed: bound = n
        case .zstd: bound = wb_zstd_bound(n)
        case .snappy: bound = wb_snappy_bound(n)
        case .gzip: bound = wb_gzip_bound(n)
        }
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let small = codec != .uncompressed && n <= Self.memoMaxInput
        if small && level == memoLevel && memoInput.count == n && memoInput.withUnsafeBytes({ $0.elementsEqual(src) }) {
            let k = memoOutput.count
            scratch.withUnsafeMutableBytes { dst in
                memoOutput.withUnsafeBytes { dst.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: k) }
            }
            return k
        }
        let base = src.baseAddress
        let produced: Int = scratch.withUnsafeMutableBytes { dst in
            switch codec {
            case .uncompressed:
                if n > 0 { dst.baseAddress!.copyMemory(from: base!, byteCount: n) }
                return n
            case .zstd: return wb_zstd_compress(dst.baseAddress, bound, base, n, level)
            case .snappy: return wb_snappy_compress(dst.baseAddress, bound, base, n)
            case .gzip: return wb_gzip_compress(dst.baseAddress, bound, base, n, level)
            }
        }
        // Every codec produces at least a frame header, so 0 can only mean failure.
        guard produced > 0 || (codec == .uncompressed) else {
            throw ParquetError(.codec, "\(codec.name) failed to compress a \(n)-byte page")
        }
        if small {
            memoInput.removeAll(keepingCapacity: true)
            memoInput.append(contentsOf: src)
            memoOutput.removeAll(keepingCapacity: true)
            memoOutput.append(contentsOf: scratch[0..<produced])
            memoLevel = level
        }
        return produced
    }

    /// Decompresses a page body whose uncompressed size is declared in its header.
    static func decompress(
        _ codec: ParquetCompression, _ src: UnsafeRawBufferPointer, expected: Int, where what: String
    ) throws -> [UInt8] {
        if codec == .uncompressed {
            guard src.count == expected else {
                throw ParquetError.corrupt("\(what): uncompressed page is \(src.count) bytes but declares \(expected)")
            }
            return Array(src)
        }
        var out = [UInt8](repeating: 0, count: expected)
        let r: Int = out.withUnsafeMutableBytes { dst in
            switch codec {
            case .zstd: return wb_zstd_decompress(dst.baseAddress, expected, src.baseAddress, src.count)
            case .snappy: return wb_snappy_decompress(dst.baseAddress, expected, src.baseAddress, src.count)
            case .gzip: return wb_gzip_decompress(dst.baseAddress, expected, src.baseAddress, src.count)
            case .uncompressed: return expected
            }
        }
        guard r == expected else {
            throw ParquetError.corrupt("\(what): \(codec.name) data does not decompress to the declared \(expected) bytes")
        }
        return out
    }
}
