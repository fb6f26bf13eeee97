import Foundation
import OrderModel
import Parquet

/// What `waybill inspect DIR` reports for one dataset folder: its partitions, files, rows and
/// bytes, and every way the folder differs from its manifest.
public struct DatasetInspection: Codable, Sendable {
    public struct Partition: Codable, Sendable {
        public var path: String
        public var files: Int
        public var rows: Int
        public var bytes: Int
    }

    public var path: String
    public var dataset: String?
    public var schemaVersion: String?
    public var batchId: String?
    public var partitionKeys: [DatasetManifest.Key]
    public var partitions: [Partition]
    public var files: Int
    public var rows: Int
    public var bytes: Int
    public var hasSuccessMarker: Bool
    /// One line per difference: `missing: <file>`, `extra: <file>`, `changed: <file> (...)`.
    public var problems: [String]

    enum CodingKeys: String, CodingKey {
        case path, dataset, partitions, files, rows, bytes, problems
        case schemaVersion = "schema_version"
        case batchId = "batch_id"
        case partitionKeys = "partition_keys"
        case hasSuccessMarker = "success_marker"
    }

    public var isConsistent: Bool { problems.isEmpty }
}

/// Checks dataset folders against their manifests.
public enum DatasetInspector {
    /// Files at most this big are parsed to check their row counts against the manifest.
    static let footerCheckLimit = 256 << 20

    /// Inspects `path`: a dataset folder (with a manifest or Parquet files), or an output
    /// folder holding several. Throws `inputNotFound` (66) when there is nothing to inspect.
    public static func inspect(path: String) throws(WaybillError) -> [DatasetInspection] {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard FileOps.isDirectory(p) else { throw .inputNotFound(path: p, reason: "not a directory") }
        if FileOps.exists(p + "/" + DatasetManifest.fileName) || !DatasetCommitter.dataFiles(under: p).isEmpty
            && !FileOps.list(p).contains(where: { FileOps.exists(p + "/" + $0 + "/" + DatasetManifest.fileName) })
        {
            return [try inspectDataset(p)]
        }
        let children = FileOps.list(p).filter {
            !$0.hasPrefix(".") && !$0.hasPrefix("_") && FileOps.exists(p + "/" + $0 + "/" + DatasetManifest.fileName)
        }
        guard !children.isEmpty else {
            throw .inputNotFound(path: p, reason: "no dataset here (no \(DatasetManifest.fileName) and no .parquet files)")
        }
        var out: [DatasetInspection] = []
        for c in children { out.append(try inspectDataset(p + "/" + c)) }
        return out
    }

    static func inspectDataset(_ root: String) throws(WaybillError) -> DatasetInspection {
        let manifest = try DatasetManifest.read(root + "/" + DatasetManifest.fileName)
        let onDisk = DatasetCommitter.dataFiles(under: root)
        var problems: [String] = []
        var partitions: [String: DatasetInspection.Partition] = [:]
        var rows = 0
        var bytes = 0
        let listed = Dictionary((manifest?.files ?? []).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        if manifest == nil { problems.append("no manifest: \(DatasetManifest.fileName) is missing") }
        for rel in onDisk {
            let dir = FileOps.dirname(rel) == "." ? "" : FileOps.dirname(rel)
            let size = FileOps.fileSize(root + "/" + rel) ?? 0
            var fileRows = 0
            if let entry = listed[rel] {
                fileRows = entry.rows
                let (crc, actualRows, error) = check(root + "/" + rel, size: size)
                if let error { problems.append("changed: \(rel) (\(error))") }
                if size != entry.bytes {
                    problems.append("changed: \(rel) (\(size) bytes on disk, manifest says \(entry.bytes))")
                } else if let crc, DatasetManifest.crcText(crc) != entry.crc32 {
                    problems.append("changed: \(rel) (crc32 \(DatasetManifest.crcText(crc)), manifest says \(entry.crc32))")
                }
                if let actualRows, actualRows != entry.rows {
                    problems.append("changed: \(rel) (\(actualRows) rows in the footer, manifest says \(entry.rows))")
                }
            } else {
                if manifest != nil { problems.append("extra: \(rel) (not in the manifest)") }
                fileRows = check(root + "/" + rel, size: size).rows ?? 0
            }
            rows += fileRows
            bytes += size
            partitions[dir, default: .init(path: dir, files: 0, rows: 0, bytes: 0)].files += 1
            partitions[dir]!.rows += fileRows
            partitions[dir]!.bytes += size
        }
        let present = Set(onDisk)
        for f in manifest?.files ?? [] where !present.contains(f.path) {
            problems.append("missing: \(f.path) (\(f.rows) rows, \(f.bytes) bytes)")
        }
        let success = FileOps.exists(root + "/" + DatasetManifest.successFileName)
        if manifest != nil && !success { problems.append("no _SUCCESS marker: the last commit did not finish") }
        return DatasetInspection(path: root, dataset: manifest?.dataset, schemaVersion: manifest?.schemaVersion,
            batchId: manifest?.batchId, partitionKeys: manifest?.partitionKeys ?? [],
            partitions: partitions.values.sorted { $0.path < $1.path }, files: onDisk.count, rows: rows, bytes: bytes,
            hasSuccessMarker: success, problems: problems)
    }

    /// CRC-32 of a file and, when small enough to parse, its footer's row count.
    private static func check(_ path: String, size: Int) -> (crc: UInt32?, rows: Int?, error: String?) {
        if size > footerCheckLimit {
            return ((try? FileOps.crc32(of: path))?.crc, nil, nil)
        }
        guard let bytes = FileOps.readFile(path) else { return (nil, nil, "unreadable") }
        let crc = bytes.withUnsafeBytes { wbCRC32($0) }
        do {
            let reader = try ParquetFileReader(bytes: bytes, source: path)
            return (crc, Int(reader.metadata.numRows), nil)
        } catch {
            return (crc, nil, "not a valid Parquet file: \(error)")
        }
    }

    /// The inspection as text, one block per dataset.
    public static func render(_ results: [DatasetInspection]) -> String {
        var s = ""
        for r in results {
            s += "dataset \(r.dataset ?? "?") at \(r.path)\n"
            s += "  schema_version: \(r.schemaVersion ?? "-")  last batch: \(r.batchId ?? "-")  _SUCCESS: \(r.hasSuccessMarker ? "yes" : "no")\n"
            let keys = r.partitionKeys.map { "\($0.name) \($0.type) (\($0.spec))" }
            s += "  partition keys: \(keys.isEmpty ? "none" : keys.joined(separator: ", "))\n"
            s += "  \(r.partitions.count) partitions, \(r.files) files, \(r.rows) rows, \(r.bytes) bytes\n"
            let shown = r.partitions.prefix(50)
            for p in shown {
                s += "    \(p.path.isEmpty ? "." : p.path)  files=\(p.files) rows=\(p.rows) bytes=\(p.bytes)\n"
            }
            if r.partitions.count > shown.count { s += "    ... \(r.partitions.count - shown.count) more partitions\n" }
            if r.problems.isEmpty {
                s += "  manifest check: OK (every file present, sizes and crc32 match)\n"
            } else {
                s += "  manifest check: \(r.problems.count) problem(s)\n"
                for p in r.problems { s += "    \(p)\n" }
            }
        }
        return s
    }

    public static func renderJSON(_ results: [DatasetInspection]) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? enc.encode(results)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
