/* test-about.c - a short program's output (cli_capture) and the OpenOCD banner read from it
 * (cli_openocd_version), with real child processes: stdout and stderr together, a program
 * that is not there, one the guard cannot run, the banner's version with its tail, and that
 * the child goes through the death-signal guard like every other child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/about.h"
#include "core/childguard.h"

static char dir[] = "/tmp/swd-test-about-XXXXXX";

/* An executable shell script NAME in dir with BODY; returns its path (new). */
static char *script(const char *name, const char *body)
{
	char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static void test_capture_both_streams(void **state)
{
	char *args[] = { script("both", "echo out; echo err >&2"), NULL };
	char text[256];

	(void)state;
	assert_int_equal(cli_capture(args, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "out\n"));
	assert_non_null(strstr(text, "err\n"));
	free(args[0]);
}

static void test_capture_missing_program(void **state)
{
	char path[256];
	char *args[] = { path, NULL };
	char text[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/not-there", dir);
	assert_int_equal(cli_capture(args, text, sizeof(text)), -1);
}

static void test_capture_not_runnable(void **state)
{
	/* executable, but its interpreter is not there: the exec fails (126 from the guard) */
	char path[256];
	char *args[] = { path, NULL };
	char text[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/broken", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/nonexistent/interpreter\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(cli_capture(args, text, sizeof(text)), -1);
}

static void test_capture_goes_through_guard(void **state)
{
	/* a stand-in guard that says it ran, then runs the program as the real one does */
	char *guard = script("guard", "echo guarded; shift; exec \"$@\"");
	char *args[] = { script("hello", "echo hello"), NULL };
	char text[256];

	(void)state;
	swd_childguard_override(guard, "");
	assert_int_equal(cli_capture(args, text, sizeof(text)), 0);
	swd_childguard_override(NULL, NULL);
	assert_string_equal(text, "guarded\nhello\n");
	free(guard);
	free(args[0]);
}

static void test_openocd_version(void **state)
{
	char *exe = script("openocd", "echo 'Open On-Chip Debugger 0.12.0+dev-01234-gabc (2024-01-01-12:00)' >&2\n"
	                                    "echo 'Licensed under GNU GPL v2' >&2");
	char *mute = script("mute", "echo 'usage: mute' >&2; exit 1");
	char ver[64];

	(void)state;
	assert_int_equal(cli_openocd_version(exe, ver, sizeof(ver)), 0);
	assert_string_equal(ver, "0.12.0+dev-01234-gabc");
	assert_int_equal(cli_openocd_version(mute, ver, sizeof(ver)), -1);
	assert_string_equal(ver, "");
	free(exe);
	free(mute);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_both_streams),
		cmocka_unit_test(test_capture_missing_program),
		cmocka_unit_test(test_capture_not_runnable),
		cmocka_unit_test(test_capture_goes_through_guard),
		cmocka_unit_test(test_openocd_version),
	};
	char cmd[128];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
