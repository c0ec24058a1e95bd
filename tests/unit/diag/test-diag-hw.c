/* Unit tests for the rows that read the OpenOCD build (or dfu-util's device) against the
 * hardware it met (src/diag/rules_hw.inc, hw.c, and the status rows of rules_dfu.inc): an
 * adapter driver without the dormant-state sequences, a SPI flash chip the build's table
 * does not list, rp2040-core0.cfg on a standard adapter, an adapter not on the bus, a DFU
 * run-time interface that cannot be claimed, a DFU device that stops answering. Every line
 * is built from the format strings of OpenOCD 0.10-0.12, Espressif's fork and dfu-util
 * 0.7-0.11, never copied from a corpus log. */
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

/* 'Sequence %d not supported' (cmsis_dap.c, ftdi.c, bitbang.c; jlink.c ends it with a full
 * stop up to 0.11): 3 and 4 are the dormant-state sequences of enum swd_special_seq before
 * 0.12. Under a 0.9-0.11 banner the build is too old; with no banner it is the likely
 * reading; under 0.12 the numbers name other sequences and no upgrade helps. */
static void test_swd_seq_against_release(void **state)
{
	(void)state;
	static const char *const fmts[] = { "Error: Sequence %d not supported\n",
		                            "Error: Sequence %d not supported.\n" };
	for (size_t f = 0; f < 2; f++)
		for (int seq = 3; seq <= 4; seq++) {
			char line[96], log[LOG_MAX];
			snprintf(line, sizeof(line), fmts[f], seq);
			/* the cascade: dap init fails after the refused sequence */
			snprintf(log, sizeof(log), "%sInfo : DAP init failed\n", line);
			assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
			for (int minor = 10; minor <= 11; minor++) {
				snprintf(log, sizeof(log), "Open On-Chip Debugger 0.%d.0 (2021-03-07-12:52)\n"
				         "Info : CMSIS-DAP: SWD  Supported\n%s", minor, line);
				assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
			}
			snprintf(log, sizeof(log), "Open On-Chip Debugger 0.12.0 (2023-01-14-23:37)\n%s",
			         line);
			assert_not_top(log, DIAG_OPENOCD_TOO_OLD);
		}
	/* line reset and JTAG-to-SWD every driver sends: not this reading */
	for (int seq = 0; seq <= 1; seq++) {
		char log[96];
		snprintf(log, sizeof(log), "Error: Sequence %d not supported\n", seq);
		assert_not_top(log, DIAG_OPENOCD_TOO_OLD);
	}
}

/* 'Unknown flash device (ID 0x%08x)' (rp2040.c, ath79.c, fespi.c, stmsmi.c ...), jtagspi.c's
 * 0.12 '(ID 0x%06x)', mrvlqspi.c's 'ID 0x%08x': a JEDEC ID with a maker and a capacity code
 * is a chip the build's table lacks; all zeros or all ones is a bus nobody drove. */
static void test_spi_flash_id_read(void **state)
{
	(void)state;
	static const char *const fmts[] = { "Error: Unknown flash device (ID 0x%08x)\n",
		                            "Error: Unknown flash device (ID 0x%06x)\n",
		                            "Error: Unknown flash device ID 0x%08x\n" };
	/* maker, memory type, capacity code (2^code bytes) */
	static const unsigned chips[][3] = { { 0x85, 0x60, 0x15 }, { 0xc8, 0x40, 0x17 },
		                             { 0x20, 0xba, 0x19 }, { 0x9d, 0x60, 0x16 } };
	for (size_t f = 0; f < 3; f++) {
		char log[LOG_MAX];
		for (size_t k = 0; k < 4; k++) {
			unsigned id = chips[k][0] | chips[k][1] << 8 | chips[k][2] << 16;
			snprintf(log, sizeof(log), fmts[f], id);
			strcat(log, "Error: auto_probe failed\n");
			assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
		}
		static const unsigned dead[] = { 0x00000000, 0x00ffffff, 0xffffffff, 0x000000ef };
		for (size_t k = 0; k < 4; k++) {
			snprintf(log, sizeof(log), fmts[f], dead[k]);
			assert_not_top(log, DIAG_OPENOCD_TOO_OLD);
		}
	}
}

/* tcl/target/rp2040-core0.cfg's own warning (0.12), then cortex_m_examine's failure:
 * the config for an adapter that selects the core itself, used with a standard one. */
static void test_rp2040_core0_cfg(void **state)
{
	(void)state;
	static const char *const warn =
		"Warn : rp2040-core0.cfg configuration file is deprecated and will be\n"
		"       removed in the next release. Use following parameters instead:\n"
		"          -c 'set USE_CORE 0' -f target/rp2040.cfg\n";
	static const char *const fails[] = { "Error: [%s] Could not find MEM-AP to control the core\n",
		                             "Warn : target %s examination failed\n" };
	for (size_t k = 0; k < 2; k++) {
		char fail[128], log[LOG_MAX];
		snprintf(fail, sizeof(fail), fails[k], "rp2040.cpu");
		snprintf(log, sizeof(log), "%s%s", warn, fail);
		assert_top(log, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_MEDIUM);
		assert_true(top_lists(log, DIAG_SWD_COMM_ERRORS));
		/* another deprecated target script only points at its successor */
		snprintf(log, sizeof(log), "WARNING: target/%s_stlink.cfg is deprecated, please switch "
		         "to target/%s.cfg\n%s", "stm32f1x", "stm32f1x", fail);
		assert_not_top(log, DIAG_WRONG_TARGET_CONFIG);
	}
	/* the warning alone decides nothing */
	assert_not_top(warn, DIAG_WRONG_TARGET_CONFIG);
}

/* esp_usb_jtag_init's 'could not find or open device!' (and kitprog's, openjtag's, ft232r's,
 * USB-Blaster II's lines after the same call) read by what jtag_libusb_open said before it:
 * nothing (no device with the ids), or 'libusb_open() failed with %s'. */
static void test_usb_adapter_absent(void **state)
{
	(void)state;
	static const char *const fail = "Error: esp_usb_jtag: could not find or open device!\n";
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Open On-Chip Debugger  v0.%d.0-esp32-2021%04d (2021-04-01-15:45)\n"
	         "Info : Listening on port 6666 for tcl connections\n%s", 10, 401, fail);
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "Error: libusb_open() failed with %s\n%s", "LIBUSB_ERROR_ACCESS",
	         fail);
	assert_int_equal(top_of(log, NULL), DIAG_USB_PERMISSION);
	snprintf(log, sizeof(log), "Error: libusb_open() failed with %s\n%s", "LIBUSB_ERROR_NOT_FOUND",
	         fail);
	assert_not_top(log, DIAG_PROBE_NOT_FOUND);
	/* the other drivers whose line follows jtag_libusb_open failing */
	char others[4][96];
	snprintf(others[0], sizeof(others[0]), "Error: %s\n", "Failed to open or find the device");
	snprintf(others[1], sizeof(others[1]), "Error: unable to open %s device\n", "cy7c65215");
	snprintf(others[2], sizeof(others[2]), "Error: ft232r not found: vid=%04x, pid=%04x, serial=%s\n",
	         0x0403, 0x6001, "(null)");
	snprintf(others[3], sizeof(others[3]), "Error: %s\n", "Altera USB-Blaster II not found");
	for (size_t k = 0; k < 4; k++) {
		snprintf(log, sizeof(log), "Open On-Chip Debugger 0.12.0\n%s", others[k]);
		assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), "Error: libusb_open() failed with %s\n%s",
		         "LIBUSB_ERROR_ACCESS", others[k]);
		assert_not_top(log, DIAG_PROBE_NOT_FOUND);
	}
}

/* dfu-util claims a run-time interface only when no DFU-mode device matched: 0.9 'Cannot
 * claim interface %d', 0.10 adds ': %s', 0.11 says '(Run-Time)'. A DFU-mode claim ('Cannot
 * claim interface - %s') is not this reading, nor is LIBUSB_ERROR_BUSY, which names a holder
 * (the probe-busy rows read it). */
static void test_dfu_runtime_claim(void **state)
{
	(void)state;
	static const char *const heads[] = { "Claiming USB DFU Runtime Interface...\n",
		                             "Claiming USB DFU (Run-Time) Interface...\n" };
	static const char *const tails[] = { "", ": LIBUSB_ERROR_ACCESS", ": LIBUSB_ERROR_IO" };
	for (size_t h = 0; h < 2; h++)
		for (size_t t = 0; t < 3; t++) {
			char log[LOG_MAX];
			snprintf(log, sizeof(log), "Opening DFU capable USB device...\nID %04x:%04x\n"
			         "Run-time device DFU version %04x\n%sdfu-util: Cannot claim interface %d%s\n",
			         0x1234, 0x5678, 0x0110, heads[h], 2, tails[t]);
			assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_MEDIUM);
			assert_true(top_lists(log, DIAG_PROBE_BUSY));
		}
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Claiming USB DFU Interface...\ndfu-util: Cannot claim interface - %s\n",
	         "LIBUSB_ERROR_BUSY");
	assert_not_top(log, DIAG_PROBE_NOT_FOUND);
}

/* dfuse_special_command's 'Error during special command "%s" get_status' and 'Wrong state
 * after command "%s" download' for each DfuSe command (0.7 without the name), 'Device stuck
 * after special command request', and dfuse_dnload_chunk's 'Error during download get_status', next to the suffix
 * warning: the device's failure is "unknown" with its line, never the harmless warning; after
 * a leave request the same download line is the leave quirk. */
static void test_dfu_status_lost(void **state)
{
	(void)state;
	static const char *const cmds[] = { "ERASE_PAGE", "SET_ADDRESS", "MASS_ERASE",
		                             "READ_UNPROTECT" };
	static const char *const suffix = "dfu-util: Invalid DFU suffix signature\n"
	                                  "dfu-util: A valid DFU suffix will be required in a future "
	                                  "dfu-util release\n";
	for (size_t k = 0; k < 4; k++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "%sDownloading element to address = 0x%08x, size = %d\n"
		         "dfu-util: Error during special command \"%s\" get_status\n", suffix,
		         0x08000000, 4096, cmds[k]);
		assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
		snprintf(log, sizeof(log), "%sdfu-util: Wrong state after command \"%s\" download\n",
		         suffix, cmds[k]);
		assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
	}
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "%sdfu-util: Device stuck after special command request\n", suffix);
	assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "%sError: Wrong state after command download\n", suffix);
	assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "%sdfu-util: Error during download get_status\n", suffix);
	assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "%sdfu-util: Error during special command get_status\n", suffix);
	assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "File downloaded successfully\nSubmitting leave request...\n"
	         "dfu-util: Error during download get_status\n");
	assert_top(log, DIAG_DFU_LEAVE_QUIRK, DIAG_CONF_HIGH);
}

/* dfuload_do_dnload's 'unable to read DFU status after completion (%s)': with the device
 * gone from the bus (LIBUSB_ERROR_NO_DEVICE) after the whole download, it reset into its
 * firmware; the probe-lost reading of that libusb error does not win. */
static void test_dfu_manifest_device_gone(void **state)
{
	(void)state;
	static const char *const errs[] = { "LIBUSB_ERROR_NO_DEVICE", "LIBUSB_ERROR_PIPE",
		                            "LIBUSB_ERROR_IO" };
	for (size_t k = 0; k < 3; k++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "Download\t[=========================] 100%%\t%10d bytes\n"
		         "Download done.\nDFU state(%d) = %s, status(%d) = %s\n"
		         "dfu-util: unable to read DFU status after completion (%s)\n", 65536, 7,
		         "dfuMANIFEST", 0, "No error condition is present", errs[k]);
		assert_top(log, DIAG_DFU_LEAVE_QUIRK, DIAG_CONF_HIGH);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swd_seq_against_release),
		cmocka_unit_test(test_spi_flash_id_read),
		cmocka_unit_test(test_rp2040_core0_cfg),
		cmocka_unit_test(test_usb_adapter_absent),
		cmocka_unit_test(test_dfu_runtime_claim),
		cmocka_unit_test(test_dfu_status_lost),
		cmocka_unit_test(test_dfu_manifest_device_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
