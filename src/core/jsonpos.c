/* jsonpos.c - a position index over a JSON text that jansson has already accepted.
 * Because the text is known to be valid, the scanner only needs to find where each value
 * and key starts; it does not validate. */
#include "core/jsonpos.h"

#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
	const char *s;
	size_t len, i;
	int line, column; /* of s[i] */
	struct swd_jsonpos *idx;
};

static void advance(struct scan *sc)
{
	unsigned char c = (unsigned char)sc->s[sc->i++];

	if (c == '\n') {
		sc->line++;
		sc->column = 1;
		return;
	}
	/* columns count characters: move on only when a UTF-8 sequence ends */
	if (sc->i < sc->len && ((unsigned char)sc->s[sc->i] & 0xC0) == 0x80)
		return;
	sc->column++;
}

static void skip_ws(struct scan *sc)
{
	while (sc->i < sc->len && sc->s[sc->i] != '\0' && strchr(" \t\r\n", sc->s[sc->i]) != NULL)
		advance(sc);
}

char *swd_jsonpos_member(const char *parent, const char *key)
{
	char *p = NULL;

	if (parent[0] == '\0')
		return strdup(key);
	if (asprintf(&p, "%s.%s", parent, key) < 0)
		return NULL;
	return p;
}

char *swd_jsonpos_item(const char *parent, size_t i)
{
	char *p = NULL;

	if (asprintf(&p, "%s[%zu]", parent, i) < 0)
		return NULL;
	return p;
}

static int add(struct swd_jsonpos *idx, char *path, int line, int col, int kline, int kcol)
{
	if (path == NULL)
		return -1;
	if (idx->n == idx->cap) {
		size_t cap = idx->cap ? idx->cap * 2 : 64;
		struct swd_jsonpos_entry *v = realloc(idx->v, cap * sizeof(*v));

		if (v == NULL) {
			free(path);
			return -1;
		}
		idx->v = v;
		idx->cap = cap;
	}
	idx->v[idx->n++] = (struct swd_jsonpos_entry){path, line, col, kline, kcol};
	return 0;
}

static void put_utf8(char *out, size_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xC0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xE0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*o)++] = (char)(0xF0 | (cp >> 18));
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	}
}

static uint32_t hex4(const char *p)
{
	uint32_t v = 0;

	for (int k = 0; k < 4; k++) {
		char c = p[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
	}
	return v;
}

/* Scans a string starting at its opening quote; returns its decoded value when want. */
static int scan_string(struct scan *sc, char **want)
{
	size_t start = sc->i + 1, o = 0;
	char *out = NULL;

	advance(sc); /* opening quote */
	while (sc->i < sc->len && sc->s[sc->i] != '"') {
		if (sc->s[sc->i] == '\\')
			advance(sc);
		if (sc->i < sc->len)
			advance(sc);
	}
	if (sc->i >= sc->len)
		return -1;
	if (want != NULL) {
		size_t end = sc->i;

		out = malloc(end - start + 1);
		if (out == NULL)
			return -1;
		for (size_t k = start; k < end; k++) {
			char c = sc->s[k];

			if (c != '\\') {
				out[o++] = c;
				continue;
			}
			c = sc->s[++k];
			switch (c) {
			case 'n': out[o++] = '\n'; break;
			case 't': out[o++] = '\t'; break;
			case 'r': out[o++] = '\r'; break;
			case 'b': out[o++] = '\b'; break;
			case 'f': out[o++] = '\f'; break;
			case 'u': {
				uint32_t cp = 0;

				if (k + 4 < end)
					cp = hex4(sc->s + k + 1);
				k += 4;
				if (cp >= 0xD800 && cp < 0xDC00 && k + 6 < end && sc->s[k + 1] == '\\' &&
				    sc->s[k + 2] == 'u') {
					uint32_t lo = hex4(sc->s + k + 3);

					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					k += 6;
				}
				put_utf8(out, &o, cp);
				break;
			}
			default: out[o++] = c; break; /* \" \\ \/ */
			}
		}
		out[o] = '\0';
		*want = out;
	}
	advance(sc); /* closing quote */
	return 0;
}

static int scan_value(struct scan *sc, char *path, int kline, int kcol, int depth);

static int scan_object(struct scan *sc, const char *path, int depth)
{
	advance(sc); /* { */
	skip_ws(sc);
	if (sc->i < sc->len && sc->s[sc->i] == '}') {
		advance(sc);
		return 0;
	}
	while (sc->i < sc->len) {
		char *key = NULL, *child;
		int kline, kcol;

		skip_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] != '"')
			return -1;
		kline = sc->line;
		kcol = sc->column;
		if (scan_string(sc, &key) < 0)
			return -1;
		child = swd_jsonpos_member(path, key);
		free(key);
		if (child == NULL)
			return -1;
		skip_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] != ':') {
			free(child);
			return -1;
		}
		advance(sc);
		if (scan_value(sc, child, kline, kcol, depth + 1) < 0)
			return -1;
		skip_ws(sc);
		if (sc->i >= sc->len)
			return -1;
		if (sc->s[sc->i] == '}') {
			advance(sc);
			return 0;
		}
		if (sc->s[sc->i] != ',')
			return -1;
		advance(sc);
	}
	return -1;
}

static int scan_array(struct scan *sc, const char *path, int depth)
{
	size_t n = 0;

	advance(sc); /* [ */
	skip_ws(sc);
	if (sc->i < sc->len && sc->s[sc->i] == ']') {
		advance(sc);
		return 0;
	}
	while (sc->i < sc->len) {
		char *child = swd_jsonpos_item(path, n++);

		if (child == NULL)
			return -1;
		if (scan_value(sc, child, -1, -1, depth + 1) < 0)
			return -1;
		skip_ws(sc);
		if (sc->i >= sc->len)
			return -1;
		if (sc->s[sc->i] == ']') {
			advance(sc);
			return 0;
		}
		if (sc->s[sc->i] != ',')
			return -1;
		advance(sc);
	}
	return -1;
}

/* Takes ownership of path. */
static int scan_value(struct scan *sc, char *path, int kline, int kcol, int depth)
{
	int line, col;

	skip_ws(sc);
	if (sc->i >= sc->len || depth > 256) {
		free(path);
		return -1;
	}
	line = sc->line;
	col = sc->column;
	if (kline < 0) {
		kline = line;
		kcol = col;
	}
	if (add(sc->idx, path, line, col, kline, kcol) < 0)
		return -1;
	/* path is now owned by the index; children get their own copies */
	switch (sc->s[sc->i]) {
	case '{':
		return scan_object(sc, path, depth);
	case '[':
		return scan_array(sc, path, depth);
	case '"':
		return scan_string(sc, NULL);
	default:
		while (sc->i < sc->len && strchr(",}] \t\r\n", sc->s[sc->i]) == NULL)
			advance(sc);
		return 0;
	}
}

void swd_jsonpos_release(struct swd_jsonpos *idx)
{
	for (size_t k = 0; k < idx->n; k++)
		free(idx->v[k].path);
	free(idx->v);
	idx->v = NULL;
	idx->n = idx->cap = 0;
}

int swd_jsonpos_build(const char *text, size_t len, struct swd_jsonpos *idx)
{
	struct scan sc = {text, len, 0, 1, 1, idx};
	char *root = strdup("");

	idx->v = NULL;
	idx->n = idx->cap = 0;
	if (root == NULL || scan_value(&sc, root, -1, -1, 0) < 0) {
		swd_jsonpos_release(idx);
		return -1;
	}
	return 0;
}

const struct swd_jsonpos_entry *swd_jsonpos_find(const struct swd_jsonpos *idx, const char *path)
{
	for (size_t k = 0; k < idx->n; k++)
		if (strcmp(idx->v[k].path, path) == 0)
			return &idx->v[k];
	return NULL;
}

int swd_jsonpos_verror(const struct swd_jsonpos *idx, struct swd_error *err, int code,
                       const char *origin, const char *path, bool at_key, const char *fmt,
                       va_list ap)
{
	const struct swd_jsonpos_entry *e = swd_jsonpos_find(idx, path);
	char msg[SWD_ERROR_MSG_MAX / 2];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (e == NULL)
		return swd_error_set(err, code, "'%s': %s", origin, msg);
	return swd_error_set(err, code, "'%s' line %d, column %d: %s", origin,
	                     at_key ? e->key_line : e->line, at_key ? e->key_column : e->column, msg);
}
