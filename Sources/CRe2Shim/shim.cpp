#include "CRe2Shim.h"

#include <re2/re2.h>

#include <cstring>
#include <string>

struct wb_regex {
    re2::RE2 re;
    wb_regex(const re2::StringPiece &pattern, const re2::RE2::Options &options) : re(pattern, options) {}
};

extern "C" wb_regex *wb_regex_compile(const char *pattern, size_t length, char *error, size_t error_capacity) {
    re2::RE2::Options options;
    options.set_posix_syntax(true);  // egrep's syntax: no Perl classes or lookarounds
    options.set_one_line(true);      // ^ and $ at the value's ends, as regexec without REG_NEWLINE
    options.set_dot_nl(true);        // . matches a newline too, likewise
    options.set_log_errors(false);   // the caller reports the error with the rule's position
    auto *regex = new wb_regex(re2::StringPiece(pattern, length), options);
    if (regex->re.ok()) return regex;
    if (error_capacity > 0) {
        const std::string &why = regex->re.error();
        size_t n = why.size() < error_capacity - 1 ? why.size() : error_capacity - 1;
        std::memcpy(error, why.data(), n);
        error[n] = 0;
    }
    delete regex;
    return nullptr;
}

extern "C" int wb_regex_search(const wb_regex *regex, const uint8_t *text, size_t length) {
    return re2::RE2::PartialMatch(re2::StringPiece(reinterpret_cast<const char *>(text), length), regex->re) ? 1 : 0;
}

extern "C" void wb_regex_free(wb_regex *regex) { delete regex; }
