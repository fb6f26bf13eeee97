#define _GNU_SOURCE
#include <string.h>

#include "CByteScan.h"

int wb_contains_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m) {
    return memmem(hay, n, needle, m) != NULL;
}
