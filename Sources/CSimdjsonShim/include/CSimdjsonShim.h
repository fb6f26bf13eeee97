#ifndef WAYBILL_CSIMDJSON_SHIM_H
#define WAYBILL_CSIMDJSON_SHIM_H
// extern "C" face of simdjson for the Swift Ingest module.
//
// Swift never sees a C++ type: it hands over a padded buffer of NDJSON lines once per batch,
// and gets back, per line, a flat "tape" of entries (kind, key range, value range) pointing into
// one byte arena. Numbers are handed over as their raw text so that money is parsed exactly by
// Swift (ExactDecimal), never through a double. One call parses many lines: the FFI cost is per
// batch, not per field.
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// Kinds of tape entries. An OBJECT or ARRAY entry is followed by its children and closed by an
/// END entry; its `val_len` is the number of entries up to and including that END.
enum {
    WB_JSON_OBJECT = 1,
    WB_JSON_ARRAY = 2,
    WB_JSON_END = 3,
    WB_JSON_STRING = 4,
    WB_JSON_NUMBER = 5,
    WB_JSON_TRUE = 6,
    WB_JSON_FALSE = 7,
    WB_JSON_NULL = 8
};

/// Flags or-ed into wb_json_entry.kind: the key / value range is in the input buffer given to
/// wb_json_parse_lines (a string without escapes, a number's text) rather than in the arena.
enum {
    WB_JSON_KIND_MASK = 0xFF,
    WB_JSON_KEY_IN_INPUT = 0x100,
    WB_JSON_VAL_IN_INPUT = 0x200
};

/// One value of a document. `kind` is a WB_JSON_* kind plus the flags above. `key_*` is the
/// member name (empty outside objects), unescaped; `val_*` is the unescaped string or the raw
/// number text. Each range is in the arena, or in the input buffer when flagged.
typedef struct wb_json_entry {
    uint32_t kind;
    uint32_t key_off;
    uint32_t key_len;
    uint32_t val_off;
    uint32_t val_len;
} wb_json_entry;

/// One line of the batch. `error` is 0 or a simdjson error code (see wb_json_error_message);
/// on error the tape range is empty.
typedef struct wb_json_doc {
    uint64_t offset;       // byte offset of the line in the buffer
    uint64_t length;       // bytes of the line, without the newline
    uint32_t line_index;   // 0-based line number within this call (blank lines count)
    uint32_t tape_begin;
    uint32_t tape_end;
    int32_t error;
} wb_json_doc;

typedef struct wb_json_batch wb_json_batch;

/// simdjson's required read-buffer slack past the last byte of input.
size_t wb_json_padding(void);

wb_json_batch *wb_json_batch_create(void);
void wb_json_batch_destroy(wb_json_batch *batch);

/// Parses the lines of buf[0..<len) (buf must be readable up to len + wb_json_padding()).
/// Only newline-terminated lines are parsed unless `final` is non-zero, in which case a last
/// unterminated line is parsed too. Blank lines are skipped (but counted in line_index).
/// Stops after `max_docs` documents. Sets *consumed to the bytes consumed and *lines to the
/// number of lines consumed; returns the number of documents.
size_t wb_json_parse_lines(wb_json_batch *batch, const uint8_t *buf, size_t len, int final, size_t max_docs,
                           size_t *consumed, size_t *lines);

const wb_json_doc *wb_json_docs(const wb_json_batch *batch);
const wb_json_entry *wb_json_tape(const wb_json_batch *batch);
const uint8_t *wb_json_arena(const wb_json_batch *batch);

/// A readable message for a simdjson error code (static storage).
const char *wb_json_error_message(int32_t code);
/// Whether the error code means the input was not valid UTF-8.
int wb_json_is_utf8_error(int32_t code);
/// Whether the error code means the document nests deeper than the batch's limit.
int wb_json_is_depth_error(int32_t code);
/// Containers may nest at most `depth` levels (the record object is level 1; default 64).
void wb_json_batch_set_max_depth(wb_json_batch *batch, size_t depth);

#ifdef __cplusplus
}
#endif
#endif
