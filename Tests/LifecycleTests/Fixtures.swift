import Foundation
import OrderModel
import Datasets

/// Builds order versions and lands them with `DatasetWriter`, as `waybill write` runs would.
enum Fixtures {
    static let day = CivilTime.days(year: 2024, month: 1, day: 5)

    struct Version {
        var id: String
        var version: Int64?
        var day: Int64 = Fixtures.day
        var total: Int64 = 100_0000
        var lines = 1
        var line = "express"
    }

    static func batch(_ rows: [Version]) -> OrderBatch {
        var b = OrderBatch()
        for v in rows {
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: v.id)
            b.orders.set(OrderField.source, string: "shop")
            b.orders.set(OrderField.status, string: "PAID")
            b.orders.set(OrderField.businessLine, string: v.line)
            b.orders.set(OrderField.createdAt, int: v.day * CivilTime.microsPerDay)
            b.orders.set(OrderField.orderDate, int: v.day)
            if let ver = v.version { b.orders.set(OrderField.version, int: ver) }
            b.orders.set(OrderField.grandTotal, int: v.total)
            b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "v\(v.version ?? -1)")
            b.orders.addElement(OrderField.ext, "x", key: "shop.k")
            for n in 0..<v.lines {
                b.beginLine()
                b.lines.set(LineField.lineNo, int: Int64(n + 1))
                b.lines.set(LineField.quantity, int: 10_000)
                b.lines.set(OrderSchema.lineFieldIndex("sku")!, string: "\(v.id)-v\(v.version ?? -1)-\(n)")
                b.endLine()
            }
            b.endOrder()
        }
        return b
    }

    static func land(_ dir: String, _ batchId: String, _ rows: [Version], keys: String = "order_date") throws {
        var o = DatasetWriteOptions(outputDirectory: dir, batchId: batchId)
        o.partitionKeys = try PartitionKey.parseList(keys)
        o.mode = .append
        let w = try DatasetWriter(options: o)
        try w.write(batch(rows))
        _ = try w.commit()
    }

    /// A fresh folder under the system's temporary folder, removed when the test process exits
    /// (the tests in a suite run in parallel, so no single test knows when the last one is done).
    static func tempDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("wb-life-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        TempDirs.shared.add(d)
        return d
    }

    /// Every row of a dataset as sorted text (`order_id|version|total|tags` or `order_id|sku`).
    static func rows(_ dir: String, _ kind: DatasetKind) throws -> [String] {
        let reader = try DatasetReader(directory: dir, dataset: kind)
        var out: [String] = []
        for p in reader.partitions {
            let t = try reader.readTable(p)
            for r in 0..<t.rowCount {
                if kind == .orders {
                    let c = t.columns
                    out.append([c[OrderField.orderId].string(r) ?? "∅", c[OrderField.version].isNull(r) ? "∅" : "\(c[OrderField.version].int(r))",
                        "\(c[OrderField.grandTotal].int(r))", CivilTime.dateString(days: c[OrderField.orderDate].int(r))].joined(separator: "|"))
                } else {
                    out.append((t.columns[LineField.orderId].string(r) ?? "∅") + "|"
                        + (t.columns[OrderSchema.lineFieldIndex("sku")!].string(r) ?? "∅"))
                }
            }
        }
        return out.sorted()
    }
}

/// The folders `Fixtures.tempDir()` made, removed at process exit.
final class TempDirs: @unchecked Sendable {
    static let shared = TempDirs()
    private let lock = NSLock()
    private var paths: [String] = []

    private init() {
        atexit { TempDirs.shared.removeAll() }
    }

    func add(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.append(path)
    }

    func removeAll() {
        lock.lock(); defer { lock.unlock() }
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        paths.removeAll()
    }
}
