/* test-childguard.c - the command line a child is started with so that it dies with
 * swdbackup: through the guard (given here as argv[1], and found in this build tree by the
 * ordinary lookup), through setpriv alone, through neither; and, for real, that a SIGKILLed
 * parent takes an OpenOCD-like child (sleep) along through the guard and through setpriv,
 * while without either the child outlives it (so the check can tell). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "core/childguard.h"

#define SETPRIV "/usr/bin/setpriv"

static const char *guard_exe;
static const char *const args[] = {"-c", "init", NULL};

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* argv is exactly want (NULL-terminated). */
static void assert_argv(char **argv, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
}

static void test_guard_given(void **state)
{
	struct swd_childguard g;
	char pid[24];

	(void)state;
	swd_childguard_override(guard_exe, NULL);
	assert_int_equal(swd_childguard_init(&g, "/usr/bin/openocd", args, NULL), 0);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(g.how, SWD_CHILDGUARD_GUARD);
	assert_string_equal(g.file, guard_exe);
	assert_argv(g.argv, (const char *const[]){guard_exe, pid, "/usr/bin/openocd", "-c", "init",
	                                           NULL});
	assert_string_equal(swd_childguard_name(g.how), "swdbackup-guard");
	swd_childguard_release(&g);
	assert_null(g.argv);
	swd_childguard_release(&g);
	swd_childguard_override(NULL, NULL);
}

/* No override: this test runs from the build tree, whose guard is the one it was given. */
static void test_guard_found_in_build_tree(void **state)
{
	struct swd_childguard g;

	(void)state;
	swd_childguard_override(NULL, NULL);
	assert_int_equal(swd_childguard_init(&g, "/bin/sleep", NULL, NULL), 0);
	assert_int_equal(g.how, SWD_CHILDGUARD_GUARD);
	assert_true(same_file(g.file, guard_exe));
	assert_string_equal(g.argv[2], "/bin/sleep");
	assert_null(g.argv[3]);
	swd_childguard_release(&g);
}

static void test_setpriv_only(void **state)
{
	struct swd_childguard g;

	(void)state;
	if (access(SETPRIV, X_OK) != 0)
		skip();
	/* no guard at all, then one that is not there */
	for (int i = 0; i < 2; i++) {
		swd_childguard_override(i == 0 ? "" : "/nonexistent/swdbackup-guard", NULL);
		assert_int_equal(swd_childguard_init(&g, "/usr/bin/openocd", args, NULL), 0);
		assert_int_equal(g.how, SWD_CHILDGUARD_SETPRIV);
		assert_string_equal(g.file, SETPRIV);
		assert_argv(g.argv, (const char *const[]){SETPRIV, "--pdeathsig", "KILL", "--",
		                                           "/usr/bin/openocd", "-c", "init", NULL});
		assert_string_equal(swd_childguard_name(g.how), "setpriv");
		swd_childguard_release(&g);
	}
	swd_childguard_override(NULL, NULL);
}

static void test_neither(void **state)
{
	struct swd_childguard g;

	(void)state;
	swd_childguard_override("", "/nonexistent/setpriv");
	assert_int_equal(swd_childguard_init(&g, "/usr/bin/openocd", args, NULL), 0);
	assert_int_equal(g.how, SWD_CHILDGUARD_NONE);
	assert_string_equal(g.file, "/usr/bin/openocd");
	assert_argv(g.argv, (const char *const[]){"/usr/bin/openocd", "-c", "init", NULL});
	assert_null(g.guard);
	assert_string_equal(swd_childguard_name(g.how), "no death signal");
	swd_childguard_release(&g);
	swd_childguard_override(NULL, NULL);
}

/* Whether /proc says pid is comm (it has exec'd it). */
static bool is_comm(pid_t pid, const char *comm)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, comm) == 0;
}

/* Whether the process behind pidfd ends within ms (a pidfd reads as ready once its process
 * has exited, whoever reaps it). */
static bool ends_within(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

/* In a forked process (the "swdbackup" that will be killed): spawns sleep through the
 * module with libuv, writes its pid to fd, then waits to be killed. */
static void parent_role(int fd, const char *guard, const char *setpriv)
{
	static const char *const sleep_args[] = {"30", NULL};
	struct swd_childguard g;
	uv_process_options_t opt;
	uv_process_t proc;
	uv_loop_t loop;
	int pid;

	swd_childguard_override(guard, setpriv);
	if (uv_loop_init(&loop) != 0 || swd_childguard_init(&g, "/bin/sleep", sleep_args, NULL) != 0)
		_exit(3);
	memset(&opt, 0, sizeof(opt));
	opt.file = g.file;
	opt.args = g.argv;
	if (uv_spawn(&loop, &proc, &opt) != 0)
		_exit(4);
	pid = proc.pid;
	if (write(fd, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		_exit(5);
	for (;;)
		pause();
}

/* Starts a parent that starts sleep through guard/setpriv (override values), waits until
 * sleep runs (the wrapper has exec'd it), SIGKILLs the parent. Returns whether sleep was
 * still running 2 s later (it is then killed here). */
static bool outlives_killed_parent(const char *guard, const char *setpriv)
{
	pid_t parent;
	int fds[2], child = 0, pidfd, i;
	bool left;

	assert_int_equal(pipe(fds), 0);
	parent = fork();
	assert_true(parent >= 0);
	if (parent == 0) {
		close(fds[0]);
		parent_role(fds[1], guard, setpriv);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &child, sizeof(child)), (ssize_t)sizeof(child));
	close(fds[0]);
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	assert_true(pidfd >= 0);
	for (i = 0; i < 500 && !is_comm(child, "sleep") && !ends_within(pidfd, 0); i++)
		pause_ms(10);
	assert_true(is_comm(child, "sleep"));
	kill(parent, SIGKILL);
	assert_int_equal(waitpid(parent, NULL, 0), parent);
	left = !ends_within(pidfd, 2000);
	if (left)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	close(pidfd);
	return left;
}

static void test_dies_with_parent(void **state)
{
	(void)state;
	assert_false(outlives_killed_parent(guard_exe, NULL));
	if (access(SETPRIV, X_OK) == 0)
		assert_false(outlives_killed_parent("", NULL));
	/* the check can fail: with neither, nothing takes the child along */
	assert_true(outlives_killed_parent("", ""));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guard_given),
		cmocka_unit_test(test_guard_found_in_build_tree),
		cmocka_unit_test(test_setpriv_only),
		cmocka_unit_test(test_neither),
		cmocka_unit_test(test_dies_with_parent),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test-core-childguard SWDBACKUP-GUARD\n");
		return 2;
	}
	guard_exe = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
