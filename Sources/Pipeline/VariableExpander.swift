/// `${VAR}` and `${VAR:-default}` in pipeline values, from the environment, so one file
/// serves every night (`${RUN_DATE}`, `${FEEDS}`). `$$` is a literal `$`. An unset (or, for
/// `:-`, empty) variable without a default is an error the caller places at the value.
///
/// Expansion works on the scalar values after the YAML is parsed, never on the raw text, so a
/// variable's value cannot change the structure of the file.
public struct VariableExpander: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Returns the expanded text, or the message saying which variable is missing.
    public func expand(_ text: String) -> Result<String, ExpansionFailure> {
        guard text.contains("$") else { return .success(text) }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            guard c == "$" else {
                out.append(c)
                i = text.index(after: i)
                continue
            }
            let next = text.index(after: i)
            if next < text.endIndex && text[next] == "$" {
                out.append("$")
                i = text.index(after: next)
                continue
            }
            guard next < text.endIndex && text[next] == "{" else {
                out.append("$")
                i = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else {
                return .failure(ExpansionFailure(message: "unclosed '${' in '\(text)'"))
            }
            let body = text[text.index(after: next)..<close]
            let name: Substring
            var fallback: Substring?
            if let sep = body.range(of: ":-") {
                name = body[..<sep.lowerBound]
                fallback = body[sep.upperBound...]
            } else {
                name = body
            }
            guard Self.isName(name) else {
                return .failure(ExpansionFailure(message: "'${\(body)}' is not a variable reference (use ${NAME} or ${NAME:-default})"))
            }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                return .failure(ExpansionFailure(message: "environment variable \(name) is not set (give a default with ${\(name):-value})"))
            }
            i = text.index(after: close)
        }
        return .success(out)
    }

    static func isName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

public struct ExpansionFailure: Error, Sendable {
    public var message: String
}
