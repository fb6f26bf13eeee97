// xxHash (Debian's libxxhash-dev, 0.8 or newer for the stable XXH3 API): the content hash of
// `transact`'s dedup state (XXH3-128).
#include <xxhash.h>
