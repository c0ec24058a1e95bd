/* Scores the diagnosis engine on the real-log corpus (tests/diag-logs/real): each case is a
 * log as a user posted it plus a JSON file (source, OpenOCD version, probe, target,
 * platform, the root-cause class the thread established, its fix, whether the thread
 * confirms it, and the split). Prints one tab-separated line per case:
 *
 *	<case> <split> <expected class> <top finding> <confidence> <line that decided it>
 *
 * where <expected class> is the thread's root cause, or, when the log itself cannot show
 * that cause, the reading the case gives in "log_reading" (e.g. "unknown" for a protection
 * the log never mentions, "swd-unreachable" for an unpowered board behind a probe that
 * cannot measure the voltage);
 * and checks what must hold on every run: each case file is complete, its class is a
 * finding id, its split is the one the rule gives (the first byte of the SHA-256 of the
 * source URL, modulo 3: 0 = held-out, else fit; fixed before any score was seen), every
 * fit case is classified right, and no fit case is read as readout-protected (or
 * vendor-protected) when it is not
 * or the other way round. The held-out cases are scored (scripts/diag-score.sh, which counts
 * their protection misreads too), never tuned to, so they cannot fail this run. A held-out
 * case's deciding line is printed as "-" unless --all is given: the test log of a normal
 * run must not show whoever tunes the rules how a held-out log reads; its name is "-" too.
 *
 * usage: diag-score [--all] DIR      exit 0 when every check holds, 1 otherwise */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "diag/diag.h"
#include "corpus-files.h"

/* --all: print held-out cases' deciding lines too */
static bool show_held_out;

static const char *split_of(const char *url)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)url, strlen(url), md);
	return md[0] % 3 == 0 ? "held-out" : "fit";
}

/* The classes a protection misread is counted on: RDP's advice on another vendor's lock
 * costs a firmware as surely as on a chip with no protection. */
static bool is_protection(const char *cls)
{
	return strcmp(cls, "readout-protected") == 0 || strcmp(cls, "vendor-protected") == 0;
}

/* Checks and classifies one case. Returns the number of failed checks. */
static int score_case(const char *dir, const char *name)
{
	static const char *const fields[] = { "source", "openocd", "probe", "target",
		                              "platform", "class", "fix", "split" };
	char path[4096];
	json_error_t err;
	int bad = 0;

	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		fprintf(stderr, "%s.json:%d: %s\n", name, err.line, err.text);
		return 1;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *v = json_string_value(json_object_get(j, fields[i]));
		if (!v || !*v) {
			fprintf(stderr, "%s.json: no '%s'\n", name, fields[i]);
			bad++;
		}
	}
	if (!json_is_boolean(json_object_get(j, "confirmed"))) {
		fprintf(stderr, "%s.json: 'confirmed' must be true or false\n", name);
		bad++;
	}
	if (bad) {
		json_decref(j);
		return bad;
	}
	const char *url = json_string_value(json_object_get(j, "source"));
	const char *cls = json_string_value(json_object_get(j, "class"));
	const char *split = json_string_value(json_object_get(j, "split"));
	if (diag_id_from_name(cls) < 0) {
		fprintf(stderr, "%s.json: class '%s' is not a finding id\n", name, cls);
		bad++;
	}
	if (strcmp(split, split_of(url)) != 0) {
		fprintf(stderr, "%s.json: split '%s', the rule gives '%s'\n", name, split, split_of(url));
		bad++;
	}
	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	char *text = slurp(path);
	if (!text) {
		fprintf(stderr, "%s.log: cannot read it\n", name);
		json_decref(j);
		return bad + 1;
	}
	struct diag_report *r = diag_classify_log(text);
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", name);
		free(text);
		json_decref(j);
		return bad + 1;
	}
	const struct diag_finding *top = &r->findings[0];
	json_t *reading = json_object_get(j, "log_reading");
	const char *want = cls;
	if (reading) {
		want = json_string_value(reading);
		if (!want || diag_id_from_name(want) < 0) {
			fprintf(stderr, "%s.json: 'log_reading' must be a finding id\n", name);
			want = cls;
			bad++;
		}
	}
	const char *got = diag_id_name(top->id);
	const char *line = top->n_evidence ? top->evidence[0] : "";
	bool hide = strcmp(split, "fit") != 0 && !show_held_out;
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", hide ? "-" : name, split, want, got,
	       diag_confidence_name(top->confidence), hide ? "-" : line);
	bool right = strcmp(got, want) == 0;
	if (!right && strcmp(split, "fit") == 0) {
		fprintf(stderr, "%s: fit case read as %s, expected %s\n", name, got, want);
		bad++;
	}
	/* A misread names the wrong thing: readout protection (an STM32's RDP, or another
	 * vendor's lock) where there is none or of the other kind, or another cause where there
	 * is protection. "unknown" names nothing and is scored as a miss only. */
	if (!right && (is_protection(got) || (is_protection(cls) && strcmp(got, "unknown") != 0))) {
		fprintf(stderr, "%s: readout-protection misread: %s for %s%s\n",
		        hide ? "a held-out case" : name, got, cls,
		        strcmp(split, "fit") == 0 ? "" : " (held-out: scored, not tuned to)");
		if (strcmp(split, "fit") == 0)
			bad++;
	}
	diag_report_free(r);
	free(text);
	json_decref(j);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--all") == 0) {
		show_held_out = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: diag-score [--all] DIR\n");
		return 2;
	}
	char **names;
	size_t n;
	if (!corpus_names(argv[1], ".json", &names, &n)) {
		fprintf(stderr, "diag-score: cannot open '%s'\n", argv[1]);
		return 2;
	}
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		bad += score_case(argv[1], names[i]);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		fprintf(stderr, "diag-score: no cases in '%s'\n", argv[1]);
		return 1;
	}
	fprintf(stderr, "diag-score: %zu cases, %d failed checks\n", n, bad);
	return bad ? 1 : 0;
}
