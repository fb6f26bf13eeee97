internal import CRe2Shim
import OrderModel

/// Everything compiled expressions share: the programs (top-level expressions and the bodies
/// of their aggregates), constants, string bytes of constants, and compiled regexes. Built once
/// when a rules file loads, then read-only.
public final class ExpressionPool: @unchecked Sendable {
    var programs: [Program] = []
    var constants: [Value] = []
    var stringPool = ByteArena()
    var regexes: [LinearRegex] = []

    public init() {}

    func addConstant(_ v: Value) -> Int32 {
        constants.append(v)
        return Int32(constants.count - 1)
    }

    func addString(_ s: String) -> Int32 {
        let lo = stringPool.count
        stringPool.append(contentsOf: s.utf8)
        return addConstant(.string(StringSource.constants, lo..<stringPool.count))
    }

    /// Compiles `text` as an expression; throws with a byte offset into `text`.
    public func compile(_ text: String) throws(ExpressionError) -> CompiledExpression {
        var parser = try Parser(text)
        let tree = try parser.parse()
        var compiler = Compiler(pool: self)
        let index = try compiler.compileTop(tree)
        return CompiledExpression(index: index, type: programs[index].type)
    }
}

/// A handle on one compiled expression in its pool.
public struct CompiledExpression: Sendable {
    let index: Int
    public let type: ValueType
}

/// A regular expression of `matches()`, compiled once at load: POSIX extended syntax, run by
/// RE2 (CRe2Shim), whose matching time is linear in the value. The values come from feeds:
/// glibc's regexec, used before, took time growing with the square of a value's length for
/// ordinary patterns such as `[a-z]+@` (1.7 s for one 40 KB value, minutes for a 1 MiB one),
/// so one hostile field could stall a run. RE2 also matches the value's bytes where they lie:
/// no NUL-terminated copy per evaluation.
final class LinearRegex: @unchecked Sendable {
    private let regex: OpaquePointer
    let pattern: String

    init(_ pattern: String) throws(ExpressionError) {
        self.pattern = pattern
        var error = [CChar](repeating: 0, count: 256)
        let compiled = pattern.utf8CString.withUnsafeBufferPointer { p in
            wb_regex_compile(p.baseAddress!, p.count - 1, &error, error.count)
        }
        guard let compiled else {
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ExpressionError(offset: 0, "bad regular expression '\(pattern)': \(message)")
        }
        regex = compiled
    }

    /// Whether the pattern matches somewhere in `text`.
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        wb_regex_search(regex, text.baseAddress, text.count) != 0
    }

    deinit { wb_regex_free(regex) }
}
