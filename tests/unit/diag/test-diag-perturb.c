/* Unit tests for readings that must not hinge on the wrong line: found by perturbing logs
 * (a context line removed, the deciding line removed, a cause of another class put before or
 * after it) and fixed by mechanism. A reading stays when a context line goes, falls to what
 * is left when its deciding line goes, and a cascade never wins over the cause printed
 * before it. Every line is built from the format strings in OpenOCD's sources (file and
 * function named at each), never copied from a corpus log. */
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

/* libusb_open() failed with %s (src/jtag/drivers/libusb_helper.c, jtag_libusb_open;
 * libusb1_common.c in 0.9-0.10): on Windows NOT_SUPPORTED for a device with no WinUSB
 * driver, which may be another device of the same VID:PID than the probe that works. */
#define OPEN_NOT_SUPPORTED "Error: libusb_open() failed with LIBUSB_ERROR_NOT_SUPPORTED\n"

/* The ST-LINK that says its version after the refusal (stlink_usb.c, stlink_usb_version:
 * 0.11+ "STLINK %s (API v%d) VID:PID %04X:%04X", 0.9-0.10 "STLINK v%d JTAG v%d API v%d SWIM
 * v%d VID 0x%04X PID 0x%04X") was opened: the refusal was about another device, and what the
 * target answered after it decides (hla_interface.c, hl_interface_init_target: "UNEXPECTED
 * idcode: 0x%08x", "expected %u of %u: 0x%08x"), whether or not a voltage line is there. */
static void test_probe_that_answers_refutes_driver_missing(void **state)
{
	(void)state;
	static const char *const version[] = {
		"Info : STLINK V3J7M2 (API v3) VID:PID 0483:374E\n",
		"Info : STLINK v2 JTAG v17 API v2 SWIM v4 VID 0x0483 PID 0x3748\n",
	};
	char log[1024];
	for (size_t i = 0; i < sizeof(version) / sizeof(version[0]); i++) {
		snprintf(log, sizeof(log), "Info : clock speed 2000 kHz\n" OPEN_NOT_SUPPORTED "%s"
		         "Warn : UNEXPECTED idcode: 0x6ba02477\n"
		         "Error: expected 1 of 1: 0x2ba01477\n", version[i]);
		assert_top(log, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
		/* the refusal alone, the probe's own failure after it: the driver reading */
		snprintf(log, sizeof(log), OPEN_NOT_SUPPORTED "Error: open failed\n");
		assert_top(log, DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
	}
	/* CMSIS-DAP's "CMSIS-DAP: FW Version = %s" (cmsis_dap.c, cmsis_dap_get_version_info)
	 * and the core found ("%s r%" PRId8 "p%" PRId8 " processor detected", cortex_m.c) */
	assert_top(OPEN_NOT_SUPPORTED "Info : CMSIS-DAP: FW Version = 2.1.0\n"
	           "Info : [stm32f4x.cpu] Cortex-M4 r0p1 processor detected\n"
	           "Error: timed out while waiting for target halted\n",
	           DIAG_CORE_HALT_TIMEOUT, DIAG_CONF_MEDIUM);
}

/* libjaylink's "Failed to open device: %s." (jlink.c, jlink_init, 0.10+) or libusb_open's
 * NOT_FOUND: libusb listed the probe and could not open it (on Windows: no WinUSB driver
 * bound), so the driver's "No J-Link device found" after it (jlink.c, jlink_init) is the
 * cascade. libusb's Windows backend alone answers NOT_FOUND from an open, so the driver
 * reading is high with or without another sign of the host. */
static void test_listed_not_opened_is_never_no_device(void **state)
{
	(void)state;
	static const char *const refusal[] = {
		"Warn : Failed to open device: LIBUSB_ERROR_NOT_FOUND.\n",
		"Error: libusb_open() failed with LIBUSB_ERROR_NOT_FOUND\n",
	};
	char log[1024];
	for (size_t i = 0; i < sizeof(refusal) / sizeof(refusal[0]); i++) {
		snprintf(log, sizeof(log), "%sError: No J-Link device found\n", refusal[i]);
		assert_top(log, DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), "C:\\openocd\\bin>openocd.exe -f interface/jlink.cfg\n"
		         "%sError: No J-Link device found\n", refusal[i]);
		assert_top(log, DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
	}
	/* no refusal before it: no device of that kind on the bus */
	assert_top("Error: No J-Link device found\n", DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
}

/* The verify after a refused erase or write: "stm32x device protected" (stm32f1x.c,
 * stm32x_wait_status_busy) and "failed erasing sectors %u to %u" (flash/nor/core.c,
 * flash_driver_erase), or "error writing to flash at address %s at offset 0x%8.8x"
 * (flash_driver_write), then verify_image's "diff %d address 0x%08x. Was 0x%02x instead of
 * 0x%02x" (target.c, handle_verify_image_command_internal): the mismatch is the refusal's
 * cascade, so the protection leads and the mismatch stays below it, never high. Alone, or
 * before the refusal, the mismatch is the finding. */
static void test_verify_after_refused_write_is_a_cascade(void **state)
{
	(void)state;
	static const char refused[] = "Error: stm32x device protected\n"
	                              "Error: failed erasing sectors 0 to 3\n";
	static const char diff[] = "checksum mismatch - attempting binary compare\n"
	                           "diff 0 address 0x08000000. Was 0xff instead of 0x00\n";
	char log[1024];
	snprintf(log, sizeof(log), "%s%s", refused, diff);
	assert_top(log, DIAG_WRITE_PROTECTED, DIAG_CONF_MEDIUM);
	/* listed below it, never high (low: the mismatch row yields to write protection) */
	assert_int_equal(listed_conf(log, DIAG_VERIFY_MISMATCH), DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "Error: error writing to flash at address 0x08000000 at offset "
	         "0x00000000\n%s", diff);
	assert_top(log, DIAG_VERIFY_MISMATCH, DIAG_CONF_MEDIUM);
	assert_top(diff, DIAG_VERIFY_MISMATCH, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "%s%s", diff, refused);
	assert_top(log, DIAG_VERIFY_MISMATCH, DIAG_CONF_HIGH);
}

/* The link failing first (hla_target.c, adapter_poll: "jtag status contains invalid mode
 * value - communication failure"): a verify mismatch after it, or a flash driver's "Cannot
 * identify target as a STM32 family." (stm32f1x.c, stm32x_probe) after a dev id read over
 * that link, is its cascade: the link leads at high, the cascade stays below at medium.
 * After a dev id the driver does not know and no link failure, the identity reading is high. */
static void test_link_failure_first_wins_over_its_cascade(void **state)
{
	(void)state;
	static const char link[] = "Error: jtag status contains invalid mode value - "
	                           "communication failure\n";
	static const char diff[] = "diff 0 address 0x08000000. Was 0xff instead of 0x00\n";
	static const char ident[] = "Info : device id = 0x10006999\n"
	                            "Warn : Cannot identify target as a STM32 family.\n";
	char log[1024];
	snprintf(log, sizeof(log), "%s%s", link, diff);
	assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_HIGH);
	assert_int_equal(listed_conf(log, DIAG_VERIFY_MISMATCH), DIAG_CONF_MEDIUM);
	snprintf(log, sizeof(log), "%s%s", link, ident);
	assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_HIGH);
	assert_int_equal(listed_conf(log, DIAG_UNSUPPORTED_DEVICE), DIAG_CONF_MEDIUM);
	assert_top(ident, DIAG_UNSUPPORTED_DEVICE, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "%s%s", diff, link);
	assert_top(log, DIAG_VERIFY_MISMATCH, DIAG_CONF_HIGH);
	/* the core's CPUID read over that link: "%s: Cortex-M PARTNO 0x%x is unrecognized"
	 * (cortex_m.c, cortex_m_examine, 0.12) */
	static const char partno[] = "Error: stm32f1x.cpu: Cortex-M PARTNO 0xd21 is unrecognized\n";
	snprintf(log, sizeof(log), "%s%s", link, partno);
	assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_HIGH);
	assert_int_equal(listed_conf(log, DIAG_UNSUPPORTED_DEVICE), DIAG_CONF_MEDIUM);
	assert_top(partno, DIAG_UNSUPPORTED_DEVICE, DIAG_CONF_HIGH);
	/* every line that says the link failed counts, the JTAG-DP's overrun too (0.9
	 * adi_v5_jtag.c, jtagdp_transaction_endcheck), and a halt that times out after it
	 * (target.c, target_wait_state) is its cascade as well */
	assert_top("Error: JTAG-DP OVERRUN - check clock, memaccess, or reduce jtag speed\n"
	           "Error: timed out while waiting for target halted\n",
	           DIAG_SWD_COMM_ERRORS, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "Error: JTAG-DP OVERRUN - check clock, memaccess, or reduce "
	         "jtag speed\n%s", diff);
	assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_HIGH);
}

/* "Cannot identify target as a STM32 family." (stm32f1x.c and stm32f2x.c, stm32x_probe) is
 * what a driver says of a dev id it does not know: a part this OpenOCD lacks, or a config for
 * another family. Its "device id = 0x%08x" (Info, just before) tells them apart; a paste
 * without it reads medium with the config reading listed, never high. */
static void test_identify_without_dev_id_is_not_high(void **state)
{
	(void)state;
	static const char warn[] = "Warn : Cannot identify target as a STM32 family.\n";
	assert_top(warn, DIAG_UNSUPPORTED_DEVICE, DIAG_CONF_MEDIUM);
	assert_true(top_lists(warn, DIAG_WRONG_TARGET_CONFIG));
	/* a dev id no STM32 driver knows: the part is not supported, high */
	assert_top("Info : device id = 0x10006999\n" "Warn : Cannot identify target as a STM32 "
	           "family.\n", DIAG_UNSUPPORTED_DEVICE, DIAG_CONF_HIGH);
	/* an F1 dev id read by stm32f2x (target/stm32f4x.cfg): the config, high */
	assert_top("Info : device id = 0x20036410\n" "Warn : Cannot identify target as a STM32 "
	           "family.\n", DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
}

/* `program FILE preverify verify` (src/flash/startup.tcl): "**pre-verifying**", verify_image's
 * "checksum mismatch - attempting binary compare" (target.c), then "** Programming Started
 * **": the mismatch is why it writes. A paste cut before "** Verified OK **" is no verify
 * finding; a mismatch nothing written follows stays a medium one. */
static void test_preverify_mismatch_is_no_finding(void **state)
{
	(void)state;
	static const char pre[] = "**pre-verifying**\n"
	                          "Error: checksum mismatch - attempting binary compare\n";
	char log[512];
	snprintf(log, sizeof(log), "%s** Programming Started **\n** Programming Finished **\n"
	         "** Verify Started **\n", pre);
	assert_int_not_equal(top_of(log, NULL), DIAG_VERIFY_MISMATCH);
	assert_top(pre, DIAG_VERIFY_MISMATCH, DIAG_CONF_MEDIUM);
}

/* The shell's "%s: command not found" (bash, execute_cmd.c) names what was typed: in Git
 * Bash or MSYS2 on Windows that may be "openocd.exe" or "dfu-util.exe"; the tool is as
 * missing as without the suffix. */
static void test_shell_not_found_with_exe_suffix(void **state)
{
	(void)state;
	assert_top("bash: openocd.exe: command not found\n", DIAG_OPENOCD_MISSING, DIAG_CONF_HIGH);
	assert_top("bash: dfu-util.exe: command not found\n", DIAG_DFU_UTIL_MISSING,
	           DIAG_CONF_HIGH);
	assert_top("sh: 1: openocd: not found\n", DIAG_OPENOCD_MISSING, DIAG_CONF_HIGH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_that_answers_refutes_driver_missing),
		cmocka_unit_test(test_listed_not_opened_is_never_no_device),
		cmocka_unit_test(test_verify_after_refused_write_is_a_cascade),
		cmocka_unit_test(test_link_failure_first_wins_over_its_cascade),
		cmocka_unit_test(test_identify_without_dev_id_is_not_high),
		cmocka_unit_test(test_preverify_mismatch_is_no_finding),
		cmocka_unit_test(test_shell_not_found_with_exe_suffix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
