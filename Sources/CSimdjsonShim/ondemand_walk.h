// The on-demand walk: shim.cpp's parse of a line the DOM path (dom_walk.h) did not take. It
// decides the error code of every rejected line (as it did for every line before the DOM path
// existed, so rejects keep their reasons), including the depth limit and bare scalars, and
// builds the tape of the valid lines the DOM parser is not given or refuses (over 1 MiB, or
// nested deeper than its 1024 levels under a profile allowing that). Expects `od` to name
// simdjson's `ondemand` namespace and `Out` the output buffers.
//
// Why the walk mostly points into the input instead of asking simdjson for values: in the
// Debian build (no -march flags) the header-only on-demand code is compiled for simdjson's
// generic "fallback" kernel (stage 1 still runs the best kernel the CPU has, chosen at run
// time inside libsimdjson). get_string() and unescaped_key() then copy byte by byte into the
// parser's string buffer, and the walk copied that again into the arena; get_number() parsed
// every number into a double only to validate it. Here a string or key without a backslash is
// handed over as its range of the input (stage 1 has already checked UTF-8, quotes and
// unescaped control characters for the whole line), and a plain decimal number is checked by
// `plain_number` below; everything else takes simdjson's own path, so what is accepted and
// the error codes stay the same.


inline std::string_view trim_token(std::string_view t) {
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n')) {
        t.remove_suffix(1);
    }
    return t;
}

// Appends bytes to the arena and returns their offset.
inline uint32_t keep(Out *b, std::string_view s) {
    return b->arena.append(s.data(), s.size());
}

// Offset of `p` in the batch's input buffer (entries flagged *_IN_INPUT count from there).
inline uint32_t input_offset(Out *b, const char *p) {
    return static_cast<uint32_t>(reinterpret_cast<const uint8_t *>(p) - b->input);
}

// Length of the string whose body starts at `p` (just after its opening quote) when it holds no
// escape, else -1. The closing quote is always there: stage 1 matched every quote of the line,
// and the input is padded, so the scan stops inside the line.
inline ptrdiff_t plain_string_length(const char *p) {
    const char *q = p;
    while (*q != '"') {
        if (*q == '\\') return -1;
        q++;
    }
    return q - p;
}

// Whether `t` is a number simdjson accepts and that is always finite as a double: an optional
// minus, 1-18 integer digits without a leading zero (unless the part is just 0), an optional
// fraction of 1-30 digits, no exponent. Other shapes (exponents, huge integers, junk) are left
// to get_number(), which decides validity and the error code exactly as before.
inline bool plain_number(std::string_view t) {
    size_t i = 0, n = t.size();
    if (i < n && t[i] == '-') i++;
    size_t int_start = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') i++;
    size_t int_digits = i - int_start;
    if (int_digits == 0 || int_digits > 18) return false;
    if (int_digits > 1 && t[int_start] == '0') return false;
    if (i == n) return true;
    if (t[i] != '.') return false;
    i++;
    size_t frac_start = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') i++;
    size_t frac_digits = i - frac_start;
    return i == n && frac_digits > 0 && frac_digits <= 30;
}

struct Parser {
    od::parser parser;
};

// A member name as the tape will hold it: its range and whether that range is in the input.
struct Key {
    uint32_t off = 0;
    uint32_t len = 0;
    uint32_t flag = 0;  // 0 or WB_JSON_KEY_IN_INPUT
};

error_code walk(Out *b, od::value v, Key key);

inline void push_key(uint32_t kind, Key key, wb_json_entry &e) {
    e.kind = kind | key.flag;
    e.key_off = key.off;
    e.key_len = key.len;
    e.val_off = 0;
    e.val_len = 0;
}

// Opens an object or array entry on the tape (both walks): false past the depth limit, else
// `start` is the entry's index, which `close_container` fills with the entry count.
inline bool open_container(Out *b, uint32_t kind, Key key, size_t &start) {
    if (++b->depth > b->max_depth) return false;
    start = b->tape.size();
    wb_json_entry e;
    push_key(kind, key, e);
    b->tape.push_back(e);
    return true;
}

inline void close_container(Out *b, size_t start) {
    wb_json_entry end{WB_JSON_END, 0, 0, 0, 0};
    b->tape.push_back(end);
    b->tape[start].val_len = static_cast<uint32_t>(b->tape.size() - start - 1);
    b->depth--;
}

error_code walk_object(Out *b, od::object obj, Key key) {
    size_t start;
    if (!open_container(b, WB_JSON_OBJECT, key, start)) return DEPTH_ERROR;
    for (auto f : obj) {
        od::field field;
        auto err = std::move(f).get(field);
        if (err) return err;
        Key k;
        const char *raw = field.key().raw();
        ptrdiff_t n = plain_string_length(raw);
        if (n >= 0) {
            k.off = n == 0 ? 0 : input_offset(b, raw);
            k.len = static_cast<uint32_t>(n);
            k.flag = n == 0 ? 0 : WB_JSON_KEY_IN_INPUT;
        } else {
            std::string_view u;
            err = field.unescaped_key().get(u);
            if (err) return err;
            k.off = u.empty() ? 0 : keep(b, u);
            k.len = static_cast<uint32_t>(u.size());
        }
        err = walk(b, field.value(), k);
        if (err) return err;
    }
    close_container(b, start);
    return SUCCESS;
}

error_code walk_array(Out *b, od::array arr, Key key) {
    size_t start;
    if (!open_container(b, WB_JSON_ARRAY, key, start)) return DEPTH_ERROR;
    for (auto element : arr) {
        od::value child;
        auto err = element.get(child);
        if (err) return err;
        err = walk(b, child, Key());
        if (err) return err;
    }
    close_container(b, start);
    return SUCCESS;
}

error_code walk(Out *b, od::value v, Key key) {
    od::json_type t;
    auto err = v.type().get(t);
    if (err) return err;
    wb_json_entry e;
    switch (t) {
    case od::json_type::object: {
        od::object obj;
        err = v.get_object().get(obj);
        if (err) return err;
        return walk_object(b, obj, key);
    }
    case od::json_type::array: {
        od::array arr;
        err = v.get_array().get(arr);
        if (err) return err;
        return walk_array(b, arr, key);
    }
    case od::json_type::string: {
        // Left unconsumed when plain: the enclosing object or array skips it.
        const char *body = v.raw_json_token().data() + 1;
        ptrdiff_t n = plain_string_length(body);
        push_key(WB_JSON_STRING, key, e);
        if (n >= 0) {
            e.kind |= WB_JSON_VAL_IN_INPUT;
            e.val_off = input_offset(b, body);
            e.val_len = static_cast<uint32_t>(n);
        } else {
            std::string_view s;
            err = v.get_string().get(s);
            if (err) return err;
            e.val_off = keep(b, s);
            e.val_len = static_cast<uint32_t>(s.size());
        }
        b->tape.push_back(e);
        return SUCCESS;
    }
    case od::json_type::number: {
        // The raw text is what Swift parses (exactly); simdjson only validates, and only when
        // the text is not a plain decimal (get_number consumes the value, so raw text first).
        std::string_view raw = trim_token(v.raw_json_token());
        if (!plain_number(raw)) {
            od::number n;
            err = v.get_number().get(n);
            if (err) return err;
        }
        push_key(WB_JSON_NUMBER, key, e);
        e.kind |= WB_JSON_VAL_IN_INPUT;
        e.val_off = input_offset(b, raw.data());
        e.val_len = static_cast<uint32_t>(raw.size());
        b->tape.push_back(e);
        return SUCCESS;
    }
    case od::json_type::boolean: {
        bool x;
        err = v.get_bool().get(x);
        if (err) return err;
        push_key(x ? WB_JSON_TRUE : WB_JSON_FALSE, key, e);
        b->tape.push_back(e);
        return SUCCESS;
    }
    case od::json_type::null: {
        bool isnull;
        err = v.is_null().get(isnull);
        if (err) return err;
        if (!isnull) return INCORRECT_TYPE;
        push_key(WB_JSON_NULL, key, e);
        b->tape.push_back(e);
        return SUCCESS;
    }
    }
    return INCORRECT_TYPE;
}

error_code parse_doc(Parser *pp, Out *b, const uint8_t *line, size_t len, size_t capacity) {
    b->depth = 0;  // an error left it wherever the walk stopped
    od::document doc;
    auto err = pp->parser.iterate(line, len, capacity).get(doc);
    if (err) return err;
    od::json_type t;
    err = doc.type().get(t);
    if (err) return err;
    if (t == od::json_type::object) {
        od::object obj;
        err = doc.get_object().get(obj);
        if (err) return err;
        err = walk_object(b, obj, Key());
    } else if (t == od::json_type::array) {
        od::array arr;
        err = doc.get_array().get(arr);
        if (err) return err;
        err = walk_array(b, arr, Key());
    } else {
        return TAPE_ERROR;  // a bare scalar line is not a record
    }
    if (err) return err;
    // Past the last value the iterator reports OUT_OF_BOUNDS; anything else is trailing text.
    const char *rest = nullptr;
    if (doc.current_location().get(rest) != OUT_OF_BOUNDS) return TRAILING_CONTENT;
    return SUCCESS;
}


inline Parser *make_parser() { return new Parser(); }
// The on-demand parser has a depth bound of its own (1024 unless told otherwise), which only
// its debug-build bookkeeping enforces (a start position per level, behind an assert). Kept
// above the walk's limit, so a profile allowing deeper records cannot trip that assert; the
// walk's own check (DEPTH_ERROR) is what rejects a line.
inline void allow_depth(Parser *p, size_t depth) {
    size_t need = depth + 2;  // the record object is level 1; its scalars one more
    if (need > p->parser.max_depth()) (void)p->parser.allocate(p->parser.capacity(), need);
}
inline void free_parser(Parser *p) { delete p; }
inline error_code parse_line(Parser *p, Out *b, const uint8_t *line, size_t len, size_t capacity) {
    return parse_doc(p, b, line, len, capacity);
}
