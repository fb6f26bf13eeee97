import Crypto
import Foundation
import OrderModel
import Parquet

/// Encrypts the PII columns of one data file as they are handed to the Parquet writer: each
/// non-null value becomes `nonce(12) || ciphertext || tag(16)` (AES-256-GCM, a fresh random
/// nonce per value, the column name as associated data so a value moved to another column
/// fails to open). Nulls stay null. The values go to a BYTE_ARRAY column without the STRING
/// logical type, so readers without the key see binary rather than broken text.
///
/// swift-crypto returns each sealed box as a `Data`, one allocation per value; that cost is
/// measured in the README and stays below the page compression's.
final class ColumnSealer {
    let key: ColumnKey
    /// Model field index -> column name, for the fields of this file that are encrypted.
    let columns: [Int: String]
    private let aad: [Int: [UInt8]]
    private var defs: [UInt8] = []
    private var bytes: [UInt8] = []
    private var offsets: [UInt32] = []

    init(key: ColumnKey, columns: [Int: String]) {
        self.key = key
        self.columns = columns
        aad = columns.mapValues { Array($0.utf8) }
    }

    var names: Set<String> { Set(columns.values) }

    var metadata: (String, String) {
        EncryptionMetadata(columns: Dictionary(uniqueKeysWithValues: columns.values.map { ($0, key.id) })).entry
    }

    /// Seals one row group's values of a pending column (what the partitioned writer hands
    /// over): its levels say which rows hold a value, and the values are dense.
    func write(_ col: PendingColumn, field: Int, leaf: Int, to w: ParquetFileWriter) throws {
        let ad = aad[field]!
        defs.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        guard col.materialized else {
            defs.append(contentsOf: repeatElement(0, count: col.rows))
            try w.writeByteArrays(column: leaf, bytes: bytes, offsets: offsets, defLevels: defs)
            return
        }
        try col.bytes.withUnsafeBytes { arena in
            var v = 0
            for d in col.defs {
                defs.append(d)
                guard d == 1 else { continue }
                let value = UnsafeRawBufferPointer(rebasing: arena[Int(col.offsets[v])..<Int(col.offsets[v + 1])])
                try Self.seal(value, key: key.key, aad: ad, into: &bytes)
                offsets.append(UInt32(bytes.count))
                v += 1
            }
        }
        try w.writeByteArrays(column: leaf, bytes: bytes, offsets: offsets, defLevels: defs)
    }

    static func seal(_ value: UnsafeRawBufferPointer, key: SymmetricKey, aad: [UInt8], into out: inout [UInt8]) throws {
        let box = try AES.GCM.seal(value, using: key, nonce: AES.GCM.Nonce(), authenticating: aad)
        // With a 12-byte nonce `combined` is always present.
        out.append(contentsOf: box.combined!)
    }

    /// Parquet properties for encrypted columns: random bytes never repeat, so a dictionary
    /// only costs a failed attempt.
    func configure(_ props: inout WriterProperties) {
        for n in columns.values { props.columnDictionary[n] = false }
    }
}

extension DatasetSchema {
    /// The schema with the encrypted columns as plain BYTE_ARRAY (no logical type).
    init(dataset: DatasetKind, keys: [PartitionKey], sealer: ColumnSealer?) throws(WaybillError) {
        guard let sealer else {
            try self.init(dataset: dataset, keys: keys)
            return
        }
        try self.init(dataset: dataset, keys: keys, binary: sealer.names)
    }

    static func binaryNode(_ def: FieldDef) -> SchemaNode {
        .leaf(name: def.name, physical: .byteArray, logical: nil, repetition: .optional)
    }
}
