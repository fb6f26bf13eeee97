#ifndef WAYBILL_CSIMDJSON_SHIM_H
#define WAYBILL_CSIMDJSON_SHIM_H
// extern "C" face of simdjson for the Swift Ingest module. Filled in by the NDJSON reader work.
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/// simdjson's required read-buffer slack past the last byte of input.
size_t wb_json_padding(void);
#ifdef __cplusplus
}
#endif
#endif
