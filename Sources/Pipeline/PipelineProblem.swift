import OrderModel

/// One mistake in a pipeline file or in a file it names, with where it is. `validate` prints
/// every problem it finds, not only the first, so one edit-validate round fixes them all.
public struct PipelineProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem has no position (a `--set` value, a missing file).
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// A problem from an error another loader threw (a profile's or rules file's own position).
    public init(_ error: WaybillError, file: String) {
        if case .config(let f, let l, let c, let m) = error {
            self.init(file: f, line: l, column: c, message: m)
        } else {
            self.init(file: file, line: 0, column: 0, message: error.description)
        }
    }

    public var description: String { line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)" }

    /// The error a run stops with (exit 78): the first problem, with the count of the others.
    public static func error(_ problems: [PipelineProblem]) -> WaybillError {
        let first = problems[0]
        let more = problems.count > 1 ? " (and \(problems.count - 1) more problem(s), listed above)" : ""
        return .config(file: first.file, line: first.line, column: first.column, message: first.message + more)
    }
}
