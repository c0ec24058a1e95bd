/* Test helpers for the readers of the message catalogue (tests/diag-logs/catalogue.tsv):
 * test-diag-catalogue and diag-audit. A row's fields, and its message as a user sees it. */
#ifndef SWD_TEST_DIAG_CATALOGUE_ROW_H
#define SWD_TEST_DIAG_CATALOGUE_ROW_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The fields of a row: version, source (file:line), class, kind, alt, level, message. */
#define CATALOGUE_FIELDS 7

struct catalogue_row {
	char version[32];
	char file[96]; /* basename, for the -d3 prefix */
	int line;
	int cls;       /* enum diag_id */
	char kind[16]; /* decisive, shared, cascade */
	int alt;       /* enum diag_id, -1 none */
	char level[16];
	char message[512]; /* lines joined by a literal \n */
};

/* Cuts the row in BUF (its newline already cut) at its tabs into FIELD; the message, last,
 * keeps the rest of the line. Returns false when the row has fewer fields. */
static inline bool catalogue_split(char *buf, char *field[CATALOGUE_FIELDS])
{
	char *p = buf;
	for (int i = 0; i < CATALOGUE_FIELDS; i++) {
		field[i] = p;
		if (i == CATALOGUE_FIELDS - 1)
			break;
		p = strchr(p, '\t');
		if (!p)
			return false;
		*p++ = '\0';
	}
	return true;
}

enum form { FORM_PLAIN, FORM_CRLF, FORM_DEBUG, FORM_STAMP, FORM_COUNT };

/* Appends row R's lines to OUT as printed in FORM; the level prefix goes on the first. */
static inline void catalogue_render(char *out, size_t size, const struct catalogue_row *r,
                                    enum form form)
{
	const char *lead = strcmp(r->level, "Error") == 0  ? "Error: "
	                   : strcmp(r->level, "Warn") == 0 ? "Warn : "
	                   : strcmp(r->level, "Info") == 0 ? "Info : "
	                   : strcmp(r->level, "dfu-util") == 0 ? "dfu-util: "
	                   : "";
	const char *eol = form == FORM_CRLF ? "\r\n" : "\n";
	const char *m = r->message;
	bool first = true;
	while (*m) {
		const char *end = strstr(m, "\\n");
		size_t len = end ? (size_t)(end - m) : strlen(m);
		size_t used = strlen(out);
		char pre[160] = "";
		if (form == FORM_STAMP)
			snprintf(pre, sizeof(pre), "[2024-03-01 10:15:%02d] ", (int)(used % 60));
		if (first && form == FORM_DEBUG && lead[0] && strcmp(r->level, "dfu-util") != 0)
			snprintf(pre + strlen(pre), sizeof(pre) - strlen(pre), "%s%zu 42 %s:%d f(): ",
			         lead, used, r->file, r->line);
		else if (first)
			snprintf(pre + strlen(pre), sizeof(pre) - strlen(pre), "%s", lead);
		snprintf(out + used, size - used, "%s%.*s%s", pre, (int)len, m, eol);
		first = false;
		m = end ? end + 2 : m + len;
	}
}

#endif
