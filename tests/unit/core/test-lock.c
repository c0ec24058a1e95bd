/* Per-probe locks: file names, a held lock refused with its holder, waiting, release on exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/lock.h"

static char dir[] = "/tmp/swd-test-lock-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	setenv("XDG_RUNTIME_DIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_names(void **state)
{
	char a[256], b[256], longkey[600];

	(void)state;
	assert_int_equal(swd_lock_file_name("usb-066DFF485457725187163031", a, sizeof(a)), 0);
	assert_string_equal(a, "usb-066DFF485457725187163031.lock");
	assert_int_equal(swd_lock_file_name("sim-/tmp/a b.bin", a, sizeof(a)), 0);
	assert_string_equal(a, "sim-%2Ftmp%2Fa%20b.bin.lock");
	/* no hidden file, no way out of the directory */
	assert_int_equal(swd_lock_file_name("../x", a, sizeof(a)), 0);
	assert_string_equal(a, "%2E.%2Fx.lock");
	assert_int_equal(swd_lock_file_name("", a, sizeof(a)), -1);
	/* long keys: bounded, and two that differ only at the end stay apart */
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_int_equal(swd_lock_file_name(longkey, a, sizeof(a)), 0);
	longkey[sizeof(longkey) - 2] = 'j';
	assert_int_equal(swd_lock_file_name(longkey, b, sizeof(b)), 0);
	assert_true(strlen(a) < 255);
	assert_string_not_equal(a, b);
}

static void test_held_is_refused_with_holder(void **state)
{
	struct swd_lock l, l2;
	struct swd_lock_holder h;
	struct swd_error err;
	char want[64];

	(void)state;
	swd_error_init(&err);
	assert_false(swd_lock_held("usb-P1", NULL));
	assert_int_equal(swd_lock_take(&l, "usb-P1", "P1", "restore", -1, NULL, &err), 0);
	assert_true(swd_lock_held("usb-P1", &h));
	assert_int_equal(h.pid, getpid());
	assert_string_equal(h.command, "restore");
	assert_string_equal(h.probe, "P1");
	assert_true(h.since > 0 && h.since <= time(NULL));
	/* another key is another probe */
	assert_int_equal(swd_lock_take(&l2, "usb-P2", "P2", "backup", -1, NULL, &err), 0);
	swd_lock_release(&l2);
	/* a second taker, even in this process, is refused at once and told who holds it */
	assert_int_equal(swd_lock_take(&l2, "usb-P1", "P1", "backup", -1, NULL, &err), SWD_EPROBEBUSY);
	snprintf(want, sizeof(want), "probe P1 is in use by swdbackup pid %d (restore since ", (int)getpid());
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(l2.fd, -1);
	swd_lock_release(&l);
	assert_false(swd_lock_held("usb-P1", NULL));
	swd_lock_release(&l); /* twice: a no-op */
}

static void test_wait(void **state)
{
	struct swd_lock l;
	struct swd_error err;
	double t0;
	pid_t pid;
	int ws;

	(void)state;
	/* a child holds it for 0.5 s, then exits without releasing: the kernel drops it */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct swd_lock c;
		struct timespec ts = { 0, 500000000L };

		if (swd_lock_take(&c, "tcp-4242", "stlink-tcp:4242", "backup", -1, NULL, NULL) != 0)
			_exit(1);
		nanosleep(&ts, NULL);
		_exit(0);
	}
	while (!swd_lock_held("tcp-4242", NULL)) {
		struct timespec ts = { 0, 10000000L };

		assert_int_equal(waitpid(pid, &ws, WNOHANG), 0); /* still starting, not failed */
		nanosleep(&ts, NULL);
	}
	swd_error_init(&err);
	assert_int_equal(swd_lock_take(&l, "tcp-4242", "stlink-tcp:4242", "verify", -1, NULL, &err),
			 SWD_EPROBEBUSY);
	assert_non_null(strstr(err.msg, "(backup since "));
	swd_error_init(&err);
	t0 = now_s();
	assert_int_equal(swd_lock_take(&l, "tcp-4242", "stlink-tcp:4242", "verify", 10, NULL, &err), 0);
	assert_true(now_s() - t0 < 5.0);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	swd_lock_release(&l);
}

static void test_wait_times_out_and_interrupts(void **state)
{
	struct swd_lock l, l2;
	struct swd_error err;
	volatile sig_atomic_t stop = 1;
	double t0, dt;

	(void)state;
	swd_error_init(&err);
	assert_int_equal(swd_lock_take(&l, "sim-board", "sim:board", "info", -1, NULL, &err), 0);
	t0 = now_s();
	assert_int_equal(swd_lock_take(&l2, "sim-board", "sim:board", "info", 1, NULL, &err), SWD_EPROBEBUSY);
	dt = now_s() - t0;
	assert_true(dt >= 0.9 && dt < 5.0);
	assert_non_null(strstr(err.msg, "it did not end in time"));
	swd_error_init(&err);
	assert_int_equal(swd_lock_take(&l2, "sim-board", "sim:board", "info", 0, &stop, &err), SWD_EINTR);
	swd_lock_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_held_is_refused_with_holder),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_wait_times_out_and_interrupts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
