/* paste.c - turns what a user pastes into the lines OpenOCD printed.
 *
 * A pasted log is rarely OpenOCD's stderr as it was: it comes out of an IDE console, a
 * terminal, a container or a forum post, with CRLF or lone CR line ends, ANSI colour, a
 * timestamp or a "service_1  | " prefix on every line, gdb/MI stream records (~"Info : ...\n"),
 * MI error results (2^error,msg="..."), a front-end's trace prefix (cortex-debug's "-> ",
 * Eclipse CDT's "077,345 "), "(gdb) " prompts, "> " quoting, Markdown bold, indentation, a
 * byte order mark, a forum's typographic quotes (or their mojibake after a wrong code page),
 * Markdown code fences, and lines a Windows console wrapped at 80 columns. diag_paste_clean
 * undoes each of these so the rules see the lines as OpenOCD wrote them. It never drops a
 * line: noise stays, and a rule that does not match it ignores it.
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
	/* Eclipse CDT's gdb traces console (also STM32CubeIDE's): seconds and milliseconds,
	 * "077,345 " (GdbPlugin.getDebugTime, written by AbstractMIControl before each MI
	 * record it sent or received) */
	"^[0-9]{3},[0-9]{3}[ \t]+",
	/* cortex-debug with "showDevDebugOutput": "raw": each MI record gdb wrote, after "-> "
	 * (src/backend/mi2/mi2.ts, MI2.onOutput) */
	"^->[ \t]+",
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
		/* the lines front-ends add around OpenOCD's: west, SCons, gdb, cortex-debug */
		"FATAL ERROR", "*** [", "Remote ", "Failed", "OpenOCD", "-- west", "-- runners",
		"Reading symbols", "Note: ", "Launching gdb-server", "Processing ", "make: ", "make[",
		"Traceback (", "dfu-util",
	};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (strncmp(s, heads[i], strlen(heads[i])) == 0)
			return true;
	return false;
}

/* Characters a web page, a word processor or a wrong code page puts where OpenOCD wrote
 * ASCII (or nothing), and what OpenOCD wrote. Each is longer than what replaces it. */
static const struct {
	const char *from;
	const char *to;
} respell[] = {
	/* U+FEFF, a byte order mark an editor put before the text, and U+200B */
	{ "\xef\xbb\xbf", "" },
	{ "\xe2\x80\x8b", "" },
	/* U+00A0, the no-break space of a web page */
	{ "\xc2\xa0", " " },
	/* U+2018-U+201D, the typographic quotes of a forum or a word processor */
	{ "\xe2\x80\x98", "'" },
	{ "\xe2\x80\x99", "'" },
	{ "\xe2\x80\x9c", "\"" },
	{ "\xe2\x80\x9d", "\"" },
	/* the same UTF-8 read as Windows-1252 and written out as UTF-8 again: "ï»¿", "â€˜",
	 * "â€™", "â€œ", "â€" + U+009D */
	{ "\xc3\xaf\xc2\xbb\xc2\xbf", "" },
	{ "\xc3\xa2\xe2\x82\xac\xcb\x9c", "'" },
	{ "\xc3\xa2\xe2\x82\xac\xe2\x84\xa2", "'" },
	{ "\xc3\xa2\xe2\x82\xac\xc5\x93", "\"" },
	{ "\xc3\xa2\xe2\x82\xac\xc2\x9d", "\"" },
	/* ... and read as ISO 8859-1: "â" + U+0080 + U+0098 ... */
	{ "\xc3\xa2\xc2\x80\xc2\x98", "'" },
	{ "\xc3\xa2\xc2\x80\xc2\x99", "'" },
	{ "\xc3\xa2\xc2\x80\xc2\x9c", "\"" },
	{ "\xc3\xa2\xc2\x80\xc2\x9d", "\"" },
};

/* The length of the well-formed UTF-8 sequence at S (N bytes left), 0 when there is none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (s[0] < 0x80)
		return 1;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Copies LINE (LEN bytes) to OUT as plain text: without escape sequences and control bytes
 * (a '\n' kept when KEEP_NL: the line ends inside an unwrapped MI record), with the
 * characters of respell[] respelled and the typographic quotes of Windows-1252 (0x91-0x94,
 * a file saved in that code page) made ASCII. OUT may be LINE; it has room for LEN + 1
 * bytes (the copy never grows). */
static void plain_text(char *out, const char *line, size_t len, bool keep_nl)
{
	size_t w = 0;
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
		if (ch < 0x20 && ch != '\t' && !(keep_nl && ch == '\n'))
			continue; /* ESC not starting a sequence, and other control bytes */
		if (ch >= 0x80) {
			size_t k = 0, n;
			for (; k < sizeof(respell) / sizeof(respell[0]); k++) {
				n = strlen(respell[k].from);
				if (n <= len - i && memcmp(line + i, respell[k].from, n) == 0)
					break;
			}
			if (k < sizeof(respell) / sizeof(respell[0])) {
				for (const char *t = respell[k].to; *t; t++)
					out[w++] = *t;
				i += n - 1;
				continue;
			}
			n = utf8_len((const unsigned char *)line + i, len - i);
			if (n == 0 && ch >= 0x91 && ch <= 0x94) {
				out[w++] = ch <= 0x92 ? '\'' : '"';
				continue;
			}
			/* a whole character, or a stray byte as it is */
			n = n ? n : 1;
			memmove(out + w, line + i, n);
			w += n;
			i += n - 1;
			continue;
		}
		out[w++] = line[i];
	}
	out[w] = '\0';
}

/* Unescapes the C-string text of an MI record, S[FROM .. END), into the start of S, as gdb
 * escaped it (gdb/utils.c, printchar): a final \n and every \r dropped, any other \n a line
 * end, \t a tab, \e \a \b \f and octal \ooo the byte they stand for (plain_text then takes
 * off the control bytes and reads the others), any other \c the character c. */
static void mi_unescape(char *s, size_t from, size_t end)
{
	size_t w = 0;
	for (size_t r = from; r < end; r++) {
		if (s[r] != '\\' || r + 1 >= end) {
			s[w++] = s[r];
			continue;
		}
		char c = s[++r];
		if (c >= '0' && c <= '7') {
			unsigned v = 0;
			for (int k = 0; k < 3 && r < end && s[r] >= '0' && s[r] <= '7'; k++)
				v = v * 8 + (unsigned)(s[r++] - '0');
			r--;
			if (v) /* a NUL would end the line */
				s[w++] = (char)v;
			continue;
		}
		/* a record may hold several lines (PlatformIO escapes each chunk of OpenOCD's
		 * output whole): each \n but the last ends one */
		if (c == 'n' && r + 1 < end)
			s[w++] = '\n';
		if (c == 'n' || c == 'r')
			continue;
		s[w++] = c == 't' ? '\t' : c == 'e' ? '\x1b' : c == 'a' ? '\a' : c == 'b' ? '\b'
		         : c == 'f' ? '\f' : c;
	}
	s[w] = '\0';
}

/* A gdb/MI stream record, ~"text\n" (console), @"..." (target), &"..." (log): the text
 * unescaped. Returns true and rewrites S in place when S is one. */
static bool unwrap_mi(char *s)
{
	size_t n = strlen(s);
	if (n < 3 || !strchr("~@&", s[0]) || s[1] != '"' || s[n - 1] != '"')
		return false;
	mi_unescape(s, 2, n - 1);
	return true;
}

/* A gdb/MI error result record, [token]^error,msg="text"[,code="..."] (gdb/mi/mi-main.c,
 * mi_print_exception): what a front-end that drives gdb over MI (cortex-debug, Eclipse CDT,
 * CLion) shows when a command failed. Returns true and rewrites S in place to the message
 * unescaped when S is one. */
static bool unwrap_mi_error(char *s)
{
	static const char head[] = "^error,msg=\"";
	size_t from = strspn(s, "0123456789");
	if (strncmp(s + from, head, sizeof(head) - 1) != 0)
		return false;
	from += sizeof(head) - 1;
	size_t end = from;
	while (s[end] && s[end] != '"')
		end += s[end] == '\\' && s[end + 1] ? 2 : 1;
	mi_unescape(s, from, end);
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
		if (unwrap_mi(s) || unwrap_mi_error(s)) {
			/* gdb escaped the record's control bytes and high controls */
			plain_text(s, s, strlen(s), true);
			changed = true;
		}
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

/* A Markdown code fence ("```", "```text", "~~~"): a forum's markup around the log, which
 * the cleaned text keeps as an empty line. */
static bool is_fence(const char *s)
{
	size_t run = s[0] == '`' || s[0] == '~' ? strspn(s, s[0] == '`' ? "`" : "~") : 0;
	if (run < 3)
		return false;
	for (s += run; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_+-.", *s))
			return false;
	return true;
}

/* How a line looked as pasted, before its prefixes were taken off: what tells a console's
 * wrap from a line of its own. */
struct shape {
	size_t width; /* characters shown (escape sequences and control bytes left out) */
	size_t trail; /* blanks at its end, which cleaning takes off */
	size_t quote; /* leading '>', blanks and tabs: a forum's quoting or indentation */
	char lead[16];
};

static size_t width_of(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void shape_of(struct shape *sh, const char *plain)
{
	size_t n = strlen(plain);
	sh->width = width_of(plain);
	sh->trail = 0;
	while (sh->trail < n && (plain[n - 1 - sh->trail] == ' ' || plain[n - 1 - sh->trail] == '\t'))
		sh->trail++;
	sh->quote = strspn(plain, "> \t");
	if (sh->quote > sizeof(sh->lead))
		sh->quote = 0;
	memcpy(sh->lead, plain, sh->quote);
}

/* The blanks the line before a wrap lost: a row of 80 columns keeps a blank it ends with (and
 * cleaning took it off), a row of 79 was copied without its 80th column, a blank. -1 when
 * WIDTH is not a console's. */
static int wrap_blanks(size_t width, size_t trail)
{
	return width == 80 ? (int)trail : width == 79 ? 1 : -1;
}

/* Whether LINE (cleaned from PLAIN, shaped SH) is the rest of the line before it (PREV),
 * which a console 80 columns wide wrapped: a long line splits into one of 79 or 80
 * characters and a rest that does not start like a line of its own. Either the console
 * showed the lines with their prefixes (a timestamp or a container name the tool put
 * there), and the rest has none; or quoting and indentation came after the wrap (a forum
 * post, a mail), and the rest has the same as the line it continues (a rest that starts
 * with a blank is a line of its own, as without quoting). Returns the number of
 * blanks to put back between the two (wrap_blanks), or -1 when LINE is a line of its own. */
static int wrapped_rest(const struct shape *prev, const struct shape *sh, const char *plain,
                        const char *line)
{
	size_t n = strlen(line);
	if (n == 0 || starts_openocd_line(line))
		return -1;
	if (strncmp(plain, line, n) == 0)
		return wrap_blanks(prev->width, prev->trail);
	if (sh->quote && sh->quote == prev->quote && memcmp(sh->lead, prev->lead, sh->quote) == 0 &&
	    strncmp(plain + sh->quote, line, n) == 0)
		return wrap_blanks(prev->width - prev->quote, prev->trail);
	/* The line before was itself a rest that starts with a blank ("> " then " -D"): its
	 * lead is the quoting and that blank, so the quoting is this row's shorter lead. */
	if (sh->quote && sh->quote < prev->quote && memcmp(sh->lead, prev->lead, sh->quote) == 0 &&
	    strspn(prev->lead + sh->quote, " \t") == prev->quote - sh->quote &&
	    strncmp(plain + sh->quote, line, n) == 0)
		return wrap_blanks(prev->width - sh->quote, prev->trail);
	return -1;
}

char *diag_paste_clean(const char *text, size_t len)
{
	regex_t re[N_PREFIXES];
	bool ok[N_PREFIXES];
	/* Cleaning never lengthens a line and adds at most the final line end, so the result
	 * fits in LEN + 2 bytes. */
	char *out = malloc(len + 2), *line = malloc(len + 1), *plain = malloc(len + 1);
	size_t n_out = 0;
	struct shape prev = { 0 }, sh;
	bool have_prev = false;

	if (!out || !line || !plain) {
		free(out);
		free(line);
		free(plain);
		return NULL;
	}
	for (size_t k = 0; k < N_PREFIXES; k++)
		ok[k] = regcomp(&re[k], prefixes[k], REG_EXTENDED) == 0;

	size_t i = 0;
	while (i < len) {
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

		plain_text(plain, text + start, raw_len, false);
		shape_of(&sh, plain);
		memcpy(line, plain, strlen(plain) + 1);
		strip_prefixes(line, re, ok);
		if (is_fence(line))
			line[0] = '\0';
		size_t n = strlen(line);
		int blanks = have_prev ? wrapped_rest(&prev, &sh, plain, line) : -1;
		if (have_prev && blanks < 0)
			out[n_out++] = '\n';
		/* a blank put back never lengthens the text: it stood in the pasted row */
		for (int b = 0; b < blanks; b++)
			out[n_out++] = ' ';
		memcpy(out + n_out, line, n);
		n_out += n;
		prev = sh;
		have_prev = true;
	}
	if (have_prev)
		out[n_out++] = '\n';
	out[n_out] = '\0';

	for (size_t k = 0; k < N_PREFIXES; k++)
		if (ok[k])
			regfree(&re[k]);
	free(line);
	free(plain);
	return out;
}
