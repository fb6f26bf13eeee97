import OrderModel

/// Options of a dataset re-encryption: `waybill rekey` (in place, to a new key) and
/// `waybill decrypt` (to a new folder, in clear).
public struct RecryptOptions: Sendable {
    /// The output folder of `waybill write` (holding `orders/`, `order_lines/`, maybe `history/`).
    public var source: String
    /// Where the rewritten datasets go; nil rewrites `source` in place.
    public var destination: String?
    /// Opens the encrypted columns of the source files.
    public var keyring: Keyring
    /// Encrypts the rewritten files; nil writes them in clear.
    public var encryption: ColumnEncryption?
    /// Names the transaction (and tags the rewritten files of an in-place run).
    public var runId: String
    public var applicationVersion = "0.0.0"
    /// Test hook: stop the commit after this many renames, as if killed.
    public var dieAfterRenames: Int? = nil

    public init(source: String, destination: String? = nil, keyring: Keyring, encryption: ColumnEncryption?, runId: String? = nil) {
        self.source = source
        self.destination = destination
        self.keyring = keyring
        self.encryption = encryption
        self.runId = runId ?? ((encryption == nil ? "decrypt-" : "rekey-") + DatasetWriteOptions.generatedBatchId())
    }
}

public struct RecryptResult: Sendable, Equatable {
    /// Datasets rewritten, relative to the folder (`orders`, `history/orders`, ...).
    public var datasets: [String] = []
    public var files = 0
    public var rows = 0
    public var bytes = 0
}

/// Rewrites every committed file of every dataset of a folder with its encrypted columns opened
/// by one key and sealed by another (or left in clear), in one commit (`DatasetTransaction`).
///
/// Every file is decoded and re-encoded row group by row group (the row groups keep their
/// boundaries). In place, a rewritten file gets a new name (`part-<batch>-c000.<run>.zstd.parquet`:
/// still a file of its batch for the writer's replace rules) and the commit publishes the new
/// files, then swaps the manifest, then deletes the old files: a reader that follows the manifest
/// sees every file of a partition under the old key or every file under the new one, never a mix.
/// A file that does not open with the keyring stops the run before anything changes.
public enum DatasetRecrypter {
    public static func run(_ o: RecryptOptions) throws(WaybillError) -> RecryptResult {
        let inPlace = o.destination == nil
        let target = o.destination ?? o.source
        if !inPlace {
            guard DatasetFiles.exists(o.source) else { throw .inputNotFound(path: o.source, reason: "no such folder") }
            for d in DatasetKind.allCases where DatasetFiles.exists(target + "/" + d.name) {
                throw .cannotCreate(path: target + "/" + d.name, errno: 17)  // EEXIST: never mixed with other data
            }
        }
        let txn = try DatasetTransaction(directory: target, name: o.runId)
        do {
            return try recrypt(o, txn, inPlace: inPlace)
        } catch {
            txn.abort()
            throw error
        }
    }

    private static func recrypt(_ o: RecryptOptions, _ txn: DatasetTransaction, inPlace: Bool) throws(WaybillError) -> RecryptResult {
        var result = RecryptResult()
        var publish: [DatasetTransaction.Step] = []
        var markers: [DatasetTransaction.Step] = []
        var cleanup: [DatasetTransaction.Step] = []
        var syncs: [DatasetTransaction.Step] = []
        for folder in ["", "history/"] {
            for kind in DatasetKind.allCases {
                let srcDir = o.source + "/" + folder.dropLast(folder.isEmpty ? 0 : 1)
                guard DatasetFiles.exists(o.source + "/" + folder + kind.name + "/" + DatasetManifest.fileName) else { continue }
                let reader = try DatasetReader(directory: String(srcDir), dataset: kind)
                reader.keyring = o.keyring
                let outRoot = txn.directory + "/" + folder + kind.name
                var manifest = reader.manifest
                var entries: [DatasetManifest.File] = []
                for p in reader.partitions {
                    for f in p.files {
                        var e = f
                        if inPlace { e.path = renamed(f.path, run: o.runId) }
                        let staged = txn.staging + "/" + folder + kind.name + "/" + e.path
                        let (bytes, crc) = try rewrite(reader, p, f, to: staged, o)
                        e.bytes = bytes
                        e.crc32 = crc
                        entries.append(e)
                        publish.append(.rename(from: staged, to: outRoot + "/" + e.path))
                        if inPlace { cleanup.append(.delete(outRoot + "/" + f.path)) }
                        result.files += 1
                        result.rows += f.rows
                        result.bytes += bytes
                    }
                }
                manifest.files = entries.sorted { $0.path < $1.path }
                manifest.batchId = o.runId
                manifest.committedAt = DatasetFiles.now()
                let base = txn.staging + "/" + folder.replacingSlashes + kind.name + "."
                try DatasetFiles.writeFile(base + DatasetManifest.fileName, manifest.encoded())
                try DatasetFiles.writeFile(base + DatasetManifest.successFileName, [])
                publish.insert(.delete(outRoot + "/" + DatasetManifest.successFileName), at: 0)
                markers += [.rename(from: base + DatasetManifest.fileName, to: outRoot + "/" + DatasetManifest.fileName),
                    .rename(from: base + DatasetManifest.successFileName, to: outRoot + "/" + DatasetManifest.successFileName)]
                syncs.append(.syncDirectory(outRoot))
                result.datasets.append(folder + kind.name)
            }
        }
        guard !result.datasets.isEmpty else {
            throw DatasetManifest.missing(in: o.source, dataset: DatasetKind.orders.name)
        }
        let steps = publish + [.syncFilesystem(txn.directory)] + markers + [.syncFilesystem(txn.directory)] + cleanup
            + syncs + [.syncDirectory(txn.directory)]
        try txn.commit(steps, dieAfterRenames: o.dieAfterRenames)
        return result
    }

    /// Decodes `f` (opening its encrypted columns) and writes it to `staged`, row group for row group.
    private static func rewrite(
        _ reader: DatasetReader, _ p: DatasetPartition, _ f: DatasetManifest.File, to staged: String, _ o: RecryptOptions
    ) throws(WaybillError) -> (Int, String) {
        try DatasetFiles.makeDirectories(DatasetFiles.dirname(staged))
        let w = try DatasetFileWriter(path: staged, dataset: reader.dataset, keys: reader.partitionKeys, batchId: f.batchId,
            compression: DatasetCompression(rawValue: f.compression) ?? .zstd, rowGroupRows: Int(Int32.max),
            rowGroupBytes: Int(Int32.max), applicationVersion: o.applicationVersion, encryption: o.encryption)
        try reader.forEachRowGroup(path: f.path, values: p.values) { (g: DecodedRowGroup) throws(WaybillError) in
            for r in 0..<g.rowCount { try w.append { g.copyRow(r, into: &$0) } }
            try w.flush()
        }
        return try w.finish()
    }

    /// `dir/part-B-c000.zstd.parquet` -> `dir/part-B-c000.<run>.zstd.parquet` (an earlier run's tag
    /// replaced). The stem ends at the last `-c<digits>.`: batch ids may hold dots themselves.
    static func renamed(_ path: String, run: String) -> String {
        let dir = DatasetFiles.dirname(path)
        let name = Array(DatasetFiles.basename(path).utf8)
        var stemEnd: Int? = nil
        var i = 0
        while i + 1 < name.count {
            if name[i] == UInt8(ascii: "-") && name[i + 1] == UInt8(ascii: "c") {
                var j = i + 2
                while j < name.count && name[j] >= 0x30 && name[j] <= 0x39 { j += 1 }
                if j - i - 2 >= 3 && j < name.count && name[j] == UInt8(ascii: ".") { stemEnd = j }
            }
            i += 1
        }
        guard let stemEnd else { return path + "." + run }
        // Keep the codec name (`part-B-c000.parquet` has none when uncompressed), drop an earlier tag.
        let rest = name[(stemEnd + 1)...].split(separator: UInt8(ascii: ".")).map { String(decoding: $0, as: UTF8.self) }
        let codec = rest.filter { DatasetCompression(rawValue: $0) != nil }.suffix(1).map { $0 + "." }.joined()
        let new = String(decoding: name[..<stemEnd], as: UTF8.self) + "." + run + "." + codec + "parquet"
        return dir == "." ? new : dir + "/" + new
    }
}

private extension String {
    /// `history/` -> `history.` (staged manifests sit flat in the staging folder).
    var replacingSlashes: String { String(map { $0 == "/" ? "." : $0 }) }
}
