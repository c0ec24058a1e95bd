/* jsonpos.h - where each value of a JSON text starts (line, column), by path.
 *
 * jansson reports positions for syntax errors only; semantic checks (profiles, manifests)
 * need the position of the value or key they reject. This builds a small index from the
 * text jansson has already accepted: one entry per value, keyed by a display path such as
 * "flash.banks[0].sectors[2].size" ("" is the root). Lines and columns are 1-based and
 * columns count characters, as jansson's json_error_t does. Internal to core.
 */
#ifndef SWD_CORE_JSONPOS_H
#define SWD_CORE_JSONPOS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct swd_error;

struct swd_jsonpos_entry {
	char *path;
	int line, column;         /* first character of the value */
	int key_line, key_column; /* the member's key; equal to the value's for array items/root */
};

struct swd_jsonpos {
	struct swd_jsonpos_entry *v;
	size_t n, cap;
};

/* Indexes text (which must be valid JSON). Returns 0 or -1 on malformed text or ENOMEM;
 * on failure idx is left empty. Release with swd_jsonpos_release(). */
int swd_jsonpos_build(const char *text, size_t len, struct swd_jsonpos *idx);
void swd_jsonpos_release(struct swd_jsonpos *idx);

/* Returns: borrowed entry for path, or NULL. */
const struct swd_jsonpos_entry *swd_jsonpos_find(const struct swd_jsonpos *idx, const char *path);

/* Sets err to code with "'ORIGIN' line L, column C: MESSAGE", the position being path's
 * value (or its key when at_key), or "'ORIGIN': MESSAGE" when path is not indexed.
 * Returns code. */
int swd_jsonpos_verror(const struct swd_jsonpos *idx, struct swd_error *err, int code,
                       const char *origin, const char *path, bool at_key, const char *fmt,
                       va_list ap) __attribute__((format(printf, 7, 0)));

/* Child paths: "a.b" for an object member, "a[3]" for an array item. Return: new, or NULL. */
char *swd_jsonpos_member(const char *parent, const char *key);
char *swd_jsonpos_item(const char *parent, size_t i);

#endif
