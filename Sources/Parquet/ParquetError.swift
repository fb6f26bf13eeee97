/// Every failure of the Parquet module: what went wrong and where (byte offset, column, page).
public struct ParquetError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The caller passed inconsistent data (level counts, column types, schema shape).
        case invalidArgument
        /// An I/O call failed.
        case io
        /// The file is not valid Parquet: truncated, corrupt, or a length that does not fit.
        case corrupt
        /// The file uses a feature this module does not read (e.g. DELTA encodings, LZ4).
        case unsupported
        /// A codec failed to compress or decompress.
        case codec
    }

    public let kind: Kind
    public let message: String
    /// The system call's error number, for `.io` errors that have one.
    public let errno: Int32?

    public init(_ kind: Kind, _ message: String, errno: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.errno = errno
    }

    public var description: String {
        switch kind {
        case .invalidArgument: "parquet: invalid argument: \(message)"
        case .io: "parquet: I/O error: \(message)"
        case .corrupt: "parquet: corrupt file: \(message)"
        case .unsupported: "parquet: unsupported: \(message)"
        case .codec: "parquet: codec error: \(message)"
        }
    }

    static func corrupt(_ message: String) -> ParquetError { ParquetError(.corrupt, message) }
    static func invalid(_ message: String) -> ParquetError { ParquetError(.invalidArgument, message) }
}
