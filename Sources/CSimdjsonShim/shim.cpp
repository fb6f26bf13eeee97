#include "CSimdjsonShim.h"
#include <simdjson.h>
extern "C" size_t wb_json_padding(void) { return simdjson::SIMDJSON_PADDING; }
