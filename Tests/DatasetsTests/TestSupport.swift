import Foundation
import OrderModel
@testable import Datasets

/// Builds small order batches for tests.
enum Orders {
    /// One order per element: (id, date as days since 1970, business line, line count).
    static func batch(_ rows: [(id: String, day: Int64, line: String?, lines: Int)]) -> OrderBatch {
        var b = OrderBatch()
        for r in rows {
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: r.id)
            b.orders.set(OrderField.source, string: "shop")
            b.orders.set(OrderField.externalOrderId, string: String(r.id.split(separator: ":").last ?? ""))
            b.orders.set(OrderField.orderType, string: "sale")
            if let line = r.line { b.orders.set(OrderField.businessLine, string: line) }
            b.orders.set(OrderField.status, string: "PAID")
            b.orders.set(OrderField.createdAt, int: r.day * CivilTime.microsPerDay + 3_600_000_000)
            b.orders.set(OrderField.orderDate, int: r.day)
            b.orders.set(OrderField.grandTotal, int: 123_4500)
            b.orders.addElement(OrderField.ext, "v1", key: "shop.note")
            for n in 0..<r.lines {
                b.beginLine()
                b.lines.set(LineField.lineNo, int: Int64(n + 1))
                b.lines.set(LineField.quantity, int: Int64(n + 1) * 10_000)
                b.lines.set(OrderSchema.lineFieldIndex("sku")!, string: "SKU-\(n)")
                b.endLine()
            }
            b.endOrder()
        }
        return b
    }

    static let day20240105 = CivilTime.days(year: 2024, month: 1, day: 5)
}

/// A data file sink that writes a readable text record of each row group (order ids or line
/// numbers), so tests can check routing, file rolling and the commit protocol without the
/// Parquet encoder.
final class RecordingSink: DataFileSink {
    let path: String
    let fd: FileHandle
    var bytesWritten = 0
    let dataset: DatasetKind
    /// Microseconds each row group takes to write (a slow disk or encoder).
    let rowGroupDelay: UInt32
    init(path: String, dataset: DatasetKind, rowGroupDelay: UInt32 = 0) throws(WaybillError) {
        self.path = path
        self.dataset = dataset
        self.rowGroupDelay = rowGroupDelay
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path)
        else { throw .cannotCreate(path: path, errno: 2) }
        fd = h
    }
    func writeRowGroup(_ table: PendingTable) throws(WaybillError) {
        if rowGroupDelay > 0 { usleep(rowGroupDelay) }
        var text = "rowgroup \(table.rowCount)\n"
        let first = table.column(0)
        for r in 0..<table.rowCount { text += (first.string(r) ?? "null") + "\n" }
        fd.write(Data(text.utf8))
        bytesWritten += text.utf8.count
    }
    func finish() throws(WaybillError) -> (bytes: Int, crc32: UInt32) {
        try? fd.close()
        let (crc, size) = try FileOps.crc32(of: path)
        return (size, crc)
    }
}

final class RecordingFactory: DataFileSinkFactory, @unchecked Sendable {
    var opened: [String] = []
    let rowGroupDelay: UInt32
    init(rowGroupDelay: UInt32 = 0) { self.rowGroupDelay = rowGroupDelay }
    func makeSink(path: String, dataset: DatasetKind, options: DatasetWriteOptions) throws(WaybillError) -> DataFileSink {
        opened.append(path)
        return try RecordingSink(path: path, dataset: dataset, rowGroupDelay: rowGroupDelay)
    }
}

/// A fresh empty folder under the system temp folder.
func tempDirectory(_ tag: String = #function) -> String {
    let base = NSTemporaryDirectory() + "waybill-datasets-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    return base
}

/// Every regular file under `root`, relative, sorted.
/// The text of every file under `root` (data files are recorded as text by `RecordingFactory`),
/// by path, without the manifests' `committed_at` lines: two runs that land the same rows
/// compare equal.
func landedFiles(_ root: String) throws -> [String: String] {
    var files: [String: String] = [:]
    for f in filesUnder(root) {
        let text = try String(contentsOfFile: root + "/" + f, encoding: .utf8)
        files[f] = text.split(separator: "\n").filter { !$0.contains("committed_at") }.joined(separator: "\n")
    }
    return files
}

func filesUnder(_ root: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
    var out: [String] = []
    while let p = e.nextObject() as? String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue {
            out.append(p)
        }
    }
    return out.sorted()
}
