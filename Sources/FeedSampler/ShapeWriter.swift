/// One feed shape's writer. The generator drives it order by order; the writer draws the order
/// from its own per-order random stream (so a later version of the same order is the same order)
/// and appends its records to the buffer.
protocol ShapeWriter {
    /// Appends the header, if the shape has one, and returns how many lines it took.
    mutating func header(_ out: inout FeedBuffer) -> Int

    /// Appends version `version` (0 = first) of good order `index`. On version 0 `updates` is
    /// the number of later versions wanted; the result says how many the order's status path
    /// allows (later calls pass that number back).
    mutating func good(index: Int, version: Int, updates: Int, out: inout FeedBuffer) -> GoodWrite

    /// Appends one bad record of `kind` standing for order `index`; returns the physical lines
    /// it took (more than 1 when a quoted field holds line breaks).
    mutating func bad(index: Int, kind: BadKind, out: inout FeedBuffer) -> Int

    /// Adds the writer's own tallies (money sums, statuses) to the truth.
    func finish(_ truth: inout SampleTruth)
}

/// What one `good` call wrote.
struct GoodWrite {
    var records: Int
    var lines: Int
    var updates: Int
    /// Physical lines (line ends) written: `records` plus the line breaks inside quoted fields.
    var physicalLines: Int
}

/// Variants shared by the writers' bad records.
enum BadText {
    static let money: [[UInt8]] = ["N/A", "12.5O", "1.234,50", "USD 99.00", "--", "¥1,299"].map { Array($0.utf8) }
    /// Invalid UTF-8: a lone 0xFF, a lead byte without its continuation, an encoded surrogate,
    /// an overlong encoding of `/`, and a sequence cut short.
    static let invalidUTF8: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82]]
    static let trailing: [[UInt8]] = [" }", "]", ",", " trailing text", "}}", "\"x\""].map { Array($0.utf8) }

    /// `text` with an invalid UTF-8 sequence spliced into its middle.
    static func corrupt(_ text: [UInt8], variant: Int) -> [UInt8] {
        var mid = text.count / 2
        while mid > 0 && mid < text.count && text[mid] & 0xC0 == 0x80 { mid -= 1 }  // not inside a character
        var out = Array(text[0..<mid])
        out.append(contentsOf: invalidUTF8[variant % invalidUTF8.count])
        out.append(contentsOf: text[mid...])
        return out
    }

    /// Cuts the record that starts at `start` (its line end not yet written) to a strict prefix,
    /// never inside a UTF-8 character, so the only fault is the missing end.
    static func truncate(_ out: inout FeedBuffer, from start: Int, rng: inout SampleRandom) {
        let length = out.count - start
        var keep = start + rng.int(max(1, length / 4), max(1, length - 2))
        while keep > start + 1 && out[keep] & 0xC0 == 0x80 { keep -= 1 }
        out.truncate(to: keep)
    }
}
