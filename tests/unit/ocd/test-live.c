/* test-live.c - process and session against the real OpenOCD with a dummy adapter: spawn,
 * TCL port discovery, round trips, hostile file names through the real interpreter,
 * failures, early exit, a killed OpenOCD, interrupt, timeout and clean shutdown.
 * Skips (77) when openocd is not installed. */
#include "children.h"
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "ocd/process.h"
#include "ocd/session-test.h"
#include "ocd/tcl.h"

#ifndef OCD_TEST_DATA
#error "OCD_TEST_DATA must name tests/unit/ocd/data"
#endif

static char dir[512];      /* a scratch directory whose name is itself hostile */
static char iface[600];
static char target[600];

static void copy_file(const char *from, const char *to)
{
	char buf[4096];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/swd-ocd-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	/* Spaces, brackets, dollar, braces, semicolon, quote: OpenOCD must read the configs
	 * from here without evaluating any of it. */
	snprintf(dir, sizeof(dir), "%s/cfg [x] $y {z} ;\"q", tmpl);
	if (mkdir(dir, 0700) != 0)
		return -1;
	snprintf(iface, sizeof(iface), "%s/iface.cfg", dir);
	snprintf(target, sizeof(target), "%s/target.cfg", dir);
	copy_file(OCD_TEST_DATA "/dummy-interface.cfg", iface);
	copy_file(OCD_TEST_DATA "/dummy-target.cfg", target);
	return 0;
}

static int teardown(void **state)
{
	char cmd[1200];
	char *q = NULL;

	(void)state;
	/* dir is below a mkdtemp directory; remove that. */
	*strrchr(dir, '/') = '\0';
	q = malloc(strlen(dir) * 4 + 3);
	/* shell single-quote it */
	snprintf(q, strlen(dir) + 3, "'%s'", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", q);
	free(q);
	return system(cmd) == 0 ? 0 : -1;
}

struct events {
	size_t lines;
	int raise_on_first_line;  /* signal to raise at the first OpenOCD line, or 0 */
};

static void on_log(void *ud, const char *line)
{
	struct events *e = ud;

	(void)line;
	e->lines++;
	if (e->raise_on_first_line) {
		raise(e->raise_on_first_line);
		e->raise_on_first_line = 0;
	}
}

static void base_config(struct ocd_session_config *c, struct events *ev)
{
	memset(c, 0, sizeof(*c));
	c->proc.interface_cfg = iface;
	c->proc.target_cfg = target;
	c->on_log = on_log;
	c->ud = ev;
	c->no_signals = true;
}

static bool pid_gone(int pid)
{
	return pid > 0 && kill(pid, 0) == -1 && errno == ESRCH;
}

static void test_start_round_trip_stop(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct ocdlog_probe pi;
	struct swd_error err;
	char *text = NULL;
	int code = 99, pid;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	assert_int_equal(ocd_session_start(&c, &s, &pi, &err), 0);
	assert_string_equal(pi.openocd_version, "0.12.0");
	assert_true(ev.lines > 0);
	pid = ocd_session_pid(s);
	assert_true(pid > 0);

	assert_int_equal(ocd_command(s, "set swd_t hello", &code, &text, &err), 0);
	assert_int_equal(code, 0);
	assert_string_equal(text, "hello");
	free(text);

	/* A Tcl error is a result, not a broken session. */
	assert_int_equal(ocd_command(s, "nosuchcommand 1 2", &code, &text, &err), 0);
	assert_int_equal(code, 1);
	assert_non_null(strstr(text, "nosuchcommand"));
	free(text);
	assert_int_equal(ocd_command(s, "expr {6 * 7}", &code, &text, &err), 0);
	assert_int_equal(code, 0);
	assert_string_equal(text, "42");
	free(text);

	assert_int_equal(ocd_session_stop(s, &err), 0);
	assert_true(ocd_session_failure(s)->exited);
	assert_int_equal(ocd_session_failure(s)->exit_status, 0);
	assert_int_equal(ocd_session_failure(s)->code, 0);
	assert_true(pid_gone(pid));
	ocd_session_free(s);
	assert_int_equal(err.code, 0);
}

/* Every hostile string reaches OpenOCD's interpreter as data. */
static void test_hostile_names_live(void **state)
{
	static const char *const names[] = {
		"my file.bin", "[shutdown]", "$swd_t", "a;shutdown", "\"q\"", "a}b{", "}", "{",
		"back\\slash", "x\\", "tab\tname", "{*}x", "#hash", "caf\xc3\xa9", "[set swd_t pwned]",
		"\\[shutdown\\]", "a\nb", "ctrl\x01z",
	};
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *q = tcl_quote_str(names[i]), *cmd, *text = NULL, path[1024];
		int code = 99;
		FILE *f;

		assert_non_null(q);
		/* The value comes back unchanged... */
		assert_true(asprintf(&cmd, "set swd_t %s", q) > 0);
		assert_int_equal(ocd_command(s, cmd, &code, &text, &err), 0);
		assert_int_equal(code, 0);
		assert_string_equal(text, names[i]);
		free(text);
		free(cmd);
		/* ...and as a file name it names the file we created. */
		if (!strchr(names[i], '/') && !strchr(names[i], '\n')) {
			char *qp;

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			f = fopen(path, "wb");
			assert_non_null(f);
			fclose(f);
			qp = tcl_quote_str(path);
			assert_true(asprintf(&cmd, "file exists %s", qp) > 0);
			assert_int_equal(ocd_command(s, cmd, &code, &text, &err), 0);
			assert_int_equal(code, 0);
			assert_string_equal(text, "1");
			free(text);
			free(cmd);
			free(qp);
			unlink(path);
		}
		free(q);
		assert_true(ocd_session_pid(s) > 0); /* nothing shut it down */
	}
	assert_int_equal(ocd_session_stop(s, &err), 0);
	ocd_session_free(s);
	assert_int_equal(err.code, 0);
}

static void test_missing_openocd(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	c.proc.openocd = "/nonexistent/bin/openocd";
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), SWD_EOCDMISSING);
	assert_int_equal(err.code, SWD_EOCDMISSING);
	assert_non_null(strstr(err.msg, "/nonexistent/bin/openocd"));
	ocd_session_free(s);

	/* A bare name is searched on PATH. */
	swd_error_init(&err);
	c.proc.openocd = "openocd-not-installed-anywhere";
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), SWD_EOCDMISSING);
	assert_non_null(strstr(err.msg, "not found on PATH"));
	ocd_session_free(s);
}

/* A config that does not exist: OpenOCD exits before listening, and we say so. */
static void test_early_exit(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;
	const struct ocd_failure *f;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	c.proc.target_cfg = "/nonexistent/target.cfg";
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), SWD_EOCDDIED);
	assert_non_null(strstr(err.msg, "openocd failed to start"));
	assert_non_null(strstr(err.msg, "/nonexistent/target.cfg"));
	f = ocd_session_failure(s);
	assert_true(f->exited);
	assert_int_equal(f->exit_status, 1);
	assert_true(f->nlog > 0);
	ocd_session_free(s);
}

static void test_killed_mid_session(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;
	const struct ocd_failure *f;
	char *text = NULL;
	int code, pid;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	pid = ocd_session_pid(s);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(ocd_command(s, "sleep 5000", &code, &text, &err), SWD_EOCDDIED);
	assert_null(text);
	assert_non_null(strstr(err.msg, "openocd exited unexpectedly (killed by signal 9)"));
	f = ocd_session_failure(s);
	assert_int_equal(f->code, SWD_EOCDDIED);
	assert_true(f->exited);
	assert_int_equal(f->term_signal, SIGKILL);
	/* Every later call fails fast with the same code. */
	assert_int_equal(ocd_reset(s, OCD_RESET_RUN, NULL), SWD_EOCDDIED);
	assert_int_equal(ocd_session_stop(s, NULL), 0);
	ocd_session_free(s);
	assert_true(pid_gone(pid));
}

static void test_interrupt_shuts_down(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;
	volatile sig_atomic_t flag = 0;
	char *text = NULL;
	int code, pid;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	c.no_signals = false;
	c.interrupted = &flag;
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	pid = ocd_session_pid(s);
	/* The signal arrives while a command runs in OpenOCD. */
	assert_int_equal(raise(SIGINT), 0);
	assert_int_equal(ocd_command(s, "sleep 300", &code, &text, &err), SWD_EINTR);
	assert_int_equal(flag, 1);
	assert_string_equal(err.msg, "interrupted");
	assert_int_equal(ocd_command(s, "set a 1", &code, &text, NULL), SWD_EINTR);
	/* Still a polite shutdown: OpenOCD exits 0. */
	assert_int_equal(ocd_session_stop(s, NULL), 0);
	assert_true(ocd_session_failure(s)->exited);
	assert_int_equal(ocd_session_failure(s)->exit_status, 0);
	assert_int_equal(ocd_session_failure(s)->term_signal, 0);
	ocd_session_free(s);
	assert_true(pid_gone(pid));
}

/* Ctrl-C while OpenOCD is still starting: interrupted, and OpenOCD does not survive. */
static void test_interrupt_during_start(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;
	int pid;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	c.no_signals = false;
	/* Raised at OpenOCD's first output line, before it listens. */
	ev.raise_on_first_line = SIGTERM;
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), SWD_EINTR);
	pid = ocd_session_pid(s);
	assert_true(pid > 0);
	assert_int_equal(ocd_session_stop(s, NULL), 0);
	assert_true(ocd_session_failure(s)->exited);
	assert_true(pid_gone(pid));
	ocd_session_free(s);
}

static void test_command_timeout(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;
	char *text = NULL;
	int code, pid;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	c.command_timeout_ms = 200;
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	pid = ocd_session_pid(s);
	assert_int_equal(ocd_command(s, "sleep 1500", &code, &text, &err), SWD_EOCDTIMEOUT);
	assert_non_null(strstr(err.msg, "did not answer"));
	assert_int_equal(ocd_session_stop(s, NULL), 0);
	assert_true(ocd_session_failure(s)->exited);
	ocd_session_free(s);
	assert_true(pid_gone(pid));
}

/* An OpenOCD that ignores `shutdown` and SIGTERM is killed and reaped all the same. */
static void test_stubborn_openocd_killed(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;
	int pid;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	c.proc.openocd = OCD_TEST_DATA "/stub-openocd.py";
	setenv("SWD_STUB_MODE", "stubborn", 1);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	pid = ocd_session_pid(s);
	assert_true(pid > 0);
	assert_int_equal(ocd_session_stop(s, &err), 0);
	assert_true(ocd_session_failure(s)->exited);
	assert_int_equal(ocd_session_failure(s)->term_signal, SIGKILL);
	assert_true(pid_gone(pid));
	ocd_session_free(s);
}

/* stm32f1x lock/unlock report failure only in their text, with a success code. */
static void test_text_only_failures(void **state)
{
	struct ocd_session_config c;
	struct events ev = { 0 };
	struct ocd_session *s = NULL;
	struct swd_error err;
	const struct ocd_failure *f;

	(void)state;
	swd_error_init(&err);
	base_config(&c, &ev);
	c.proc.openocd = OCD_TEST_DATA "/stub-openocd.py";
	setenv("SWD_STUB_MODE", "lockfail", 1);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_int_equal(ocd_options_lock(s, "stm32f1x", 0, &err), SWD_ETARGETFAILED);
	assert_string_equal(err.msg, "openocd command 'stm32f1x lock 0' failed: "
	                             "stm32x failed to lock device");
	f = ocd_session_failure(s);
	assert_int_equal(f->code, SWD_ETARGETFAILED);
	assert_int_equal(f->ocd_code, 0);
	assert_string_equal(f->command, "stm32f1x lock 0");
	swd_error_init(&err);
	assert_int_equal(ocd_options_unlock(s, "stm32f1x", 0, &err), SWD_ETARGETFAILED);
	assert_non_null(strstr(err.msg, "failed to unlock device"));
	swd_error_init(&err);
	{
		const struct ocd_f1_user u = { true, false, true, 0x12ab };

		assert_int_equal(ocd_f1_options_write(s, 0, &u, &err), SWD_ETARGETFAILED);
		assert_string_equal(err.msg, "openocd command 'stm32f1x options_write 0 SWWDG RSTSTOP "
		                             "NORSTSTNDBY USEROPT 0x12ab' failed: stm32x failed to write options");
	}
	swd_error_init(&err);
	assert_int_equal(ocd_f2_options_write(s, 0, 0xec, &err), SWD_ETARGETFAILED);
	assert_string_equal(err.msg, "openocd command 'stm32f2x options_write 0 0x0ec' failed: "
	                             "stm32x failed to write options");
	swd_error_init(&err);
	assert_int_equal(ocd_flash_protect(s, 0, 2, 5, true, &err), SWD_ETARGETFAILED);
	assert_string_equal(err.msg, "openocd command 'flash protect 0 2 5 on' failed: "
	                             "failed setting protection");
	assert_int_equal(ocd_session_stop(s, NULL), 0);
	assert_int_equal(ocd_session_failure(s)->exit_status, 0);
	ocd_session_free(s);
}

static void test_argv(void **state)
{
	static const struct ocdproc_var vars[] = { { "WORKAREASIZE", "0" }, { "CHIP NAME", "a$b" } };
	struct ocdproc_config c = { 0 };
	char **argv;
	size_t argc;
	struct swd_error err;
	char joined[2048] = "";

	(void)state;
	swd_error_init(&err);
	c.openocd = "/usr/bin/openocd";
	c.interface_cfg = "interface/stlink.cfg";
	c.probe = OCDPROC_PROBE_STLINK_TCP;
	c.stlink_port = 7184;
	c.transport = "hla_swd";
	c.vars = vars;
	c.nvars = 2;
	c.target_cfg = "target/stm32f4x.cfg";
	c.adapter_khz = 4000;
	c.connect_under_reset = true;
	assert_int_equal(ocdproc_build_argv(&c, &argv, &argc, &err), 0);
	for (size_t i = 0; i < argc; i++) {
		strcat(joined, argv[i]);
		strcat(joined, "|");
	}
	assert_string_equal(joined,
	                    "/usr/bin/openocd|-c|script interface/stlink.cfg|"
	                    "-c|hla_stlink_backend tcp 7184|-c|transport select hla_swd|"
	                    "-c|set WORKAREASIZE 0|-c|set {CHIP NAME} {a$b}|"
	                    "-c|script target/stm32f4x.cfg|-c|adapter speed 4000|"
	                    "-c|reset_config srst_only srst_nogate connect_assert_srst|"
	                    "-c|bindto 127.0.0.1|-c|tcl_port 0|-c|telnet_port disabled|-c|gdb_port disabled|-c|init|");
	assert_null(argv[argc]);
	ocdproc_argv_free(argv);

	c.probe = OCDPROC_PROBE_USB_SERIAL;
	c.serial = "0670FF3[";
	c.vars = NULL;
	c.nvars = 0;
	c.transport = NULL;
	c.adapter_khz = 0;
	c.connect_under_reset = false;
	assert_int_equal(ocdproc_build_argv(&c, &argv, &argc, &err), 0);
	assert_string_equal(argv[4], "adapter serial {0670FF3[}");
	ocdproc_argv_free(argv);

	/* An interface name replaces the config's interface; a clone's DP IDCODE replaces the
	 * CPUTAPID the profile sets, after the other variables. */
	static const struct ocdproc_var tap[] = { { "CPUTAPID", "0x1ba01477" }, { "WORKAREASIZE", "0x2000" } };
	c.probe = OCDPROC_PROBE_ANY;
	c.interface = "jlink";
	c.vars = tap;
	c.nvars = 2;
	c.dp_idcode = 0x2ba01477;
	assert_int_equal(ocdproc_build_argv(&c, &argv, &argc, &err), 0);
	joined[0] = '\0';
	for (size_t i = 0; i < 9; i++) {
		strcat(joined, argv[i]);
		strcat(joined, "|");
	}
	assert_string_equal(joined, "/usr/bin/openocd|-c|script interface/jlink.cfg|"
	                            "-c|set WORKAREASIZE 0x2000|-c|set CPUTAPID 0x2ba01477|"
	                            "-c|script target/stm32f4x.cfg|");
	ocdproc_argv_free(argv);
	c.interface = "cmsis-dap";
	c.dp_idcode = 0;
	assert_int_equal(ocdproc_build_argv(&c, &argv, &argc, &err), 0);
	assert_string_equal(argv[2], "script interface/cmsis-dap.cfg");
	assert_string_equal(argv[4], "set CPUTAPID 0x1ba01477");
	ocdproc_argv_free(argv);
	c.interface = NULL;
	c.probe = OCDPROC_PROBE_USB_SERIAL;

	c.serial = NULL;
	assert_int_equal(ocdproc_build_argv(&c, &argv, &argc, &err), SWD_EINTERNAL);
	assert_null(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_argv, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_start_round_trip_stop, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_hostile_names_live, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_missing_openocd, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_early_exit, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_killed_mid_session, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_interrupt_shuts_down, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_interrupt_during_start, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_command_timeout, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_stubborn_openocd_killed, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_text_only_failures, ocdtest_kill_children),
	};
	char *path = NULL;

	if (ocdproc_find(NULL, &path, NULL) != 0) {
		fprintf(stderr, "openocd not installed: skipping\n");
		return 77;
	}
	free(path);
	return cmocka_run_group_tests(tests, setup, teardown);
}
