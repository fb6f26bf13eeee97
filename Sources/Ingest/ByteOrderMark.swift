/// The UTF-8 byte order mark (EF BB BF), which Windows tools put at the start of a text file.
/// The CSV and NDJSON readers drop it there; a record that starts with one elsewhere (files
/// concatenated with their marks) is a reject that says so.
enum ByteOrderMark {
    /// Whether `b` starts with the mark.
    @inline(__always)
    static func starts(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
    }

    /// The encoding a UTF-16 or UTF-32 byte order mark at the start of `b` names, or nil.
    /// Excel's "Unicode text" and many Windows tools write UTF-16 with one; read as UTF-8 it
    /// gave a reject per line ("not valid UTF-8", "malformed CSV") and advice to declare
    /// latin1, which is no answer.
    static func wideEncoding(_ b: UnsafeRawBufferPointer) -> String? {
        guard b.count >= 2 else { return nil }
        if b.count >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0 { return "UTF-32LE" }
        if b.count >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF { return "UTF-32BE" }
        if b[0] == 0xFF && b[1] == 0xFE { return "UTF-16LE" }
        if b[0] == 0xFE && b[1] == 0xFF { return "UTF-16BE" }
        return nil
    }

    /// The reason of the `unsupported_encoding` reject of a member that starts with a wide mark.
    static func wideReason(_ encoding: String) -> String {
        "the file starts with a \(encoding) byte order mark: feeds are read as UTF-8 (or latin1 or windows-1252 when "
            + "the profile says so); convert it first, e.g. iconv -f \(encoding.prefix(6)) -t UTF-8 (nothing else of it was read)"
    }
}
