#include "CByteScan.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Each region of a file read in parallel counts its newlines before it is parsed, so that the
 * next region knows its first line number: a pass over every byte of the feed. The Swift
 * version compared eight bytes a word with bit tricks, about 1.5 instructions a byte (2% of
 * a TPC-H flat `run`, callgrind). Here sixteen bytes are compared at once and the matches
 * summed as bytes (one subtract of the compare mask), folded into the count with a
 * sum-of-absolute-differences every 255 blocks before a byte could overflow. */
ptrdiff_t wb_count_byte(const uint8_t *bytes, ptrdiff_t n, uint8_t b) {
    ptrdiff_t count = 0, i = 0;
#if defined(__SSE2__)
    const __m128i vb = _mm_set1_epi8((char)b);
    const __m128i zero = _mm_setzero_si128();
    while (n - i >= 16) {
        ptrdiff_t blocks = (n - i) / 16;
        if (blocks > 255) blocks = 255;
        __m128i acc = _mm_setzero_si128();
        for (ptrdiff_t k = 0; k < blocks; k++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, vb));
        }
        __m128i s = _mm_sad_epu8(acc, zero);
        count += _mm_cvtsi128_si32(s) + _mm_extract_epi16(s, 4);
    }
#endif
    for (; i < n; i++) count += bytes[i] == b;
    return count;
}
