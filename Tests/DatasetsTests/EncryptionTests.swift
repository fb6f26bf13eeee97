import Foundation
import OrderModel
import Parquet
import Testing
@testable import Datasets

/// Encryption at rest of the PII columns: round trips, wrong keys, tampering, rotation.
@Suite struct EncryptionTests {
    static let name = OrderSchema.orderFieldIndex("consignee_name")!
    static let phone = OrderSchema.orderFieldIndex("consignee_phone")!
    static let street = OrderSchema.orderFieldIndex("consignor_street")!
    static let phoneHash = OrderSchema.orderFieldIndex("consignee_phone_hash")!

    /// Orders with PII: nulls, empty strings, multi-byte text, and a clear hash column.
    static func batch(_ n: Int = 7) -> OrderBatch {
        var out = OrderBatch()
        for i in 0..<n {
            out.beginOrder()
            out.orders.set(OrderField.orderId, string: "shop:\(i)")
            out.orders.set(OrderField.orderDate, int: Orders.day20240105 + Int64(i % 2))
            out.orders.set(OrderField.businessLine, string: "express")
            if i != 3 { out.orders.set(name, string: i == 4 ? "" : "Zhang Wei-\(i) 张伟") }
            out.orders.set(phone, string: "+86 138 0013 80\(i)\(i)")
            out.orders.set(street, string: "\(i) Jianguo Road")
            out.orders.set(phoneHash, string: "h\(i)")
            for n in 0..<(i % 3) {
                out.beginLine()
                out.lines.set(LineField.lineNo, int: Int64(n + 1))
                out.endLine()
            }
            out.endOrder()
        }
        return out
    }

    static func keyring(_ id: String = "k1") throws -> Keyring { Keyring(keys: [try ColumnKey.random(id: id)], source: "test") }

    static func write(_ dir: String, _ b: OrderBatch, key: Keyring?, codec: DatasetCompression = .zstd) throws {
        var o = DatasetWriteOptions(outputDirectory: dir, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList("order_date")
        o.rowGroupRows = 2
        o.compression = codec
        o.encryption = key.map { ColumnEncryption(key: $0.active) }
        let w = try DatasetWriter(options: o)
        try w.write(b)
        _ = try w.commit()
    }

    static func read(_ dir: String, _ kind: DatasetKind = .orders, keyring: Keyring? = nil, fields: Set<Int>? = nil) throws(WaybillError) -> ColumnTable {
        let reader = try DatasetReader(directory: dir, dataset: kind)
        reader.keyring = keyring
        var all = ColumnTable(fields: kind.fields)
        for p in reader.partitions {
            try reader.forEachRowGroup(in: p, fields: fields) { (g: DecodedRowGroup) throws(WaybillError) in g.appendAll(to: &all) }
        }
        return all
    }

    static func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wb-enc-\(UUID().uuidString)").path
    }

    static func allBytes(under dir: String) -> Data {
        var d = Data()
        for f in FileManager.default.enumerator(atPath: dir)!.compactMap({ $0 as? String }) {
            if let b = FileManager.default.contents(atPath: dir + "/" + f) { d.append(b) }
        }
        return d
    }

    @Test(arguments: [DatasetCompression.zstd, .none])
    func roundTripAndNoPlaintext(codec: DatasetCompression) throws {
        let dir = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Self.keyring()
        let b = Self.batch()
        try Self.write(dir, b, key: key, codec: codec)
        #expect(DatasetReaderTests.rows(try Self.read(dir, keyring: key)) == DatasetReaderTests.rows(b.orders))
        #expect(DatasetReaderTests.rows(try Self.read(dir, .orderLines)) == DatasetReaderTests.rows(b.lines))
        if codec == .none {
            let bytes = Self.allBytes(under: dir)
            for s in ["Zhang Wei", "张伟", "0013", "Jianguo"] { #expect(bytes.range(of: Data(s.utf8)) == nil, "\(s) in clear") }
            #expect(bytes.range(of: Data("h3".utf8)) != nil, "hash columns stay in clear")
        }
        // Without the key: the clear columns read, an encrypted one is a configuration error.
        let clear = try Self.read(dir, fields: [OrderField.orderId, Self.phoneHash])
        #expect(clear.rowCount == b.orders.rowCount)
        #expect(throws: WaybillError.self) { try Self.read(dir) }
        do {
            _ = try Self.read(dir)
        } catch {
            #expect(error.exitCode == 78)
        }
    }

    @Test func schemaIsBinaryAndMetadataNamesTheKey() throws {
        let dir = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(dir, Self.batch(), key: try Self.keyring("q4"))
        let reader = try DatasetReader(directory: dir, dataset: .orders)
        let file = try ParquetFileReader(path: reader.root + "/" + reader.partitions[0].files[0].path)
        let col = try #require(file.schema.columns.first { $0.path == ["consignee_name"] })
        #expect(col.physical == .byteArray)
        #expect(col.logical == nil)
        let hash = try #require(file.schema.columns.first { $0.path == ["consignee_phone_hash"] })
        #expect(hash.logical == .string)
        let meta = try #require(try EncryptionMetadata.read(file.metadata.keyValueMetadata, path: "x"))
        #expect(meta.columns == Dictionary(uniqueKeysWithValues: PIIColumns.names.map { ($0, "q4") }))
        #expect(PIIColumns.orderFields.count == PIIColumns.names.count)
    }

    @Test func decryptRestoresClearDataset() throws {
        let dir = Self.temp(), out = Self.temp()
        defer { for d in [dir, out] { try? FileManager.default.removeItem(atPath: d) } }
        let key = try Self.keyring()
        let b = Self.batch(9)
        try Self.write(dir, b, key: key)
        let r = try DatasetRecrypter.run(RecryptOptions(source: dir, destination: out, keyring: key, encryption: nil))
        #expect(r.rows == 9 + b.lines.rowCount)
        // No key needed any more, and the same layout.
        #expect(DatasetReaderTests.rows(try Self.read(out)) == DatasetReaderTests.rows(b.orders))
        #expect(DatasetReaderTests.rows(try Self.read(out, .orderLines)) == DatasetReaderTests.rows(b.lines))
        let a = try DatasetReader(directory: dir, dataset: .orders), c = try DatasetReader(directory: out, dataset: .orders)
        #expect(a.manifest.files.map(\.path) == c.manifest.files.map(\.path))
        // A second decrypt into the same folder is refused.
        #expect(throws: WaybillError.self) { try DatasetRecrypter.run(RecryptOptions(source: dir, destination: out, keyring: key, encryption: nil)) }
    }

    @Test func wrongKeyFailsAndWritesNothing() throws {
        let dir = Self.temp(), out = Self.temp()
        defer { for d in [dir, out] { try? FileManager.default.removeItem(atPath: d) } }
        try Self.write(dir, Self.batch(), key: try Self.keyring("k1"))
        // Same id, other bytes: authentication fails (65).
        do {
            _ = try DatasetRecrypter.run(RecryptOptions(source: dir, destination: out, keyring: try Self.keyring("k1"), encryption: nil))
            Issue.record("decrypted with a wrong key")
        } catch let error as WaybillError {
            #expect(error.exitCode == 65)
            #expect(error.description.contains("does not authenticate"))
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/orders"))
        // Another id: the key file is the wrong one (78).
        do {
            _ = try DatasetRecrypter.run(RecryptOptions(source: dir, destination: out, keyring: try Self.keyring("k2"), encryption: nil))
            Issue.record("decrypted with a key of another id")
        } catch let error as WaybillError {
            #expect(error.exitCode == 78)
        }
    }

    @Test func tamperedValueFailsAuthentication() throws {
        let dir = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Self.keyring()
        try Self.write(dir, Self.batch(1), key: key, codec: .none)
        let reader = try DatasetReader(directory: dir, dataset: .orders)
        let path = reader.root + "/" + reader.partitions[0].files[0].path
        let file = try ParquetFileReader(path: path)
        let leaf = try #require(file.schema.columns.first { $0.path == ["consignor_street"] }).index
        guard case .byteArray(let sealed, _) = try file.readColumn(rowGroup: 0, column: leaf).values else {
            Issue.record("not a byte array column")
            return
        }
        // Flip one ciphertext bit of every copy of the value (the page and its statistics).
        var bytes = try #require(FileManager.default.contents(atPath: path))
        var found = 0
        while let r = bytes.range(of: Data(sealed)) {
            bytes[r.lowerBound + 14] ^= 0x01
            found += 1
        }
        #expect(found >= 1)
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Self.read(dir, keyring: key)
            Issue.record("a tampered value opened")
        } catch {
            #expect(error.exitCode == 65)
        }
    }

    @Test func rekeyThenDecryptWithTheNewKey() throws {
        let dir = Self.temp(), out = Self.temp()
        defer { for d in [dir, out] { try? FileManager.default.removeItem(atPath: d) } }
        let old = try Self.keyring("2026q3"), new = try Self.keyring("2026q4")
        let b = Self.batch(8)
        try Self.write(dir, b, key: old)
        let before = try DatasetReader(directory: dir, dataset: .orders).manifest
        let r = try DatasetRecrypter.run(RecryptOptions(source: dir, keyring: old, encryption: ColumnEncryption(key: new.active)))
        #expect(r.datasets == ["orders", "order_lines"])
        let after = try DatasetReader(directory: dir, dataset: .orders).manifest
        #expect(after.totalRows == before.totalRows)
        #expect(after.files.map(\.batchId) == before.files.map(\.batchId))
        // Old files are gone; only the manifest's files remain.
        #expect(DatasetFiles.dataFiles(under: dir + "/orders").sorted() == after.files.map(\.path))
        #expect(Set(after.files.map(\.path)).isDisjoint(with: before.files.map(\.path)))
        #expect(throws: WaybillError.self) { try Self.read(dir, keyring: old) }
        #expect(DatasetReaderTests.rows(try Self.read(dir, keyring: new)) == DatasetReaderTests.rows(b.orders))
        _ = try DatasetRecrypter.run(RecryptOptions(source: dir, destination: out, keyring: new, encryption: nil))
        #expect(DatasetReaderTests.rows(try Self.read(out)) == DatasetReaderTests.rows(b.orders))
        // A second rotation replaces the first run's tag rather than stacking tags.
        #expect(DatasetRecrypter.renamed("a=1/part-b.2-c000.rekey-x.zstd.parquet", run: "rekey-y") == "a=1/part-b.2-c000.rekey-y.zstd.parquet")
        #expect(DatasetRecrypter.renamed("part-b1-c001.parquet", run: "r") == "part-b1-c001.r.parquet")
        #expect(DatasetRecrypter.renamed("part-b1-c001.r.parquet", run: "s") == "part-b1-c001.s.parquet")
    }

    @Test func rekeyKilledMidCommitIsFinishedByTheNextRun() throws {
        let dir = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = try Self.keyring("a"), new = try Self.keyring("b")
        let b = Self.batch(8)
        try Self.write(dir, b, key: old)
        var o = RecryptOptions(source: dir, keyring: old, encryption: ColumnEncryption(key: new.active))
        o.dieAfterRenames = 1
        #expect(throws: WaybillError.self) { try DatasetRecrypter.run(o) }
        // The old manifest still names only old files, all present: readable with the old key.
        #expect(DatasetReaderTests.rows(try Self.read(dir, keyring: old)) == DatasetReaderTests.rows(b.orders))
        // Any next run on the folder replays the journal.
        try DatasetTransaction(directory: dir, name: "next").abort()
        #expect(DatasetReaderTests.rows(try Self.read(dir, keyring: new)) == DatasetReaderTests.rows(b.orders))
        #expect(DatasetFiles.dataFiles(under: dir + "/orders").sorted()
            == (try DatasetReader(directory: dir, dataset: .orders)).manifest.files.map(\.path))
    }

    @Test func keyFileRules() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let k = try ColumnKey.random(id: "k1")
        try ("# rotation 2026q4\n" + k.keyFileLine).write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
        do {
            _ = try Keyring.load(file: path)
            Issue.record("a world-readable key file loaded")
        } catch {
            #expect(error.exitCode == 78)
        }
        chmod(path, 0o600)
        #expect(try Keyring.load(file: path).active.id == "k1")
        #expect(throws: WaybillError.self) { try Keyring.parse("k1 c2hvcnQ=\n", source: "f") }  // 5 bytes
        #expect(throws: WaybillError.self) { try Keyring.parse("just-one-field\n", source: "f") }
        #expect(throws: WaybillError.self) { try Keyring.parse("# nothing\n", source: "f") }
        #expect(try Keyring.fromEnvironment([:]) == nil)
        let env = try #require(try Keyring.fromEnvironment(["WAYBILL_KEY": String(k.keyFileLine.split(separator: " ")[1].dropLast())]))
        #expect(env.active.id == "default")
    }

    @Test func partitioningOnAnEncryptedColumnIsRefused() throws {
        let dir = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = DatasetWriteOptions(outputDirectory: dir, batchId: "b1")
        o.partitionKeys = try PartitionKey.parseList("consignee_name")
        o.encryption = ColumnEncryption(key: try Self.keyring().active)
        #expect(throws: WaybillError.self) { try DatasetWriter(options: o) }
    }
}
