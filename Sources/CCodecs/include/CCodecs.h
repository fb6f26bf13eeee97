#ifndef WAYBILL_CCODECS_H
#define WAYBILL_CCODECS_H
// Thin wrappers over Debian's zstd, snappy and zlib for the Parquet module.
// Why a C target and not a plain system-library module: zlib's deflateInit2/inflateInit2 are
// macros Swift cannot call, and one-call helpers keep the FFI to one crossing per page.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

size_t wb_zstd_bound(size_t n);
/// Compresses with the calling thread's context for `level` (kept for the thread's life).
/// Returns the compressed size, or 0 on error.
size_t wb_zstd_compress(void *dst, size_t cap, const void *src, size_t n, int level);
/// Returns the decompressed size, or (size_t)-1 on error (including a size different from `expected`).
size_t wb_zstd_decompress(void *dst, size_t expected, const void *src, size_t n);

size_t wb_snappy_bound(size_t n);
/// Returns the compressed size, or 0 on error.
size_t wb_snappy_compress(void *dst, size_t cap, const void *src, size_t n);
/// Returns the decompressed size, or (size_t)-1 on error.
size_t wb_snappy_decompress(void *dst, size_t expected, const void *src, size_t n);

size_t wb_gzip_bound(size_t n);
/// One RFC 1952 gzip member. Returns the compressed size, or 0 on error.
size_t wb_gzip_compress(void *dst, size_t cap, const void *src, size_t n, int level);
/// Returns the decompressed size, or (size_t)-1 on error.
size_t wb_gzip_decompress(void *dst, size_t expected, const void *src, size_t n);

/// CRC-32 (zlib's), used for manifest checksums and optional page CRCs.
uint32_t wb_crc32(uint32_t crc, const void *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
