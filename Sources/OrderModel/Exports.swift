// Column's string storage (`ByteArena`, `ByteSlice`) is part of this module's API: every
// reader of `Column.bytes` names it, so it comes with `import OrderModel`.
@_exported import ByteStorage
