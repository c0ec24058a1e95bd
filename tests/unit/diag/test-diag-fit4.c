/* Unit tests for the rows that read what the newest fit cases of the real-log corpus taught:
 * dfu-util's file-ID refusal and its final reset's "can't detach", a DFU run-time claim on
 * the very device asked for, a CMSIS-DAP probe that left the bus, an Xtensa debug
 * instruction that faulted, riscv-openocd's Debug Module version check in its old wording
 * and reading a version no spec defines, cortex-debug spawning an OpenOCD path whose
 * backslashes were eaten, the multidrop connect failure as users retell it, and a refused
 * erase under the program wrapper. Every line is built from the format strings of dfu-util
 * 0.9-0.11, OpenOCD 0.9-0.12, Espressif's fork, hidapi, libusb and cortex-debug, never
 * copied from a corpus log. */
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

/* 'Claiming USB DFU Runtime Interface...' then 'Cannot claim interface %d' (0.10 adds
 * ': %s', 0.11 prints '(Run-Time)'): with no ids asked for, the device may be any (no DFU
 * device); when it is the one the file's suffix or -d asked for, the board is there and the
 * claim's own line is shown. */
static void test_runtime_claim_of_the_device_asked_for(void **state)
{
	(void)state;
	static const char *const heads[] = { "Runtime", "(Run-Time)" };
	static const char *const tails[] = { "", ": LIBUSB_ERROR_NOT_FOUND", ": LIBUSB_ERROR_IO" };
	const unsigned vid = 0x04d8, pid = 0xef99;
	for (size_t h = 0; h < 2; h++)
		for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			char claim[128], log[LOG_MAX];
			snprintf(claim, sizeof(claim), "Claiming USB DFU %s Interface...\n"
			         "dfu-util: Cannot claim interface 0%s\n", heads[h], tails[t]);
			/* the ids from the file's suffix */
			snprintf(log, sizeof(log), "Match vendor ID from file: %04x\nMatch product ID "
			         "from file: %04x\n" DFU_HEAD "%s", vid, pid, vid, pid, claim);
			assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
			assert_decided_by(log, "Cannot claim interface");
			assert_int_equal(listed_conf(log, DIAG_PROBE_NOT_FOUND), -1);
			/* the ids from -d (a run-time,DFU-mode pair; an empty half matches any) */
			snprintf(log, sizeof(log), "$ dfu-util -d 1d50:6018,:%04x -D fw.bin\n" DFU_HEAD
			         "%s", pid, vid, pid, claim);
			assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
			/* the same ids in getopt's other spellings of the option */
			snprintf(log, sizeof(log), "$ dfu-util --device=:%04x -D fw.bin\n" DFU_HEAD
			         "%s", pid, vid, pid, claim);
			assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
			snprintf(log, sizeof(log), "$ dfu-util -d%04x:%04x -D fw.bin\n" DFU_HEAD "%s",
			         vid, pid, vid, pid, claim);
			assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
			/* no ids asked for: any device with a run-time interface */
			snprintf(log, sizeof(log), DFU_HEAD "%s", 0x05acu, 0x8218u, claim);
			assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_MEDIUM);
			/* ids asked for that are not the device's */
			snprintf(log, sizeof(log), "$ dfu-util -d 0483:df11 -D fw.bin\n" DFU_HEAD "%s",
			         0x05acu, 0x8218u, claim);
			assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_MEDIUM);
		}
}

/* 'error writing data: %ls' / 'error reading data: %ls' with hidapi's hid_error (Linux
 * strerror(ENODEV), Windows ERROR_DEVICE_NOT_CONNECTED) and cmsis_dap_usb_bulk.c's 'error
 * writing data: %s' with libusb_strerror: the probe left the bus; the CMD_CONNECT failures
 * after it are its cascade, never a target that did not answer at high. */
static void test_cmsis_dap_left_the_bus(void **state)
{
	(void)state;
	static const char *const why[] = { "No such device",
		                           "No such device (it may have been disconnected)",
		                           "WriteFile: (0x0000048F) The device is not connected.",
		                           "The device is not connected." };
	static const char *const dirs[] = { "writing", "reading" };
	for (size_t w = 0; w < sizeof(why) / sizeof(why[0]); w++)
		for (size_t d = 0; d < 2; d++) {
			char log[LOG_MAX];
			snprintf(log, sizeof(log), "Error: CMSIS-DAP command CMD_DISCONNECT failed.\n"
			         "Error: error %s data: %s\nError: CMSIS-DAP command CMD_CONNECT "
			         "failed.\nError: error %s data: %s\n", dirs[d], why[w], dirs[d],
			         why[w]);
			assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
			assert_true(listed_conf(log, DIAG_SWD_UNREACHABLE) < DIAG_CONF_HIGH);
		}
	/* the connect failing with the probe still there is the target's silence */
	assert_top("Error: CMSIS-DAP command CMD_CONNECT failed.\n", DIAG_SWD_UNREACHABLE,
	           DIAG_CONF_HIGH);
	/* another transfer error is no vanished probe */
	assert_not_top("Error: error writing data: Operation timed out\n", DIAG_PROBE_NOT_FOUND);
}

/* 'DSR (%08X) indicates DIR instruction generated an exception!' / '... an overrun!' in
 * each wording: Espressif's fork 2018 ('%s: %s (line %d): '), 2020+ ('%s: '), upstream 0.12
 * ('[%s] '). A value from the module reads as a garbled link (medium, a core asleep below
 * it); all ones is a bus nothing drove; a memory access the fork names is not this. */
static void test_xtensa_dir_fault(void **state)
{
	(void)state;
	static const char *const fmts[] = {
		"Error: %s: esp32_fetch_all_regs (line %d): DSR (%08X) indicates DIR instruction "
		"generated an %s!\n",
		"Error: %s: DSR (%08X) indicates DIR instruction generated an %s!\n",
		"Error: [%s] DSR (%08X) indicates DIR instruction generated an %s!\n",
	};
	static const char *const what[] = { "exception", "overrun" };
	for (size_t f = 0; f < 3; f++)
		for (size_t k = 0; k < 2; k++) {
			char log[LOG_MAX];
			if (f == 0)
				snprintf(log, sizeof(log), fmts[f], "cpu0", 234, 0x8011CC13u, what[k]);
			else
				snprintf(log, sizeof(log), fmts[f], "esp32.cpu0", 0x8011CC13u, what[k]);
			assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
			assert_int_equal(listed_conf(log, DIAG_TARGET_LOW_POWER), DIAG_CONF_LOW);
			char bus[LOG_MAX];
			snprintf(bus, sizeof(bus), fmts[1], "esp32", 0xFFFFFFFFu, what[k]);
			assert_int_equal(listed_conf(bus, DIAG_SWD_COMM_ERRORS), -1);
			char mem[LOG_MAX * 2];
			snprintf(mem, sizeof(mem), "%sWarn : esp32: Failed reading %d bytes at address "
			         "0x%08X\n", log, 4, 0x3FF5F064u);
			assert_not_top(mem, DIAG_SWD_COMM_ERRORS);
		}
}

/* 'OpenOCD only supports Debug Module version 2, not %d (dmstatus=0x%x)' (riscv-013.c
 * before 0.11's wording): dmstatus 0 is a module read before it was activated, which
 * riscv-openocd did until 2019 (medium, a link returning zeros below it). Another version
 * number, or 0.11's wording, is not this reading. */
static void test_riscv_dm_read_before_activation(void **state)
{
	(void)state;
	const char *fmt = "Error: OpenOCD only supports Debug Module version 2, not %d "
	                  "(dmstatus=0x%x)\n";
	char log[LOG_MAX];
	snprintf(log, sizeof(log), fmt, 0, 0u);
	assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_SWD_COMM_ERRORS), DIAG_CONF_LOW);
	snprintf(log, sizeof(log), fmt, 1, 0x401u);
	assert_not_top(log, DIAG_OPENOCD_TOO_OLD);
	snprintf(log, sizeof(log), "Error: OpenOCD only supports Debug Module version 2 (0.13) and "
	         "3 (0.14), not %d (dmstatus=0x%x). This error might be caused by a JTAG signal "
	         "issue. Try reducing the JTAG clock speed.\n", 0, 0u);
	assert_not_top(log, DIAG_OPENOCD_TOO_OLD);
}

/* The same check in each wording (0.11 '3 (0.14)', 0.12 '3 (1.0)', the older 'version 2,
 * not %d') reading a version number no debug spec defines (4-14): a garbled scan (medium,
 * a spec newer than the build below it). */
static void test_riscv_dm_version_garbled(void **state)
{
	(void)state;
	static const char *const fmts[] = {
		"Error: OpenOCD only supports Debug Module version 2 (0.13) and 3 (0.14), not %d "
		"(dmstatus=0x%x). This error might be caused by a JTAG signal issue. Try reducing "
		"the JTAG clock speed.\n",
		"Error: OpenOCD only supports Debug Module version 2 (0.13) and 3 (1.0), not %d "
		"(dmstatus=0x%x). This error might be caused by a JTAG signal issue. Try reducing "
		"the JTAG clock speed.\n",
		"Error: OpenOCD only supports Debug Module version 2, not %d (dmstatus=0x%x)\n",
	};
	for (size_t f = 0; f < 3; f++)
		for (unsigned v = 4; v <= 14; v++) {
			char log[LOG_MAX];
			snprintf(log, sizeof(log), fmts[f], v, 0x400c80u | v);
			assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
			assert_int_equal(listed_conf(log, DIAG_OPENOCD_TOO_OLD), DIAG_CONF_LOW);
		}
	/* 0.11's module (1) and a custom one (15) are versions a module may have */
	static const unsigned real[] = { 1, 15 };
	for (size_t i = 0; i < 2; i++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), fmts[1], real[i], 0x400c80u | real[i]);
		assert_int_equal(listed_conf(log, DIAG_SWD_COMM_ERRORS), -1);
	}
}

/* cortex-debug's 'Failed to launch %s GDB Server: %s' for its OpenOCD server with Node's
 * 'spawn %s ENOENT': a Windows path from settings.json whose backslashes were taken as
 * escapes has a drive with no separator and no longer ends in 'openocd'. */
static void test_cortex_debug_path_without_separators(void **state)
{
	(void)state;
	static const char *const paths[] = { "C:\\tools\\OpenOCD-0.10.0\\bin\\openocd.exe",
		                             "D:\\xpack-openocd-0.12.0-2\\bin\\",
		                             "C:\\Program Files\\OpenOCD\\bin\\openocd" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char eaten[128] = "", log[LOG_MAX];
		for (const char *p = paths[i]; *p; p++)
			if (*p != '\\')
				strncat(eaten, p, 1);
		snprintf(log, sizeof(log), "Failed to launch %s GDB Server: Error: spawn %s ENOENT\n",
		         "OpenOCD", eaten);
		assert_top(log, DIAG_OPENOCD_MISSING, DIAG_CONF_HIGH);
	}
	/* a path with its separators names its program: another one is not OpenOCD */
	assert_not_top("Failed to launch OpenOCD GDB Server: Error: spawn C:\\tools\\dfu-util.exe "
	               "ENOENT\n", DIAG_OPENOCD_MISSING);
}

/* 'Failed to connect multidrop %s' (adi_v5_swd.c, 0.12), and the same as users retell it:
 * alone it is medium, as a TARGETSEL with another part's id is answered by nobody too (the
 * config the lower reading, test-diag-tgt.c). */
static void test_multidrop_connect_wordings(void **state)
{
	(void)state;
	static const char *const verbs[] = { "Failed to", "Could not" };
	for (size_t v = 0; v < 2; v++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "Error: %s connect multidrop %s\n", verbs[v],
		         "rp2040.dap0");
		assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_MEDIUM);
	}
}

/* An erase the F1 flash controller refused ('stm32x device programming failed', PGERR, then
 * core.c's 'failed erasing sectors %d to %d') under startup.tcl's "** Programming Failed **":
 * the protection reading (low, the option bytes unread) stays first, the wrapper is no
 * unread cause that puts "unknown" above it. */
static void test_refused_erase_under_program_wrapper(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "** Programming Started **\nError: stm32x device programming "
	         "failed\nError: failed erasing sectors %d to %d\nembedded:startup.tcl:%d: Error: "
	         "** Programming Failed **\nin procedure 'program'\n", 0, 15, 521);
	assert_top(log, DIAG_READOUT_PROTECTED, DIAG_CONF_LOW);
	assert_int_equal(listed_conf(log, DIAG_WRITE_PROTECTED), DIAG_CONF_LOW);
	/* the controller's line alone (a write to flash not erased) is no protection */
	assert_int_equal(listed_conf("Error: stm32x device programming failed / flash not erased\n",
	                             DIAG_READOUT_PROTECTED), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_id_refusal),
		cmocka_unit_test(test_detach_after_download),
		cmocka_unit_test(test_runtime_claim_of_the_device_asked_for),
		cmocka_unit_test(test_cmsis_dap_left_the_bus),
		cmocka_unit_test(test_xtensa_dir_fault),
		cmocka_unit_test(test_riscv_dm_read_before_activation),
		cmocka_unit_test(test_riscv_dm_version_garbled),
		cmocka_unit_test(test_cortex_debug_path_without_separators),
		cmocka_unit_test(test_multidrop_connect_wordings),
		cmocka_unit_test(test_refused_erase_under_program_wrapper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
