/// Hive partition folder names, escaped the way Spark writes them, so that every reader that
/// understands Hive layouts (Spark, DuckDB, pyarrow, polars, Trino) decodes the same value.
///
/// The rule is Spark's `ExternalCatalogUtils.escapePathName` (itself Hive's `FileUtils`):
/// `%` plus two uppercase hex digits for the ASCII control characters, DEL and
/// `" # % ' * / : = ? \ { [ ] ^`. We also escape the space, as DuckDB does, because
/// shell scripts and some object stores mangle it; every reader decodes `%20`. Bytes of
/// non-ASCII UTF-8 stay raw: Spark's unescaper turns each `%XX` into one UTF-16 unit, so an
/// escaped `é` would read back as mojibake there.
public enum HivePath {
    /// The folder value Hive and Spark use for null and for the empty string.
    public static let defaultPartition = "__HIVE_DEFAULT_PARTITION__"

    /// Longest escaped `key=value` folder name we create; most filesystems stop at 255 bytes.
    public static let maxComponentBytes = 255

    /// 128 flags, one per ASCII code: whether that byte must be escaped.
    private static let escapeTable: [Bool] = {
        var t = [Bool](repeating: false, count: 128)
        for c in 0..<0x20 { t[c] = true }
        for c in "\"#%'*/:=?\\{[]^ ".utf8 { t[Int(c)] = true }
        t[0x7F] = true
        return t
    }()

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Whether byte `b` is escaped in a folder name.
    public static func needsEscape(_ b: UInt8) -> Bool { b < 0x80 && escapeTable[Int(b)] }

    /// Appends `value` escaped; an empty value becomes the default partition name.
    public static func appendEscaped(_ value: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        if value.isEmpty {
            out.append(contentsOf: defaultPartition.utf8)
            return
        }
        for b in value {
            if needsEscape(b) {
                out.append(0x25)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            } else {
                out.append(b)
            }
        }
    }

    /// `value` escaped (nil and empty become the default partition). Allocates: not for hot paths.
    public static func escape(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return defaultPartition }
        var out: [UInt8] = []
        var v = value
        v.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The inverse of `escape`: `%XX` (either case) becomes byte XX; the default partition
    /// name becomes nil. A `%` not followed by two hex digits is kept as is, as Spark does.
    public static func unescape(_ text: Substring) -> String? {
        if text == defaultPartition { return nil }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count,
                let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2])
            {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// Splits a relative partition path (`k1=v1/k2=v2`) into unescaped (key, value) pairs, or
    /// nil when a component is not `key=value`.
    public static func parse(relativeDirectory path: String) -> [(key: String, value: String?)]? {
        if path.isEmpty { return [] }
        var result: [(String, String?)] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let eq = component.firstIndex(of: "=") else { return nil }
            let key = unescape(component[..<eq]) ?? HivePath.defaultPartition
            result.append((key, unescape(component[component.index(after: eq)...])))
        }
        return result
    }
}
