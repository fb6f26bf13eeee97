#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// The CPUs this process may run on, and `--threads N` as "use N of them".
///
/// `--threads` pins the whole process (every stage thread and the encoders) to N of its allowed
/// CPUs with sched_setaffinity, rather than only resizing a thread pool: `run` overlaps its stages
/// on separate threads, so the honest meaning of "1 thread" is one CPU for all of them, the
/// way a one-thread DuckDB job has one worker. glibc's CPU_SET/CPU_COUNT are macros Swift cannot
/// call, so the mask's bits are read and written directly; sched_getaffinity/sched_setaffinity
/// are GNU extensions Glibc's Swift module does not declare, so they are looked up by name.
enum CPUSet {
    private typealias AffinityCall = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32

    private static func call(_ name: String, _ set: inout cpu_set_t) -> Bool {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return false }
        let f = unsafeBitCast(sym, to: AffinityCall.self)
        return withUnsafeMutableBytes(of: &set) { f(0, $0.count, $0.baseAddress!) } == 0
    }

    /// How many CPUs the process may use now (at least 1).
    static func allowedCount() -> Int {
        var set = cpu_set_t()
        guard call("sched_getaffinity", &set) else { return 1 }
        return max(1, withUnsafeBytes(of: &set) { $0.reduce(0) { $0 + $1.nonzeroBitCount } })
    }

    /// Restricts the process to the first `n` of its allowed CPUs; returns how many it may use.
    static func limit(to n: Int) throws(WaybillError) -> Int {
        guard n >= 1 else { throw WaybillError.usage("--threads must be at least 1") }
        var set = cpu_set_t()
        guard call("sched_getaffinity", &set) else { return 1 }
        var kept = 0
        withUnsafeMutableBytes(of: &set) { bytes in
            for i in bytes.indices {
                var b = bytes[i]
                var out: UInt8 = 0
                while b != 0 && kept < n {
                    let low = b & (~b &+ 1)  // lowest set bit
                    out |= low
                    b &= b &- 1
                    kept += 1
                }
                bytes[i] = out
            }
        }
        // Threads created later inherit the calling thread's mask; pid 0 is the calling thread,
        // which is the only one running while options are parsed.
        guard call("sched_setaffinity", &set) else {
            throw WaybillError.usage("--threads \(n): cannot restrict the process to \(n) CPU(s) (errno \(errno))")
        }
        return kept
    }
}
