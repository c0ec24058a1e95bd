/* tcl.h - Tcl words and lists as OpenOCD's Jim interpreter reads them. Pure: no I/O.
 *
 * Owns: turning any byte string into one Tcl word that evaluates to exactly those bytes
 * (file names are data, never code), and parsing the Tcl lists OpenOCD returns (for
 * example the reply to `list [catch {CMD} r] $r`).
 *
 * Must not: know OpenOCD command names, do I/O or print.
 *
 * Errors: 0 or a negative SWD_E* code (core/err.h): SWD_ENOMEM, SWD_EOCDPROTO (text that
 * is not a well-formed list).
 */
#ifndef SWD_OCD_TCL_H
#define SWD_OCD_TCL_H

#include <stddef.h>

/* Quotes s[0..len) as one Tcl word. Brace-quotes ({...}) when that is literal (no
 * backslash, balanced braces, no newline); otherwise backslash-escapes every character
 * the parser would act on (white space, [ ] $ { } ; " \ #, control bytes, and 0x1A, the
 * RPC frame terminator). The empty string gives {}.
 * Returns: new NUL-terminated string (free()), or NULL when out of memory. */
char *tcl_quote(const char *s, size_t len);

/* tcl_quote(s, strlen(s)). */
char *tcl_quote_str(const char *s);

/* Would brace-quoting keep s[0..len) literal? Exposed for tests. */
int tcl_brace_safe(const char *s, size_t len);

/* A parsed list. items[i] is NUL-terminated and lens[i] its length (an item may hold
 * NUL bytes only if the input did through \x00 or \0 escapes). */
struct tcl_list {
	size_t n;
	char **items;
	size_t *lens;
};

/* Parses s[0..len) as a Tcl list: elements separated by white space, each braced
 * (literal, nested braces counted, backslash-newline excepted), double-quoted or bare
 * (backslash escapes applied; [ and $ are ordinary). On success out holds new items
 * (tcl_list_release()). On failure out is empty and the code is SWD_EOCDPROTO (unbalanced
 * braces or quotes, junk after a closing brace/quote) or SWD_ENOMEM. */
int tcl_list_parse(const char *s, size_t len, struct tcl_list *out);

/* Frees the items; out becomes empty. NULL is a no-op. */
void tcl_list_release(struct tcl_list *l);

/* Applies Tcl backslash substitution to one backslash sequence starting at s[0] == '\\'.
 * Writes up to 4 bytes (UTF-8 for \u) to out, sets *outlen, and returns how many input
 * bytes were consumed (at least 1). Exposed for tests and the list parser. */
size_t tcl_unescape_one(const char *s, size_t len, char out[4], size_t *outlen);

#endif
