/* test-runner.c - running dfu-util: the real one where no device answers (it must say so,
 * and the run must map to "no DFU device"), a missing one, and, for what only a device
 * could make it print, small shell scripts standing in for it so that the supervision
 * (one ordered pipe, '\r' progress, exit status, time limit, the leave quirk, a refusal
 * while it starts) is tested.
 * The virtual-bus runs against real DFU bootloaders are e2e cases (tests/e2e/cases/dfu-*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfu/dfu.h"

static char dir[] = "/tmp/swd-dfu-runner-XXXXXX";

static const char *script(const char *name, const char *body)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

struct seen {
	unsigned calls;
	uint64_t last;
	bool monotonic;
};

static void on_progress(void *ud, const char *phase, uint64_t bytes, unsigned pct)
{
	struct seen *s = ud;

	(void)pct;
	if (strcmp(phase, "Download") == 0) {
		if (s->calls > 0 && bytes < s->last)
			s->monotonic = false;
		s->last = bytes;
		s->calls++;
	}
}

static void test_real_no_device(void **state)
{
	struct dfu_runner r = {.timeout_ms = 30000};
	struct dfu_select sel = {0xffff, 0xfffe, NULL};
	struct dfu_result res;
	struct swd_error err;
	char out[300];
	int rc;

	(void)state;
	snprintf(out, sizeof(out), "%s/up.bin", dir);
	swd_error_init(&err);
	rc = dfu_upload(&r, &sel, 0, 0x08000000, 16, out, &res, &err);
	if (rc == SWD_EDFUMISSING)
		skip();
	assert_int_equal(rc, SWD_EPROBENOTFOUND);
	assert_string_equal(err.msg, "no DFU device ffff:fffe found: put the board in DFU mode and "
	                    "check the cable");
	assert_int_equal(res.exit_status, 74);
	dfu_result_release(&res);
	assert_int_equal(access(out, F_OK), -1);
}

static void test_missing(void **state)
{
	struct dfu_runner r = {.exe = "/nonexistent/dfu-util"};
	struct dfu_select sel = {0, 0, NULL};
	struct dfu_result res;
	struct swd_error err;

	(void)state;
	swd_error_init(&err);
	assert_int_equal(dfu_download(&r, &sel, 0, 0x08000000, "x.bin", true, &res, &err),
	                 SWD_EDFUMISSING);
	assert_string_equal(err.msg, "'/nonexistent/dfu-util' not found: install dfu-util (apt "
	                    "install dfu-util) or give --dfu-util PATH");
	dfu_result_release(&res);
}

/* A dfu-util that is there but cannot be run (here a file marked executable that is no
 * program): the guard that starts it says why, and the run fails with that reason rather
 * than an exit status, before any device is touched. */
static void test_cannot_exec(void **state)
{
	struct dfu_runner r = {.timeout_ms = 30000};
	struct dfu_select sel = {0x0483, 0xdf11, NULL};
	struct dfu_result res;
	struct swd_error err;
	char path[300];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/not-a-program", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("neither ELF nor a script\n", f);
	fclose(f);
	chmod(path, 0755);
	r.exe = path;
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err),
	                 SWD_EDFUFAILED);
	assert_non_null(strstr(err.msg, "dfu-util upload could not start: cannot run '"));
	assert_non_null(strstr(err.msg, "not-a-program': Exec format error; give --dfu-util the "
	                       "path of dfu-util"));
	assert_int_equal(res.exit_status, 126);
	dfu_result_release(&res);
}

/* The guard alone (argv[1] of this test): a parent that has already gone by the time the
 * death signal is set means the program is never run (exit 125); a wrong command line is
 * a usage error. */
static const char *guard_exe;

/* The guard's exit status run with parent PID pid and argv prog (its child: its parent is
 * this test). */
static int guard_run(long pid, const char *const *prog)
{
	const char *argv[8] = {guard_exe};
	char p[24];
	int st, i;
	pid_t c;

	snprintf(p, sizeof(p), "%ld", pid);
	argv[1] = p;
	for (i = 0; prog[i] != NULL && i < 5; i++)
		argv[2 + i] = prog[i];
	if ((c = fork()) == 0) {
		execv(guard_exe, (char *const *)argv);
		_exit(99);
	}
	assert_true(c > 0);
	assert_int_equal(waitpid(c, &st, 0), c);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_guard_parent_gone(void **state)
{
	char mark[300];
	const char *touch[] = {"/bin/touch", mark, NULL};

	(void)state;
	snprintf(mark, sizeof(mark), "%s/ran", dir);
	/* pid 1 is not the guard's parent: gone already, so the program is not run */
	assert_int_equal(guard_run(1, touch), 125);
	assert_int_equal(access(mark, F_OK), -1);
	assert_int_equal(guard_run(-5, touch), 2);
	assert_int_equal(guard_run((long)getpid(), touch), 0);
	assert_int_equal(access(mark, F_OK), 0);
}

/* The Photon's answer to a download with :leave: success, then the get_status error,
 * exit 74 (device-os #599). Judged a success here with the quirk set; the caller still
 * verifies. The same error before the download completed is a failure. */
static void test_leave_quirk(void **state)
{
	struct seen seen = {0, 0, true};
	struct dfu_runner r = {.timeout_ms = 30000, .on_progress = on_progress, .ud = &seen};
	struct dfu_select sel = {0x2b04, 0xd006, NULL};
	struct dfu_result res;
	struct swd_error err;

	(void)state;
	r.exe = script("leave", "echo 'dfu-util: Warning: Invalid DFU suffix signature' >&2\n"
	               "printf 'Downloading element to address = 0x080a0000, size = 4316\\n'\n"
	               "printf '\\rDownload\\t[============             ]  47%%         2048 bytes'\n"
	               "printf '\\rDownload\\t[=========================] 100%%         4316 bytes\\n'\n"
	               "printf 'Download done.\\nFile downloaded successfully\\n'\n"
	               "printf 'Submitting leave request...\\n'\n"
	               "echo 'dfu-util: Error during download get_status' >&2\nexit 74\n");
	swd_error_init(&err);
	assert_int_equal(dfu_download(&r, &sel, 0, 0x080A0000, "x.bin", true, &res, &err), 0);
	assert_true(res.leave_quirk);
	assert_true(res.suffix_warning);
	assert_int_equal(res.exit_status, 74);
	assert_int_equal(res.bytes, 4316);
	assert_int_equal(seen.calls, 2);
	assert_true(seen.monotonic);
	assert_int_equal(seen.last, 4316);
	dfu_result_release(&res);

	r.exe = script("early", "printf '\\rDownload\\t[=====                    ]  20%%         2048 bytes'\n"
	               "echo 'dfu-util: Error during download get_status' >&2\nexit 74\n");
	swd_error_init(&err);
	assert_int_equal(dfu_download(&r, &sel, 0, 0x080A0000, "x.bin", true, &res, &err),
	                 SWD_ETARGETFAILED);
	assert_false(res.leave_quirk);
	assert_string_equal(err.msg, "dfu-util download failed: 'dfu-util: Error during download get_status'");
	dfu_result_release(&res);
}

static void test_failures_and_timeout(void **state)
{
	struct dfu_runner r = {.timeout_ms = 30000};
	struct dfu_select sel = {0x0483, 0xdf11, "3276"};
	struct dfu_result res;
	struct swd_error err;

	(void)state;
	r.exe = script("access", "echo 'dfu-util: Cannot open DFU device 0483:df11 found on devnum 7 "
	               "(LIBUSB_ERROR_ACCESS)' >&2\necho 'dfu-util: No DFU capable USB device available' >&2\nexit 74\n");
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err), SWD_EPROBEPERM);
	dfu_result_release(&res);
	/* a short upload is a failure even when dfu-util exits 0 */
	r.exe = script("short", "printf 'Upload\\t[=========================] 100%%            8 bytes\\n'\n");
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err), SWD_ETARGETFAILED);
	assert_string_equal(err.msg, "dfu-util upload read 8 of 16 bytes from 0x08000000");
	dfu_result_release(&res);
	r.exe = script("status", "echo 'some last words' >&2\nexit 3\n");
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err), SWD_EDFUFAILED);
	assert_string_equal(err.msg, "dfu-util upload exited with status 3: 'some last words'");
	dfu_result_release(&res);
	r.exe = script("hang", "exec sleep 30\n");
	r.timeout_ms = 300;
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err), SWD_EDFUFAILED);
	assert_non_null(strstr(err.msg, "did not finish"));
	assert_int_equal(res.term_signal, 9);
	dfu_result_release(&res);
}

/* The caller's on_started runs once dfu-util has been started: a refusal (its code, its
 * message) stops dfu-util at once and is what the run returns, once dfu-util has ended;
 * an acceptance lets the run go on to its own end. */
struct started {
	unsigned calls;
	int refuse;
};

static int on_started(void *ud, struct swd_error *err)
{
	struct started *s = ud;

	s->calls++;
	return s->refuse != 0 ? swd_error_set(err, s->refuse, "refused while starting") : 0;
}

static void test_started_refusal(void **state)
{
	struct started st = {0, SWD_EWRONGTARGET};
	struct dfu_runner r = {.timeout_ms = 30000, .on_started = on_started, .ud = &st};
	struct dfu_select sel = {0x2b04, 0xd006, NULL};
	struct dfu_result res;
	struct swd_error err;

	(void)state;
	/* it would end by itself after 20 s (status 0): stopped, it is killed */
	r.exe = script("slow", "exec sleep 20\n");
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err),
	                 SWD_EWRONGTARGET);
	assert_int_equal(st.calls, 1);
	assert_string_equal(err.msg, "refused while starting");
	assert_int_equal(res.term_signal, 9);
	dfu_result_release(&res);
	st.calls = 0;
	st.refuse = 0;
	r.exe = script("quick", "printf 'Upload\\t[=========================] 100%%            16 bytes\\n'\n");
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err), 0);
	assert_int_equal(st.calls, 1);
	assert_int_equal(res.term_signal, 0);
	assert_int_equal(res.bytes, 16);
	dfu_result_release(&res);
}

/* Whether pid still runs (not gone, not a zombie waiting for init). */
static bool running(pid_t pid)
{
	char path[64], buf[512], *end;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	end = strrchr(buf, ')');
	return end != NULL && end[1] == ' ' && end[2] != 'Z';
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* dfu-util never outlives a SIGKILLed swdbackup: a stand-in that writes nothing (so no
 * broken pipe can end it) runs under a process that is then killed; it must be gone at
 * once, by the death signal the runner has set for it (through swdbackup-guard, found in
 * this build tree). */
static void test_dies_with_parent(void **state)
{
	struct dfu_runner r = {.timeout_ms = 60000};
	struct dfu_select sel = {0x0483, 0xdf11, NULL};
	char pidfile[300];
	pid_t runner, orphan = 0;
	FILE *f;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/orphan.pid", dir);
	r.exe = script("orphan", "echo $$ >\"$0.tmp\"\nmv \"$0.tmp\" \"$0.pid\"\nexec sleep 30\n");
	runner = fork();
	assert_true(runner >= 0);
	if (runner == 0) {
		struct dfu_result res;
		struct swd_error err;

		swd_error_init(&err);
		dfu_upload(&r, &sel, 0, 0x08000000, 16, "x.bin", &res, &err);
		_exit(0);
	}
	for (int i = 0; i < 500 && (f = fopen(pidfile, "r")) == NULL; i++)
		pause_ms(10);
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &orphan), 1);
	fclose(f);
	assert_true(running(orphan));
	kill(runner, SIGKILL);
	waitpid(runner, NULL, 0);
	for (int i = 0; i < 200 && running(orphan); i++)
		pause_ms(10);
	if (running(orphan))
		kill(orphan, SIGKILL);
	assert_false(running(orphan));
}

/* Upload progress while dfu-util still runs: its output is read on a tick, not only at the
 * end, and all of it once it has exited. The script leaves a mark before its last line;
 * the first two progress lines must come before the mark (the second half a second after
 * the first, so only the tick can bring it), the last after. */
struct live {
	unsigned calls, early;
	unsigned waits, waits_early;  /* on_wait: every call, and those before the end */
	uint64_t last;
	char mark[300];
};

static void on_live_progress(void *ud, const char *phase, uint64_t bytes, unsigned pct)
{
	struct live *l = ud;

	(void)pct;
	if (strcmp(phase, "Upload") != 0)
		return;
	l->calls++;
	l->early += access(l->mark, F_OK) != 0;
	l->last = bytes;
}

static void on_live_wait(void *ud)
{
	struct live *l = ud;

	l->waits++;
	l->waits_early += access(l->mark, F_OK) != 0;
}

/* Progress, and the caller's on_wait (a flash read's file is followed so), come while
 * dfu-util runs, not only once it has ended. */
static void test_progress_while_running(void **state)
{
	struct live live = {.mark = ""};
	struct dfu_runner r = {.timeout_ms = 30000, .on_progress = on_live_progress,
	                       .on_wait = on_live_wait, .wait_ms = 20, .ud = &live};
	struct dfu_select sel = {0x1d50, 0x607f, NULL};
	struct dfu_result res;
	struct swd_error err;
	char body[800];

	(void)state;
	snprintf(live.mark, sizeof(live.mark), "%s/live.done", dir);
	snprintf(body, sizeof(body),
	         "printf 'Upload\\t[=====                    ]  20%%%%         2048 bytes\\n'\n"
	         "sleep 0.5\n"
	         "printf 'Upload\\t[============             ]  50%%%%         5120 bytes\\n'\n"
	         "sleep 0.5\n"
	         "touch '%s'\n"
	         "printf 'Upload\\t[=========================] 100%%%%        10240 bytes\\n'\n"
	         "printf 'Upload done.\\n'\n", live.mark);
	r.exe = script("live", body);
	swd_error_init(&err);
	assert_int_equal(dfu_upload(&r, &sel, 0, 0x08000000, 10240, "x.bin", &res, &err), 0);
	assert_int_equal(live.early, 2);
	assert_int_equal(live.calls, 3);
	assert_int_equal(live.last, 10240);
	assert_true(live.waits_early >= 2);
	assert_int_equal(res.bytes, 10240);
	dfu_result_release(&res);
}


static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_no_device),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_cannot_exec),
		cmocka_unit_test(test_guard_parent_gone),
		cmocka_unit_test(test_leave_quirk),
		cmocka_unit_test(test_failures_and_timeout),
		cmocka_unit_test(test_started_refusal),
		cmocka_unit_test(test_dies_with_parent),
		cmocka_unit_test(test_progress_while_running),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test-dfu-runner SWDBACKUP-GUARD\n");
		return 2;
	}
	guard_exe = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
