/* Test helpers for the diag unit tests (cmocka): the top finding of a log read as a paste,
 * and the text the paste normaliser makes of one. */
#ifndef SWD_TEST_DIAG_TOP_H
#define SWD_TEST_DIAG_TOP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "diag/paste.h"

/* The top finding of LOG read as a pasted log; its confidence in *CONF when CONF is set. */
static inline enum diag_id top_of(const char *log, enum diag_confidence *conf)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_true(r->n >= 1);
	enum diag_id id = r->findings[0].id;
	if (conf)
		*conf = r->findings[0].confidence;
	diag_report_free(r);
	return id;
}

/* The confidence LOG's report (read as a pasted log) gives ID, -1 when it does not list it. */
static inline int listed_conf(const char *log, enum diag_id id)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	int conf = -1;
	for (size_t i = 0; i < r->n && conf < 0; i++)
		if (r->findings[i].id == id)
			conf = (int)r->findings[i].confidence;
	diag_report_free(r);
	return conf;
}

/* True when ID is among LOG's findings at all (read as a pasted log). */
static inline bool top_lists(const char *log, enum diag_id id)
{
	return listed_conf(log, id) >= 0;
}

/* Fails unless the top finding of LOG is WANT at WANT_CONF, naming what it got. */
static inline void assert_top(const char *log, enum diag_id want, enum diag_confidence want_conf)
{
	enum diag_confidence conf;
	enum diag_id got = top_of(log, &conf);
	if (got != want || conf != want_conf)
		fail_msg("'%s': want %s (%s), got %s (%s)", log, diag_id_name(want),
		         diag_confidence_name(want_conf), diag_id_name(got),
		         diag_confidence_name(conf));
}

/* Fails when the top finding of LOG is NOT_WANT, naming it. */
static inline void assert_not_top(const char *log, enum diag_id not_want)
{
	enum diag_id got = top_of(log, NULL);
	if (got == not_want)
		fail_msg("'%s': read as %s", log, diag_id_name(got));
}

/* Fails unless the first evidence line of LOG's top finding (read as a pasted log) contains
 * NEEDLE: the line that decided it. */
static inline void assert_decided_by(const char *log, const char *needle)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_true(r->n >= 1);
	const char *first = r->findings[0].n_evidence ? r->findings[0].evidence[0] : "";
	if (!strstr(first, needle))
		fail_msg("'%s': decided by '%s', want a line with '%s'", log, first, needle);
	diag_report_free(r);
}

/* The detail line of ID's finding in LOG's report, in BUF ("" when the finding has none);
 * fails when the report does not list ID. Returns BUF. */
static inline const char *detail_of(const char *log, enum diag_id id, char *buf, size_t size)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	bool found = false;
	buf[0] = '\0';
	for (size_t i = 0; i < r->n && !found; i++) {
		if (r->findings[i].id != id)
			continue;
		found = true;
		snprintf(buf, size, "%s", r->findings[i].detail ? r->findings[i].detail : "");
	}
	diag_report_free(r);
	if (!found)
		fail_msg("'%s': %s not listed", log, diag_id_name(id));
	return buf;
}

/* Fails unless the cleaned text of TEXT (diag_paste_clean) is WANT. */
static inline void expect_clean(const char *text, const char *want)
{
	char *got = diag_paste_clean(text, strlen(text));
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("clean('%s'): want '%s', got '%s'", text, want, got);
	free(got);
}

#endif
