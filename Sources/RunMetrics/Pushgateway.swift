import Foundation
import OrderModel

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Pushes a run's metrics to a Prometheus Pushgateway, the way batch jobs report.
///
/// The group is `/metrics/job/<job>/instance/<instance>`. The body is the same exposition text
/// the textfile gets. What makes "time since the last success" alerts work is the method:
///
/// - a successful run PUTs: the group is replaced as a whole, so series of the previous run
///   that this run no longer has (a reject reason that went away) disappear, and
///   `waybill_last_success_timestamp_seconds` gets the new time;
/// - a failed run POSTs without the last-success metric: POST replaces only the metric names
///   it carries, so the last-success value of the previous good run stays in the group.
///
/// HTTP goes through FoundationNetworking's URLSession (libcurl underneath), with a bounded
/// timeout: a Pushgateway that is down or slow costs the run a few seconds at most.
public struct Pushgateway: Sendable {
    public var url: String
    public var job: String
    public var instance: String
    /// Seconds for the whole request (connect, send, answer).
    public var timeout: Double

    public init(url: String, job: String, instance: String, timeout: Double = 5) {
        self.url = url
        self.job = job
        self.instance = instance
        self.timeout = timeout
    }

    /// The default job name for a stage (`waybill_collect`), a valid Prometheus label value
    /// that groups each stage of a nightly job separately.
    public static func defaultJob(stage: String) -> String { "waybill_\(stage)" }

    /// The host name, the usual `instance` of a batch job (it has no address of its own).
    public static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    /// The grouping URL: `<base>/metrics/job/<job>/instance/<instance>`. Values that are not
    /// plain URL path characters (a `/`, a space, empty) use the Pushgateway's base64 form
    /// (`job@base64/<base64url>`), which it decodes back to the exact label value.
    public func groupURL() throws(PushError) -> URL {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        guard let u = URL(string: base), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https",
              u.host != nil
        else { throw PushError(message: "--push: expected an http:// or https:// URL (got '\(url)')") }
        guard let full = URL(string: base + "/metrics" + Self.segment("job", job) + Self.segment("instance", instance))
        else { throw PushError(message: "--push: cannot build the grouping URL from '\(url)'") }
        return full
    }

    static func segment(_ name: String, _ value: String) -> String {
        let plain = !value.isEmpty && value.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        }
        if plain { return "/\(name)/\(value)" }
        var b64 = Data(value.utf8).base64EncodedString()
        b64 = b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return "/\(name)@base64/\(b64.isEmpty ? "=" : b64)"
    }

    /// The HTTP method for a run's outcome (see the type's documentation).
    public static func method(for run: StageRun) -> String { run.succeeded ? "PUT" : "POST" }

    /// Pushes `run`. Throws a `PushError` naming the URL and what went wrong (refused, timed
    /// out, an HTTP status other than 2xx with the start of the Pushgateway's answer).
    public func push(_ run: StageRun) throws(PushError) {
        let target = try groupURL()
        var request = URLRequest(url: target, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = Self.method(for: run)
        request.setValue("text/plain; version=0.0.4; charset=utf-8", forHTTPHeaderField: "Content-Type")
        // A failed run carries no last-success series (render leaves it out when not given one).
        request.httpBody = Data(PrometheusTextfile.render(run, previousLastSuccess: nil))
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        session.dataTask(with: request) { data, response, error in
            box.set(data: data, response: response, error: error)
            done.signal()
        }.resume()
        // The session's own timeout ends the task; the extra second only guards against a task
        // that never calls back.
        if done.wait(timeout: .now() + timeout + 1) == .timedOut {
            throw PushError(message: "\(target.absoluteString): no answer within \(timeout) s")
        }
        let (data, response, error) = box.get()
        if let error {
            let reason = (error as NSError).localizedDescription
            throw PushError(message: "\(target.absoluteString): \(reason)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw PushError(message: "\(target.absoluteString): no HTTP answer")
        }
        guard (200..<300).contains(http.statusCode) else {
            let body = String(decoding: (data ?? Data()).prefix(300), as: UTF8.self)
                .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
            throw PushError(message: "\(target.absoluteString): HTTP \(http.statusCode)\(body.isEmpty ? "" : ": " + body)")
        }
    }
}

/// A push that did not land; the run's data is not affected.
public struct PushError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Hands the completion handler's results to the waiting thread.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: URLResponse?
    private var error: Error?

    func set(data: Data?, response: URLResponse?, error: Error?) {
        lock.lock()
        defer { lock.unlock() }
        (self.data, self.response, self.error) = (data, response, error)
    }

    func get() -> (Data?, URLResponse?, Error?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, response, error)
    }
}
