/* Unit tests for src/diag against the message catalogue: tests/diag-logs/catalogue.tsv
 * (generated) holds every message OpenOCD 0.9-0.12 (and ST's and Espressif's forks, for the
 * drivers they add) and dfu-util 0.9-0.11 print for a cause the engine knows, with the
 * file:line that prints it in each version; catalogue-front.tsv (hand-kept) the lines of the
 * programs that run OpenOCD.
 *
 * Each row is fed as a user sees it: with its level prefix ("Error: ", "Info : ", ...), with
 * Windows CRLF line ends, as OpenOCD prints it at -d3 (time, file:line and function after the
 * level), and behind an IDE's timestamp. Then:
 *   - a decisive message reads as its class at high confidence;
 *   - a shared message reads as its class or the other cause it names, at medium, with the
 *     other one in the report too;
 *   - a cascade message alone is never high, and next to any decisive message of another
 *     class (before it or after it) never wins over it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "catalogue-row.h"

#define MAX_ROWS 2048
#define LOG_MAX 2048

static struct catalogue_row rows[MAX_ROWS];
static size_t n_rows;

/* Reads the rows of PATH into rows[]. */
static void load_file(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[1024];
	while (fgets(buf, sizeof(buf), f)) {
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		char *field[CATALOGUE_FIELDS];
		assert_true(catalogue_split(buf, field));
		assert_true(n_rows < MAX_ROWS);
		struct catalogue_row *r = &rows[n_rows++];
		snprintf(r->version, sizeof(r->version), "%s", field[0]);
		char *colon = strrchr(field[1], ':');
		assert_non_null(colon);
		*colon = '\0';
		r->line = atoi(colon + 1);
		const char *base = strrchr(field[1], '/');
		snprintf(r->file, sizeof(r->file), "%s", base ? base + 1 : field[1]);
		r->cls = diag_id_from_name(field[2]);
		if (r->cls < 0)
			fail_msg("catalogue: unknown class '%s'", field[2]);
		snprintf(r->kind, sizeof(r->kind), "%s", field[3]);
		r->alt = strcmp(field[4], "-") == 0 ? -1 : diag_id_from_name(field[4]);
		snprintf(r->level, sizeof(r->level), "%s", field[5]);
		snprintf(r->message, sizeof(r->message), "%s", field[6]);
	}
	fclose(f);
}

/* The generated catalogue and the front-ends' hand-kept one. */
static void load(void)
{
	load_file(DIAG_CATALOGUE);
	load_file(DIAG_CATALOGUE_FRONT);
	assert_true(n_rows > 0);
}

static const char *const form_names[] = { "plain", "crlf", "-d3", "timestamp" };

static struct diag_report *classify(const char *log)
{
	struct diag_report *rep = diag_classify_log(log);
	assert_non_null(rep);
	assert_true(rep->n >= 1);
	return rep;
}

static bool has(const struct diag_report *rep, int id)
{
	for (size_t i = 0; i < rep->n; i++)
		if ((int)rep->findings[i].id == id)
			return true;
	return false;
}

static int failures;

static void report(const struct catalogue_row *r, const char *form, const char *want,
                   const struct diag_report *rep, const char *with)
{
	failures++;
	print_error("catalogue %s %s:%d (%s, %s): '%s' %s%s: want %s, got %s (%s)\n", r->version,
	            r->file, r->line, r->kind, form, r->message, with ? "with " : "",
	            with ? with : "", want, diag_id_name(rep->findings[0].id),
	            diag_confidence_name(rep->findings[0].confidence));
}

static void test_decisive_and_shared(void **state)
{
	(void)state;
	failures = 0;
	size_t checked = 0;
	for (size_t i = 0; i < n_rows; i++) {
		const struct catalogue_row *r = &rows[i];
		if (strcmp(r->kind, "cascade") == 0)
			continue;
		checked++;
		bool shared = strcmp(r->kind, "shared") == 0;
		for (int form = 0; form < FORM_COUNT; form++) {
			char log[LOG_MAX] = "";
			catalogue_render(log, sizeof(log), r, (enum form)form);
			struct diag_report *rep = classify(log);
			const struct diag_finding *top = &rep->findings[0];
			char want[96];
			bool ok;
			if (!shared) {
				snprintf(want, sizeof(want), "%s (high)", diag_id_name(r->cls));
				ok = (int)top->id == r->cls && top->confidence == DIAG_CONF_HIGH;
			} else {
				snprintf(want, sizeof(want), "%s or %s (medium, both listed)",
				         diag_id_name(r->cls), diag_id_name(r->alt));
				ok = ((int)top->id == r->cls || (int)top->id == r->alt) &&
				     top->confidence == DIAG_CONF_MEDIUM && has(rep, r->cls) &&
				     has(rep, r->alt);
			}
			if (!ok)
				report(r, form_names[form], want, rep, NULL);
			diag_report_free(rep);
		}
	}
	assert_true(checked > 0);
	assert_int_equal(failures, 0);
}

/* A log comes from one release of one tool: a cascade is paired with the causes that
 * release prints. */
static bool same_release(const struct catalogue_row *a, const struct catalogue_row *b)
{
	return strcmp(a->version, b->version) == 0;
}

static void test_cascade_never_wins(void **state)
{
	(void)state;
	failures = 0;
	size_t pairs = 0;
	for (size_t i = 0; i < n_rows; i++) {
		const struct catalogue_row *c = &rows[i];
		if (strcmp(c->kind, "cascade") != 0)
			continue;
		char log[LOG_MAX] = "";
		catalogue_render(log, sizeof(log), c, FORM_PLAIN);
		struct diag_report *rep = classify(log);
		if (rep->findings[0].confidence == DIAG_CONF_HIGH)
			report(c, "alone", "below high", rep, NULL);
		diag_report_free(rep);
		for (size_t k = 0; k < n_rows; k++) {
			const struct catalogue_row *d = &rows[k];
			if (strcmp(d->kind, "decisive") != 0 || d->cls == c->cls || !same_release(c, d))
				continue;
			for (int order = 0; order < 2; order++) {
				char both[LOG_MAX] = "";
				catalogue_render(both, sizeof(both), order ? c : d, FORM_PLAIN);
				catalogue_render(both, sizeof(both), order ? d : c, FORM_PLAIN);
				rep = classify(both);
				pairs++;
				if ((int)rep->findings[0].id != d->cls) {
					char want[64];
					snprintf(want, sizeof(want), "%s", diag_id_name(d->cls));
					report(c, order ? "after" : "before", want, rep, d->message);
				}
				diag_report_free(rep);
			}
		}
	}
	assert_true(pairs > 0);
	assert_int_equal(failures, 0);
}

/* The catalogue covers every version and every class it claims to, so a row lost in a
 * regeneration shows here rather than as a silently thinner test. */
static void test_catalogue_spans_versions(void **state)
{
	(void)state;
	static const char *const versions[] = { "openocd-0.9.0", "openocd-0.10.0", "openocd-0.11.0",
		                                "openocd-0.12.0", "openocd-st-cubeide-r6",
		                                "dfu-util-0.9", "dfu-util-0.10", "dfu-util-0.11" };
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		size_t n = 0;
		for (size_t i = 0; i < n_rows; i++)
			n += strcmp(rows[i].version, versions[v]) == 0;
		if (n == 0)
			fail_msg("catalogue: no row for %s", versions[v]);
	}
}

static int setup(void **state)
{
	(void)state;
	load();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_spans_versions),
		cmocka_unit_test(test_decisive_and_shared),
		cmocka_unit_test(test_cascade_never_wins),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
