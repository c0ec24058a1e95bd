/* paste.c - turns what a user pastes into the lines OpenOCD printed.
 *
 * A pasted log is rarely OpenOCD's stderr as it was: it comes out of an IDE console, a
 * terminal, a container or a forum post, with CRLF or lone CR line ends, ANSI colour, a
 * timestamp or a "service_1  | " prefix on every line, gdb/MI stream records (~"Info : ...\n"),
 * MI error results (2^error,msg="..."), a front-end's trace prefix (cortex-debug's "-> ",
 * Eclipse CDT's "077,345 "), "(gdb) " prompts, "> " quoting, Markdown bold, indentation, and
 * lines a Windows console wrapped at 80 columns. diag_paste_clean undoes each of these so
 * the rules see the lines as OpenOCD wrote them. It never drops a line: noise stays, and a
 * rule that does not match it ignores it.
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
	};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (strncmp(s, heads[i], strlen(heads[i])) == 0)
			return true;
	return false;
}

/* Copies LINE (LEN bytes, no line end) to OUT without escape sequences and control bytes;
 * OUT has room for LEN + 1 bytes (the copy never grows). */
static void strip_controls(char *out, const char *line, size_t len)
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
		if (ch < 0x20 && ch != '\t')
			continue; /* ESC not starting a sequence, and other control bytes */
		out[w++] = line[i];
	}
	out[w] = '\0';
}

/* Unescapes the C-string text of an MI record, S[FROM .. END), into the start of S: a final
 * \n and every \r dropped, any other \n a line end, \t a blank, any other \c the
 * character c. */
static void mi_unescape(char *s, size_t from, size_t end)
{
	size_t w = 0;
	for (size_t r = from; r < end; r++) {
		if (s[r] == '\\' && r + 1 < end) {
			r++;
			/* a record may hold several lines (PlatformIO escapes each chunk of
			 * OpenOCD's output whole): each \n but the last ends one */
			if (s[r] == 'n' && r + 1 < end)
				s[w++] = '\n';
			if (s[r] == 'n' || s[r] == 'r')
				continue;
			s[w++] = s[r] == 't' ? ' ' : s[r];
			continue;
		}
		s[w++] = s[r];
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
		if (unwrap_mi(s) || unwrap_mi_error(s))
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
	/* Cleaning never lengthens a line and adds at most the final line end, so the result
	 * fits in LEN + 2 bytes. */
	char *out = malloc(len + 2), *line = malloc(len + 1);
	size_t n_out = 0;
	size_t prev_raw_len = 0; /* length of the previous line as pasted, before cleaning */
	bool have_prev = false;

	if (!out || !line) {
		free(out);
		free(line);
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

		strip_controls(line, text + start, raw_len);
		strip_prefixes(line, re, ok);
		size_t n = strlen(line);
		/* A console that wraps at 80 columns splits a long line into one of 79 or 80
		 * characters and a rest that does not start like an OpenOCD line. */
		bool wrapped = have_prev && (prev_raw_len == 79 || prev_raw_len == 80) && n > 0 &&
		               !starts_openocd_line(line) && text[start] != ' ' && text[start] != '\t';
		if (have_prev && !wrapped)
			out[n_out++] = '\n';
		memcpy(out + n_out, line, n);
		n_out += n;
		prev_raw_len = wrapped ? 0 : raw_len;
		have_prev = true;
	}
	if (have_prev)
		out[n_out++] = '\n';
	out[n_out] = '\0';

	for (size_t k = 0; k < N_PREFIXES; k++)
		if (ok[k])
			regfree(&re[k]);
	free(line);
	return out;
}
