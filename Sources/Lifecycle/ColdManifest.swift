import Datasets
import Foundation
import OrderModel

/// One partition of one dataset held in a cold location.
public struct ColdEntry: Codable, Sendable, Equatable {
    /// `orders` or `order_lines`.
    public var dataset: String
    /// Partition folder, relative to the dataset (`order_date=2023-01-05`).
    public var partition: String
    /// The cold file: `path` relative to `COLD/<dataset>/`, rows, bytes, CRC-32, batch.
    public var file: DatasetManifest.File
    /// `ContentHash` of the partition's rows (16 hex digits), equal hot and cold.
    public var contentHash: String
    /// The hot files the cold file replaced (relative to the dataset folder).
    public var hotFiles: [String]
    public var tieredAt: String
    /// With `--pack tar`: the archive (relative to COLD) and the member holding the file.
    public var archive: String? = nil
    public var member: String? = nil

    enum CodingKeys: String, CodingKey {
        case dataset, partition, file, archive, member
        case contentHash = "content_hash"
        case hotFiles = "hot_files"
        case tieredAt = "tiered_at"
    }
}

/// `COLD/_waybill_cold_manifest.json`, and the same shape as the tier note
/// `DIR/<dataset>/_waybill_tiers.json`: which partitions live in the cold location, so every
/// row stays findable (partition -> cold file, rows, content hash).
public struct ColdManifest: Codable, Sendable, Equatable {
    public static let fileName = "_waybill_cold_manifest.json"
    public static let noteName = "_waybill_tiers.json"

    public var format = "waybill-cold-manifest"
    public var manifestVersion = 1
    /// The other side: the hot output folder (in the cold manifest) or the cold one (in a note).
    public var counterpart: String
    /// Partition keys of the datasets, as in their manifests.
    public var partitionKeys: [DatasetManifest.Key]
    public var updatedAt: String
    public var entries: [ColdEntry]

    enum CodingKeys: String, CodingKey {
        case format, counterpart, entries
        case manifestVersion = "manifest_version"
        case partitionKeys = "partition_keys"
        case updatedAt = "updated_at"
    }

    public init(counterpart: String, partitionKeys: [DatasetManifest.Key], entries: [ColdEntry] = []) {
        self.counterpart = counterpart
        self.partitionKeys = partitionKeys
        self.updatedAt = DatasetFiles.now()
        self.entries = entries
    }

    public func encoded() -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array((try? enc.encode(self)) ?? Data()) + [0x0A]
    }

    public static func read(_ path: String) throws(WaybillError) -> ColdManifest? {
        guard let bytes = DatasetFiles.readFile(path) else { return nil }
        do {
            return try JSONDecoder().decode(ColdManifest.self, from: Data(bytes))
        } catch {
            throw .data("\(path): not a valid waybill cold manifest (\(error))")
        }
    }
}
