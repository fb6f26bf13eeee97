import Datasets
import OrderModel
import Parquet

/// Helpers shared by tier and restore: staging folders in the cold location, staged markers,
/// and hashing a file's rows for verification.
enum ColdStaging {
    static let prefix = ".waybill-staging-"

    /// Removes staging folders a dead tier or restore left in COLD. Called under the lock on the
    /// hot folder, after its journals were replayed, so whatever is left there was never
    /// committed (or its files were already renamed out).
    static func cleanDead(_ cold: String) {
        for name in DatasetFiles.list(cold) where name.hasPrefix(prefix) { DatasetFiles.removeTree(cold + "/" + name) }
    }

    /// Writes `bytes` into the staging folder as `stagedName`; returns the rename that
    /// publishes it as `root/name`.
    static func stage(_ bytes: [UInt8], in staging: String, as stagedName: String, to root: String, name: String)
        throws(WaybillError) -> DatasetTransaction.Step
    {
        let staged = staging + "/" + stagedName
        try DatasetFiles.writeFile(staged, bytes)
        return .rename(from: staged, to: root + "/" + name)
    }

    /// Stages a dataset's manifest, tier note and `_SUCCESS`; returns their renames (the
    /// manifest and note first, `_SUCCESS` last).
    static func stageMarkers(_ m: DatasetManifest, note: ColdManifest, kind: DatasetKind, in staging: String, root: String)
        throws(WaybillError) -> [DatasetTransaction.Step]
    {
        [
            try stage(m.encoded(), in: staging, as: kind.name + "." + DatasetManifest.fileName, to: root, name: DatasetManifest.fileName),
            try stage(note.encoded(), in: staging, as: kind.name + "." + ColdManifest.noteName, to: root, name: ColdManifest.noteName),
            try stage([], in: staging, as: kind.name + "." + DatasetManifest.successFileName, to: root,
                name: DatasetManifest.successFileName),
        ]
    }

    /// The content hash of every row of one data file.
    static func hash(file path: String, dataset: DatasetKind, keys: [PartitionKey], values: [String?]) throws(WaybillError) -> ContentHash {
        let reader: ParquetFileReader
        do {
            reader = try ParquetFileReader(path: path)
        } catch {
            throw .data("\(path): \(error)")
        }
        var h = ContentHash()
        for g in reader.metadata.rowGroups.indices {
            h.add(try DatasetReader.decode(reader, rowGroup: g, path: path, dataset: dataset, keys: keys, values: values,
                fields: nil, where: path))
        }
        return h
    }
}
