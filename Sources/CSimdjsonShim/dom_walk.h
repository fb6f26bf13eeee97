// The fast path behind shim.cpp: a line is parsed by simdjson's DOM parser, whose stage 1 and
// stage 2 both run inside libsimdjson with the kernel chosen at run time for this CPU
// (AVX-512, AVX2, SSE4.2 or generic), and the tape for Swift is then read off the finished,
// fully validated document.
//
// Why not the on-demand walk for every line: on-demand's stage 2 is header-only and so is
// compiled into this shim for the builtin kernel, which without -march flags is the generic
// one; walking every value through its iterators cost about four times stage 1 (callgrind on
// the nested TPC-H feed). Compiling the header once more per x86 kernel did not help: the
// iterator logic is the same scalar code in every kernel. The DOM stage 2 in the library
// builds its tape in one pass over stage 1's structural indexes.
//
// Two things the DOM document does not hold are taken from the input, in step with stage 1's
// structural indexes (one per token; in a valid document a member is key, ':', value, then
// ',' or the closing brace): where each string starts, so that a string without escapes is
// handed over as its input range as before, and the raw text of each number (the document only
// has its double or integer; Swift parses money exactly from the text).
//
// Only documents the DOM parser accepts take this path, and it gives up (returns false) on a
// root that is not a container and on nesting deeper than the batch's limit; shim.cpp then
// parses the line again with the on-demand walk (ondemand_walk.h), so every rejected line gets
// exactly the error code it got before, and an accepted line the same tape.

struct DomCursor {
    Out *b;
    const char *line;
    const uint32_t *structurals;  // stage 1's token offsets into `line`
    uint32_t next;                // the token the walk is at
};

bool dom_value(DomCursor &c, dom::element v, Key key);

// Offset of `p` in the batch's input buffer (entries flagged *_IN_INPUT count from there).
inline uint32_t dom_input_offset(const DomCursor &c, const char *p) {
    return static_cast<uint32_t>(reinterpret_cast<const uint8_t *>(p) - c.b->input);
}

// A string token at the cursor: its input range when it has no escape, else the unescaped
// copy the DOM parser made, kept in the arena. Both as the on-demand walk hands them over.
// Every escape is longer than what it stands for, so the string has none exactly when its
// unescaped length equals its length in the input; that length ends at the closing quote,
// the last quote before the next token (only whitespace lies between). No scan of the body.
inline void dom_string(DomCursor &c, std::string_view unescaped, uint32_t &off, uint32_t &len, uint32_t &flag,
                       uint32_t in_input) {
    const char *body = c.line + c.structurals[c.next] + 1;
    const char *close = c.line + c.structurals[c.next + 1] - 1;
    while (*close != '"') close--;
    if (static_cast<size_t>(close - body) == unescaped.size()) {
        off = unescaped.empty() ? 0 : dom_input_offset(c, body);
        len = static_cast<uint32_t>(unescaped.size());
        flag = unescaped.empty() ? 0 : in_input;
    } else {
        off = unescaped.empty() ? 0 : keep(c.b, unescaped);
        len = static_cast<uint32_t>(unescaped.size());
        flag = 0;
    }
}

bool dom_object(DomCursor &c, dom::object obj, Key key) {
    size_t start;
    if (!open_container(c.b, WB_JSON_OBJECT, key, start)) return false;
    c.next++;  // '{'
    for (dom::key_value_pair field : obj) {
        Key k;
        dom_string(c, field.key, k.off, k.len, k.flag, WB_JSON_KEY_IN_INPUT);
        c.next += 2;  // the key and ':'
        if (!dom_value(c, field.value, k)) return false;
        if (c.line[c.structurals[c.next]] == ',') c.next++;
    }
    c.next++;  // '}'
    close_container(c.b, start);
    return true;
}

bool dom_array(DomCursor &c, dom::array arr, Key key) {
    size_t start;
    if (!open_container(c.b, WB_JSON_ARRAY, key, start)) return false;
    c.next++;  // '['
    for (dom::element child : arr) {
        if (!dom_value(c, child, Key())) return false;
        if (c.line[c.structurals[c.next]] == ',') c.next++;
    }
    c.next++;  // ']'
    close_container(c.b, start);
    return true;
}

bool dom_value(DomCursor &c, dom::element v, Key key) {
    wb_json_entry e;
    switch (v.type()) {
    case dom::element_type::OBJECT:
        return dom_object(c, v.get_object().value_unsafe(), key);
    case dom::element_type::ARRAY:
        return dom_array(c, v.get_array().value_unsafe(), key);
    case dom::element_type::STRING: {
        push_key(WB_JSON_STRING, key, e);
        uint32_t flag = 0;
        dom_string(c, v.get_string().value_unsafe(), e.val_off, e.val_len, flag, WB_JSON_VAL_IN_INPUT);
        e.kind |= flag;
        c.next++;
        break;
    }
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: {
        // The token runs up to the next one; what lies between is whitespace (as raw_json_token).
        const char *p = c.line + c.structurals[c.next];
        c.next++;
        std::string_view raw = trim_token(std::string_view(p, c.line + c.structurals[c.next] - p));
        push_key(WB_JSON_NUMBER, key, e);
        e.kind |= WB_JSON_VAL_IN_INPUT;
        e.val_off = dom_input_offset(c, raw.data());
        e.val_len = static_cast<uint32_t>(raw.size());
        break;
    }
    case dom::element_type::BOOL:
        push_key(v.get_bool().value_unsafe() ? WB_JSON_TRUE : WB_JSON_FALSE, key, e);
        c.next++;
        break;
    case dom::element_type::NULL_VALUE:
        push_key(WB_JSON_NULL, key, e);
        c.next++;
        break;
    }
    c.b->tape.push_back(e);
    return true;
}

// Parses one line with the DOM parser and appends its tape. Returns false, with the tape and
// arena possibly holding part of the line (the caller rolls back), whenever the on-demand walk
// must decide instead: the DOM parser rejected the line, the root is not a container, or the
// nesting is deeper than the batch's limit.
inline bool dom_parse_line(dom::parser &parser, Out *b, const uint8_t *line, size_t len) {
    b->depth = 0;
    dom::element root;
    // `false`: no copy; the batch buffer is readable SIMDJSON_PADDING bytes past every line.
    if (parser.parse(line, len, false).get(root)) return false;
    DomCursor c{b, reinterpret_cast<const char *>(line), parser.implementation->structural_indexes.get(), 0};
    switch (root.type()) {
    case dom::element_type::OBJECT:
        return dom_object(c, root.get_object().value_unsafe(), Key());
    case dom::element_type::ARRAY:
        return dom_array(c, root.get_array().value_unsafe(), Key());
    default:
        return false;
    }
}
