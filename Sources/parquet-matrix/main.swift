// parquet-matrix OUTDIR [--bench [codec]]  |  parquet-matrix --inspect FILE [--pages]
// Writes the interop matrix (Parquet files + expected.json) read back by Tests/interop/test_parquet_matrix.py.
// With --bench it instead times a 1M-row int64 + string file and prints the encode throughput.
import Parquet

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String, _ code: Int32) -> Never {
    // write(2) on fd 2: the C `stderr` global is not concurrency-safe under Swift 6.
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

let args = CommandLine.arguments
guard args.count >= 2 else {
    fail("usage: parquet-matrix OUTDIR [--bench [uncompressed|snappy|zstd|gzip]]", 64)
}
let dir = args[1]
if dir != "--inspect" { mkdir(dir, 0o755) }

do {
    if args[1] == "--inspect", args.count >= 3 {
        print(try ParquetInspector.describe(path: args[2], pages: args.contains("--pages")), terminator: "")
        exit(0)
    }
    if args.contains("--bench") {
        try Bench.run(dir: dir, only: args.count > 3 ? args[3] : nil)
        exit(0)
    }
    let files = Matrix.files()
    var json = "{\"files\":["
    for (i, f) in files.enumerated() {
        let summary = try f.write(to: dir)
        if i > 0 { json += ",\n" }
        json += f.json(summary: summary)
    }
    json += "],\n\"datasets\":{"
    var emitted = Set<String>()
    for f in files where !emitted.contains(f.dataset) {
        if !emitted.isEmpty { json += ",\n" }
        emitted.insert(f.dataset)
        json += JSON.string(f.dataset) + ":" + f.datasetJSON()
    }
    json += "}}\n"
    let path = dir + "/expected.json"
    guard let fp = fopen(path, "w") else { throw ParquetError(.io, "cannot create \(path)") }
    fputs(json, fp)
    fclose(fp)
    print("wrote \(files.count) files and expected.json to \(dir)")
} catch {
    fail("parquet-matrix: \(error)", 1)
}
