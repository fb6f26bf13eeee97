import OrderModel

/// What went wrong with a record before mapping, if anything.
enum RecordProblem {
    case none
    /// Malformed CSV (libcsv strict mode) or JSON, with the parser's message.
    case malformed(String)
    case invalidUTF8(field: Int, offset: Int)
    case fieldTooLong(field: Int, length: Int)
    case lineTooLong(length: Int)
    /// More fields than `max_columns` (the sink stops keeping them past the limit).
    case tooManyFields(count: Int)
    /// The member starts with a UTF-16 or UTF-32 byte order mark (its name): the only record
    /// of the member, which is not read further.
    case wideEncoding(String)
}

/// One CSV record as libcsv delivered it: field values (unquoted, unescaped) as byte ranges
/// `starts[i]..<ends[i]` from `base` (the field arena, or the read buffer for records split
/// in one pass), plus where it came from. Valid only during the handler call.
struct CSVRecord {
    var base: UnsafeRawPointer?
    var starts: UnsafePointer<Int>?
    var ends: UnsafePointer<Int>?
    let count: Int
    /// The record's bytes as read (a prefix when the record was too long to keep).
    var raw: UnsafeRawBufferPointer
    var line: Int
    var byteOffset: Int
    var problem: RecordProblem

    @inline(__always)
    func field(_ i: Int) -> UnsafeRawBufferPointer {
        let s = starts![i]
        return UnsafeRawBufferPointer(start: base! + s, count: ends![i] - s)
    }
}

/// CSV dialect and limits, from the profile.
struct CSVOptions: Sendable {
    var delimiter: UInt8 = UInt8(ascii: ",")
    var quote: UInt8 = UInt8(ascii: "\"")
    var maxFieldBytes = 1 << 20
    var maxLineBytes = 16 << 20
    /// Fields of one record, the header included. Spark's CSV reader (univocity's
    /// `maxColumns`) stops at 20,480 too: far above any real export, and it keeps a line of
    /// commas (a header of millions of empty names) from costing a name, an ext key and a
    /// warning per column.
    var maxColumns = 20_480
    var blockSize = 1 << 20
}
