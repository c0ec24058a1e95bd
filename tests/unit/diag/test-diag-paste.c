/* Unit tests for pasted logs (src/diag/paste.c, and the engine's reading around a paste):
 * each thing a user's tools add to a log, taken off one mechanism at a time; then the whole
 * corpus: every synthetic log (tests/diag-logs/<name>.log) and every fit real case
 * (tests/diag-logs/real, split "fit" in its JSON; a held-out case's log is never opened),
 * wrapped in each of those things, must read as the clean log does: the same finding, the
 * same confidence and the same deciding line (the first evidence line, which diag-score and
 * `diagnose --log` show). Two transformations may lose the words that decide, so for them
 * the finding must be the clean one or "unknown", never another cause: a last line cut
 * mid-word, and a hard wrap at 80 columns (lost[] lists the cuts that take the only words a
 * reading rests on, each with the reading it must then give). */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "corpus-files.h"
#include "diag-top.h"
#include "diag/diag.h"
#include "diag/paste.h"

/* --- a growing string ------------------------------------------------------------------ */

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Returns: the text built in B (new; B is left empty). */
static char *take(struct buf *b)
{
	if (!b->p)
		put(b, "", 0);
	char *p = b->p;
	*b = (struct buf){ 0 };
	return p;
}

/* --- the transformations ---------------------------------------------------------------- */

/* One line of the clean log: its text without the line end, its position, and the line end
 * it had ("\n", "\r\n" or "" for a last line without one). */
struct line {
	const char *s;
	size_t len;
	size_t index;
	const char *eol;
};

typedef void (*line_fn)(struct buf *out, const struct line *l);

/* Calls FN for each line of TEXT; FN writes the line and its end to OUT. */
static char *per_line(const char *text, line_fn fn)
{
	struct buf out = { 0 };
	const char *p = text;
	for (size_t i = 0; *p; i++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct line l = { p, len, i, nl ? "\n" : "" };
		if (len && p[len - 1] == '\r') {
			l.len--;
			l.eol = nl ? "\r\n" : "\r";
		}
		fn(&out, &l);
		p += len + (nl ? 1 : 0);
	}
	return take(&out);
}

static void line_crlf(struct buf *o, const struct line *l)
{
	put(o, l->s, l->len);
	puts_(o, *l->eol ? "\r\n" : "");
}

/* Colour by OpenOCD's level, as a coloured console or `grep --color` prints it: the SGR
 * before the text, a reset and an erase-to-end-of-line after it. */
static void line_ansi(struct buf *o, const struct line *l)
{
	const char *sgr = strncmp(l->s, "Error", 5) == 0  ? "\x1b[1;31m"
	                  : strncmp(l->s, "Warn", 4) == 0 ? "\x1b[33m"
	                  : strncmp(l->s, "Info", 4) == 0 ? "\x1b[32m"
	                                                   : "\x1b[0;37m";
	puts_(o, sgr);
	put(o, l->s, l->len);
	puts_(o, "\x1b[0m\x1b[K");
	puts_(o, l->eol);
}

/* Timestamps: one second per line from 12:00:00, in the forms tools print. */
static void stamp(struct buf *o, const struct line *l, const char *fmt)
{
	char ts[64];
	unsigned s = (unsigned)(l->index % 3600);
	snprintf(ts, sizeof(ts), fmt, s / 60, s % 60, (unsigned)(l->index * 37 % 1000));
	puts_(o, ts);
	put(o, l->s, l->len);
	puts_(o, l->eol);
}

static void line_ts_clock(struct buf *o, const struct line *l)
{
	stamp(o, l, "[12:%02u:%02u] ");
}

static void line_ts_millis(struct buf *o, const struct line *l)
{
	stamp(o, l, "12:%02u:%02u.%03u ");
}

static void line_ts_iso(struct buf *o, const struct line *l)
{
	stamp(o, l, "2026-12-07T12:%02u:%02u.%03uZ ");
}

/* Eclipse CDT's console with timestamps on (also STM32CubeIDE's) */
static void line_ts_eclipse(struct buf *o, const struct line *l)
{
	stamp(o, l, "[2026-12-07 12:%02u:%02u.%03u] ");
}

/* The text of a gdb/MI stream record as gdb writes it (gdb/utils.c, printchar): backslash
 * and the quote escaped, control bytes and 0x7f-0x9f as \n \t \e ... or three octal digits;
 * bytes from 0xa0 up as they are. */
static void mi_text(struct buf *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
			const char *named = c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == 0x1b ? "\\e" : NULL;
			if (!named)
				snprintf(esc, sizeof(esc), "\\%03o", c);
			puts_(o, named ? named : esc);
		} else {
			if (c == '\\' || c == '"')
				puts_(o, "\\");
			put(o, s + i, 1);
		}
	}
}

/* The three stream records in turn: log (&"...\n"), console (~"...\n"), target (@"..."). */
static void line_mi(struct buf *o, const struct line *l)
{
	static const char kinds[] = "&~@";
	char kind = kinds[l->index % 3];
	put(o, &kind, 1);
	puts_(o, "\"");
	mi_text(o, l->s, l->len);
	puts_(o, kind == '@' ? "\"" : "\\n\"");
	puts_(o, *l->eol ? "\n" : "");
}

/* VS Code cortex-debug with "showDevDebugOutput": "raw": each MI record gdb wrote, after
 * "-> " (src/backend/mi2/mi2.ts, MI2.onOutput); a monitor command's reply is a console
 * record. */
static void line_cortex_debug(struct buf *o, const struct line *l)
{
	puts_(o, "-> ~\"");
	mi_text(o, l->s, l->len);
	puts_(o, "\\n\"");
	puts_(o, *l->eol ? "\n" : "");
}

static void line_quote(struct buf *o, const struct line *l)
{
	puts_(o, l->len ? "> " : ">");
	put(o, l->s, l->len);
	puts_(o, l->eol);
}

static void line_spaces(struct buf *o, const struct line *l)
{
	puts_(o, "    ");
	put(o, l->s, l->len);
	puts_(o, l->eol);
}

static void line_tab(struct buf *o, const struct line *l)
{
	puts_(o, "\t");
	put(o, l->s, l->len);
	puts_(o, l->eol);
}

/* Each ASCII quote replaced by REPL, as a forum's typography or a wrong code page shows it. */
static void requote(struct buf *o, const struct line *l, const char *repl)
{
	for (size_t i = 0; i < l->len; i++) {
		if (l->s[i] == '\'')
			puts_(o, repl);
		else
			put(o, l->s + i, 1);
	}
	puts_(o, l->eol);
}

/* U+2019 in UTF-8: a forum's "smart" quote */
static void line_smart_quote(struct buf *o, const struct line *l)
{
	requote(o, l, "\xe2\x80\x99");
}

/* U+2019's UTF-8 bytes read as Windows-1252 and written out as UTF-8 again: "â€™" */
static void line_mojibake(struct buf *o, const struct line *l)
{
	requote(o, l, "\xc3\xa2\xe2\x82\xac\xe2\x84\xa2");
}

/* Lines a debugger, an IDE or a build tool prints around OpenOCD's: none holds an OpenOCD
 * message. One goes before every third line. */
static const char *const noise[] = {
	"(gdb) ",
	"Reading symbols from build/firmware.elf...",
	"Remote debugging using localhost:3333",
	"Note: automatically using hardware breakpoints for read-only addresses.",
	/* no path: a path would show the host, which some readings rightly depend on */
	"Launching gdb-server: openocd -c \"gdb_port 50000\" -c \"tcl_port 50001\" "
	"-c \"telnet_port 50002\" -f openocd.cfg",
	"Processing blackpill_f411ce (platform: ststm32; board: blackpill_f411ce; framework: cmsis)",
	"make: *** [Makefile:212: flash] Error 1",
};

static void line_noise(struct buf *o, const struct line *l)
{
	if (l->index % 3 == 0) {
		puts_(o, noise[l->index / 3 % (sizeof(noise) / sizeof(noise[0]))]);
		puts_(o, "\n");
	}
	put(o, l->s, l->len);
	puts_(o, l->eol);
}

/* A console 80 columns wide: each line longer than that goes on in the next, 80 characters
 * (UTF-8 sequences counted as one) a line. */
static void line_wrap80(struct buf *o, const struct line *l)
{
	size_t col = 0;
	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->s[i];
		bool starts_char = (c & 0xc0) != 0x80;
		if (starts_char && col == 80) {
			puts_(o, *l->eol ? l->eol : "\n");
			col = 0;
		}
		col += starts_char;
		put(o, l->s + i, 1);
	}
	puts_(o, l->eol);
}

static char *tr_crlf(const char *t) { return per_line(t, line_crlf); }
static char *tr_ansi(const char *t) { return per_line(t, line_ansi); }
static char *tr_ts_clock(const char *t) { return per_line(t, line_ts_clock); }
static char *tr_ts_millis(const char *t) { return per_line(t, line_ts_millis); }
static char *tr_ts_iso(const char *t) { return per_line(t, line_ts_iso); }
static char *tr_ts_eclipse(const char *t) { return per_line(t, line_ts_eclipse); }
static char *tr_mi(const char *t) { return per_line(t, line_mi); }
static char *tr_cortex_debug(const char *t) { return per_line(t, line_cortex_debug); }
static char *tr_quote(const char *t) { return per_line(t, line_quote); }
static char *tr_spaces(const char *t) { return per_line(t, line_spaces); }
static char *tr_tab(const char *t) { return per_line(t, line_tab); }
static char *tr_smart_quote(const char *t) { return per_line(t, line_smart_quote); }
static char *tr_mojibake(const char *t) { return per_line(t, line_mojibake); }
static char *tr_noise(const char *t) { return per_line(t, line_noise); }
static char *tr_wrap80(const char *t) { return per_line(t, line_wrap80); }

/* A Markdown code fence around the whole log. */
static char *tr_fence(const char *t)
{
	struct buf o = { 0 };
	size_t n = strlen(t);
	puts_(&o, "```text\n");
	put(&o, t, n);
	puts_(&o, n && t[n - 1] != '\n' ? "\n```\n" : "```\n");
	return take(&o);
}

static char *tr_bom(const char *t)
{
	struct buf o = { 0 };
	puts_(&o, "\xef\xbb\xbf");
	puts_(&o, t);
	return take(&o);
}

/* The paste stops in the middle of a word of its last line: lines after it, and its line
 * end, are lost. */
static char *tr_cut(const char *t)
{
	struct buf o = { 0 };
	size_t n = strlen(t);
	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		n--;
	size_t start = n;
	while (start && t[start - 1] != '\n')
		start--;
	/* from the middle of the line, the first place between two letters or digits */
	size_t cut = start + (n - start) / 2;
	while (cut < n && !(cut > start && isalnum((unsigned char)t[cut - 1]) &&
	                    isalnum((unsigned char)t[cut])))
		cut++;
	put(&o, t, cut < n ? cut : start + (n - start) / 2);
	return take(&o);
}

/* Several at once, in the order they happen on the way to a paste. */
static char *chain(const char *t, char *(*const *fns)(const char *), size_t n)
{
	char *cur = strdup(t);
	assert_non_null(cur);
	for (size_t i = 0; i < n; i++) {
		char *next = fns[i](cur);
		free(cur);
		cur = next;
	}
	return cur;
}

/* a terminal's colour, then the IDE's timestamp, then Windows line ends */
static char *tr_ide_console(const char *t)
{
	static char *(*const fns[])(const char *) = { tr_ansi, tr_ts_millis, tr_crlf };
	return chain(t, fns, sizeof(fns) / sizeof(fns[0]));
}

/* gdb's lines among OpenOCD's, all as MI records */
static char *tr_gdb_mi(const char *t)
{
	static char *(*const fns[])(const char *) = { tr_noise, tr_mi };
	return chain(t, fns, sizeof(fns) / sizeof(fns[0]));
}

/* a forum's quotes, its quoting and a fence, then a wrong code page */
static char *tr_forum(const char *t)
{
	static char *(*const fns[])(const char *) = { tr_smart_quote, tr_quote, tr_fence,
		                                      tr_bom };
	return chain(t, fns, sizeof(fns) / sizeof(fns[0]));
}

/* a tool's timestamp, then a console 80 columns wide */
static char *tr_stamped_wrap(const char *t)
{
	static char *(*const fns[])(const char *) = { tr_ts_clock, tr_wrap80 };
	return chain(t, fns, sizeof(fns) / sizeof(fns[0]));
}

/* a console 80 columns wide, then a forum's quoting */
static char *tr_quoted_wrap(const char *t)
{
	static char *(*const fns[])(const char *) = { tr_wrap80, tr_quote };
	return chain(t, fns, sizeof(fns) / sizeof(fns[0]));
}

struct transform {
	const char *name;
	char *(*apply)(const char *clean);
	/* the words that decide may be lost: the finding is the clean one or "unknown" */
	bool may_lose;
};

static const struct transform transforms[] = {
	{ "crlf", tr_crlf, false },
	{ "ansi-colour", tr_ansi, false },
	{ "time [hh:mm:ss]", tr_ts_clock, false },
	{ "time hh:mm:ss.mmm", tr_ts_millis, false },
	{ "time iso-8601", tr_ts_iso, false },
	{ "time eclipse", tr_ts_eclipse, false },
	{ "gdb-mi records", tr_mi, false },
	{ "cortex-debug raw", tr_cortex_debug, false },
	{ "markdown quote", tr_quote, false },
	{ "markdown fence", tr_fence, false },
	{ "indent spaces", tr_spaces, false },
	{ "indent tab", tr_tab, false },
	{ "utf-8 bom", tr_bom, false },
	{ "smart quotes", tr_smart_quote, false },
	{ "cp1252 mojibake", tr_mojibake, false },
	{ "ide noise lines", tr_noise, false },
	{ "ide console", tr_ide_console, false },
	{ "gdb noise as mi", tr_gdb_mi, false },
	{ "forum post", tr_forum, false },
	{ "cut mid-word", tr_cut, true },
	{ "wrap 80 columns", tr_wrap80, true },
	{ "stamped, wrapped", tr_stamped_wrap, true },
	{ "wrapped, quoted", tr_quoted_wrap, true },
};
#define N_TRANSFORMS (sizeof(transforms) / sizeof(transforms[0]))

/* --- the normaliser, one mechanism at a time ----------------------------------------------- */

/* Byte order marks, no-break spaces, typographic quotes and their mojibake read as ASCII;
 * other characters stay. */
static void test_clean_respells(void **state)
{
	(void)state;
	expect_clean("\xef\xbb\xbfOpen On-Chip Debugger 0.12.0\n", "Open On-Chip Debugger 0.12.0\n");
	expect_clean("\xc3\xaf\xc2\xbb\xc2\xbfOpen On-Chip Debugger\n", "Open On-Chip Debugger\n");
	expect_clean("Error: flash driver \xe2\x80\x98stm32h7x\xe2\x80\x99 not found\n",
	             "Error: flash driver 'stm32h7x' not found\n");
	expect_clean("Error: couldn\xc3\xa2\xe2\x82\xac\xe2\x84\xa2t bind\n", "Error: couldn't bind\n");
	expect_clean("Error: Can\xc3\xa2\xc2\x80\xc2\x99t find x.cfg\n", "Error: Can't find x.cfg\n");
	expect_clean("\xc3\xa2\xe2\x82\xac\xc5\x93x\xc3\xa2\xe2\x82\xac\xc2\x9d\n", "\"x\"\n");
	/* a file saved as Windows-1252: the quote is one byte, not UTF-8 */
	expect_clean("Error: Can\x92t find x.cfg\n", "Error: Can't find x.cfg\n");
	expect_clean("Info\xc2\xa0: x\n", "Info : x\n");
	/* U+2012 (its last byte is 0x92) and other characters are left alone */
	expect_clean("a \xe2\x80\x92 caf\xc3\xa9 \xe2\x88\x9a\n", "a \xe2\x80\x92 caf\xc3\xa9 \xe2\x88\x9a\n");
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* gdb escapes a stream record's bytes as printchar does: \e, \t, octal for 0x80-0x9f. */
static void test_clean_mi_escapes(void **state)
{
	(void)state;
	expect_clean("~\"Error: Can\xe2\\200\\231t find x.cfg\\n\"\n", "Error: Can't find x.cfg\n");
	expect_clean("&\"\\e[1;31mError: open failed\\e[0m\\n\"\n", "Error: open failed\n");
	expect_clean("@\"Upload\\t[ ]\"\n", "Upload\t[ ]\n");
	expect_clean("~\"a\\000b\\n\"\n", "ab\n");
}

/* A forum's code fence is markup, not a line of the log: it stays as an empty line, which
 * is never the rest of a wrapped one. */
static void test_clean_fence(void **state)
{
	(void)state;
	char *x80 = repeat('x', 80), in[256], want[256];
	expect_clean("```text\nError: open failed\n```\n", "\nError: open failed\n\n");
	expect_clean("~~~\nInfo : a\n~~~~\n", "\nInfo : a\n\n");
	snprintf(in, sizeof(in), "> %s\n```\n", x80);
	snprintf(want, sizeof(want), "%s\n\n", x80);
	expect_clean(in, want);
	/* backquotes inside a line stay */
	expect_clean("Error: ``` x\n", "Error: ``` x\n");
	free(x80);
}

/* A console 80 columns wide wrapped the line: its rest is joined again, counting the
 * columns the console saw. */
static void test_clean_wraps(void **state)
{
	(void)state;
	char *x61 = repeat('x', 61), *x62 = repeat('x', 62), *x68 = repeat('x', 68);
	char *x73 = repeat('x', 73);
	char *x80 = repeat('x', 80), in[512], want[512];

	/* a timestamp the tool put there counts; the rest has none */
	snprintf(in, sizeof(in), "[12:00:01] Info : %s\nmore\n", x62);
	snprintf(want, sizeof(want), "Info : %smore\n", x62);
	expect_clean(in, want);
	/* a line of its own has one, even when the one before is 79 columns wide with it */
	snprintf(in, sizeof(in), "[12:00:01] %s\n[12:00:02] more\n", x68);
	snprintf(want, sizeof(want), "%s\nmore\n", x68);
	expect_clean(in, want);
	/* colour takes no column (this line is 80 bytes, 68 columns) */
	snprintf(in, sizeof(in), "\x1b[33mWarn : %s\x1b[0m\x1b[K\nmore\n", x61);
	snprintf(want, sizeof(want), "Warn : %s\nmore\n", x61);
	expect_clean(in, want);
	/* quoting and indentation came after the wrap: the rest has the same */
	snprintf(in, sizeof(in), "> Info : %s\n> more\n", x73);
	snprintf(want, sizeof(want), "Info : %smore\n", x73);
	expect_clean(in, want);
	snprintf(in, sizeof(in), "\tInfo : %s\n\tmore\n", x73);
	expect_clean(in, want);
	snprintf(in, sizeof(in), "> Info : %s\n>  more\n", x73);
	snprintf(want, sizeof(want), "Info : %s\nmore\n", x73);
	expect_clean(in, want);
	/* ... and such a rest that starts with a blank, 80 columns wide with it, goes on in
	 * the row after, whose lead is the quoting alone */
	snprintf(in, sizeof(in), "> Info : %s\n>  %s\n> more\n", x73, x80 + 1);
	snprintf(want, sizeof(want), "Info : %s\n%smore\n", x73, x80 + 1);
	expect_clean(in, want);
	/* a line of 200 characters comes back from three */
	snprintf(in, sizeof(in), "%s\n%s\nend\n", x80, x80);
	snprintf(want, sizeof(want), "%s%send\n", x80, x80);
	expect_clean(in, want);
	/* the blank a row ended with is put back: kept at column 80, or the 80th column
	 * a copy of 79 left out */
	snprintf(in, sizeof(in), "Info : %s \nmore\n", x73 + 1);
	snprintf(want, sizeof(want), "Info : %s more\n", x73 + 1);
	expect_clean(in, want);
	snprintf(in, sizeof(in), "Info : %s\nmore\n", x73 + 1);
	expect_clean(in, want);
	/* a front-end's own line after a line of 80 is a line of its own */
	snprintf(in, sizeof(in), "%s\nLaunching gdb-server: openocd\nReading symbols from a.elf\n",
	         x80);
	snprintf(want, sizeof(want), "%s\nLaunching gdb-server: openocd\nReading symbols from a.elf\n",
	         x80);
	expect_clean(in, want);
	free(x61);
	free(x62);
	free(x68);
	free(x73);
	free(x80);
}

/* --- the reading around a paste ------------------------------------------------------------ */

static struct diag_report *classify(const char *log)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	return r;
}

static void expect_top(const char *log, enum diag_id id, enum diag_confidence conf,
                       const char *line)
{
	struct diag_report *r = classify(log);
	const struct diag_finding *f = &r->findings[0];
	const char *got = f->n_evidence ? f->evidence[0] : "";
	if (f->id != id || f->confidence != conf || strcmp(got, line) != 0)
		fail_msg("'%s': want %s (%s) by '%s', got %s (%s) by '%s'", log, diag_id_name(id),
		         diag_confidence_name(conf), line, diag_id_name(f->id),
		         diag_confidence_name(f->confidence), got);
	diag_report_free(r);
}

/* A build tool's summary among the lines: it decides nothing while another line fails. */
static void test_build_summary_decides_nothing(void **state)
{
	(void)state;
	/* OpenOCD's lines at its telnet prompt carry no "Error:" */
	expect_top("> flash write_image x.hex\n"
	           "make: *** [Makefile:212: flash] Error 1\n"
	           "flash write failed at address 0x1fff7808\n",
	           DIAG_UNKNOWN, DIAG_CONF_LOW, "flash write failed at address 0x1fff7808");
	/* alone, the front-end's summary is what there is */
	expect_top("make: *** [Makefile:212: flash] Error 1\n", DIAG_UNKNOWN, DIAG_CONF_LOW,
	           "make: *** [Makefile:212: flash] Error 1");
	/* a download that went through is not undone by it */
	expect_top("dfu-util: Invalid DFU suffix signature\n"
	           "make: *** [Makefile:212: flash] Error 1\n"
	           "Download\t[=========================] 100%        1024 bytes\n"
	           "Download done.\n",
	           DIAG_DFU_SUFFIX_WARNING, DIAG_CONF_HIGH, "dfu-util: Invalid DFU suffix signature");
}

/* A paste that stops in its decisive line, or mid-transfer: the suffix warning is not the
 * story then. */
static void test_cut_paste_is_not_the_warning(void **state)
{
	(void)state;
	struct diag_report *r = classify("dfu-util: Invalid DFU suffix signature\n"
	                                 "Opening DFU capable USB device...\n"
	                                 "dfu-util: Cannot se");
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	bool cut_shown = false;
	for (size_t i = 0; i < r->findings[0].n_evidence; i++)
		cut_shown |= strcmp(r->findings[0].evidence[i], "dfu-util: Cannot se") == 0;
	assert_true(cut_shown);
	diag_report_free(r);

	r = classify("dfu-util: Invalid DFU suffix signature\n"
	             "Download\t[==========               ]  42%        1024 bytes\n");
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	diag_report_free(r);
	/* the warning pasted alone still reads as it did */
	expect_top("dfu-util: Invalid DFU suffix signature\n", DIAG_DFU_SUFFIX_WARNING,
	           DIAG_CONF_MEDIUM, "dfu-util: Invalid DFU suffix signature");
}

/* --- the corpus ------------------------------------------------------------------------- */

struct corpus_case {
	char *name; /* "real/<name>" for a real case */
	char *text;
};

struct corpus {
	struct corpus_case *v;
	size_t n;
};

static void add_case(struct corpus *c, const char *name, char *text)
{
	c->v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
	assert_non_null(c->v);
	c->v[c->n].name = strdup(name);
	c->v[c->n].text = text;
	c->n++;
}

/* The synthetic logs, and the real cases whose JSON says "fit": a held-out case's log is
 * never opened. */
static void load_corpus(struct corpus *c)
{
	char **names, path[4096];
	size_t n;

	assert_true(corpus_names(DIAG_LOGS_DIR, ".log", &names, &n));
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s.log", DIAG_LOGS_DIR, names[i]);
		char *text = slurp(path);
		assert_non_null(text);
		add_case(c, names[i], text);
	}
	corpus_free_names(names, n);

	assert_true(corpus_names(DIAG_REAL_DIR, ".json", &names, &n));
	for (size_t i = 0; i < n; i++) {
		json_error_t err;
		snprintf(path, sizeof(path), "%s/%s.json", DIAG_REAL_DIR, names[i]);
		json_t *j = json_load_file(path, 0, &err);
		assert_non_null(j);
		const char *split = json_string_value(json_object_get(j, "split"));
		assert_non_null(split);
		if (strcmp(split, "fit") == 0) {
			snprintf(path, sizeof(path), "%s/%s.log", DIAG_REAL_DIR, names[i]);
			char *text = slurp(path);
			assert_non_null(text);
			char name[4096];
			snprintf(name, sizeof(name), "real/%s", names[i]);
			add_case(c, name, text);
		}
		json_decref(j);
	}
	corpus_free_names(names, n);
}

static void free_corpus(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].text);
	}
	free(c->v);
}

/* --- the reading ------------------------------------------------------------------------- */

struct reading {
	enum diag_id id;
	enum diag_confidence conf;
	char *line; /* the deciding line, "" when the finding shows none */
};

static struct reading read_log(const char *text)
{
	struct diag_report *r = diag_classify_log(text);
	assert_non_null(r);
	const struct diag_finding *top = &r->findings[0];
	struct reading rd = { top->id, top->confidence,
		              strdup(top->n_evidence ? top->evidence[0] : "") };
	assert_non_null(rd.line);
	diag_report_free(r);
	return rd;
}

/* Cuts that take the only words the clean reading rests on, so that what is left honestly
 * reads as another cause; each must read as said here, and one no case meets any more fails
 * the test too. */
static const struct {
	const char *name, *transform, *reads_as, *why;
} lost[] = {
	{ "real/unknown-win10-not-supported-bluetooth-mouse-port-marvell", "cut mid-word",
	  "probe-driver-missing", "the cut line is 'Info : clock speed 5000 kHz', the one line "
	  "showing the adapter worked after LIBUSB_ERROR_NOT_SUPPORTED; without it that error "
	  "reads as the driver missing on Windows" },
	{ "real/probe-not-found-dfu-util-klipper-skr14-lpc1768-no-dfu-bootloader", "cut mid-word",
	  "dfu-suffix-warning", "the log is three lines and the cut one is 'dfu-util: No DFU "
	  "capable USB device available', the only line the reading rests on; what is left is "
	  "dfu-util's suffix warning, which alone reads as that harmless warning" },
	{ "real/unknown-webcoral-edgetpu-already-running-dfu-util-011", "cut mid-word",
	  "dfu-suffix-warning", "the cut line is 'dfu-util: No DFU capable USB device available', "
	  "the only line its reading (probe-not-found) rests on; dfu-util's suffix warning is "
	  "left" },
	{ "real/probe-driver-missing-aioc-dfu-runtime-interface-no-winusb-quoted", "cut mid-word",
	  "probe-not-found", "the cut takes LIBUSB_ERROR_NOT_SUPPORTED from the last line, the "
	  "only word the missing driver rests on; what is left is a run-time interface of a "
	  "device no -d asked for that could not be claimed, which reads as no DFU device" },
};

#define N_LOST (sizeof(lost) / sizeof(lost[0]))

/* Whether NAME under transformation T is one of lost[] and reads as it says; marks the entry
 * in SEEN. */
static bool lost_as_said(const char *name, const struct transform *t, const struct reading *got,
                         bool *seen)
{
	for (size_t i = 0; i < N_LOST; i++)
		if (strcmp(lost[i].name, name) == 0 && strcmp(lost[i].transform, t->name) == 0) {
			seen[i] = true;
			return strcmp(diag_id_name(got->id), lost[i].reads_as) == 0;
		}
	return false;
}

enum verdict { HELD, LOST, CHANGED };

/* Whether T's reading of case NAME keeps CLEAN's; says why not in WHY (SIZE bytes). */
static enum verdict holds(const char *name, const struct transform *t, const struct reading *clean,
                  const struct reading *got, bool *seen, char *why, size_t size)
{
	if (t->may_lose) {
		if (got->id == clean->id || got->id == DIAG_UNKNOWN)
			return HELD;
		if (lost_as_said(name, t, got, seen))
			return LOST;
		snprintf(why, size, "read as %s (%s), another cause than %s", diag_id_name(got->id),
		         diag_confidence_name(got->conf), diag_id_name(clean->id));
		return CHANGED;
	}
	if (got->id != clean->id || got->conf != clean->conf) {
		snprintf(why, size, "read as %s (%s), clean %s (%s); decided by '%s'",
		         diag_id_name(got->id), diag_confidence_name(got->conf),
		         diag_id_name(clean->id), diag_confidence_name(clean->conf), got->line);
		return CHANGED;
	}
	if (strcmp(got->line, clean->line) != 0) {
		snprintf(why, size, "decided by '%s', clean by '%s'", got->line, clean->line);
		return CHANGED;
	}
	return HELD;
}

/* Every transformation of every case: prints how many cases each keeps and each case it
 * does not, and fails when any does not. */
static void test_corpus_pasted(void **state)
{
	(void)state;
	struct corpus c = { 0 };
	size_t failed = 0;

	load_corpus(&c);
	assert_true(c.n > 100);
	size_t held[N_TRANSFORMS] = { 0 }, lost_n[N_TRANSFORMS] = { 0 };
	size_t exact[N_TRANSFORMS] = { 0 }; /* the same finding, confidence and line */
	bool seen[N_LOST] = { false }; /* the lost[] entries this run met */
	for (size_t i = 0; i < c.n; i++) {
		struct reading clean = read_log(c.v[i].text);
		for (size_t k = 0; k < N_TRANSFORMS; k++) {
			char *pasted = transforms[k].apply(c.v[i].text);
			struct reading got = read_log(pasted);
			char why[1024];
			exact[k] += got.id == clean.id && got.conf == clean.conf &&
			            strcmp(got.line, clean.line) == 0;
			switch (holds(c.v[i].name, &transforms[k], &clean, &got, seen, why,
			              sizeof(why))) {
			case HELD:
				held[k]++;
				break;
			case LOST:
				lost_n[k]++;
				print_message("%s, %s: read as %s, a loss listed in lost[]\n",
				              c.v[i].name, transforms[k].name, diag_id_name(got.id));
				break;
			case CHANGED:
				print_error("%s, %s: %s\n", c.v[i].name, transforms[k].name, why);
				break;
			}
			free(got.line);
			free(pasted);
		}
		free(clean.line);
	}
	for (size_t k = 0; k < N_TRANSFORMS; k++) {
		print_message("%-20s %3zu of %zu cases read as clean%s", transforms[k].name,
		              held[k], c.n, transforms[k].may_lose ? " (or unknown)" : "");
		if (transforms[k].may_lose)
			print_message(", %zu exactly", exact[k]);
		print_message(lost_n[k] ? ", %zu lost as listed\n" : "\n", lost_n[k]);
		failed += c.n - held[k] - lost_n[k];
	}
	/* an entry no case met any more is a loss that no longer happens: take it out */
	for (size_t i = 0; i < N_LOST; i++)
		if (!seen[i]) {
			print_error("lost[] lists %s, %s, which reads as clean now\n", lost[i].name,
			            lost[i].transform);
			failed++;
		}
	free_corpus(&c);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_respells),
		cmocka_unit_test(test_clean_mi_escapes),
		cmocka_unit_test(test_clean_fence),
		cmocka_unit_test(test_clean_wraps),
		cmocka_unit_test(test_build_summary_decides_nothing),
		cmocka_unit_test(test_cut_paste_is_not_the_warning),
		cmocka_unit_test(test_corpus_pasted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
