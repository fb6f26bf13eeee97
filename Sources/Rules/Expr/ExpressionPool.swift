#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// Everything compiled expressions share: the programs (top-level expressions and the bodies
/// of their aggregates), constants, string bytes of constants, and compiled regexes. Built once
/// when a rules file loads, then read-only.
public final class ExpressionPool: @unchecked Sendable {
    var programs: [Program] = []
    var constants: [Value] = []
    var stringPool = ByteArena()
    var regexes: [PosixRegex] = []

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

/// A POSIX extended regular expression compiled once at load (regcomp), matched against byte
/// ranges (regexec on a reused, NUL-terminated scratch copy). Glibc's regex works on bytes, so
/// no String is made per evaluation, which Swift's Regex would need.
final class PosixRegex: @unchecked Sendable {
    private var regex = regex_t()
    let pattern: String

    init(_ pattern: String) throws(ExpressionError) {
        self.pattern = pattern
        let rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        if rc != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &buf, buf.count)
            let message = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ExpressionError(offset: 0, "bad regular expression '\(pattern)': \(message)")
        }
    }

    /// Whether the NUL-terminated text in `scratch` matches.
    func matches(_ scratch: UnsafePointer<CChar>) -> Bool {
        regexec(&regex, scratch, 0, nil, 0) == 0
    }

    deinit { regfree(&regex) }
}
