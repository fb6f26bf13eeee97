import Foundation
import OrderModel

/// What a writer encrypts: the PII columns (by default), under the keyring's active key.
/// Set on `DatasetWriteOptions.encryption` (every `DatasetWriter` user) or passed to
/// `DatasetFileWriter` (rewrites).
public struct ColumnEncryption: Sendable {
    public let key: ColumnKey
    public var columns: [String]

    public init(key: ColumnKey, columns: [String] = PIIColumns.names) {
        self.key = key
        self.columns = columns
    }

    /// A partition key on an encrypted column would put its plaintext into folder names.
    func validate(partitionKeys: [PartitionKey]) throws(WaybillError) {
        for k in partitionKeys where columns.contains(OrderSchema.orderFields[k.field].name) {
            throw .usage("--partition-by \(k.name): \(OrderSchema.orderFields[k.field].name) is encrypted, "
                + "its values cannot name folders")
        }
    }

    /// The sealer of one data file of `dataset` (nil when the file holds none of the columns).
    func sealer(dataset: DatasetKind, keys: [PartitionKey]) -> ColumnSealer? {
        let fields = dataset.fields
        var byField: [Int: String] = [:]
        for f in dataset.dataColumns(keys: keys) where columns.contains(fields[f].name) {
            byField[f] = fields[f].name
        }
        return byField.isEmpty ? nil : ColumnSealer(key: key, columns: byField)
    }
}

/// The `waybill.encryption` key-value metadata of a data file: which columns are encrypted,
/// with which key id and how. Readers without the key see BYTE_ARRAY columns without a
/// logical type; a key holder finds here everything needed to open them.
struct EncryptionMetadata: Codable, Equatable {
    static let key = "waybill.encryption"
    static let algorithmName = "AES-256-GCM"

    var algorithm = algorithmName
    var valueLayout = "nonce(12) || ciphertext || tag(16)"
    var associatedData = "column name (UTF-8)"
    /// Column name -> key id.
    var columns: [String: String]

    enum CodingKeys: String, CodingKey {
        case algorithm, columns
        case valueLayout = "value_layout"
        case associatedData = "associated_data"
    }

    init(columns: [String: String]) { self.columns = columns }

    var entry: (String, String) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        // Encoding a struct of strings cannot fail.
        return (Self.key, String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self))
    }

    /// The metadata of a file's key-value list; nil when the file has none (nothing encrypted).
    static func read(_ kv: [(key: String, value: String?)]?, path: String) throws(WaybillError) -> EncryptionMetadata? {
        guard let v = kv?.first(where: { $0.key == key })?.value else { return nil }
        let m: EncryptionMetadata
        do {
            m = try JSONDecoder().decode(EncryptionMetadata.self, from: Data(v.utf8))
        } catch {
            throw .data("\(path): unreadable \(key) metadata (\(error))")
        }
        guard m.algorithm == algorithmName else {
            throw .data("\(path): columns encrypted with \(m.algorithm), this build reads \(algorithmName)")
        }
        return m
    }
}
