/* junit.c - a fleet run as a JUnit XML report: one test case per board, as Jenkins, GitLab
 * and GitHub Actions read it (testsuites > testsuite > testcase, a failure element with a
 * message attribute and the findings as its text). */
#include "cli/fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/file.h"

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* s with &, <, >, " and control characters escaped, appended to f. */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\n': case '\t': fputc(c, f); break;
		default:
			fputc(c < 0x20 ? '?' : c, f); /* XML 1.0 has no way to write them */
		}
	}
}

static void testcase(FILE *f, const char *suite, json_t *b)
{
	json_t *err = json_object_get(b, "error"), *findings = json_object_get(b, "findings"), *x;
	const char *uid = str(json_object_get(b, "device"), "unique_id");
	size_t i;

	fputs("    <testcase classname=\"", f);
	esc(f, suite);
	fputs("\" name=\"", f);
	esc(f, str(b, "probe_spec"));
	if (uid) {
		fputs(" (uid ", f);
		esc(f, uid);
		fputc(')', f);
	}
	fprintf(f, "\" time=\"%.3f\"", json_number_value(json_object_get(b, "duration_s")));
	if (!json_is_object(err)) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n      <failure message=\"", f);
	esc(f, str(err, "message"));
	fputs("\" type=\"", f);
	esc(f, str(err, "code"));
	fprintf(f, "\">exit code %lld\n", (long long)json_integer_value(json_object_get(b, "exit_code")));
	json_array_foreach(findings, i, x) {
		fputs("finding ", f);
		esc(f, str(x, "id"));
		fputs(": ", f);
		esc(f, str(x, "cause"));
		if (str(x, "fix")) {
			fputs("; fix: ", f);
			esc(f, str(x, "fix"));
		}
		fputc('\n', f);
	}
	fputs("</failure>\n    </testcase>\n", f);
}

int cli_fleet_junit(const char *path, const char *suite, json_t *doc, double seconds, struct swd_error *err)
{
	json_t *boards = json_object_get(doc, "boards"), *b;
	char *text = NULL, stamp[32];
	size_t len = 0, i, failures = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int rc;

	json_array_foreach(boards, i, b)
		failures += json_is_object(json_object_get(b, "error"));
	f = open_memstream(&text, &len);
	if (!f)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
	esc(f, suite);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n", json_array_size(boards),
		failures, seconds);
	fputs("  <testsuite name=\"", f);
	esc(f, suite);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n",
		json_array_size(boards), failures, seconds, stamp);
	json_array_foreach(boards, i, b)
		testcase(f, suite, b);
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fclose(f) != 0) {
		free(text);
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	rc = swd_file_write(path, text, len, 0, err);
	free(text);
	return rc;
}
