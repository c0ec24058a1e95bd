/* Unit tests for how src/diag reads what the programs that run OpenOCD print around it
 * (src/diag/rules_front.inc, src/diag/paste.c): VS Code's cortex-debug, Eclipse Embedded CDT,
 * PlatformIO, arduino-cli, Zephyr's west, scripts in Python, Node or Java, and gdb.
 *
 * Every line is built here from the format string its source prints it with (the rule that
 * reads it cites the source): a cause in the front-end's words reads high; a line that only
 * says OpenOCD failed reads "unknown" at low confidence alone and never wins over OpenOCD's
 * own first error; OpenOCD's lines behind a front-end's prefix or MI quoting read as usual. */
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
#include "diag/paste.h"
#include "catalogue-row.h"
#include "diag-top.h"

#define LINE_MAX_LEN 512

/* The executables a front-end may have been given: on PATH, a Unix path, a Windows path. */
static const char *const openocd_names[] = {
	"openocd", "/home/u/.platformio/packages/tool-openocd/bin/openocd",
	"C:\\xpack-openocd-0.12.0-2\\bin\\openocd.exe", "C:/openocd/bin/openocd.exe",
};
#define N_NAMES (sizeof(openocd_names) / sizeof(openocd_names[0]))

/* LOG reads as WANT at confidence CONF (0: any), or the test fails naming it. */
static void expect(const char *log, enum diag_id want, enum diag_confidence conf)
{
	enum diag_confidence got_conf;
	enum diag_id got = top_of(log, &got_conf);
	if (got != want || (conf && got_conf != conf))
		fail_msg("'%s': want %s (%s), got %s (%s)", log, diag_id_name(want),
		         conf ? diag_confidence_name(conf) : "any", diag_id_name(got),
		         diag_confidence_name(got_conf));
}

/* Each of the N logs in LOGS reads as WANT at confidence CONF. */
static void expect_each(const char *const *logs, size_t n, enum diag_id want,
                        enum diag_confidence conf)
{
	for (size_t i = 0; i < n; i++)
		expect(logs[i], want, conf);
}
#define EXPECT_EACH(logs, want, conf) \
	expect_each((logs), sizeof(logs) / sizeof((logs)[0]), (want), (conf))

/* The rule that gave LOG's top finding. */
static void expect_rule(const char *log, const char *rule)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	if (strcmp(r->findings[0].rule, rule) != 0)
		fail_msg("'%s': want rule %s, got %s", log, rule, r->findings[0].rule);
	diag_report_free(r);
}

/* Writes FMT with the executable NAME (and, for %s twice, NAME again) into OUT. */
static void with_name(char *out, const char *fmt, const char *name)
{
	snprintf(out, LINE_MAX_LEN, fmt, name, name);
}

/* Each runtime's and front-end's "not there" for every spelling of the executable. */
static const char *const not_found_formats[] = {
	/* cortex-debug src/gdb.ts 'Failed to launch %s GDB Server: %s' + Node's spawn error */
	"Failed to launch OpenOCD GDB Server: Error: spawn %s ENOENT\n",
	/* arduino-cli 'cannot execute upload tool: %s' + Go's exec.Error and PathError */
	"Failed uploading: cannot execute upload tool: exec: \"%s\": executable file not found "
	"in $PATH\n",
	"Error during Upload: cannot execute upload tool: exec: \"%s\": executable file not found "
	"in %%PATH%%\n",
	"Failed uploading: cannot execute upload tool: fork/exec %s: no such file or directory\n",
	/* CPython's OSError_str '[Errno %S] %S: %R' */
	"FileNotFoundError: [Errno 2] No such file or directory: '%s'\n",
	/* Java's ProcessBuilder.start, in Eclipse CDT's 'Launching command [%s] failed.' */
	"Launching command [%s -f board/st_nucleo_f4.cfg] failed.\n"
	"Cannot run program \"%s\": error=2, No such file or directory\n",
	"Cannot run program \"%s\" (in directory \"C:\\work\"): CreateProcess error=2, The "
	"system cannot find the file specified\n",
	/* west: log.die('required program', e.filename, 'not found; ...') */
	"FATAL ERROR: required program %s not found; install it or add its location to PATH\n",
	/* PlatformIO: 'Could not launch Debug Server '%s'. Please check that it ...' */
	"DebugInvalidOptionsError: Could not launch Debug Server '%s'. Please check that it is "
	"installed and is included in a system PATH\n",
	/* GNU make: '%s: %s' after execve; on Windows 'process_begin: CreateProcess(%s, %s,
	 * ...) failed.' and 'make (e=%d): %s' */
	"make: %s: No such file or directory\nmake: *** [Makefile:17: flash] Error 127\n",
	"process_begin: CreateProcess(NULL, %s -f interface/stlink.cfg, ...) failed.\n"
	"make (e=2): The system cannot find the file specified.\n",
};

static void test_openocd_not_found_in_each_front_end(void **state)
{
	(void)state;
	char log[LINE_MAX_LEN];
	for (size_t f = 0; f < sizeof(not_found_formats) / sizeof(not_found_formats[0]); f++)
		for (size_t n = 0; n < N_NAMES; n++) {
			with_name(log, not_found_formats[f], openocd_names[n]);
			expect(log, DIAG_OPENOCD_MISSING, DIAG_CONF_HIGH);
		}
}

/* The same words for dfu-util read as dfu-util missing, never as OpenOCD missing. */
static void test_dfu_util_not_found_in_each_front_end(void **state)
{
	(void)state;
	static const char *const names[] = {
		"dfu-util", "/home/u/.arduino15/packages/arduino/tools/dfu-util/0.11.0-arduino5/dfu-util",
		"C:\\dfu-util\\dfu-util.exe",
	};
	char log[LINE_MAX_LEN];
	for (size_t f = 0; f < sizeof(not_found_formats) / sizeof(not_found_formats[0]); f++)
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
			with_name(log, not_found_formats[f], names[n]);
			expect(log, DIAG_DFU_UTIL_MISSING, DIAG_CONF_HIGH);
		}
}

/* A file next to the executable's name (its config script) is not the executable. */
static void test_config_file_is_not_the_executable(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"FileNotFoundError: [Errno 2] No such file or directory: 'openocd.cfg'\n",
		"Failed to launch OpenOCD GDB Server: Error: spawn openocd.cfg ENOENT\n",
		"FATAL ERROR: required program openocd-esp32 not found; install it or add its location "
		"to PATH\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++)
		assert_int_not_equal(top_of(logs[i], NULL), DIAG_OPENOCD_MISSING);
}

/* Windows Python names no file: the paste must say openocd, and OpenOCD must not have run. */
static void test_unnamed_not_found_needs_openocd(void **state)
{
	(void)state;
	const char *winerror = "FileNotFoundError: [WinError 2] The system cannot find the file "
	                       "specified\n";
	char log[LINE_MAX_LEN];
	snprintf(log, sizeof(log), "subprocess.run(['openocd', '-f', 'board/st_nucleo_f4.cfg'])\n%s",
	         winerror);
	expect(log, DIAG_OPENOCD_MISSING, DIAG_CONF_MEDIUM);
	assert_int_not_equal(top_of(winerror, NULL), DIAG_OPENOCD_MISSING);
	snprintf(log, sizeof(log), "Open On-Chip Debugger 0.12.0\nopenocd done\n%s", winerror);
	assert_int_not_equal(top_of(log, NULL), DIAG_OPENOCD_MISSING);
}

/* execve's EACCES in each runtime's words: there, but not executable. */
static void test_openocd_not_executable(void **state)
{
	(void)state;
	static const char *const formats[] = {
		"Failed to launch OpenOCD GDB Server: Error: spawn %s EACCES\n",
		"Failed uploading: cannot execute upload tool: fork/exec %s: permission denied\n",
		"PermissionError: [Errno 13] Permission denied: '%s'\n",
		"Cannot run program \"%s\": error=13, Permission denied\n",
		"/bin/sh: 1: %s: Permission denied\n",
	};
	char log[LINE_MAX_LEN];
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		with_name(log, formats[f], "/opt/openocd/bin/openocd");
		expect(log, DIAG_OPENOCD_MISSING, DIAG_CONF_HIGH);
		expect_rule(log, "front-openocd-not-executable");
	}
	/* a device node refused is USB permission, not the executable (medium with no host
	 * shown: on Windows the same words are another program's handle) */
	expect("Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n", DIAG_USB_PERMISSION,
	       DIAG_CONF_MEDIUM);
}

/* STATUS_DLL_NOT_FOUND and its kin as each front-end prints an exit status. */
static void test_windows_loader_status(void **state)
{
	(void)state;
	static const char *const named[] = {
		/* west: 'command exited with status {cpe.returncode}: {cmd}' */
		"FATAL ERROR: command exited with status 3221225781: openocd -s C:/zephyr/boards "
		"-f openocd.cfg -c init\n",
		/* Eclipse CDT: '%s failed with code (%d).' with Java's signed int */
		"OpenOCD failed with code (-1073741515).\n",
		/* cortex-debug: 'Launching gdb-server: %s', then 'GDBServer(%d): exited code=%s' */
		"Launching gdb-server: openocd.exe -c \"gdb_port 50000\" -f interface/stlink.cfg\n"
		"GDBServer(4242): exited code=3221225595 signal=null\n",
		/* arduino-cli, verbose: the command line, then Go's 'exit status 0x%x' */
		"\"C:/Arduino15/packages/STMicroelectronics/tools/openocd/2.0.6/bin/openocd.exe\" "
		"-f interface/stlink.cfg\nFailed uploading: uploading error: exit status 0xc0000139\n",
	};
	EXPECT_EACH(named, DIAG_OPENOCD_MISSING, DIAG_CONF_HIGH);
	/* no program named: any the front-end ran may be the one refused */
	expect("*** [upload] Error -1073741515\n", DIAG_OPENOCD_MISSING, DIAG_CONF_MEDIUM);
	/* OpenOCD printed its banner: it was loaded, the status is another program's */
	assert_int_not_equal(top_of("Open On-Chip Debugger 0.12.0\n"
	                            "Failed uploading: uploading error: exit status 0xc0000135\n",
	                            NULL),
	                     DIAG_OPENOCD_MISSING);
	/* an ordinary failure status is no loader failure */
	assert_int_not_equal(top_of("Failed uploading: uploading error: exit status 1\n", NULL),
	                     DIAG_OPENOCD_MISSING);
}

/* bind()'s EADDRINUSE in each runtime's words. */
static void test_port_taken_in_each_runtime(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"Error: listen EADDRINUSE: address already in use :::50000\n",
		"OSError: [Errno 98] Address already in use\n",
		"OSError: [Errno 48] Address already in use\n",
		"OSError: [WinError 10048] Only one usage of each socket address (protocol/network "
		"address/port) is normally permitted\n",
		"listen tcp 127.0.0.1:4444: bind: address already in use\n",
		"java.net.BindException: Address already in use: bind\n",
		"Failed to listen on TCP port: 50051. Address already in use.\n",
	};
	EXPECT_EACH(logs, DIAG_PORT_IN_USE, DIAG_CONF_HIGH);
}

/* Lines that only say OpenOCD failed, as each source formats them. */
static const char *const cascades[] = {
	/* gdb: perror_with_name on the remote serial open; remote.c readchar/serial write;
	 * target.c's default rcmd */
	"localhost:3333: Connection timed out.\n",
	":3333: Connection refused.\n",
	"Remote communication error.  Target disconnected.: Connection reset by peer.\n",
	"Remote communication error.  Target disconnected: No error.\n",
	"Remote connection closed\n",
	"\"monitor\" command not supported by this target.\n",
	"Remote replied unexpectedly to 'vMustReplyEmpty': timeout\n",
	/* cortex-debug */
	"OpenOCD: GDB Server Quit Unexpectedly. See gdb-server output in TERMINAL tab for more "
	"details.\n",
	"Failed to launch OpenOCD GDB Server: Timeout.\n",
	/* Eclipse Embedded CDT */
	"OpenOCD failed with code (1).\n",
	"Starting OpenOCD timed out.\n",
	/* arduino-cli, PlatformIO, west, make */
	"Failed uploading: uploading error: exit status 1\n",
	"*** [upload] Error 1\n",
	"========================= [FAILED] Took 2.53 seconds =========================\n",
	"FATAL ERROR: command exited with status 1: openocd -s /zephyr/boards/st/nucleo_f401re/"
	"support -f openocd.cfg -c init\n",
	"make: *** [Makefile:17: flash] Error 1\n",
};
#define N_CASCADES (sizeof(cascades) / sizeof(cascades[0]))

static void test_cascade_alone_is_unknown(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASCADES; i++) {
		struct diag_report *r = diag_classify_log(cascades[i]);
		assert_non_null(r);
		if (r->findings[0].id != DIAG_UNKNOWN || r->findings[0].confidence != DIAG_CONF_LOW)
			fail_msg("'%s': want unknown (low), got %s (%s)", cascades[i],
			         diag_id_name(r->findings[0].id),
			         diag_confidence_name(r->findings[0].confidence));
		/* the line that decided it is named */
		assert_true(r->findings[0].n_evidence >= 1);
		diag_report_free(r);
	}
}

/* OpenOCD's own first error decides, whether the cascade comes before or after it; an error
 * line nothing knows is what "unknown" shows, not the cascade. */
static void test_cascade_never_over_openocd(void **state)
{
	(void)state;
	static const struct {
		const char *log;
		enum diag_id id;
	} causes[] = {
		{ "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n", DIAG_USB_PERMISSION },
		{ "Error: couldn't bind gdb to socket on port 3333: Address already in use\n",
		  DIAG_PORT_IN_USE },
		{ "Error: Can't find interface/stlink-v2.cfg\n", DIAG_CONFIG_NOT_FOUND },
		{ "Warn : UNEXPECTED idcode: 0x2ba01477\n"
		  "Error: expected 1 of 1: 0x1ba01477\n", DIAG_CLONE_IDCODE },
	};
	char log[1024];
	for (size_t c = 0; c < sizeof(causes) / sizeof(causes[0]); c++)
		for (size_t i = 0; i < N_CASCADES; i++) {
			snprintf(log, sizeof(log), "%s%s", causes[c].log, cascades[i]);
			expect(log, causes[c].id, 0);
			snprintf(log, sizeof(log), "%s%s", cascades[i], causes[c].log);
			expect(log, causes[c].id, 0);
		}
	static const char *const unexplained[] = { "Error: frobnicator exploded at 0x1234\n",
		                                   "dfu-util: cannot frobnicate at 0x1234\n" };
	for (size_t i = 0; i < N_CASCADES * 2; i++) {
		snprintf(log, sizeof(log), "%s%s", unexplained[i % 2], cascades[i / 2]);
		struct diag_report *r = diag_classify_log(log);
		assert_non_null(r);
		assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
		assert_string_equal(r->findings[0].rule, "unknown");
		assert_non_null(strstr(r->findings[0].evidence[0], "frobnicat"));
		diag_report_free(r);
	}
}

/* Appends the rows of the catalogue file PATH to ROWS (N of them, MAX at most). */
static void read_rows(const char *path, struct catalogue_row *rows, size_t *n, size_t max)
{
	char buf[1024];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(buf, sizeof(buf), f) && *n < max) {
		char *field[CATALOGUE_FIELDS];
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] == '#' || !catalogue_split(buf, field))
			continue;
		struct catalogue_row *r = &rows[(*n)++];
		snprintf(r->version, sizeof(r->version), "%s", field[0]);
		snprintf(r->file, sizeof(r->file), "%s", field[1]);
		r->cls = diag_id_from_name(field[2]);
		snprintf(r->kind, sizeof(r->kind), "%s", field[3]);
		r->alt = strcmp(field[4], "-") == 0 ? -1 : diag_id_from_name(field[4]);
		snprintf(r->level, sizeof(r->level), "%s", field[5]);
		snprintf(r->message, sizeof(r->message), "%s", field[6]);
	}
	fclose(f);
}

/* Whether row D's message and readings are an earlier row's: the same words from another
 * release (a message with no '{release}' renders alike in each), paired once. */
static bool seen_before(const struct catalogue_row *rows, size_t d)
{
	for (size_t k = 0; k < d; k++)
		if (rows[k].cls == rows[d].cls && rows[k].alt == rows[d].alt &&
		    strcmp(rows[k].kind, rows[d].kind) == 0 &&
		    strcmp(rows[k].level, rows[d].level) == 0 &&
		    strcmp(rows[k].message, rows[d].message) == 0 &&
		    strstr(rows[d].message, "{release}") == NULL)
			return true;
	return false;
}

/* Every front-end cascade row of the catalogue, before and after every decisive or shared
 * message of OpenOCD and dfu-util (any version, any class): the tool's own cause (or, for a
 * shared message, one of its two) always decides. */
static void test_catalogue_cascades_never_over_tool_causes(void **state)
{
	(void)state;
	static struct catalogue_row rows[2048];
	size_t n = 0, pairs = 0;
	read_rows(DIAG_CATALOGUE, rows, &n, sizeof(rows) / sizeof(rows[0]));
	read_rows(DIAG_CATALOGUE_FRONT, rows, &n, sizeof(rows) / sizeof(rows[0]));
	for (size_t c = 0; c < n; c++) {
		bool tool = strncmp(rows[c].version, "openocd-", 8) == 0 ||
		            strncmp(rows[c].version, "dfu-util-", 9) == 0;
		if (tool || strcmp(rows[c].kind, "cascade") != 0)
			continue;
		for (size_t d = 0; d < n; d++) {
			bool tool_d = strncmp(rows[d].version, "openocd-", 8) == 0 ||
			              strncmp(rows[d].version, "dfu-util-", 9) == 0;
			if (!tool_d || strcmp(rows[d].kind, "cascade") == 0 || seen_before(rows, d))
				continue;
			for (int order = 0; order < 2; order++) {
				char log[2048] = "";
				catalogue_render(log, sizeof(log), order ? &rows[c] : &rows[d], FORM_PLAIN);
				catalogue_render(log, sizeof(log), order ? &rows[d] : &rows[c], FORM_PLAIN);
				enum diag_id got = top_of(log, NULL);
				if ((int)got != rows[d].cls && (int)got != rows[d].alt)
					fail_msg("'%s': want %s, got %s", log, diag_id_name(rows[d].cls),
					         diag_id_name(got));
				pairs++;
			}
		}
	}
	assert_true(pairs > 1000);
}

/* The wrappers front-ends put around a line, taken off generally. */
static void test_paste_takes_off_front_end_wrappers(void **state)
{
	(void)state;
	/* gdb/MI error result (mi_print_exception), with and without a token */
	expect_clean("12^error,msg=\"localhost:3333: Connection timed out.\"\n",
	             "localhost:3333: Connection timed out.\n");
	expect_clean("^error,msg=\"\\\"monitor\\\" command not supported by this target.\"\n",
	             "\"monitor\" command not supported by this target.\n");
	/* cortex-debug's raw MI trace: "-> " before each record gdb wrote */
	expect_clean("-> @\"Error: open failed\\n\"\n", "Error: open failed\n");
	expect_clean("-> 3^error,msg=\"Remote connection closed\"\n", "Remote connection closed\n");
	/* Eclipse CDT's gdb traces: "%03d,%03d " before each record */
	expect_clean("077,345 @\"Info : clock speed 1000 kHz\\n\"\n", "Info : clock speed 1000 kHz\n");
	/* a record that holds several of OpenOCD's lines (PlatformIO escapes each chunk whole) */
	expect_clean("@\"Info : clock speed 1000 kHz\\nError: open failed\\n\"\n",
	             "Info : clock speed 1000 kHz\nError: open failed\n");
	/* OpenOCD's own lines are left as they are */
	expect_clean("Error: open failed\n", "Error: open failed\n");
	expect_clean("Info : 123,456 bytes\n", "Info : 123,456 bytes\n");
}

/* OpenOCD's lines behind those wrappers read as they do bare. */
static void test_openocd_lines_read_behind_wrappers(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"-> @\"Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\\n\"\n"
		"-> 2^error,msg=\"Remote connection closed\"\n",
		"101,200 @\"Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\\n\"\n"
		"101,250 2^error,msg=\"localhost:3333: Connection timed out.\"\n",
		"@\"Open On-Chip Debugger 0.12.0\\nError: libusb_open() failed with "
		"LIBUSB_ERROR_ACCESS\\n\"\n",
	};
	EXPECT_EACH(logs, DIAG_USB_PERMISSION, DIAG_CONF_MEDIUM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openocd_not_found_in_each_front_end),
		cmocka_unit_test(test_dfu_util_not_found_in_each_front_end),
		cmocka_unit_test(test_config_file_is_not_the_executable),
		cmocka_unit_test(test_unnamed_not_found_needs_openocd),
		cmocka_unit_test(test_openocd_not_executable),
		cmocka_unit_test(test_windows_loader_status),
		cmocka_unit_test(test_port_taken_in_each_runtime),
		cmocka_unit_test(test_cascade_alone_is_unknown),
		cmocka_unit_test(test_cascade_never_over_openocd),
		cmocka_unit_test(test_catalogue_cascades_never_over_tool_causes),
		cmocka_unit_test(test_paste_takes_off_front_end_wrappers),
		cmocka_unit_test(test_openocd_lines_read_behind_wrappers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
