#ifndef WAYBILL_CBYTESCAN_H
#define WAYBILL_CBYTESCAN_H

#include <stddef.h>
#include <stdint.h>

/* Byte-scanning kernels for the CSV fast path, in C because they need SIMD compares and a
 * byte mask (SSE2's movemask), which Swift's SIMD types do not expose. */

/* What `wb_csv_split_simple` found. */
typedef struct {
    /* The record's first byte (after blank line ends) and its terminator (the CR or LF). */
    ptrdiff_t start;
    ptrdiff_t terminator;
    /* Fields written to starts/ends. */
    ptrdiff_t fields;
    /* LFs skipped before `start`; LFs inside quoted values plus the terminator's. */
    ptrdiff_t blank_lines;
    ptrdiff_t lines;
    /* The first field longer than `max_field` (left empty: ends[k] = starts[k]), or -1; its length. */
    ptrdiff_t too_long;
    ptrdiff_t too_long_length;
    /* Whether a byte of the record is 0x80 or above. */
    int32_t high;
    /* WB_CSV_SPLIT_OK, WB_CSV_SPLIT_FALLBACK or WB_CSV_SPLIT_FULL. */
    int32_t status;
} wb_csv_record;

enum {
    /* The record was split. */
    WB_CSV_SPLIT_OK = 0,
    /* The record is not simple (a doubled, stray or misplaced quote), or it does not end
     * before `end`, or only blank lines remain: the caller's general parser takes it. */
    WB_CSV_SPLIT_FALLBACK = 1,
    /* The record has more fields than `capacity`: grow the arrays and call again. */
    WB_CSV_SPLIT_FULL = 2,
};

/* Splits the record that starts at bytes[from] (after any blank line ends), when it ends
 * before bytes[end] and every field is plain or simply quoted ("..." with no quote inside,
 * followed by the delimiter or the line end). Field k is bytes[starts[k]..<ends[k]]: offsets
 * from `bytes`, the quotes excluded; a field over `max_field` bytes is left empty and
 * reported in `too_long`. */
void wb_csv_split_simple(const uint8_t *bytes, ptrdiff_t from, ptrdiff_t end, uint8_t delimiter, uint8_t quote,
                         ptrdiff_t max_field, ptrdiff_t *starts, ptrdiff_t *ends, ptrdiff_t capacity,
                         wb_csv_record *out);

/* How many of bytes[0..<n] equal `b`: the newline count that gives each region of a file read
 * in parallel its first line number. */
ptrdiff_t wb_count_byte(const uint8_t *bytes, ptrdiff_t n, uint8_t b);

/* Whether needle[0..<m] occurs in hay[0..<n] (m > 0): glibc's memmem, a two-way search linear
 * in n + m, which Swift does not see (it is a GNU extension). The rules language's contains()
 * of one long value in another was the product of their lengths. */
int wb_contains_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m);

#endif
