/* paste.c - turns what a user pastes into the lines OpenOCD printed.
 *
 * A pasted log is rarely OpenOCD's stderr as it was: it comes out of an IDE console, a
 * terminal, a container or a forum post, with CRLF or lone CR line ends, ANSI colour, a
 * timestamp or a "service_1  | " prefix on every line, gdb/MI stream records (~"Info : ...\n"),
 * "(gdb) " prompts, "> " quoting, Markdown bold, indentation, and lines a Windows console wrapped at 80
 * columns. diag_paste_clean undoes each of these so the rules see the lines as OpenOCD wrote
 * them. It never drops a line: noise stays, and a rule that does not match it ignores it.
 */
#include <ctype.h>
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag/paste.h"

/* Prefixes put before each line by the tool that showed the log, tried in turn until none
 * matches (a line may carry several, e.g. a container name then a timestamp). */
static const char *const prefixes[] = {
	/* ISO 8601 timestamp, maybe bracketed: "[2023-06-26T19:37:37.428Z] ", "2018-04-05 23:14:01 " */
	"^\\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?Z?\\]?:?[ \t]+",
	/* clock time: "[12:34:56.789] ", "12:34:56 " */
	"^\\[?[0-9]{1,2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?\\]?:?[ \t]+",
	/* docker compose: "openocd_1    | " */
	"^[A-Za-z0-9_.-]+[_-][0-9]+[ \t]+\\|[ \t]?",
	/* gdb prompt, forum quoting */
	"^\\(gdb\\)[ \t]*",
	"^>[ \t]?",
};
#define N_PREFIXES (sizeof(prefixes) / sizeof(prefixes[0]))

/* Lines OpenOCD starts itself; a line that starts otherwise after an 80-column line was
 * wrapped by the console it was copied from. */
static bool starts_openocd_line(const char *s)
{
	static const char *const heads[] = {
		"Error", "Warn", "Info", "Debug", "User", "in procedure", "Open On-Chip",
		"xPack", "Licensed", "For bug", "adapter", "none ", "srst_", "target ", "** ",
		"shutdown", "embedded:", "at file", "Polling", "Examination", "xPSR",
	};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (strncmp(s, heads[i], strlen(heads[i])) == 0)
			return true;
	return false;
}

struct buf {
	char *p;
	size_t n, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

/* Copies LINE (LEN bytes, no line end) without escape sequences and control bytes. */
static int strip_controls(struct buf *out, const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if (ch == 0x1b && i + 1 < len && line[i + 1] == '[') {
			/* CSI: parameters and intermediates, then one final byte 0x40-0x7e */
			i += 2;
			while (i < len && !((unsigned char)line[i] >= 0x40 && (unsigned char)line[i] <= 0x7e))
				i++;
			continue;
		}
		if (ch == 0x1b && i + 1 < len && line[i + 1] == ']') {
			/* OSC (window titles, links): up to BEL or ESC \ */
			i += 2;
			while (i < len && line[i] != '\a' && !(line[i] == 0x1b && i + 1 < len && line[i + 1] == '\\'))
				i++;
			if (i < len && line[i] == 0x1b)
				i++;
			continue;
		}
		if (ch == 0x1b)
			continue;
		if (ch < 0x20 && ch != '\t')
			continue;
		if (buf_put(out, &line[i], 1) != 0)
			return -1;
	}
	return 0;
}

/* A gdb/MI stream record, ~"text\n" (console), @"..." (target), &"..." (log): the text
 * unescaped. Returns true and rewrites S in place when S is one. */
static bool unwrap_mi(char *s)
{
	size_t n = strlen(s);
	if (n < 3 || !strchr("~@&", s[0]) || s[1] != '"' || s[n - 1] != '"')
		return false;
	size_t w = 0;
	for (size_t r = 2; r < n - 1; r++) {
		if (s[r] == '\\' && r + 1 < n - 1) {
			r++;
			if (s[r] == 'n' || s[r] == 'r')
				continue;
			s[w++] = s[r] == 't' ? ' ' : s[r];
			continue;
		}
		s[w++] = s[r];
	}
	s[w] = '\0';
	return true;
}

/* Removes known per-line prefixes and the leading blanks of S in place. */
static void strip_prefixes(char *s, regex_t *re, const bool *ok)
{
	for (int round = 0; round < 4; round++) {
		bool changed = false;
		size_t lead = strspn(s, " \t");
		if (lead) {
			memmove(s, s + lead, strlen(s + lead) + 1);
			changed = true;
		}
		if (unwrap_mi(s))
			changed = true;
		for (size_t k = 0; k < N_PREFIXES; k++) {
			regmatch_t m;
			if (!ok[k] || regexec(&re[k], s, 1, &m, 0) != 0 || m.rm_eo == 0)
				continue;
			memmove(s, s + m.rm_eo, strlen(s + m.rm_eo) + 1);
			changed = true;
		}
		if (!changed)
			break;
	}
	/* Markdown bold around words ("**open failed**") from a forum post; OpenOCD's own
	 * "** OpenOCD init failed **" has blanks inside and stays. */
	for (char *p = strstr(s, "**"); p; p = strstr(p, "**")) {
		size_t run = strspn(p, "*");
		if (run != 2 || (p > s && p[-1] == '*')) {
			p += run; /* "*****": a masked name, not emphasis */
			continue;
		}
		bool touches = (p > s && p[-1] != ' ') || (p[2] != ' ' && p[2] != '\0');
		if (touches)
			memmove(p, p + 2, strlen(p + 2) + 1);
		else
			p += 2;
	}
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

char *diag_paste_clean(const char *text, size_t len)
{
	regex_t re[N_PREFIXES];
	bool ok[N_PREFIXES];
	struct buf out = { 0 }, line = { 0 };
	size_t prev_raw_len = 0; /* length of the previous line as pasted, before cleaning */
	bool have_prev = false, failed = false;

	for (size_t k = 0; k < N_PREFIXES; k++)
		ok[k] = regcomp(&re[k], prefixes[k], REG_EXTENDED) == 0;
	if (buf_put(&out, "", 0) != 0)
		failed = true;

	size_t i = 0;
	while (!failed && i < len) {
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		size_t raw_len = i - start;
		/* CRLF, LF and a lone CR each end one line; CR CR LF (a Windows tool writing
		 * CRLF through a text-mode stream) ends one too. */
		while (i < len && text[i] == '\r')
			i++;
		if (i < len && text[i] == '\n')
			i++;

		line.n = 0;
		if (buf_put(&line, "", 0) != 0 || strip_controls(&line, text + start, raw_len) != 0) {
			failed = true;
			break;
		}
		strip_prefixes(line.p, re, ok);
		size_t n = strlen(line.p);
		/* A console that wraps at 80 columns splits a long line into one of 79 or 80
		 * characters and a rest that does not start like an OpenOCD line. */
		bool wrapped = have_prev && (prev_raw_len == 79 || prev_raw_len == 80) && n > 0 &&
		               !starts_openocd_line(line.p) && text[start] != ' ' && text[start] != '\t';
		if (have_prev && !wrapped && buf_put(&out, "\n", 1) != 0)
			failed = true;
		if (!failed && buf_put(&out, line.p, n) != 0)
			failed = true;
		prev_raw_len = wrapped ? 0 : raw_len;
		have_prev = true;
	}
	if (!failed && have_prev && buf_put(&out, "\n", 1) != 0)
		failed = true;

	for (size_t k = 0; k < N_PREFIXES; k++)
		if (ok[k])
			regfree(&re[k]);
	free(line.p);
	if (failed) {
		free(out.p);
		return NULL;
	}
	return out.p;
}
