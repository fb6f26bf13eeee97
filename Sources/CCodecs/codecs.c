#include "CCodecs.h"
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct wb_zstd_cctx { ZSTD_CCtx *cctx; };

wb_zstd_cctx *wb_zstd_cctx_new(void) {
    ZSTD_CCtx *c = ZSTD_createCCtx();
    if (!c) return NULL;
    wb_zstd_cctx *w = (wb_zstd_cctx *)malloc(sizeof(wb_zstd_cctx));
    if (!w) { ZSTD_freeCCtx(c); return NULL; }
    w->cctx = c;
    return w;
}

void wb_zstd_cctx_free(wb_zstd_cctx *ctx) {
    if (!ctx) return;
    ZSTD_freeCCtx(ctx->cctx);
    free(ctx);
}

size_t wb_zstd_bound(size_t n) { return ZSTD_compressBound(n); }

size_t wb_zstd_compress(wb_zstd_cctx *ctx, void *dst, size_t cap, const void *src, size_t n, int level) {
    size_t r = ZSTD_compressCCtx(ctx->cctx, dst, cap, src, n, level);
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
