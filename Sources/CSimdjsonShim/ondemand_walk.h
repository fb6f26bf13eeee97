// The on-demand walk, compiled once per simdjson kernel (see shim.cpp). Expects `od` to name
// a simdjson `<kernel>::ondemand` namespace and `Out` the output buffers.


// Appends bytes to the arena and returns their offset.
inline uint32_t keep(Out *b, std::string_view s) {
    return b->arena.append(s.data(), s.size());
}

inline std::string_view trim_token(std::string_view t) {
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n')) {
        t.remove_suffix(1);
    }
    return t;
}

struct Parser {
    od::parser parser;
};

error_code walk(Out *b, od::value v, std::string_view key);

inline error_code push_key(Out *b, uint32_t kind, std::string_view key, wb_json_entry &e) {
    e.kind = kind;
    e.key_off = key.empty() ? 0 : keep(b, key);
    e.key_len = static_cast<uint32_t>(key.size());
    e.val_off = 0;
    e.val_len = 0;
    return SUCCESS;
}

error_code walk_object(Out *b, od::object obj, std::string_view key) {
    if (++b->depth > b->max_depth) return DEPTH_ERROR;
    size_t start = b->tape.size();
    wb_json_entry e;
    push_key(b, WB_JSON_OBJECT, key, e);
    b->tape.push_back(e);
    for (auto field : obj) {
        std::string_view k;
        auto err = field.unescaped_key().get(k);
        if (err) return err;
        od::value child;
        err = field.value().get(child);
        if (err) return err;
        err = walk(b, child, k);
        if (err) return err;
    }
    wb_json_entry end{WB_JSON_END, 0, 0, 0, 0};
    b->tape.push_back(end);
    b->tape[start].val_len = static_cast<uint32_t>(b->tape.size() - start - 1);
    b->depth--;
    return SUCCESS;
}

error_code walk_array(Out *b, od::array arr, std::string_view key) {
    if (++b->depth > b->max_depth) return DEPTH_ERROR;
    size_t start = b->tape.size();
    wb_json_entry e;
    push_key(b, WB_JSON_ARRAY, key, e);
    b->tape.push_back(e);
    for (auto element : arr) {
        od::value child;
        auto err = element.get(child);
        if (err) return err;
        err = walk(b, child, std::string_view());
        if (err) return err;
    }
    wb_json_entry end{WB_JSON_END, 0, 0, 0, 0};
    b->tape.push_back(end);
    b->tape[start].val_len = static_cast<uint32_t>(b->tape.size() - start - 1);
    b->depth--;
    return SUCCESS;
}

error_code walk(Out *b, od::value v, std::string_view key) {
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
        std::string_view s;
        err = v.get_string().get(s);
        if (err) return err;
        push_key(b, WB_JSON_STRING, key, e);
        e.val_off = keep(b, s);
        e.val_len = static_cast<uint32_t>(s.size());
        b->tape.push_back(e);
        return SUCCESS;
    }
    case od::json_type::number: {
        // The raw text first (get_number consumes the value), then validation.
        std::string_view raw = trim_token(v.raw_json_token());
        od::number n;
        err = v.get_number().get(n);
        if (err) return err;
        push_key(b, WB_JSON_NUMBER, key, e);
        e.val_off = keep(b, raw);
        e.val_len = static_cast<uint32_t>(raw.size());
        b->tape.push_back(e);
        return SUCCESS;
    }
    case od::json_type::boolean: {
        bool x;
        err = v.get_bool().get(x);
        if (err) return err;
        push_key(b, x ? WB_JSON_TRUE : WB_JSON_FALSE, key, e);
        b->tape.push_back(e);
        return SUCCESS;
    }
    case od::json_type::null: {
        bool isnull;
        err = v.is_null().get(isnull);
        if (err) return err;
        if (!isnull) return INCORRECT_TYPE;
        push_key(b, WB_JSON_NULL, key, e);
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
        err = walk_object(b, obj, std::string_view());
    } else if (t == od::json_type::array) {
        od::array arr;
        err = doc.get_array().get(arr);
        if (err) return err;
        err = walk_array(b, arr, std::string_view());
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
inline void free_parser(Parser *p) { delete p; }
inline error_code parse_line(Parser *p, Out *b, const uint8_t *line, size_t len, size_t capacity) {
    return parse_doc(p, b, line, len, capacity);
}
