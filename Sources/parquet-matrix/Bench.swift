import Parquet

#if canImport(Glibc)
import Glibc
#endif

/// Throughput of the writer on contiguous buffers: 1M rows of an int64 id and a medium-cardinality string.
enum Bench {
    static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func run(dir: String, only: String?) throws {
        let n = 1_000_000
        let ids = (0..<n).map { Int64(10_000_000 + $0) }
        var arena: [UInt8] = []
        var offsets: [UInt32] = [0]
        var seed: UInt64 = 1
        for _ in 0..<n {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            arena.append(contentsOf: "customer\((seed >> 33) % 50_000)@example.com".utf8)
            offsets.append(UInt32(arena.count))
        }
        let inputBytes = Double(n * 8 + arena.count)
        for codec in [ParquetCompression.uncompressed, .snappy, .zstd, .gzip] {
            if let only, only != codec.name.lowercased() { continue }
            var p = WriterProperties()
            p.compression = codec
            p.columnDictionary = ["id": false]
            let schema = try ParquetSchema(fields: [
                .leaf(name: "id", physical: .int64, logical: nil, repetition: .required),
                .leaf(name: "email", physical: .byteArray, logical: .string, repetition: .required),
            ])
            let path = dir + "/bench_\(codec.name.lowercased()).parquet"
            let t0 = now()
            // CPU time too: on a shared machine wall time mostly measures the neighbours.
            let c0 = now(CLOCK_PROCESS_CPUTIME_ID)
            let w = try ParquetFileWriter(path: path, schema: schema, properties: p)
            let batch = 65_536
            var i = 0
            while i < n {
                let j = min(n, i + batch)
                try ids.withUnsafeBufferPointer { try w.writeInt64(column: 0, values: UnsafeBufferPointer(rebasing: $0[i..<j])) }
                try arena.withUnsafeBytes { a in
                    try offsets.withUnsafeBufferPointer { o in
                        try w.writeByteArrays(column: 1, bytes: a, offsets: UnsafeBufferPointer(rebasing: o[i...j]))
                    }
                }
                i = j
            }
            let s = try w.close()
            let dt = now() - t0
            let cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0
            let mbps = inputBytes / dt / 1e6
            print("\(codec.name): \(n) rows, \(Int(inputBytes) / 1_000_000) MB input -> \(s.fileBytes) bytes in \(Int(dt * 1000)) ms = \(Int(mbps)) MB/s (CPU \(Int(cpu * 1000)) ms = \(Int(inputBytes / cpu / 1e6)) MB/s)")
        }
    }
}
