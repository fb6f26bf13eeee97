#ifndef WAYBILL_CRE2_SHIM_H
#define WAYBILL_CRE2_SHIM_H
// extern "C" face of RE2 for the rules language's matches().
//
// RE2 matches in time linear in the text, whatever the pattern: the values matched come from
// feeds, and a backtracking or per-start-position engine (glibc's regexec took 1.7 s for
// 'a+b' against one 40 KB value, growing with its square) lets one hostile field stall a run.
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_regex wb_regex;

/// Compiles `pattern` (`length` bytes, UTF-8) in POSIX extended syntax, matched as egrep
/// matches a whole value: `^` and `$` at its ends only, `.` any character, newlines included.
/// NULL when it does not compile; then `error` (of `error_capacity` bytes) holds why,
/// NUL-terminated.
wb_regex *wb_regex_compile(const char *pattern, size_t length, char *error, size_t error_capacity);

/// 1 when the pattern matches somewhere in text[0..<length], else 0.
int wb_regex_search(const wb_regex *regex, const uint8_t *text, size_t length);

void wb_regex_free(wb_regex *regex);

#ifdef __cplusplus
}
#endif
#endif
