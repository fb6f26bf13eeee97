/// A run of rows stored column by column, one `Column` per field of `fields`.
///
/// Rows are built field by field in any order between `beginRow()` and `endRow()`; fields not
/// set are null (a list or map with `touch()` or an element is present, else null). `cancelRow()` rolls a
/// half-built row back, which is how a mapper turns a bad record into a reject without leaving
/// half a row behind.
public struct ColumnTable: Sendable {
    public let fields: [FieldDef]
    public var columns: [Column]
    public private(set) var rowCount: Int = 0

    // "Already set in this row" needs no marks of its own: setting a field pads its column to
    // `rowCount` first and then appends, so a column holds more than `rowCount` rows exactly
    // when its field was set (or set null) in the row being built. Writing a mark per field
    // cost a uniqueness check of the mark array per value on the hot path.
    /// For each list/map column, 1 + the row whose elements are open (0 = none open).
    private var openInRow: [Int]
    private var building = false
    /// List/map columns opened in the row being built (so that a deferring `endRow` closes
    /// them without visiting every column).
    private var openList: [Int] = []

    /// When true, `endRow()` does not append a null to each field left unset: such a column
    /// stays shorter than `rowCount` until it is next set, or until `padNulls()` (or setting
    /// this back to false) fills it in bulk. Building a row then costs only the fields it sets,
    /// not all ~100 columns. While it is on, read `columns` only after `padNulls()`; the
    /// building API (`set`, `isSet`, `cancelRow`, `truncate`, ...) works as usual.
    public var defersNullPadding = false {
        didSet { if !defersNullPadding { padNulls() } }
    }

    /// Fills every column up to `rowCount` with nulls (see `defersNullPadding`).
    public mutating func padNulls() {
        precondition(!building, "padNulls() while a row is being built")
        let n = rowCount
        columns.withUnsafeMutableBufferPointer { cols in
            for c in 0..<cols.count where cols[c].count < n { cols[c].padNulls(to: n) }
        }
    }

    public init(fields: [FieldDef]) {
        self.fields = fields
        self.columns = fields.map { Column(kind: $0.kind) }
        self.openInRow = Array(repeating: 0, count: fields.count)
    }

    /// Starts a new row.
    public mutating func beginRow() {
        precondition(!building, "beginRow() while a row is being built")
        building = true
    }

    /// Whether field `col` has been given a value (or a null) in the row being built.
    public func isSet(_ col: Int) -> Bool {
        columns[col].count > rowCount || openInRow[col] == rowCount + 1
    }

    /// Brings column `col` to exactly `rowCount` rows before a value of the row being built is
    /// appended: pads a column left behind by deferred padding, and drops the value of a field
    /// set twice in one row (the later value wins). In the common case (the column already has
    /// `rowCount` rows) this is one load and compare.
    @inline(__always)
    private mutating func prepare(_ col: Int) {
        precondition(building, "setting a field outside beginRow()/endRow()")
        let have = columns[col].count
        if have != rowCount { realign(col, have) }
    }

    private mutating func realign(_ col: Int, _ have: Int) {
        if have > rowCount {
            columns[col].truncate(toCount: rowCount)
        } else {
            columns[col].padNulls(to: rowCount)
        }
    }

    /// Sets a numeric field of the row being built.
    @inline(__always)
    public mutating func set(_ col: Int, int value: Int64) {
        prepare(col)
        columns[col].append(value)
    }

    /// Sets a string field from raw UTF-8 bytes.
    @inline(__always)
    public mutating func set(_ col: Int, utf8 value: UnsafeRawBufferPointer) {
        prepare(col)
        columns[col].append(utf8: value)
    }

    /// Sets a string field.
    public mutating func set(_ col: Int, string value: String) {
        prepare(col)
        columns[col].append(value)
    }

    /// Sets a field to null explicitly.
    public mutating func setNull(_ col: Int) {
        if openInRow[col] == rowCount + 1 {
            columns[col].truncate(toCount: rowCount)  // drops the open elements
            openInRow[col] = 0
        }
        prepare(col)
        columns[col].appendNull()
    }

    /// Adds an element to a list field (or an entry to a map field) of the row being built.
    @inline(__always)
    public mutating func addElement(_ col: Int, utf8 value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer? = nil) {
        openElement(col)
        columns[col].appendElement(utf8: value, key: key)
    }

    /// Adds an element to a list field (or an entry to a map field) of the row being built.
    public mutating func addElement(_ col: Int, _ value: String, key: String? = nil) {
        openElement(col)
        columns[col].appendElement(value, key: key)
    }

    /// Marks a list or map field as present (empty unless elements are added).
    public mutating func touch(_ col: Int) { openElement(col) }

    @inline(__always)
    private mutating func openElement(_ col: Int) {
        precondition(building, "adding an element outside beginRow()/endRow()")
        if openInRow[col] != rowCount + 1 { openRow(col) }
    }

    /// Opens the element list of `col` for the row being built (first element or `touch`).
    private mutating func openRow(_ col: Int) {
        // Set (e.g. null) earlier in this row: the elements replace that value.
        if columns[col].count > rowCount { columns[col].truncate(toCount: rowCount) }
        // Elements are stored row after row: the column must have every earlier row.
        if defersNullPadding { columns[col].padNulls(to: rowCount) }
        openInRow[col] = rowCount + 1
        openList.append(col)
    }

    /// Ends the row: fields not set become null, open lists and maps are closed.
    public mutating func endRow() {
        precondition(building, "endRow() without beginRow()")
        let mark = rowCount + 1
        if defersNullPadding {
            for c in openList where openInRow[c] == mark { columns[c].closeRow() }
            openList.removeAll(keepingCapacity: true)
            rowCount += 1
            building = false
            return
        }
        openList.removeAll(keepingCapacity: true)
        // Every row pads most of the ~100 order columns with nulls, so this loop is hot: going
        // through buffer pointers checks the uniqueness of `columns` once per row instead of
        // once per column, and reads the marks without bounds checks.
        let n = rowCount
        openInRow.withUnsafeBufferPointer { open in
            columns.withUnsafeMutableBufferPointer { cols in
                for c in 0..<cols.count {
                    if open[c] == mark {
                        cols[c].closeRow()
                    } else if cols[c].count == n {
                        cols[c].appendNull()
                    }
                }
            }
        }
        rowCount += 1
        building = false
    }

    /// Abandons the row being built, leaving the table as it was before `beginRow()`.
    public mutating func cancelRow() {
        guard building else { return }
        for c in columns.indices where columns[c].count > rowCount || openInRow[c] == rowCount + 1 {
            columns[c].truncate(toCount: rowCount)
        }
        for c in columns.indices where openInRow[c] == rowCount + 1 { openInRow[c] = 0 }
        openList.removeAll(keepingCapacity: true)
        building = false
    }

    /// Drops rows from the end (used to roll back a whole multi-row order).
    public mutating func truncate(toCount n: Int) {
        precondition(!building && n <= rowCount)
        // A column shorter than n (deferred padding) has nothing to drop.
        for c in columns.indices where columns[c].count > n { columns[c].truncate(toCount: n) }
        rowCount = n
        for c in columns.indices where openInRow[c] > n { openInRow[c] = 0 }
    }

    /// Empties the table, keeping storage.
    public mutating func removeAll() {
        precondition(!building)
        for c in columns.indices { columns[c].removeAll() }
        for c in openInRow.indices { openInRow[c] = 0 }
        rowCount = 0
    }

    /// Bytes held, for memory budgets.
    public var byteSize: Int { columns.reduce(0) { $0 + $1.byteSize } }
}

extension ColumnTable {
    /// The bytes rows `rows` hold: 8 per number, a string's bytes and 4 of offset, a list's or
    /// map's elements likewise (keys included). A measure of content, the same however the
    /// rows were batched, in time proportional to the columns, not the rows (offsets at both
    /// ends). Columns must be padded (`defersNullPadding` off).
    public func dataBytes(rows: Range<Int>) -> Int {
        guard !rows.isEmpty else { return 0 }
        var total = 0
        let a = rows.lowerBound, b = rows.upperBound
        for c in columns {
            switch c.kind {
            case .string:
                total += Int(c.offsets[b] - c.offsets[a]) + 4 * rows.count
            case .stringList, .stringMap:
                let e0 = Int(c.rowOffsets[a]), e1 = Int(c.rowOffsets[b])
                total += Int(c.offsets[e1] - c.offsets[e0]) + 4 * (e1 - e0) + 4 * rows.count
                if c.kind == .stringMap { total += Int(c.keyOffsets[e1] - c.keyOffsets[e0]) + 4 * (e1 - e0) }
            default:
                total += 8 * rows.count
            }
        }
        return total
    }
}

extension OrderBatch {
    /// The bytes orders `orders` hold with their lines (`ColumnTable.dataBytes`).
    public func dataBytes(orders r: Range<Int>) -> Int {
        guard !r.isEmpty else { return 0 }
        return self.orders.dataBytes(rows: r) + lines.dataBytes(rows: Int(lineStart[r.lowerBound])..<Int(lineStart[r.upperBound]))
    }
}
