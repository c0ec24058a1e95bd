/* Counts, over the fit cases of the real-log corpus, the host each log shows (src/diag/host.c,
 * diag_log_host) against the platform its thread names (the case's JSON "platform"). Not a
 * test: a measure of how often the host-side rows can read a log by its host. A held-out
 * case's log is never opened (its JSON's split is read first).
 *
 * usage: diag-hosts [-v] DIR      -v: also list each fit case whose thread names a platform
 *                                 the log does not show, with what the log shows */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "corpus-files.h"
#include "diag/diag.h"
#include "diag/host.h"
#include "diag/paste.h"

static const char *const platforms[] = { "linux", "macos", "windows", "unknown" };
#define N_PLATFORMS (sizeof(platforms) / sizeof(platforms[0]))
#define N_HOSTS 5

/* The host LOG shows, read as diagnose reads a pasted log. */
static enum diag_host host_of(const char *log)
{
	char *clean = diag_paste_clean(log, strlen(log));
	struct diag_evidence ev;
	enum diag_host host = DIAG_HOST_UNKNOWN;

	if (!clean)
		return host;
	diag_evidence_init(&ev);
	if (diag_evidence_feed_log(&ev, clean, strlen(clean)) == 0)
		host = diag_log_host(&ev);
	diag_evidence_release(&ev);
	free(clean);
	return host;
}

static size_t platform_index(const char *p)
{
	for (size_t i = 0; i < N_PLATFORMS; i++)
		if (strcmp(platforms[i], p) == 0)
			return i;
	return N_PLATFORMS - 1;
}

/* Adds case NAME of DIR to COUNT; returns false when its files cannot be read. */
static bool count_case(const char *dir, const char *name, bool verbose,
                       unsigned count[N_PLATFORMS][N_HOSTS])
{
	char path[4096];
	json_error_t err;
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	json_t *j = json_load_file(path, 0, &err);
	const char *split = json_string_value(json_object_get(j, "split"));
	const char *platform = json_string_value(json_object_get(j, "platform"));
	bool ok = split && platform;

	if (ok && strcmp(split, "fit") == 0) {
		snprintf(path, sizeof(path), "%s/%s.log", dir, name);
		char *log = slurp(path);
		ok = log != NULL;
		if (ok) {
			size_t p = platform_index(platform);
			enum diag_host host = host_of(log);
			count[p][host]++;
			if (verbose && p != N_PLATFORMS - 1 && strcmp(platforms[p],
			                                              diag_host_name(host)) != 0)
				printf("%-8s %-8s %s\n", platform, diag_host_name(host), name);
		}
		free(log);
	}
	json_decref(j);
	return ok;
}

int main(int argc, char **argv)
{
	bool verbose = argc == 3 && strcmp(argv[1], "-v") == 0;
	if (argc != 2 + verbose) {
		fprintf(stderr, "usage: diag-hosts [-v] DIR\n");
		return 2;
	}
	const char *dir = argv[argc - 1];
	unsigned count[N_PLATFORMS][N_HOSTS] = { { 0 } };
	char **names;
	size_t n;
	int rc = 0;

	if (!corpus_names(dir, ".json", &names, &n) || n == 0) {
		fprintf(stderr, "diag-hosts: no cases in '%s'\n", dir);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!count_case(dir, names[i], verbose, count)) {
			fprintf(stderr, "diag-hosts: cannot read case '%s'\n", names[i]);
			rc = 1;
		}
	corpus_free_names(names, n);

	printf("fit cases: the thread's platform -> the host the log shows\n%-8s", "");
	for (int h = 0; h < N_HOSTS; h++)
		printf(" %8s", diag_host_name((enum diag_host)h));
	printf("   shown right\n");
	for (size_t p = 0; p < N_PLATFORMS; p++) {
		unsigned total = 0, right = 0;
		printf("%-8s", platforms[p]);
		for (int h = 0; h < N_HOSTS; h++) {
			printf(" %8u", count[p][h]);
			total += count[p][h];
			if (strcmp(platforms[p], diag_host_name((enum diag_host)h)) == 0)
				right += count[p][h];
		}
		if (p != N_PLATFORMS - 1)
			printf("   %u of %u", right, total);
		printf("\n");
	}
	return rc;
}
