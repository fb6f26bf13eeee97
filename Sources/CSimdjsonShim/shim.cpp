// The simdjson batch loop behind CSimdjsonShim.h.
//
// Each line is parsed by simdjson's DOM parser (stage 1 and 2 inside libsimdjson, with the
// kernel chosen at run time for this CPU) and its tape read off the document (dom_walk.h).
// A line the DOM parser rejects is parsed again by the on-demand walk (ondemand_walk.h), which
// decides the error code, as it did for every line before: rejects keep their reasons. Lines
// are parsed one at a time (a broken line must not take its neighbours with it, which
// parse_many/iterate_many would do).
//
// Optimised builds of this target get no -DNDEBUG from the package, and without it simdjson
// turns each SIMDJSON_ASSUME of its inline code into a run-time assert. simdjson itself treats
// __OPTIMIZE__ as "release" for its development checks; this follows it (before any include,
// so that every header sees the same setting). Debug builds, which run the tests, keep them.
#if defined(__OPTIMIZE__) && !defined(NDEBUG)
#define NDEBUG 1
#endif
#include "CSimdjsonShim.h"
#include <simdjson.h>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <vector>

using namespace simdjson;

namespace {
// The byte arena behind the tape: keys and values are appended once each, so this is on the
// per-field path. A plain buffer with memcpy, because std::vector::insert of a small range
// went through its generic range-insert code and cost as much as simdjson's own stage 1.
struct Arena {
    uint8_t *bytes = nullptr;
    size_t used = 0;
    size_t capacity = 0;

    Arena() = default;
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;
    ~Arena() { std::free(bytes); }

    size_t size() const { return used; }
    const uint8_t *data() const { return bytes; }
    void clear() { used = 0; }
    void resize(size_t n) { used = n; }  // only ever shrinks (rollback of a bad line)

    uint32_t append(const char *p, size_t n) {
        size_t off = used;
        if (used + n > capacity) grow(used + n);
        if (n > 0) std::memcpy(bytes + used, p, n);
        used += n;
        return static_cast<uint32_t>(off);
    }

    void grow(size_t need) {
        size_t cap = capacity < 65536 ? 65536 : capacity * 2;
        while (cap < need) cap *= 2;
        void *n = std::realloc(bytes, cap);
        if (!n) throw std::bad_alloc();
        bytes = static_cast<uint8_t *>(n);
        capacity = cap;
    }
};

struct Out {
    std::vector<wb_json_entry> tape;
    Arena arena;
    // Nesting of the value being walked, and its limit: on-demand does not bound depth and the
    // walk recurses once per level, so an unbounded document would overflow the stack.
    uint32_t depth = 0;
    uint32_t max_depth = 64;
    /// The batch's input buffer: entries flagged *_IN_INPUT count their offsets from here.
    const uint8_t *input = nullptr;
};
}  // namespace

namespace wb_walk {
namespace od = simdjson::ondemand;
#include "ondemand_walk.h"
#include "dom_walk.h"
}  // namespace wb_walk

struct wb_json_batch {
    Out out;
    std::vector<wb_json_doc> docs;
    dom::parser dom_parser;
    wb_walk::Parser *parser = wb_walk::make_parser();

    ~wb_json_batch() { wb_walk::free_parser(parser); }
    // The DOM parser keeps buffers of about 14 bytes per byte of its longest document (its tape
    // holds a 64-bit word per token); longer lines, which no real feed has, go to the on-demand
    // walk alone (about 6 bytes per byte), so a hostile feed cannot make the batch hold more
    // than ~14 MiB for this path.
    static constexpr size_t dom_line_limit = 1 << 20;

    error_code parse(const uint8_t *line, size_t len, size_t capacity) {
        if (len <= dom_line_limit) {
            size_t tape_mark = out.tape.size();
            size_t arena_mark = out.arena.size();
            if (wb_walk::dom_parse_line(dom_parser, &out, line, len)) return SUCCESS;
            out.tape.resize(tape_mark);
            out.arena.resize(arena_mark);
        }
        return wb_walk::parse_line(parser, &out, line, len, capacity);
    }
};

namespace {
inline bool is_blank(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    }
    return true;
}
}  // namespace

extern "C" size_t wb_json_padding(void) { return SIMDJSON_PADDING; }

extern "C" wb_json_batch *wb_json_batch_create(void) {
    try {
        return new wb_json_batch();
    } catch (...) {
        return nullptr;
    }
}

extern "C" void wb_json_batch_destroy(wb_json_batch *batch) { delete batch; }

extern "C" size_t wb_json_parse_lines(wb_json_batch *b, const uint8_t *buf, size_t len, int final, size_t max_docs,
                                      size_t *consumed, size_t *lines) {
    b->docs.clear();
    b->out.tape.clear();
    b->out.arena.clear();
    b->out.input = buf;
    size_t pos = 0;
    size_t line_index = 0;
    const size_t capacity_end = len + SIMDJSON_PADDING;
    try {
        while (pos < len && b->docs.size() < max_docs) {
            const void *nl = std::memchr(buf + pos, '\n', len - pos);
            size_t end;
            size_t next;
            if (nl) {
                end = static_cast<size_t>(static_cast<const uint8_t *>(nl) - buf);
                next = end + 1;
            } else if (final) {
                end = len;
                next = len;
            } else {
                break;
            }
            size_t n = end - pos;
            if (!is_blank(buf + pos, n)) {
                wb_json_doc d;
                d.offset = pos;
                d.length = n;
                d.line_index = static_cast<uint32_t>(line_index);
                size_t tape_mark = b->out.tape.size();
                size_t arena_mark = b->out.arena.size();
                d.tape_begin = static_cast<uint32_t>(tape_mark);
                error_code err = b->parse(buf + pos, n, capacity_end - pos);
                if (err) {
                    b->out.tape.resize(tape_mark);
                    b->out.arena.resize(arena_mark);
                }
                d.tape_end = static_cast<uint32_t>(b->out.tape.size());
                d.error = static_cast<int32_t>(err);
                b->docs.push_back(d);
            }
            line_index++;
            pos = next;
        }
    } catch (...) {
        // Only std::bad_alloc can get here; report what was parsed so far.
    }
    *consumed = pos;
    *lines = line_index;
    return b->docs.size();
}

extern "C" const wb_json_doc *wb_json_docs(const wb_json_batch *b) { return b->docs.data(); }
extern "C" const wb_json_entry *wb_json_tape(const wb_json_batch *b) { return b->out.tape.data(); }
extern "C" const uint8_t *wb_json_arena(const wb_json_batch *b) { return b->out.arena.data(); }

extern "C" const char *wb_json_error_message(int32_t code) {
    return simdjson::error_message(static_cast<simdjson::error_code>(code));
}

extern "C" int wb_json_is_utf8_error(int32_t code) { return code == simdjson::UTF8_ERROR ? 1 : 0; }

extern "C" int wb_json_is_depth_error(int32_t code) { return code == simdjson::DEPTH_ERROR ? 1 : 0; }

extern "C" void wb_json_batch_set_max_depth(wb_json_batch *b, size_t depth) {
    b->out.max_depth = depth > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(depth);
    wb_walk::allow_depth(b->parser, b->out.max_depth);
}
