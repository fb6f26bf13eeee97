/// The UTF-8 byte order mark (EF BB BF), which Windows tools put at the start of a text file.
/// The CSV and NDJSON readers drop it there; a record that starts with one elsewhere (files
/// concatenated with their marks) is a reject that says so.
enum ByteOrderMark {
    /// Whether `b` starts with the mark.
    @inline(__always)
    static func starts(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
    }
}
