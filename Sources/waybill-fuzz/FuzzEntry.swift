#if canImport(Glibc)
import Glibc
#endif
import FuzzTargets

// Two builds of one file (docs/fuzzing.md):
//  - with `-D WAYBILL_LIBFUZZER -sanitize=fuzzer,address` (Tests/fuzz/run.sh) `main` hands the
//    command line to libFuzzer's driver (LLVMFuzzerRunDriver) with the target that
//    WAYBILL_FUZZ_TARGET names. (SwiftPM links executables with `main` aliased to the module's
//    entry point, so libFuzzer's own `main` cannot be used; its driver can.)
//  - in the normal `swift build` there is no libFuzzer to link, so the same executable is a
//    replay tool: `waybill-fuzz TARGET FILE...` runs files through a target and prints how
//    each ended, which is how a crash file from a fuzz run is reproduced under a debugger.

/// Writes a message to standard error (fd 2: the C `stderr` global is not concurrency-safe in Swift 6).
private func complain(_ message: String) {
    var m = message
    m.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

#if WAYBILL_LIBFUZZER

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzCallback
) -> CInt

/// The target of this process, set once before the driver starts.
nonisolated(unsafe) private var selected: FuzzTarget = .csvShop

@main
struct FuzzDriver {
    static func main() {
        let name = getenv("WAYBILL_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let t = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            complain("waybill-fuzz: set WAYBILL_FUZZ_TARGET to one of: \(names)\n")
            exit(64)
        }
        selected = t
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let rc = LLVMFuzzerRunDriver(&argc, &argv) { data, count in
            selected.run(UnsafeRawBufferPointer(start: data, count: count))
            return 0
        }
        exit(rc)
    }
}

#else

@main
struct ReplayTool {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name), args.count >= 2 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            complain("usage: waybill-fuzz \(names) FILE...\n")
            exit(64)
        }
        for path in args.dropFirst() {
            guard let bytes = readAll(path) else {
                complain("waybill-fuzz: cannot read \(path)\n")
                exit(66)
            }
            let o = target.run(bytes)
            print("\(path): \(o.records) records, \(o.rejects) rejects\(o.error.map { ", error: " + $0 } ?? "")")
        }
    }

    static func readAll(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }
}

#endif
