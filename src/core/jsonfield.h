/* jsonfield.h - strict reading of JSON fields, with the position of every fault.
 *
 * Owns: parsing a JSON text that must be an object or array (duplicate keys rejected),
 * and checking its values one field at a time: objects with only known keys and all the
 * required ones, non-empty strings, "0x..." hex strings, bounded integers, booleans,
 * arrays and names from a fixed list. A fault is reported once, in one wording for every
 * reader (profiles, bundle manifests): "'ORIGIN' line L, column C: 'a.b' must be ...".
 * Must not: know any schema; json_t never leaves the reader that called it.
 *
 * Paths name a value as jsonpos does: "flash.banks[0].size"; "" is the root, which
 * messages call by the context's `what` ("the profile").
 * Every check returns 0 or the context's code (SWD_ENOMEM when out of memory).
 * Internal to core.
 */
#ifndef SWD_CORE_JSONFIELD_H
#define SWD_CORE_JSONFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/jsonpos.h"

struct swd_jsonfield {
	const char *origin;      /* the file name quoted in messages; borrowed */
	const char *what;        /* the root in messages, "the profile"; borrowed */
	int code;                /* the code of every fault: SWD_EPROFILE, SWD_EBUNDLE */
	struct swd_error *err;
	struct swd_jsonpos pos;
};

/* Parses text into *root (new) and indexes it; syntax errors carry jansson's line and
 * column. c must be released with swd_jsonfield_release() whatever this returns. */
int swd_jsonfield_parse(struct swd_jsonfield *c, const char *text, size_t len,
                        json_t **root);
void swd_jsonfield_release(struct swd_jsonfield *c);

/* Reports a fault at path's value (or its key when at_key). Returns c->code. */
int swd_jsonfield_error(struct swd_jsonfield *c, const char *path, bool at_key,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "a.b" and "a[3]" into a caller's buffer (paths are short; a cut one still names the
 * place). Returns: buf. */
const char *swd_jsonfield_member(char *buf, size_t len, const char *parent, const char *key);
const char *swd_jsonfield_item(char *buf, size_t len, const char *parent, size_t i);

struct swd_jsonfield_key {
	const char *name;
	bool required;
};

/* v is an object with none but the given keys (ended by a NULL name), and every
 * required one; keys NULL allows any keys (a map). */
int swd_jsonfield_object(struct swd_jsonfield *c, const char *path, const json_t *v,
                         const struct swd_jsonfield_key *keys);

enum {
	SWD_JSONFIELD_NULL = 1 << 0,  /* null is allowed: a string reads as NULL, a hex as 0 */
	SWD_JSONFIELD_EMPTY = 1 << 1, /* "" is allowed */
};

/* A string without NUL. Returns: *out new (or NULL for an allowed null). */
int swd_jsonfield_str(struct swd_jsonfield *c, const char *path, const json_t *v,
                      unsigned flags, char **out);

/* The one form an address takes in every document we write: "0x08000000" (eight lowercase
 * digits). Returns: new, or NULL when out of memory. */
json_t *swd_jsonfield_addr(uint32_t v);

/* A hex string "0x" and 1 to 8 digits, at most max. */
int swd_jsonfield_hex(struct swd_jsonfield *c, const char *path, const json_t *v,
                      uint32_t max, unsigned flags, uint32_t *out);

/* An integer from min to max. */
int swd_jsonfield_uint(struct swd_jsonfield *c, const char *path, const json_t *v,
                       uint64_t min, uint64_t max, uint64_t *out);

int swd_jsonfield_bool(struct swd_jsonfield *c, const char *path, const json_t *v, bool *out);

/* An array, with at least one item when nonempty. */
int swd_jsonfield_array(struct swd_jsonfield *c, const char *path, const json_t *v,
                        bool nonempty);

/* A string that is one of names[] (ended by NULL); *out is its index. */
int swd_jsonfield_enum(struct swd_jsonfield *c, const char *path, const json_t *v,
                       const char *const *names, int *out);

#endif
