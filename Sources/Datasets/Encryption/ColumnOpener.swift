import Crypto
import Foundation
import OrderModel
import Parquet

/// Decrypts the encrypted columns of a decoded row group back into their UTF-8 values, for a
/// reader holding the key (`DatasetReader.keyring`).
///
/// Errors, never garbage: a key id missing from the keyring is a configuration error (exit 78,
/// "wrong key file"); a value that does not authenticate (wrong key under the same id, a
/// tampered or truncated value, a value moved from another column) is a data error (exit 65)
/// naming the file, row group, column and row.
enum ColumnOpener {
    static let nonceBytes = 12
    static let tagBytes = 16

    static func open(
        _ g: DecodedRowGroup, metadata m: EncryptionMetadata, keyring: Keyring?, wanted: Set<Int>?, where full: String
    ) throws(WaybillError) -> DecodedRowGroup {
        var columns = g.columns
        for (fi, def) in g.dataset.fields.enumerated() {
            guard let id = m.columns[def.name], wanted?.contains(fi) ?? true, columns[fi].shape == .flat else { continue }
            guard let keyring else {
                throw .config(file: full, line: 0, column: 0,
                    message: "column '\(def.name)' is encrypted (key id '\(id)'); pass the key (--key-file or $\(Keyring.environmentKey))")
            }
            guard let key = keyring.key(id: id) else {
                throw .config(file: keyring.source, line: 0, column: 0,
                    message: "has no key '\(id)', which \(full) column '\(def.name)' is encrypted with (wrong key file?)")
            }
            columns[fi] = try open(columns[fi], key: key, aad: Array(def.name.utf8),
                where: "\(full) row group \(g.rowGroup) column '\(def.name)'")
        }
        return DecodedRowGroup(dataset: g.dataset, rowCount: g.rowCount, path: g.path, rowGroup: g.rowGroup, columns: columns)
    }

    private static func open(_ c: DecodedColumn, key: ColumnKey, aad: [UInt8], where loc: String) throws(WaybillError) -> DecodedColumn {
        var out = c
        out.bytes.removeAll(keepingCapacity: true)
        out.bytes.reserveCapacity(max(0, c.bytes.count - (c.offsets.count - 1) * (nonceBytes + tagBytes)))
        out.offsets = [0]
        out.offsets.reserveCapacity(c.offsets.count)
        for v in 0..<(c.offsets.count - 1) {
            let lo = Int(c.offsets[v]), hi = Int(c.offsets[v + 1])
            guard hi - lo >= nonceBytes + tagBytes else {
                throw .data("\(loc) value \(v): \(hi - lo) bytes, too short for an encrypted value (not encrypted, or truncated)")
            }
            do {
                let box = try AES.GCM.SealedBox(combined: c.bytes[lo..<hi])
                let plain = try AES.GCM.open(box, using: key.key, authenticating: aad)
                out.bytes.append(contentsOf: plain)
            } catch {
                throw .data("\(loc) value \(v) does not authenticate with key '\(key.id)': wrong key, or the file was altered")
            }
            out.offsets.append(UInt32(out.bytes.count))
        }
        return out
    }
}

extension DatasetReader {
    /// Decodes one row group like `decode`, then opens its encrypted columns with `keyring`.
    static func decodeDecrypting(
        _ file: ParquetFileReader, rowGroup g: Int, path: String, dataset: DatasetKind, keys: [PartitionKey],
        values: [String?], fields: Set<Int>?, where full: String, keyring: Keyring?, metadata: EncryptionMetadata?
    ) throws(WaybillError) -> DecodedRowGroup {
        let group = try decode(file, rowGroup: g, path: path, dataset: dataset, keys: keys, values: values, fields: fields, where: full)
        guard let metadata else { return group }
        return try ColumnOpener.open(group, metadata: metadata, keyring: keyring, wanted: fields, where: full)
    }
}
