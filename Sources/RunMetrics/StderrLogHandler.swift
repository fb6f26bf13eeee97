#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// A swift-log handler that writes one compact line per message to stderr:
///
///     waybill collect: warning: feeds/a.csv: column 'discount' of the profile is not in the header
///     waybill write: debug: committed batch=2026-11-26 files=12
///
/// `<label>: <level>: <message>` then the metadata as sorted `key=value` pairs. No timestamp:
/// a batch job's stderr goes to a journal or a log file that stamps lines itself, and the
/// same shape as Waybill's error lines keeps logs greppable. Each line is one write(2), so
/// lines from two threads never interleave.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let fd: Int32

    public init(label: String, level: Logger.Level = .warning, fd: Int32 = 2) {
        self.label = label
        self.logLevel = level
        self.fd = fd
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.format(label: label, level: event.level, message: event.message.description,
                               metadata: merged(event.metadata))
        line.withUTF8 { b in _ = write(fd, b.baseAddress, b.count) }
    }

    /// The line for one message, newline included.
    public static func format(label: String, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(label): \(level.rawValue): \(message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let text = "\(value)"
            let quoted = text.isEmpty || text.contains(" ") || text.contains("=") || text.contains("\"")
            line += " \(key)=" + (quoted ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text)
        }
        return line + "\n"
    }

    private func merged(_ extra: Logger.Metadata?) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra { all.merge(extra) { _, new in new } }
        return all
    }
}

/// Sets up swift-log once per process with `StderrLogHandler` and hands out loggers per stage.
public enum WaybillLogging {
    private static let once = OnceFlag()

    /// A logger labelled `waybill <stage>` at `level` (`--log-level`).
    public static func logger(stage: String, level: Logger.Level) -> Logger {
        once.run {
            LoggingSystem.bootstrap { label in StderrLogHandler(label: label) }
        }
        var logger = Logger(label: "waybill \(stage)")
        logger.logLevel = level
        return logger
    }
}

/// Runs a closure at most once, from any thread.
private final class OnceFlag: @unchecked Sendable {
    private var done = false
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(lock, nil) }

    func run(_ body: () -> Void) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if done { return }
        done = true
        body()
    }
}
