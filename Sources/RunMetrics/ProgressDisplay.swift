#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrderModel

/// Draws a `ProgressMeter` on stderr: one line redrawn in place (carriage return, erase to end
/// of line) while an input is read, a kept line when it ends, and a total line at the end.
///
///     collect [1/3] feeds/a.csv.gz: 1,204,000 records, 48.0 MiB of 120.0 MiB, 39.5 MiB/s, ETA 0:02
///
/// Bytes are the input as stored (compressed bytes for a compressed file), so the ETA compares
/// like with like: bytes left of the known size over the rate so far.
public enum ProgressDisplay {
    /// Whether to show progress: forced by `--progress`/`--no-progress`, off with `--quiet`,
    /// otherwise only when stderr is a terminal (never in a pipe, a log file or cron mail).
    public static func enabled(flag: Bool?, quiet: Bool, fd: Int32 = 2) -> Bool {
        if quiet { return false }
        if let flag { return flag }
        return isatty(fd) == 1
    }

    /// A meter that draws on `fd` (stderr), or nil when progress is off.
    public static func meter(stage: String, inputCount: Int = 0, enabled: Bool, fd: Int32 = 2) -> ProgressMeter? {
        guard enabled else { return nil }
        return ProgressMeter(stage: stage, inputCount: inputCount) { snapshot, event in
            var text = "\r\u{1B}[K" + line(snapshot, event: event)
            if event != .tick { text += "\n" }
            text.withUTF8 { b in _ = write(fd, b.baseAddress, b.count) }
        }
    }

    /// The size of a regular file (what the ETA needs), nil for stdin, pipes and missing files.
    public static func fileSize(_ path: String) -> Int? {
        if path == "-" { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    /// The text of one progress line (without control characters).
    public static func line(_ s: ProgressMeter.Snapshot, event: ProgressMeter.Event) -> String {
        if event == .finished {
            let rate = s.elapsed > 0 ? Double(s.bytes) / s.elapsed : 0
            return "\(s.stage): done: \(grouped(s.records)) records, \(bytes(s.bytes)) in \(clock(s.elapsed)) "
                + "(\(bytes(Int(rate)))/s)"
        }
        var out = s.stage
        if s.inputCount > 1 { out += " [\(s.inputIndex)/\(s.inputCount)]" }
        out += " \(s.input == "-" ? "stdin" : s.input): \(grouped(s.inputRecords)) records, \(bytes(s.inputBytes))"
        if let size = s.inputSize, size > 0 { out += " of \(bytes(size))" }
        let rate = s.inputElapsed > 0 ? Double(s.inputBytes) / s.inputElapsed : 0
        if rate > 0 { out += ", \(bytes(Int(rate)))/s" }
        if event == .inputDone {
            out += ", \(clock(s.inputElapsed))"
        } else if let size = s.inputSize, size > 0, rate > 0 {
            out += ", ETA \(clock(Double(max(0, size - s.inputBytes)) / rate))"
        }
        return out
    }

    /// 1234567 -> "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = n < 0 ? "-" : ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }

    /// Binary units with one decimal: "512 B", "48.0 MiB".
    static func bytes(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        var v = Double(n)
        for unit in ["KiB", "MiB", "GiB", "TiB"] {
            v /= 1024
            if v < 1024 || unit == "TiB" { return "\(oneDecimal(v)) \(unit)" }
        }
        return "\(n) B"
    }

    /// Seconds as m:ss or h:mm:ss.
    static func clock(_ seconds: Double) -> String {
        let t = Int(seconds.isFinite ? seconds.rounded() : 0)
        let (h, m, s) = (t / 3600, (t / 60) % 60, t % 60)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    private static func oneDecimal(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
