/* tcl.c - Tcl word quoting and list parsing with the rules of Jim Tcl 0.81 (the
 * interpreter OpenOCD 0.12 embeds): JimParseStr/JimParseSubBrace for words,
 * JimParseList* for lists, JimEscape for backslash sequences. */
#include "ocd/tcl.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/err.h"

int tcl_brace_safe(const char *s, size_t len)
{
	long depth = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* A backslash inside braces escapes the next brace for the counting but stays
		 * in the value, and Jim keeps backslash-newline literally while Tcl 8 does not;
		 * escaping is the unambiguous choice. Newlines and CRs would also split log
		 * lines. 0x1A would end the RPC frame. */
		if (c == '\\' || c == '\n' || c == '\r' || c == 0x1a || c == 0)
			return 0;
		if (c == '{')
			depth++;
		else if (c == '}' && --depth < 0)
			return 0;
	}
	return depth == 0;
}

static bool plain_char(unsigned char c)
{
	if (c >= 0x80)
		return true; /* UTF-8 bytes mean nothing to the parser */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return strchr("_-./:+,=@%", c) != NULL && c != 0;
}

char *tcl_quote(const char *s, size_t len)
{
	bool plain = len > 0;
	char *out, *p;

	for (size_t i = 0; i < len && plain; i++)
		plain = plain_char((unsigned char)s[i]);
	if (plain) {
		out = malloc(len + 1);
		if (!out)
			return NULL;
		memcpy(out, s, len);
		out[len] = '\0';
		return out;
	}
	if (tcl_brace_safe(s, len)) {
		out = malloc(len + 3);
		if (!out)
			return NULL;
		out[0] = '{';
		memcpy(out + 1, s, len);
		out[len + 1] = '}';
		out[len + 2] = '\0';
		return out;
	}
	/* Worst case \xHH: four bytes per input byte. */
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	p = out;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		static const char hex[] = "0123456789abcdef";

		if (plain_char(c)) {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '\n': *p++ = 'n'; break;
		case '\t': *p++ = 't'; break;
		case '\r': *p++ = 'r'; break;
		case '\f': *p++ = 'f'; break;
		case '\v': *p++ = 'v'; break;
		case '\a': *p++ = 'a'; break;
		case '\b': *p++ = 'b'; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				/* Always two digits: Jim reads at most two, so a following
				 * hex-looking character cannot join the escape. */
				*p++ = 'x';
				*p++ = hex[c >> 4];
				*p++ = hex[c & 15];
			} else {
				*p++ = (char)c;
			}
		}
	}
	*p = '\0';
	return out;
}

char *tcl_quote_str(const char *s)
{
	return tcl_quote(s, strlen(s));
}

static size_t utf8_put(char out[4], unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | ((cp >> 18) & 0x07));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t tcl_unescape_one(const char *s, size_t len, char out[4], size_t *outlen)
{
	char c;

	if (len < 2) {
		/* A trailing backslash stands for itself. */
		out[0] = '\\';
		*outlen = 1;
		return 1;
	}
	c = s[1];
	*outlen = 1;
	switch (c) {
	case 'a': out[0] = 0x07; return 2;
	case 'b': out[0] = 0x08; return 2;
	case 'f': out[0] = 0x0c; return 2;
	case 'n': out[0] = 0x0a; return 2;
	case 'r': out[0] = 0x0d; return 2;
	case 't': out[0] = 0x09; return 2;
	case 'v': out[0] = 0x0b; return 2;
	case '\n': {
		size_t i = 2;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		out[0] = ' ';
		return i;
	}
	case 'x': case 'u': case 'U': {
		size_t i = 2, max = c == 'x' ? 2 : c == 'u' ? 4 : 8, k;
		unsigned long val = 0;
		bool braced = false;

		if (c == 'u' && i < len && s[i] == '{') {
			braced = true;
			max = 6;
			i++;
		}
		for (k = 0; k < max && i + k < len && swd_hex_digit((unsigned char)s[i + k]) >= 0; k++)
			val = (val << 4) | (unsigned long)swd_hex_digit((unsigned char)s[i + k]);
		if (braced && (k == 0 || val > 0x1fffff || i + k >= len || s[i + k] != '}'))
			k = 0;
		if (k == 0) {
			out[0] = c; /* not a valid sequence: the escaped letter itself */
			return 2;
		}
		if (c == 'x') {
			out[0] = (char)(val & 0xff);
			return i + k;
		}
		*outlen = utf8_put(out, val);
		return i + k + (braced ? 1 : 0);
	}
	default:
		if (c >= '0' && c <= '7') {
			size_t i = 1;
			unsigned val = 0;

			while (i < 4 && i < len && s[i] >= '0' && s[i] <= '7')
				val = val * 8 + (unsigned)(s[i++] - '0');
			out[0] = (char)(val & 0xff);
			return i;
		}
		out[0] = c;
		return 2;
	}
}

/* Appends the unescaped form of s[0..len) to dst (which has room for len bytes: escapes
 * never grow). Returns the new length. */
static size_t unescape(char *dst, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		if (s[i] == '\\') {
			size_t ol;

			i += tcl_unescape_one(s + i, len - i, dst + n, &ol);
			n += ol;
		} else {
			dst[n++] = s[i++];
		}
	}
	return n;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int push_item(struct tcl_list *l, size_t *cap, const char *s, size_t len, bool esc)
{
	char *item;

	if (l->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		char **ni = realloc(l->items, nc * sizeof(*ni));

		if (!ni)
			return SWD_ENOMEM;
		l->items = ni;
		size_t *nl = realloc(l->lens, nc * sizeof(*nl));
		if (!nl)
			return SWD_ENOMEM;
		l->lens = nl;
		*cap = nc;
	}
	item = malloc(len + 1);
	if (!item)
		return SWD_ENOMEM;
	if (esc) {
		len = unescape(item, s, len);
	} else {
		memcpy(item, s, len);
	}
	item[len] = '\0';
	l->items[l->n] = item;
	l->lens[l->n] = len;
	l->n++;
	return 0;
}

int tcl_list_parse(const char *s, size_t len, struct tcl_list *out)
{
	size_t i = 0, cap = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		size_t start;

		while (i < len && is_space((unsigned char)s[i]))
			i++;
		if (i == len)
			break;
		if (s[i] == '{') {
			long depth = 1;

			start = ++i;
			while (i < len) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				else if (s[i] == '{')
					depth++;
				else if (s[i] == '}' && --depth == 0)
					break;
				i++;
			}
			if (i == len) {
				rc = SWD_EOCDPROTO;
				goto out;
			}
			rc = push_item(out, &cap, s + start, i - start, false);
			i++;
		} else if (s[i] == '"') {
			start = ++i;
			while (i < len && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
			if (i == len) {
				rc = SWD_EOCDPROTO;
				goto out;
			}
			rc = push_item(out, &cap, s + start, i - start, true);
			i++;
		} else {
			start = i;
			while (i < len && !is_space((unsigned char)s[i])) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
			rc = push_item(out, &cap, s + start, i - start, true);
			if (rc)
				goto out;
			continue;
		}
		if (rc)
			goto out;
		/* Tcl requires white space after a closing brace or quote. */
		if (i < len && !is_space((unsigned char)s[i])) {
			rc = SWD_EOCDPROTO;
			goto out;
		}
	}
out:
	if (rc)
		tcl_list_release(out);
	return rc;
}

void tcl_list_release(struct tcl_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	free(l->lens);
	memset(l, 0, sizeof(*l));
}
