#include "CCodecs.h"
#include <snappy-c.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* Compression contexts are per thread and per level, kept for the thread's life.
 * Why not one context per file writer (as before): a fresh context pays for allocating and
 * clearing its match tables on its first page, and one context alternating between two
 * levels (numbers at 3, text at 7) reshapes and clears its tables on every switch. Reused
 * with the same level, zstd keeps its tables and only moves its window on, so a run that
 * writes hundreds of small partition files clears the tables a few times per thread instead of
 * several times per file. A handful of slots covers every level a writer uses; a level beyond
 * them borrows the last slot. */
#define WB_ZSTD_SLOTS 4
struct wb_zstd_thread {
    int level[WB_ZSTD_SLOTS];
    ZSTD_CCtx *ctx[WB_ZSTD_SLOTS];
};
static pthread_key_t wb_zstd_key;
static pthread_once_t wb_zstd_once = PTHREAD_ONCE_INIT;

static void wb_zstd_thread_free(void *p) {
    struct wb_zstd_thread *t = (struct wb_zstd_thread *)p;
    for (int i = 0; i < WB_ZSTD_SLOTS; i++) ZSTD_freeCCtx(t->ctx[i]);
    free(t);
}

static void wb_zstd_make_key(void) { pthread_key_create(&wb_zstd_key, wb_zstd_thread_free); }

static ZSTD_CCtx *wb_zstd_context(int level) {
    pthread_once(&wb_zstd_once, wb_zstd_make_key);
    struct wb_zstd_thread *t = (struct wb_zstd_thread *)pthread_getspecific(wb_zstd_key);
    if (!t) {
        t = (struct wb_zstd_thread *)calloc(1, sizeof(*t));
        if (!t) return NULL;
        if (pthread_setspecific(wb_zstd_key, t) != 0) { free(t); return NULL; }
    }
    int slot = WB_ZSTD_SLOTS - 1;
    for (int i = 0; i < WB_ZSTD_SLOTS; i++) {
        if (t->ctx[i] && t->level[i] == level) { slot = i; break; }
        if (!t->ctx[i]) { slot = i; break; }
    }
    if (!t->ctx[slot]) {
        t->ctx[slot] = ZSTD_createCCtx();
        if (!t->ctx[slot]) return NULL;
    }
    t->level[slot] = level;
    return t->ctx[slot];
}

size_t wb_zstd_bound(size_t n) { return ZSTD_compressBound(n); }

size_t wb_zstd_compress(void *dst, size_t cap, const void *src, size_t n, int level) {
    ZSTD_CCtx *c = wb_zstd_context(level);
    if (!c) return 0;
    size_t r = ZSTD_compressCCtx(c, dst, cap, src, n, level);
    return ZSTD_isError(r) ? 0 : r;
}

size_t wb_zstd_decompress(void *dst, size_t expected, const void *src, size_t n) {
    size_t r = ZSTD_decompress(dst, expected, src, n);
    if (ZSTD_isError(r) || r != expected) return (size_t)-1;
    return r;
}

size_t wb_snappy_bound(size_t n) { return snappy_max_compressed_length(n); }

size_t wb_snappy_compress(void *dst, size_t cap, const void *src, size_t n) {
    size_t out = cap;
    if (snappy_compress((const char *)src, n, (char *)dst, &out) != SNAPPY_OK) return 0;
    return out;
}

size_t wb_snappy_decompress(void *dst, size_t expected, const void *src, size_t n) {
    size_t len = 0;
    if (snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK || len != expected) return (size_t)-1;
    size_t out = expected;
    if (snappy_uncompress((const char *)src, n, (char *)dst, &out) != SNAPPY_OK || out != expected) return (size_t)-1;
    return out;
}

size_t wb_gzip_bound(size_t n) { return compressBound((uLong)n) + 32; }

size_t wb_gzip_compress(void *dst, size_t cap, const void *src, size_t n, int level) {
    z_stream s;
    memset(&s, 0, sizeof s);
    // 15 + 16: a gzip (RFC 1952) wrapper, not zlib's RFC 1950 one; Parquet readers require gzip framing.
    if (deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    s.next_in = (Bytef *)src; s.avail_in = (uInt)n;
    s.next_out = (Bytef *)dst; s.avail_out = (uInt)cap;
    int rc = deflate(&s, Z_FINISH);
    size_t out = s.total_out;
    deflateEnd(&s);
    return rc == Z_STREAM_END ? out : 0;
}

size_t wb_gzip_decompress(void *dst, size_t expected, const void *src, size_t n) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, 15 + 16) != Z_OK) return (size_t)-1;
    s.next_in = (Bytef *)src; s.avail_in = (uInt)n;
    s.next_out = (Bytef *)dst; s.avail_out = (uInt)expected;
    int rc = inflate(&s, Z_FINISH);
    size_t out = s.total_out;
    inflateEnd(&s);
    return (rc == Z_STREAM_END && out == expected) ? out : (size_t)-1;
}

uint32_t wb_crc32(uint32_t crc, const void *buf, size_t n) {
    return (uint32_t)crc32((uLong)crc, (const Bytef *)buf, (uInt)n);
}
