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

    /// For each column, 1 + the row at which it was last set (0 = never), to detect "already set
    /// in this row" without clearing an array per row.
    private var setInRow: [Int]
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
        self.setInRow = Array(repeating: 0, count: fields.count)
        self.openInRow = Array(repeating: 0, count: fields.count)
    }

    /// Starts a new row.
    public mutating func beginRow() {
        precondition(!building, "beginRow() while a row is being built")
        building = true
    }

    /// Whether field `col` has been given a value (or a null) in the row being built.
    public func isSet(_ col: Int) -> Bool {
        setInRow[col] == rowCount + 1 || openInRow[col] == rowCount + 1
    }

    private mutating func prepare(_ col: Int) {
        precondition(building, "setting a field outside beginRow()/endRow()")
        if setInRow[col] == rowCount + 1 {
            // Set twice in one row: the later value wins.
            columns[col].truncate(toCount: rowCount)
        } else if defersNullPadding {
            columns[col].padNulls(to: rowCount)
        }
        setInRow[col] = rowCount + 1
    }

    /// Sets a numeric field of the row being built.
    public mutating func set(_ col: Int, int value: Int64) {
        prepare(col)
        columns[col].append(value)
    }

    /// Sets a string field from raw UTF-8 bytes.
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

    private mutating func openElement(_ col: Int) {
        precondition(building, "adding an element outside beginRow()/endRow()")
        if setInRow[col] == rowCount + 1 {
            columns[col].truncate(toCount: rowCount)
            setInRow[col] = 0
        }
        if openInRow[col] != rowCount + 1 {
            // Elements are stored row after row: the column must have every earlier row.
            if defersNullPadding { columns[col].padNulls(to: rowCount) }
            openInRow[col] = rowCount + 1
            openList.append(col)
        }
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
        setInRow.withUnsafeBufferPointer { set in
            openInRow.withUnsafeBufferPointer { open in
                columns.withUnsafeMutableBufferPointer { cols in
                    for c in 0..<cols.count {
                        if open[c] == mark {
                            cols[c].closeRow()
                        } else if set[c] != mark {
                            cols[c].appendNull()
                        }
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
        for c in columns.indices {
            if setInRow[c] == rowCount + 1 { setInRow[c] = 0 }
            if openInRow[c] == rowCount + 1 { openInRow[c] = 0 }
        }
        openList.removeAll(keepingCapacity: true)
        building = false
    }

    /// Drops rows from the end (used to roll back a whole multi-row order).
    public mutating func truncate(toCount n: Int) {
        precondition(!building && n <= rowCount)
        // A column shorter than n (deferred padding) has nothing to drop.
        for c in columns.indices where columns[c].count > n { columns[c].truncate(toCount: n) }
        rowCount = n
        for c in columns.indices {
            if setInRow[c] > n { setInRow[c] = 0 }
            if openInRow[c] > n { openInRow[c] = 0 }
        }
    }

    /// Empties the table, keeping storage.
    public mutating func removeAll() {
        precondition(!building)
        for c in columns.indices { columns[c].removeAll() }
        for c in setInRow.indices {
            setInRow[c] = 0
            openInRow[c] = 0
        }
        rowCount = 0
    }

    /// Bytes held, for memory budgets.
    public var byteSize: Int { columns.reduce(0) { $0 + $1.byteSize } }
}
