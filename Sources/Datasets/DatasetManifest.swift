import Foundation
import OrderModel

/// `_waybill_manifest.json`: what a dataset folder holds, written last by every commit.
///
/// It lists every data file the writer has committed (cumulative across appends), with its
/// rows, bytes and CRC-32, so `waybill inspect` can tell a complete dataset from one that
/// lost, gained or changed files, and consumers can read the partition schema from it.
public struct DatasetManifest: Codable, Sendable, Equatable {
    public static let fileName = "_waybill_manifest.json"
    public static let successFileName = "_SUCCESS"

    public struct Key: Codable, Sendable, Equatable {
        /// Folder key.
        public var name: String
        /// The `--partition-by` spec it came from (`month(order_date)`).
        public var spec: String
        /// SQL type for readers (`DATE`, `VARCHAR`, `INTEGER`, ...).
        public var type: String
    }

    public struct File: Codable, Sendable, Equatable {
        /// Path relative to the dataset folder.
        public var path: String
        /// Partition values by key (null for the default partition).
        public var partition: [String: String?]
        public var rows: Int
        public var bytes: Int
        /// CRC-32 (zlib polynomial) of the whole file, 8 lowercase hex digits.
        public var crc32: String
        public var batchId: String
        public var compression: String

        enum CodingKeys: String, CodingKey {
            case path, partition, rows, bytes, crc32, compression
            case batchId = "batch_id"
        }
    }

    public var format = "waybill-dataset-manifest"
    public var manifestVersion = 1
    public var dataset: String
    public var schemaVersion: String
    public var partitionKeys: [Key]
    /// The batch of the last commit.
    public var batchId: String
    /// UTC, ISO 8601.
    public var committedAt: String
    public var files: [File]

    enum CodingKeys: String, CodingKey {
        case format, dataset, files
        case manifestVersion = "manifest_version"
        case schemaVersion = "schema_version"
        case partitionKeys = "partition_keys"
        case batchId = "batch_id"
        case committedAt = "committed_at"
    }

    public var totalRows: Int { files.reduce(0) { $0 + $1.rows } }
    public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes } }

    public func encoded() -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and integers cannot fail.
        return Array((try? enc.encode(self)) ?? Data()) + [0x0A]
    }

    /// Reads a manifest; nil when the file does not exist, an error when it is not one.
    public static func read(_ path: String) throws(WaybillError) -> DatasetManifest? {
        guard let bytes = FileOps.readFile(path) else { return nil }
        let manifest: DatasetManifest
        do {
            manifest = try JSONDecoder().decode(DatasetManifest.self, from: Data(bytes))
        } catch {
            throw .data("\(path): not a valid waybill manifest (\(error))")
        }
        if let problem = manifest.problem { throw .data("\(path): not a valid waybill manifest: \(problem)") }
        return manifest
    }

    /// What makes a decoded manifest unusable, or nil. Every commit carries the entries
    /// forward and compaction and tiering delete the files they name, so a damaged or edited
    /// entry must stop them: a path outside the dataset folder (`../`, absolute) would be read
    /// or deleted there, a file named twice counted twice, a negative count summed.
    var problem: String? {
        var seen = Set<String>()
        for (i, f) in files.enumerated() {
            let parts = f.path.split(separator: "/", omittingEmptySubsequences: false)
            if f.path.isEmpty || f.path.hasPrefix("/") || parts.contains("..") || parts.contains("") || parts.contains(".") {
                return "files[\(i)].path '\(f.path)' is not a path inside the dataset folder"
            }
            if !seen.insert(f.path).inserted { return "files[\(i)].path '\(f.path)' is listed twice" }
            if f.rows < 0 || f.bytes < 0 { return "files[\(i)] ('\(f.path)') has a negative row or byte count" }
        }
        return nil
    }

    /// The error for output folder `folder` holding no dataset `name` (exit 66). When `folder`
    /// is itself a dataset (`out/orders` given where `out` is meant), the reason says so.
    public static func missing(in folder: String, dataset name: String) -> WaybillError {
        var reason = "no waybill dataset manifest"
        if FileOps.exists(folder + "/" + fileName) {
            let parent = folder.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            reason += "; \(folder) is itself a dataset folder: give the output folder that holds orders/ and "
                + "order_lines/ (\(parent.isEmpty ? (folder.hasPrefix("/") ? "/" : ".") : parent))"
        }
        return .inputNotFound(path: folder + "/" + name + "/" + fileName, reason: reason)
    }

    static func crcText(_ crc: UInt32) -> String {
        let s = String(crc, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    /// The current time, RFC 3339 in UTC to the second (`2026-11-29T19:04:43Z`). Formatted by
    /// `CivilTime`: Foundation's `ISO8601DateFormatter` loaded the system's time zone files
    /// first, about 5 ms of every commit.
    static func now() -> String {
        CivilTime.timestampString(micros: Int64(time(nil)) * CivilTime.microsPerSecond)
    }
}
