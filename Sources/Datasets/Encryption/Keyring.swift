#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import OrderModel

/// One AES-256 key and the id written next to the columns it encrypts. `SymmetricKey` is an
/// immutable value that swift-crypto does not mark Sendable; sharing it across threads is safe.
public struct ColumnKey: @unchecked Sendable {
    public let id: String
    let key: SymmetricKey

    /// `bytes` must be 32 bytes (AES-256).
    public init(id: String, bytes: [UInt8]) throws(WaybillError) {
        guard Keyring.isValidId(id) else {
            throw .usage("key id '\(id)': use 1-64 letters, digits, '-', '_' or '.'")
        }
        guard bytes.count == 32 else { throw .usage("key '\(id)' has \(bytes.count) bytes, AES-256 needs 32") }
        self.id = id
        key = SymmetricKey(data: bytes)
    }

    /// A fresh random key (tests, and the documented way to make a key file).
    public static func random(id: String) throws(WaybillError) -> ColumnKey {
        let k = SymmetricKey(size: .bits256)
        return try ColumnKey(id: id, bytes: k.withUnsafeBytes { Array($0) })
    }

    /// The key as a key-file line: `<id> <base64>`.
    public var keyFileLine: String {
        id + " " + key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
    }
}

/// The keys a run may use: the first encrypts, every one decrypts (so a key file can carry an
/// old key next to the new one during a rotation).
///
/// Key file format (docs/encryption.md): UTF-8 text, one key per line as `<key-id> <base64 of
/// 32 bytes>`, blank lines and `#` comments ignored. The file must not be readable by group or
/// others (mode 0600 or 0400). Keys never come from a command-line value or a pipeline file:
/// only from a key file or the `WAYBILL_KEY` (base64) / `WAYBILL_KEY_ID` environment variables.
public struct Keyring: Sendable {
    public let keys: [ColumnKey]
    /// Where the keys came from (a path, or `$WAYBILL_KEY`), for messages.
    public let source: String

    public init(keys: [ColumnKey], source: String) {
        precondition(!keys.isEmpty, "a keyring needs a key")
        self.keys = keys
        self.source = source
    }

    /// The key that encrypts.
    public var active: ColumnKey { keys[0] }

    public func key(id: String) -> ColumnKey? { keys.first { $0.id == id } }

    public static let environmentKey = "WAYBILL_KEY"
    public static let environmentKeyId = "WAYBILL_KEY_ID"
    public static let defaultEnvironmentKeyId = "default"

    /// Reads a key file after checking that only its owner can read it (78 otherwise).
    public static func load(file path: String) throws(WaybillError) -> Keyring {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .inputNotFound(path: path, reason: "key file not found") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .config(file: path, line: 0, column: 0, message: "key file is not a regular file") }
        guard st.st_mode & 0o077 == 0 else {
            throw .config(file: path, line: 0, column: 0, message: String(format:
                "key file mode %04o lets group or others read it; chmod 600 it", Int(st.st_mode & 0o7777)))
        }
        guard let bytes = FileOps.readFile(path) else { throw .io(path: path, errno: errno) }
        return try parse(String(decoding: bytes, as: UTF8.self), source: path)
    }

    /// Parses key-file text; errors name the line (never echo the key).
    public static func parse(_ text: String, source: String) throws(WaybillError) -> Keyring {
        var keys: [ColumnKey] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, let data = Data(base64Encoded: String(parts[1])) else {
                throw .config(file: source, line: n + 1, column: 1, message: "expected '<key-id> <base64 of 32 bytes>'")
            }
            let id = String(parts[0])
            guard !keys.contains(where: { $0.id == id }) else {
                throw .config(file: source, line: n + 1, column: 1, message: "key id '\(id)' appears twice")
            }
            do {
                keys.append(try ColumnKey(id: id, bytes: Array(data)))
            } catch {
                throw .config(file: source, line: n + 1, column: 1, message: error.description)
            }
        }
        guard !keys.isEmpty else { throw .config(file: source, line: 0, column: 0, message: "no key in the key file") }
        return Keyring(keys: keys, source: source)
    }

    /// The key of `WAYBILL_KEY` (base64) with id `WAYBILL_KEY_ID` (default `default`); nil when unset.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(WaybillError) -> Keyring? {
        guard let b64 = env[environmentKey], !b64.isEmpty else { return nil }
        let source = "$" + environmentKey
        guard let data = Data(base64Encoded: b64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .config(file: source, line: 0, column: 0, message: "not base64")
        }
        do {
            return Keyring(keys: [try ColumnKey(id: env[environmentKeyId] ?? defaultEnvironmentKeyId, bytes: Array(data))], source: source)
        } catch {
            throw .config(file: source, line: 0, column: 0, message: error.description)
        }
    }

    static func isValidId(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
        }
    }
}
