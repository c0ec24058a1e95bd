/* Audits the rule table for overfitting: for every rule of src/diag (each pattern or check
 * that can decide a finding), counts the inputs it fires on and the ones it decides (gives
 * the top finding of): the FIT cases of the real-log corpus (tests/diag-logs/real; held-out
 * cases are skipped by their JSON's split field, their logs are never opened), the logs in
 * tests/diag-logs/<name>.log, and the rows of the message catalogue (tests/diag-logs/
 * catalogue.tsv and catalogue-front.tsv, each fed as "Error: <message>" with its level). A
 * rule that decides one real case and no catalogue row is likely keyed to one log's wording.
 * Prints:
 *
 *	rule <name> <id> fit <fired>/<decided> logs <fired>/<decided> cat <fired>/<decided> [<fit cases decided>]
 *
 * then, for each pattern of a rule's "any" and "all" lists, the inputs with a line it matches
 * (after the paste normaliser; the fit cases named when there are at most three):
 *
 *	pat <rule> <any|all> <pattern> fit <n> logs <n> cat <n> [<fit cases>]
 *
 * and with --cases one line per fit case:
 *
 *	case <name> <expected> <got> <confidence> <rule> <deciding line>
 *
 * and with --high, the confidence audit: every finding given at high confidence, on a
 * catalogue row or a fit case, as
 *
 *	high <rule> <id> <cat|fit> <ok|CLASH> <row's class or case's expected> <message or case>
 *
 * where CLASH marks a high finding of another class than the row's (and than its shared
 * alternative) or the case's: words the catalogue files under another cause, read at high.
 *
 * usage: diag-audit [--cases] [--high] DIAG_LOGS_DIR   (exit 0, or 1 when an input cannot be
 * read) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <regex.h>

#include "diag/diag.h"
#include "catalogue-row.h"
#include "corpus-files.h"
#include "diag/paste.h"
#include "diag/rules.h"

enum src { SRC_FIT, SRC_LOGS, SRC_CAT, SRC_COUNT };

struct tally {
	unsigned fired[SRC_COUNT];
	unsigned decided[SRC_COUNT];
	char fit_names[512]; /* the fit cases it decides, space-separated (first few) */
};

/* One pattern of a rule and the inputs it matches a line of. */
struct pat {
	size_t rule;
	const char *group; /* "any" or "all" */
	const char *re_text;
	regex_t re;
	bool ok;
	unsigned hits[SRC_COUNT];
	unsigned fit_named;
	char fit_names[400];
};

static struct tally *tallies;
static struct pat *pats;
static size_t n_pats;

static void pats_init(void)
{
	pats = calloc(diag_n_rules * 2 * DIAG_RULE_MAX_PATTERNS, sizeof(*pats));
	for (size_t i = 0; pats && i < diag_n_rules; i++) {
		for (int g = 0; g < 2; g++) {
			const char *const *v = g ? diag_rules[i].all : diag_rules[i].any;
			for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && v[k]; k++) {
				struct pat *p = &pats[n_pats++];
				p->rule = i;
				p->group = g ? "all" : "any";
				p->re_text = v[k];
				p->ok = regcomp(&p->re, v[k], REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
			}
		}
	}
}

/* Counts the patterns that match a line of TEXT (as the paste normaliser leaves it). */
static void count_pats(const char *text, enum src src, const char *name)
{
	char *clean = diag_paste_clean(text, strlen(text));
	if (!clean)
		return;
	for (size_t i = 0; i < n_pats; i++) {
		struct pat *p = &pats[i];
		bool hit = false;
		for (char *line = clean; p->ok && !hit && *line;) {
			char *end = strchr(line, '\n');
			if (end)
				*end = '\0';
			hit = regexec(&p->re, line, 0, NULL, 0) == 0;
			if (end)
				*end = '\n';
			line = end ? end + 1 : line + strlen(line);
		}
		if (!hit)
			continue;
		p->hits[src]++;
		if (src == SRC_FIT && ++p->fit_named <= 3)
			snprintf(p->fit_names + strlen(p->fit_names),
			         sizeof(p->fit_names) - strlen(p->fit_names), "%s%s",
			         p->fit_names[0] ? " " : "", name);
	}
	free(clean);
}
static bool print_cases;
static bool print_high;

/* With --high: each high finding of R, against WANT (and ALT, -1 none). */
static void high_findings(const struct diag_report *r, const char *src, int want, int alt,
                          const char *what)
{
	if (!print_high)
		return;
	for (size_t i = 0; i < r->n; i++) {
		const struct diag_finding *f = &r->findings[i];
		if (f->confidence != DIAG_CONF_HIGH)
			continue;
		bool ok = (int)f->id == want || (int)f->id == alt;
		printf("high\t%s\t%s\t%s\t%s\t%s\t%s\n", f->rule, diag_id_name(f->id), src,
		       ok ? "ok" : "CLASH", want >= 0 ? diag_id_name((enum diag_id)want) : "?", what);
	}
}


static size_t rule_index(const char *name)
{
	for (size_t i = 0; i < diag_n_rules; i++)
		if (strcmp(diag_rules[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

/* Classifies TEXT and counts it against SRC. Returns the report (new). */
static struct diag_report *count(const char *text, enum src src, const char *name)
{
	count_pats(text, src, name);
	bool *fired = calloc(diag_n_rules, sizeof(bool));
	struct diag_report *r = fired ? diag_classify_log_traced(text, fired) : NULL;
	if (!r) {
		free(fired);
		return NULL;
	}
	for (size_t i = 0; i < diag_n_rules; i++)
		tallies[i].fired[src] += fired[i];
	size_t top = rule_index(r->findings[0].rule);
	if (top != (size_t)-1) {
		tallies[top].decided[src]++;
		char *names = tallies[top].fit_names;
		if (src == SRC_FIT && strlen(names) + strlen(name) + 2 < sizeof(tallies[top].fit_names))
			snprintf(names + strlen(names), sizeof(tallies[top].fit_names) - strlen(names),
			         "%s%s", names[0] ? " " : "", name);
	}
	free(fired);
	return r;
}

/* Classifies the file at PATH and counts it against SRC. Returns the report (new), NULL
 * (said on stderr) when the file cannot be read or classified. */
static struct diag_report *count_file(const char *path, enum src src, const char *name)
{
	char *text = slurp(path);
	struct diag_report *r = text ? count(text, src, name) : NULL;
	if (!r)
		fprintf(stderr, "diag-audit: cannot classify %s\n", path);
	free(text);
	return r;
}

/* The fit cases of DIR/real: their JSON is read for the split first; a held-out case's log
 * is never opened. */
static int audit_real(const char *dir)
{
	char path[4096], **names;
	int bad = 0;

	size_t n;
	snprintf(path, sizeof(path), "%s/real", dir);
	corpus_names(path, ".json", &names, &n); /* no real/ folder: no fit cases */
	for (size_t i = 0; i < n; i++) {
		char file[4400];
		json_error_t err;
		snprintf(file, sizeof(file), "%s/%s.json", path, names[i]);
		json_t *j = json_load_file(file, 0, &err);
		const char *split = j ? json_string_value(json_object_get(j, "split")) : NULL;
		if (!split || strcmp(split, "fit") != 0) {
			json_decref(j);
			continue;
		}
		const char *want = json_string_value(json_object_get(j, "log_reading"));
		if (!want)
			want = json_string_value(json_object_get(j, "class"));
		snprintf(file, sizeof(file), "%s/%s.log", path, names[i]);
		struct diag_report *r = count_file(file, SRC_FIT, names[i]);
		if (!r)
			bad = 1;
		else
			high_findings(r, "fit", want ? diag_id_from_name(want) : -1, -1, names[i]);
		if (r && print_cases) {
			const struct diag_finding *f = &r->findings[0];
			printf("case\t%s\t%s\t%s\t%s\t%s\t%s\n", names[i], want ? want : "?",
			       diag_id_name(f->id), diag_confidence_name(f->confidence), f->rule,
			       f->n_evidence ? f->evidence[0] : "");
		}
		diag_report_free(r);
		json_decref(j);
	}
	corpus_free_names(names, n);
	return bad;
}

static int audit_logs(const char *dir)
{
	char **names;
	int bad = 0;
	size_t n;
	corpus_names(dir, ".log", &names, &n);
	for (size_t i = 0; i < n; i++) {
		char file[4400];
		snprintf(file, sizeof(file), "%s/%s.log", dir, names[i]);
		struct diag_report *r = count_file(file, SRC_LOGS, names[i]);
		if (!r)
			bad = 1;
		diag_report_free(r);
	}
	corpus_free_names(names, n);
	return bad;
}

/* With --high: the patterns of high rules that match a line of LOG, a catalogue row filed
 * under another class than theirs (WANT, or its shared ALT), whether or not the rule's check
 * then keeps it from firing (the check is the fact that must separate them):
 *
 *	words <rule> <id> <pattern> <row's class> <message> */
static void pattern_clashes(const char *log, int want, int alt, const char *message)
{
	for (size_t i = 0; print_high && i < n_pats; i++) {
		const struct pat *p = &pats[i];
		const struct diag_rule *rule = &diag_rules[p->rule];
		if (!p->ok || rule->confidence != DIAG_CONF_HIGH || (int)rule->id == want ||
		    (int)rule->id == alt)
			continue;
		char buf[2048];
		snprintf(buf, sizeof(buf), "%s", log);
		bool hit = false;
		for (char *line = strtok(buf, "\n"); line && !hit; line = strtok(NULL, "\n"))
			hit = regexec(&p->re, line, 0, NULL, 0) == 0;
		if (hit)
			printf("words\t%s\t%s\t%s\t%s\t%s\n", rule->name, diag_id_name(rule->id),
			       p->re_text, diag_id_name((enum diag_id)want), message);
	}
}

/* Each row of the catalogue file NAME in DIR as a user sees it, as diag-catalogue feeds it
 * plain: its level prefix on the first line. */
static int audit_catalogue_file(const char *dir, const char *name)
{
	char path[4096], buf[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "diag-audit: cannot read %s\n", path);
		return 1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		char *field[CATALOGUE_FIELDS];
		if (!catalogue_split(buf, field))
			continue;
		struct catalogue_row row = { .alt = -1 };
		snprintf(row.level, sizeof(row.level), "%s", field[5]);
		snprintf(row.message, sizeof(row.message), "%s", field[6]);
		char log[2048] = "";
		catalogue_render(log, sizeof(log), &row, FORM_PLAIN);
		pattern_clashes(log, diag_id_from_name(field[2]),
		                strcmp(field[4], "-") ? diag_id_from_name(field[4]) : -1, field[6]);
		struct diag_report *r = count(log, SRC_CAT, field[6]);
		if (r)
			high_findings(r, "cat", diag_id_from_name(field[2]),
			              strcmp(field[4], "-") ? diag_id_from_name(field[4]) : -1, field[6]);
		diag_report_free(r);
	}
	fclose(f);
	return 0;
}

/* The generated catalogue and the front-ends' hand-kept one. */
static int audit_catalogue(const char *dir)
{
	return audit_catalogue_file(dir, "catalogue.tsv") |
	       audit_catalogue_file(dir, "catalogue-front.tsv");
}

int main(int argc, char **argv)
{
	int a = 1;
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--cases") == 0)
			print_cases = true;
		else if (strcmp(argv[a], "--high") == 0)
			print_high = true;
		else
			break;
	}
	if (a + 1 != argc) {
		fprintf(stderr, "usage: diag-audit [--cases] [--high] DIAG_LOGS_DIR\n");
		return 2;
	}
	tallies = calloc(diag_n_rules, sizeof(*tallies));
	pats_init();
	if (!tallies || !pats)
		return 1;
	int bad = audit_real(argv[a]) | audit_logs(argv[a]) | audit_catalogue(argv[a]);
	for (size_t i = 0; i < diag_n_rules; i++) {
		const struct tally *t = &tallies[i];
		printf("rule\t%s\t%s\tfit %u/%u\tlogs %u/%u\tcat %u/%u\t%s\n", diag_rules[i].name,
		       diag_id_name(diag_rules[i].id), t->fired[SRC_FIT], t->decided[SRC_FIT],
		       t->fired[SRC_LOGS], t->decided[SRC_LOGS], t->fired[SRC_CAT],
		       t->decided[SRC_CAT], t->fit_names);
	}
	for (size_t i = 0; i < n_pats; i++) {
		const struct pat *p = &pats[i];
		printf("pat\t%s\t%s\t%s\tfit %u\tlogs %u\tcat %u\t%s\n", diag_rules[p->rule].name,
		       p->group, p->re_text, p->hits[SRC_FIT], p->hits[SRC_LOGS], p->hits[SRC_CAT],
		       p->fit_named <= 3 ? p->fit_names : "");
		if (p->ok)
			regfree(&pats[i].re);
	}
	free(pats);
	free(tallies);
	return bad;
}
