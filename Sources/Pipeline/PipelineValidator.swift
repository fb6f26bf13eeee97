#if canImport(Glibc)
import Glibc
#endif
import Datasets
import Foundation
import Ingest
import OrderModel
import Rules

/// Checks a loaded pipeline without running it: loads every profile and rules file it names
/// (with their own positions when they are wrong), checks the state and output folders, and
/// keeps what it loaded so `run` does not load it twice. Feeds are never opened here.
public struct PipelineValidator {
    public struct Validated {
        public var spec: PipelineSpec
        public var problems: [PipelineProblem]
        /// Things worth saying that do not stop a run (a line whose inputs match nothing yet).
        public var warnings: [String] = []
        public var profiles: [String: Profile] = [:]
        public var ruleSet: RuleSet?
        public var state: StateStore?
    }

    public static func validate(_ loaded: PipelineLoader.Loaded, factory: StageFactory) -> Validated {
        let spec = loaded.spec
        var v = Validated(spec: spec, problems: loaded.problems)
        for line in spec.lines where !line.profile.isEmpty && v.profiles[line.profile] == nil {
            do {
                var profile = try ProfileLoader.load(path: line.profile)
                for (key, text) in spec.limits { _ = profile.limits.set(key, to: text) }  // checked when loaded
                v.profiles[line.profile] = profile
            } catch {
                v.problems.append(referenced(error, line.profile, line.profileOrigin, "profile of line '\(line.name)'"))
            }
        }
        if let t = spec.transaction {
            do {
                let rules = try RuleSet.load(path: t.rules)
                _ = try Transactor(ruleSet: rules, state: nil)  // a missing PII salt shows up here
                v.ruleSet = rules
            } catch {
                v.problems.append(referenced(error, t.rules, t.origin, "transaction rules"))
            }
            if let dir = spec.stateFolder {
                let origin = t.stateOrigin ?? t.origin
                if let p = folderProblem(dir, "transaction.state") {
                    v.problems.append(origin.problem(p))
                } else {
                    do {
                        v.state = try StateStore(directory: dir)
                    } catch {
                        v.problems.append(origin.problem("transaction.state: \(error.description)"))
                    }
                }
            }
        }
        if let f = spec.fulfillment {
            if let make = factory.fulfillment {
                do { _ = try make(f.rules) } catch { v.problems.append(referenced(error, f.rules, f.origin, "fulfillment rules")) }
            } else {
                v.problems.append(f.origin.problem(StageFactory.noFulfillment))
            }
        }
        checkOutput(spec, &v)
        for line in spec.lines where !line.inputs.isEmpty {
            do {
                _ = try InputResolver.resolve(line.inputs)
            } catch {
                v.warnings.append("line \(line.name): \(error.description) (the line fails if it is still so when the pipeline runs)")
            }
        }
        return v
    }

    /// A problem in a file the pipeline names: its own position when it has one, else the
    /// pipeline's line that names it.
    static func referenced(_ error: WaybillError, _ path: String, _ origin: PipelineSpec.Origin, _ what: String) -> PipelineProblem {
        if case .config(let f, let l, _, _) = error, l > 0 || f != path { return PipelineProblem(error, file: path) }
        return origin.problem("\(what): \(error.description)")
    }

    private static func checkOutput(_ spec: PipelineSpec, _ v: inout Validated) {
        let o = spec.output
        guard !o.folder.isEmpty else { return }
        if let p = folderProblem(o.folder, "output.folder") { v.problems.append(o.origin.problem(p)) }
        if let r = o.rejects, let p = folderProblem(r, "output.rejects") { v.problems.append(o.origin.problem(p)) }
        if o.mode == .error {
            for d in o.datasets where holdsData(o.folder + "/" + d.name) {
                v.problems.append(o.origin.problem("output.mode is error and \(o.folder)/\(d.name) already holds data"))
            }
        }
        let batch = spec.batchId ?? PipelineRunner.defaultBatchId(spec)
        for line in spec.lines where !DatasetWriteOptions.isValidBatchId(batch + "-" + line.name) {
            v.problems.append(line.origin.problem(
                "the batch id '\(batch)-\(line.name)' of this line's files is longer than 64 characters; shorten batch_id or the line name"))
        }
    }

    /// Whether `dir` exists as a writable folder or can be created (its nearest existing
    /// ancestor is a writable folder); the message says what is wrong.
    static func folderProblem(_ dir: String, _ what: String) -> String? {
        var path = dir
        var st = stat()
        while stat(path, &st) != 0 {
            guard errno == ENOENT || errno == ENOTDIR else { return "\(what) \(dir): \(String(cString: strerror(errno)))" }
            guard let slash = path.dropLast().lastIndex(of: "/") else { path = "."; continue }
            path = slash == path.startIndex ? "/" : String(path[..<slash])
        }
        if (st.st_mode & S_IFMT) != S_IFDIR { return "\(what) \(dir): \(path) is not a folder" }
        if access(path, W_OK | X_OK) != 0 { return "\(what) \(dir): \(path) is not writable" }
        return nil
    }

    /// Whether a dataset folder already has data files (or a manifest listing some).
    static func holdsData(_ root: String) -> Bool {
        if let m = try? DatasetManifest.read(root + "/" + DatasetManifest.fileName), !m.files.isEmpty { return true }
        guard let e = FileManager.default.enumerator(atPath: root) else { return false }
        for case let rel as String in e where rel.hasSuffix(".parquet") && !rel.split(separator: "/").contains(where: {
            $0.hasPrefix(".") || $0.hasPrefix("_")
        }) {
            return true
        }
        return false
    }
}
