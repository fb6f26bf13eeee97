#if canImport(Glibc)
import Glibc
#endif

/// The errors that end a stage, each with the exit code it maps to (sysexits, design.md
/// section 2) and a one-line message naming what and where.
public enum WaybillError: Error, Sendable, CustomStringConvertible {
    /// 64: bad command line.
    case usage(String)
    /// 65: data error past a threshold (the books, a reject rate).
    case data(String)
    /// 66: an input that does not exist or cannot be read.
    case inputNotFound(path: String, reason: String)
    /// 73: cannot create an output.
    case cannotCreate(path: String, errno: Int32)
    /// 74: I/O error while reading or writing.
    case io(path: String, errno: Int32)
    /// 78: bad configuration (profile, pipeline, rules), naming file, line and column.
    case config(file: String, line: Int, column: Int, message: String)
    /// The reader of stdout went away (`| head`): not an error, exit 0.
    case brokenPipe

    public var exitCode: Int32 {
        switch self {
        case .usage: return 64
        case .data: return 65
        case .inputNotFound: return 66
        case .cannotCreate: return 73
        case .io: return 74
        case .config: return 78
        case .brokenPipe: return 0
        }
    }

    public var description: String {
        switch self {
        case .usage(let m): return m
        case .data(let m): return m
        case .inputNotFound(let p, let r): return "\(p): \(r)"
        case .cannotCreate(let p, let e): return "\(p): cannot create: \(String(cString: strerror(e)))"
        case .io(let p, let e): return "\(p): I/O error: \(String(cString: strerror(e)))"
        case .config(let f, let l, let c, let m): return l > 0 ? "\(f):\(l):\(c): \(m)" : "\(f): \(m)"
        case .brokenPipe: return "broken pipe"
        }
    }
}
