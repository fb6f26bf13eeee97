import ArgumentParser
import Foundation
import Ingest
import OrderModel

/// `--limit NAME=VALUE` for the verbs that read feeds (collect, write, run): the same names
/// and values as a profile's `limits:` section (docs/hostile-input.md), applied over it. One
/// repeatable option rather than a flag per limit keeps the list in one place: `InputLimits`.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("limit"), help: ArgumentHelp(
        "Override an input limit: NAME=VALUE (repeatable), e.g. max_input_bytes=8GiB, max_compression_ratio=500.",
        discussion: "Names: \(InputLimits.keys.joined(separator: ", ")). Defaults and reasons: docs/hostile-input.md.",
        valueName: "name=value"))
    var settings: [String] = []

    /// `limits` with the command line's settings applied; a bad one is a usage error (64).
    func applied(to limits: InputLimits) throws(WaybillError) -> InputLimits {
        var l = limits
        try l.apply(settings)
        return l
    }

    /// The settings as pipeline overrides (`limits.NAME=VALUE`), so `run` checks and reports
    /// them like the pipeline file's own `limits:` section.
    var pipelineOverrides: [String] {
        settings.map { s in
            guard let eq = s.firstIndex(of: "=") else { return "limits." + s }
            return "limits." + s[..<eq].replacingOccurrences(of: "-", with: "_") + String(s[eq...])
        }
    }

    /// Exit 65 for the first input a limit ended (everything read was written by then).
    static func check(_ breaches: [LimitBreach]) throws(WaybillError) {
        guard let first = breaches.first else { return }
        let more = breaches.count > 1 ? " (and \(breaches.count - 1) more input(s))" : ""
        throw .data("input limit: \(first)\(more)")
    }
}
