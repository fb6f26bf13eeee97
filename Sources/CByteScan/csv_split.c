#include "CByteScan.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The CSV fast path's record splitter. The Swift version went eight bytes at a time, testing
 * each word for the four special bytes (delimiter, quote, CR, LF) with bit tricks: about 130
 * instructions a field on TPC-H's flat feed (callgrind), 11% of a whole `run`. Here each
 * 64-byte window of the record is compared once, with SSE2, into a 64-bit mask of its special
 * bytes; every field is then one count-trailing-zeros away from the next (the simdjson and
 * simdcsv way of splitting). Quoted values are found with memchr, as before. Without SSE2
 * (another architecture) the masks are built a byte at a time: the same results, slower. */

/* Bit k: p[k] is the delimiter, the quote, CR or LF, for k < n (n <= 64). */
static inline uint64_t special_mask(const uint8_t *p, ptrdiff_t n, uint8_t d, uint8_t q) {
#if defined(__SSE2__)
    if (n == 64) {
        const __m128i vd = _mm_set1_epi8((char)d), vq = _mm_set1_epi8((char)q);
        const __m128i vlf = _mm_set1_epi8('\n'), vcr = _mm_set1_epi8('\r');
        uint64_t m = 0;
        for (int k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
            __m128i s = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vq)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, vlf), _mm_cmpeq_epi8(v, vcr)));
            m |= (uint64_t)(uint32_t)_mm_movemask_epi8(s) << (16 * k);
        }
        return m;
    }
#endif
    uint64_t m = 0;
    for (ptrdiff_t k = 0; k < n; k++) {
        uint8_t b = p[k];
        if (b == d || b == q || b == '\n' || b == '\r') m |= (uint64_t)1 << k;
    }
    return m;
}

/* Whether a byte of p[0..<n] is 0x80 or above. */
static inline int any_high(const uint8_t *p, ptrdiff_t n) {
    ptrdiff_t k = 0;
    uint8_t acc = 0;
#if defined(__SSE2__)
    __m128i v = _mm_setzero_si128();
    for (; k + 16 <= n; k += 16) v = _mm_or_si128(v, _mm_loadu_si128((const __m128i *)(p + k)));
    if (_mm_movemask_epi8(v) != 0) return 1;
#endif
    for (; k < n; k++) acc |= p[k];
    return acc >= 0x80;
}

static inline ptrdiff_t count_lf(const uint8_t *p, ptrdiff_t n) {
    ptrdiff_t c = 0;
    for (ptrdiff_t k = 0; k < n; k++) c += p[k] == '\n';
    return c;
}

/* Field n is bytes[s..<e]; one over the limit is left empty, and the first such reported. */
static inline void add_field(ptrdiff_t *starts, ptrdiff_t *ends, ptrdiff_t n, ptrdiff_t s, ptrdiff_t e,
                             ptrdiff_t max_field, wb_csv_record *out) {
    starts[n] = s;
    if (e - s > max_field) {
        if (out->too_long < 0) {
            out->too_long = n;
            out->too_long_length = e - s;
        }
        e = s;
    }
    ends[n] = e;
}

void wb_csv_split_simple(const uint8_t *bytes, ptrdiff_t from, ptrdiff_t end, uint8_t d, uint8_t q,
                         ptrdiff_t max_field, ptrdiff_t *starts, ptrdiff_t *ends, ptrdiff_t capacity,
                         wb_csv_record *out) {
    ptrdiff_t i = from, blank = 0;
    /* Blank line ends between records, as the general scanner skips them. */
    while (i < end && (bytes[i] == '\n' || bytes[i] == '\r')) {
        blank += bytes[i] == '\n';
        i++;
    }
    out->status = WB_CSV_SPLIT_FALLBACK;
    out->blank_lines = blank;
    out->too_long = -1;
    out->too_long_length = 0;
    if (i >= end) return;
    const ptrdiff_t start = i;
    ptrdiff_t lines = 0, n = 0;
    /* The window: the special bytes of bytes[wpos..<wpos + wlen]. */
    ptrdiff_t wpos = i, wlen = end - i < 64 ? end - i : 64;
    uint64_t wmask = special_mask(bytes + wpos, wlen, d, q);
    for (;;) {
        if (n == capacity) {
            out->status = WB_CSV_SPLIT_FULL;
            return;
        }
        if (bytes[i] == q) {
            /* Quoted: the value runs to the next quote, which must end the field. */
            const uint8_t *hit = memchr(bytes + i + 1, q, (size_t)(end - i - 1));
            if (!hit) return;
            ptrdiff_t c = hit - bytes;
            lines += count_lf(bytes + i + 1, c - i - 1);
            if (c + 1 >= end) return; /* the field or record goes on past the block */
            add_field(starts, ends, n++, i + 1, c, max_field, out);
            uint8_t after = bytes[c + 1];
            if (after == d) {
                i = c + 2;
                if (i == end) return;
                continue;
            }
            if (after != '\n' && after != '\r') return; /* a doubled or stray quote */
            i = c + 1;
            break;
        }
        /* Plain: up to the next special byte, searched from s. */
        ptrdiff_t s = i, j;
        for (;;) {
            ptrdiff_t off = s - wpos;
            if (off >= wlen) {
                /* Past the window (the last one ran out, or a quoted value jumped it): a new one. */
                wpos = s;
                wlen = end - s < 64 ? end - s : 64;
                wmask = special_mask(bytes + wpos, wlen, d, q);
                off = 0;
            }
            uint64_t m = wmask >> off; /* off < wlen <= 64 */
            if (m != 0) {
                j = s + __builtin_ctzll(m);
                break;
            }
            if (wpos + wlen >= end) return; /* no special byte before the block's end */
            s = wpos + wlen;
        }
        if (bytes[j] == q) return; /* a quote inside a plain field */
        add_field(starts, ends, n++, i, j, max_field, out);
        if (bytes[j] == d) {
            i = j + 1;
            if (i == end) return;
            continue;
        }
        i = j;
        break;
    }
    /* bytes[i] is the record's terminator (CR or LF). */
    lines += bytes[i] == '\n';
    out->start = start;
    out->terminator = i;
    out->fields = n;
    out->lines = lines;
    out->high = any_high(bytes + start, i - start);
    out->status = WB_CSV_SPLIT_OK;
}
