/* jsonfield.c - strict JSON fields with positions; the one wording of every fault. */
#include "core/jsonfield.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int swd_jsonfield_parse(struct swd_jsonfield *c, const char *text, size_t len,
                        json_t **root)
{
	json_error_t jerr;

	*root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (*root == NULL)
		return swd_error_set(c->err, c->code, "'%s' line %d, column %d: %s", c->origin,
		                     jerr.line, jerr.column, jerr.text);
	if (swd_jsonpos_build(text, len, &c->pos) < 0) {
		json_decref(*root);
		*root = NULL;
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory indexing '%s'", c->origin);
	}
	return 0;
}

void swd_jsonfield_release(struct swd_jsonfield *c)
{
	swd_jsonpos_release(&c->pos);
}

int swd_jsonfield_error(struct swd_jsonfield *c, const char *path, bool at_key,
                        const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = swd_jsonpos_verror(&c->pos, c->err, c->code, c->origin, path, at_key, fmt, ap);
	va_end(ap);
	return rc;
}

const char *swd_jsonfield_member(char *buf, size_t len, const char *parent, const char *key)
{
	if (snprintf(buf, len, "%s%s%s", parent, parent[0] ? "." : "", key) < 0)
		buf[0] = '\0';
	return buf;
}

const char *swd_jsonfield_item(char *buf, size_t len, const char *parent, size_t i)
{
	if (snprintf(buf, len, "%s[%zu]", parent, i) < 0)
		buf[0] = '\0';
	return buf;
}

/* "'flash.size'" in messages; the root by its name. */
static const char *disp(const struct swd_jsonfield *c, const char *path, char *buf, size_t len)
{
	if (path[0] == '\0')
		snprintf(buf, len, "%s", c->what);
	else if (snprintf(buf, len, "'%s'", path) < 0)
		buf[0] = '\0';
	return buf;
}

static const char *type_name(const json_t *v)
{
	if (v == NULL)
		return "missing";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

int swd_jsonfield_object(struct swd_jsonfield *c, const char *path, const json_t *v,
                         const struct swd_jsonfield_key *keys)
{
	const char *k;
	json_t *m;
	char d[256], child[256];

	if (!json_is_object(v))
		return swd_jsonfield_error(c, path, false, "%s must be an object, not %s",
		                           disp(c, path, d, sizeof(d)), type_name(v));
	if (keys == NULL)
		return 0;
	json_object_foreach((json_t *)v, k, m) {
		const struct swd_jsonfield_key *kk = keys;

		while (kk->name != NULL && strcmp(kk->name, k) != 0)
			kk++;
		if (kk->name != NULL)
			continue;
		swd_jsonfield_member(child, sizeof(child), path, k);
		if (path[0] == '\0')
			return swd_jsonfield_error(c, child, true, "unknown key '%s'", k);
		return swd_jsonfield_error(c, child, true, "unknown key '%s' in '%s'", k, path);
	}
	for (const struct swd_jsonfield_key *kk = keys; kk->name != NULL; kk++) {
		if (!kk->required || json_object_get(v, kk->name) != NULL)
			continue;
		if (path[0] == '\0')
			return swd_jsonfield_error(c, path, false, "missing key '%s'", kk->name);
		return swd_jsonfield_error(c, path, false, "missing key '%s' in '%s'", kk->name, path);
	}
	return 0;
}

int swd_jsonfield_str(struct swd_jsonfield *c, const char *path, const json_t *v,
                      unsigned flags, char **out)
{
	char d[256];

	*out = NULL;
	if ((flags & SWD_JSONFIELD_NULL) && json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return swd_jsonfield_error(c, path, false, "%s must be a string%s, not %s",
		                           disp(c, path, d, sizeof(d)),
		                           flags & SWD_JSONFIELD_NULL ? " or null" : "", type_name(v));
	if (json_string_length(v) == 0 && !(flags & SWD_JSONFIELD_EMPTY))
		return swd_jsonfield_error(c, path, false, "%s must not be empty",
		                           disp(c, path, d, sizeof(d)));
	if (strlen(json_string_value(v)) != json_string_length(v))
		return swd_jsonfield_error(c, path, false, "%s must not contain NUL",
		                           disp(c, path, d, sizeof(d)));
	*out = strdup(json_string_value(v));
	if (*out == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	return 0;
}

json_t *swd_jsonfield_addr(uint32_t v)
{
	char b[16];

	snprintf(b, sizeof(b), "0x%08x", v);
	return json_string(b);
}

int swd_jsonfield_hex(struct swd_jsonfield *c, const char *path, const json_t *v,
                      uint32_t max, unsigned flags, uint32_t *out)
{
	const char *s, *ornull = flags & SWD_JSONFIELD_NULL ? " or null" : "";
	char d[256];
	size_t n;

	if ((flags & SWD_JSONFIELD_NULL) && json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_string(v))
		return swd_jsonfield_error(c, path, false,
		                           "%s must be a hex string such as \"0x08000000\"%s, not %s",
		                           disp(c, path, d, sizeof(d)), ornull, type_name(v));
	s = json_string_value(v);
	n = strlen(s);
	if (n < 3 || n > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
	    strspn(s + 2, "0123456789abcdefABCDEF") != n - 2)
		return swd_jsonfield_error(c, path, false,
		                           "%s must be a hex string such as \"0x08000000\"%s, not \"%s\"",
		                           disp(c, path, d, sizeof(d)), ornull, s);
	*out = (uint32_t)strtoul(s + 2, NULL, 16);
	if (*out > max)
		return swd_jsonfield_error(c, path, false, "%s is %s; at most 0x%X",
		                           disp(c, path, d, sizeof(d)), s, max);
	return 0;
}

int swd_jsonfield_uint(struct swd_jsonfield *c, const char *path, const json_t *v,
                       uint64_t min, uint64_t max, uint64_t *out)
{
	json_int_t i;
	char d[256];

	if (!json_is_integer(v))
		return swd_jsonfield_error(c, path, false, "%s must be an integer, not %s",
		                           disp(c, path, d, sizeof(d)), type_name(v));
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return swd_jsonfield_error(c, path, false, "%s is %lld; it must be between %llu and %llu",
		                           disp(c, path, d, sizeof(d)), (long long)i,
		                           (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

int swd_jsonfield_bool(struct swd_jsonfield *c, const char *path, const json_t *v, bool *out)
{
	char d[256];

	if (!json_is_boolean(v))
		return swd_jsonfield_error(c, path, false, "%s must be true or false, not %s",
		                           disp(c, path, d, sizeof(d)), type_name(v));
	*out = json_is_true(v);
	return 0;
}

int swd_jsonfield_array(struct swd_jsonfield *c, const char *path, const json_t *v,
                        bool nonempty)
{
	char d[256];

	if (!json_is_array(v))
		return swd_jsonfield_error(c, path, false, "%s must be an array, not %s",
		                           disp(c, path, d, sizeof(d)), type_name(v));
	if (nonempty && json_array_size(v) == 0)
		return swd_jsonfield_error(c, path, false, "%s must not be empty",
		                           disp(c, path, d, sizeof(d)));
	return 0;
}

int swd_jsonfield_enum(struct swd_jsonfield *c, const char *path, const json_t *v,
                       const char *const *names, int *out)
{
	char d[256], list[256] = "";
	size_t used = 0, n = 0;

	if (!json_is_string(v))
		return swd_jsonfield_error(c, path, false, "%s must be a string, not %s",
		                           disp(c, path, d, sizeof(d)), type_name(v));
	for (n = 0; names[n] != NULL; n++) {
		if (strcmp(names[n], json_string_value(v)) == 0) {
			*out = (int)n;
			return 0;
		}
	}
	/* "a", "a" or "b", "a", "b" or "c" */
	for (size_t i = 0; i < n && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
		                 i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return swd_jsonfield_error(c, path, false, "%s is \"%s\"; use %s",
	                           disp(c, path, d, sizeof(d)), json_string_value(v), list);
}
