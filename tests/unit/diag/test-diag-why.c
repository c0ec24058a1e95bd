/* Unit tests for why a finding is read: the line shown first is the evidence the deciding
 * rule read (not the earliest context line or a cascade another rule showed), a class read
 * from a hint rather than from evidence specific to it is never high, and a failure no rule
 * explains is shown by the line its tool raised. Every line is built from the format
 * strings in OpenOCD's and dfu-util's sources (file and function named at each), never
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

/* The top finding's id and its first evidence line of LOG, read as a paste. */
static enum diag_id first_line_of(const char *log, char *line, size_t n)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_true(r->n >= 1);
	enum diag_id id = r->findings[0].id;
	snprintf(line, n, "%s", r->findings[0].n_evidence ? r->findings[0].evidence[0] : "");
	diag_report_free(r);
	return id;
}

static void expect_first(const char *log, enum diag_id want, const char *want_line)
{
	char line[512];
	enum diag_id got = first_line_of(log, line, sizeof(line));
	if (got != want || strcmp(line, want_line) != 0)
		fail_msg("'%s': want %s decided by '%s', got %s decided by '%s'", log,
		         diag_id_name(want), want_line, diag_id_name(got), line);
}

/* A line that comes before the evidence in the log (the target's name, the examination
 * warning that cascades from the link, the checksum that only announces the binary
 * compare) is context: the line the rule read is shown first. */
static void test_deciding_line_is_the_rules_own(void **state)
{
	(void)state;
	char log[1024], want[256];

	/* target.c, target_examine_one: "target %s examination failed" (0.11+), then
	 * hla_target.c, adapter_poll: the link's own failure */
	snprintf(want, sizeof(want), "Error: %s",
	         "jtag status contains invalid mode value - communication failure");
	snprintf(log, sizeof(log), "Warn : target %s examination failed\n%s\n"
	         "Polling target %s failed, trying to reexamine\n",
	         "stm32f4x.cpu", want, "stm32f4x.cpu");
	expect_first(log, DIAG_SWD_COMM_ERRORS, want);

	/* target.c, handle_verify_image_command_internal: the checksum line announces the
	 * byte compare, whose "diff %d address 0x%08x. Was 0x%02x instead of 0x%02x" is the
	 * verdict */
	snprintf(want, sizeof(want), "diff %d address 0x%08x. Was 0x%02x instead of 0x%02x",
	         0, 0x08000400u, 0xffu, 0x12u);
	snprintf(log, sizeof(log), "Error: checksum mismatch - attempting binary compare\n%s\n"
	         "No more differences found.\n", want);
	expect_first(log, DIAG_VERIFY_MISMATCH, want);

	/* cortex_m.c, cortex_m_examine: "%s r%dp%d processor detected" comes before
	 * stm32f1x.c, stm32x_probe: "device id = 0x%08x": the check reads the dev id (an
	 * F103C8 is 0x410 with 64 KiB; this one answers 0x414 with the clone's DP IDCODE) */
	snprintf(want, sizeof(want), "Info : device id = 0x%08x", 0x10010414u);
	snprintf(log, sizeof(log), "Info : SWD DPIDR 0x%08x\n"
	         "Info : %s.cpu: %s r%dp%d processor detected\n%s\nInfo : flash size = %ukbytes\n",
	         0x2ba01477u, "STM32F103C8Tx", "Cortex-M3", 2, 0, want, 256u);
	expect_first(log, DIAG_COUNTERFEIT_MCU, want);

	/* cortex_m.c: "%s: hardware has %d breakpoints, %d watchpoints" names the part; the
	 * halt timeout (target.c, target_wait_state) is what failed */
	snprintf(want, sizeof(want), "Error: timed out while waiting for target %s", "halted");
	snprintf(log, sizeof(log), "Info : %s: hardware has %d breakpoints, %d watchpoints\n%s\n",
	         "stm32l4x.cpu", 6, 4, want);
	expect_first(log, DIAG_TARGET_LOW_POWER, want);
}

/* The catalogue files the halt timeout under core-halt-timeout and target-low-power alike:
 * a low-power family is a hint, so it reads medium with the halt reading below; a core the
 * log shows running when the halt timed out settles it. */
static void test_low_power_family_is_a_hint(void **state)
{
	(void)state;
	static const char *const parts[] = { "stm32l0", "stm32l1", "stm32l4x", "stm32l5x",
		                             "stm32u5x", "stm32wlx" };
	char log[512];
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(log, sizeof(log), "Info : %s.cpu: hardware has %d breakpoints, %d "
		         "watchpoints\nError: timed out while waiting for target %s\n",
		         parts[i], 4, 2, "halted");
		assert_top(log, DIAG_TARGET_LOW_POWER, DIAG_CONF_MEDIUM);
		assert_int_equal(listed_conf(log, DIAG_CORE_HALT_TIMEOUT), DIAG_CONF_LOW);
	}
	/* target.c, handle_target: "%s: target state: %s" (running) before the timeout */
	snprintf(log, sizeof(log), "Info : %s: target state: %s\n"
	         "Error: timed out while waiting for target %s\n", "stm32l0.cpu", "running",
	         "halted");
	assert_top(log, DIAG_TARGET_LOW_POWER, DIAG_CONF_HIGH);
	/* the same lines on a part that does not sleep by design: the halt reading leads */
	snprintf(log, sizeof(log), "Info : %s.cpu: hardware has %d breakpoints, %d watchpoints\n"
	         "Error: timed out while waiting for target %s\n", "stm32f4x", 6, 4, "halted");
	assert_top(log, DIAG_CORE_HALT_TIMEOUT, DIAG_CONF_MEDIUM);
}

/* stlink_usb.c, stlink_usb_open: "read version failed" is filed under probe-not-found and
 * probe-driver-missing in every release; under a banner before 0.8 the old release is the
 * likelier cause, not the only one. */
static void test_read_version_under_old_banner_is_medium(void **state)
{
	(void)state;
	static const char *const versions[] = { "0.5.0", "0.6.1", "0.7.0" };
	char log[256];
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		snprintf(log, sizeof(log), "Open On-Chip Debugger %s (2013-05-05-10:44)\n"
		         "Error: read version failed\n", versions[i]);
		assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
		assert_true(listed_conf(log, DIAG_PROBE_NOT_FOUND) > 0);
	}
}

/* dfu-util raises its refusals through errx()/warnx(), "dfu-util: " first: when no rule
 * explains one, the finding is "unknown" shown by that line, even when its words name no
 * error (dfu_util.c / main.c, the device count check). */
static void test_unexplained_dfu_util_line_is_shown(void **state)
{
	(void)state;
	char want[256], log[512], line[512];
	snprintf(want, sizeof(want), "dfu-util: %s", "More than one DFU capable USB device found! "
	         "Try `--list' and specify the serial number or disconnect all but one device");
	snprintf(log, sizeof(log), "Match vendor ID from file: %04x\n"
	         "Match product ID from file: %04x\n%s\n", 0x1209u, 0x5af0u, want);
	assert_int_equal(first_line_of(log, line, sizeof(line)), DIAG_UNKNOWN);
	assert_string_equal(line, want);
	/* a line that names an error still comes first */
	snprintf(log, sizeof(log), "%s\ndfu-util: Error during download get_status\n", want);
	assert_int_not_equal(first_line_of(log, line, sizeof(line)), DIAG_DFU_SUFFIX_WARNING);
	assert_string_not_equal(line, want);
}

/* A log that stops without a failure in words (OpenOCD hanging after the adapter set its
 * clock, a transport refusal pasted without its level) is "unknown" shown by its last
 * line, never by nothing. */
static void test_silent_stop_shows_last_line(void **state)
{
	(void)state;
	char want[128], log[512], line[512];
	/* src/jtag/core.c, adapter_config_khz: "clock speed %d kHz" */
	snprintf(want, sizeof(want), "Info : clock speed %d kHz", 1001);
	snprintf(log, sizeof(log), "Info : %s\n%s\n\n", "BCM2835 GPIO JTAG/SWD bitbang driver",
	         want);
	assert_int_equal(first_line_of(log, line, sizeof(line)), DIAG_UNKNOWN);
	assert_string_equal(line, want);
	/* src/transport/transport.c, transport_select: "Debug adapter doesn't support '%s'
	 * transport", its "Error: " lost in the paste */
	snprintf(want, sizeof(want), "Debug adapter doesn't support '%s' transport", "jtag");
	snprintf(log, sizeof(log), "%s\n", want);
	assert_int_equal(first_line_of(log, line, sizeof(line)), DIAG_UNKNOWN);
	assert_string_equal(line, want);
}

/* ADI's fork (ice1000.c): the ICE-1000/2000 driver's lines read as the family they are,
 * not only the one wording a log showed: "%s emulator not found" (its USB open found no
 * device) is a missing probe; "%s cannot find a good delay" (no IR capture came back valid at
 * any sampling delay) is a chain nothing answers on. */
static void test_adi_ice_driver_family(void **state)
{
	(void)state;
	static const char *const cables[] = { "ICE-1000", "ICE-2000" };
	char log[256];
	for (size_t i = 0; i < sizeof(cables) / sizeof(cables[0]); i++) {
		snprintf(log, sizeof(log), "Error: %s emulator not found\n"
		         "Error: cannot connect to %s emulator\n", cables[i], cables[i]);
		assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), "Info : %s firmware version is %d.%d.%d\n"
		         "Error: %s cannot find a good delay\n", cables[i], 1, 0, 3, cables[i]);
		assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	}
}

/* A low voltage reading that the target refutes by answering after it (its IDCODE, core or
 * dev id read, its core halted) is the probe's voltage sense, not the target's supply: the
 * failure after it decides. A target that answered before a later low reading does not
 * refute it. Lines from stlink_usb.c (stlink_usb_check_voltage: "Target voltage: %f",
 * "target voltage may be too low for reliable debugging"), jlink.c ("VTarget = %u.%03u V"),
 * adi_v5_swd.c ("SWD DPIDR 0x%08" PRIx32), cortex_m.c ("%s r%dp%d processor detected") and
 * stm32f1x.c ("device id = 0x%08x", "stm32x device protected"). */
static void test_low_reading_refuted_by_an_answer(void **state)
{
	(void)state;
	char log[1024];
	snprintf(log, sizeof(log), "Info : Target voltage: %f\n"
	         "Error: target voltage may be too low for reliable debugging\n"
	         "Info : %s: hardware has %d breakpoints, %d watchpoints\n"
	         "Info : device id = 0x%08x\nError: stm32x device protected\n"
	         "Error: failed erasing sectors %d to %d\n", 0.012345, "stm32f1x.cpu", 6, 4,
	         0x20036410u, 0, 63);
	assert_int_equal(listed_conf(log, DIAG_TARGET_UNPOWERED), -1);
	assert_int_not_equal(top_of(log, NULL), DIAG_TARGET_UNPOWERED);

	snprintf(log, sizeof(log), "Info : VTarget = %u.%03u V\nInfo : SWD DPIDR 0x%08x\n"
	         "Info : %s: %s r%dp%d processor detected\n"
	         "Error: timed out while waiting for target %s\n", 0u, 0u, 0x2ba01477u,
	         "stm32f4x.cpu", "Cortex-M4", 0, 1, "halted");
	assert_int_equal(listed_conf(log, DIAG_TARGET_UNPOWERED), -1);
	assert_int_equal(top_of(log, NULL), DIAG_CORE_HALT_TIMEOUT);

	/* an answer before the low reading (an earlier run in the same paste) refutes nothing */
	snprintf(log, sizeof(log), "Info : %s: hardware has %d breakpoints, %d watchpoints\n"
	         "Info : Target voltage: %f\n"
	         "Error: init mode failed (unable to connect to the target)\n",
	         "stm32f1x.cpu", 6, 4, 0.0);
	assert_top(log, DIAG_TARGET_UNPOWERED, DIAG_CONF_HIGH);
	/* an all-ones IDCODE is nothing answering */
	snprintf(log, sizeof(log), "Info : VTarget = %u.%03u V\nInfo : SWD DPIDR 0x%08x\n"
	         "Error: Could not initialize the debug port\n", 0u, 12u, 0xffffffffu);
	assert_top(log, DIAG_TARGET_UNPOWERED, DIAG_CONF_HIGH);
}

/* A failed connect the target refutes by answering after it (adi_v5_swd.c retrying after
 * "Error connecting DP: cannot read IDR" and then printing "SWD DPIDR 0x%08" PRIx32) was a
 * first attempt: no finding, the failure after it decides (here nothing explains it:
 * 'unknown' with its line); without an answer after it, it is the finding. */
static void test_failed_connect_refuted_by_an_answer(void **state)
{
	(void)state;
	char log[1024];
	snprintf(log, sizeof(log), "Error: Error connecting DP: cannot read IDR\n"
	         "Info : SWD DPIDR 0x%08x\nInfo : %s: %s r%dp%d processor detected\n"
	         "Error: error writing to flash at address 0x%08x at offset 0x%08x\n",
	         0x2ba01477u, "stm32f4x.cpu", "Cortex-M4", 0, 1, 0x08000000u, 0u);
	assert_int_equal(listed_conf(log, DIAG_SWD_UNREACHABLE), -1);
	assert_int_equal(top_of(log, NULL), DIAG_UNKNOWN);

	snprintf(log, sizeof(log), "Info : SWD DPIDR 0x%08x\n"
	         "Error: Error connecting DP: cannot read IDR\n", 0x2ba01477u);
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	/* jtag/core.c, jtag_examine_chain: an all-ones answer is nothing answering */
	snprintf(log, sizeof(log), "Error: JTAG scan chain interrogation failed: all %s\n"
	         "Info : JTAG tap: %s tap/device found: 0x%08x\n", "ones", "esp32.cpu0",
	         0xffffffffu);
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	/* adi_v5_swd.c, swd_connect_multidrop: "Failed to connect multidrop %s", and the same
	 * failure as users retell it, after an earlier multi-drop connect's answer ("SWD DPIDR
	 * 0x%08x, DLPIDR 0x%08x") */
	static const char *const multidrop[] = { "Failed to", "Could not" };
	for (size_t i = 0; i < sizeof(multidrop) / sizeof(multidrop[0]); i++) {
		snprintf(log, sizeof(log), "Info : SWD DPIDR 0x%08x, DLPIDR 0x%08x\n"
		         "Error: %s connect multidrop %s\n", 0x0bc12477u, 0x1u, multidrop[i],
		         "rp2040.dap0");
		assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	}
}

/* A probe that reads no target voltage, then any connect failure swd-unreachable-log reads
 * (stlink_usb.c "Target voltage: %f" then hla's "init mode failed (unable to connect to the
 * target)"; jlink.c "VTarget = %u.%03u V" then adi_v5_swd.c "Error connecting DP: cannot read
 * IDR" or "Failed to connect multidrop %s"): the missing supply is the cause, high. */
static void test_unpowered_before_every_connect_failure(void **state)
{
	(void)state;
	static const char *const failures[] = {
		"Info : Target voltage: 0.004738\nError: init mode failed (unable to connect to the "
		"target)\n",
		"Info : VTarget = 0.000 V\nError: Error connecting DP: cannot read IDR\n",
		"Info : VTarget = 0.000 V\nError: Failed to connect multidrop rp2040.dap0\n",
	};
	for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++)
		assert_top(failures[i], DIAG_TARGET_UNPOWERED, DIAG_CONF_HIGH);
}

/* 'Cannot identify target as a STM32 family.' comes from stm32f1x and stm32f2x alone
 * (src/flash/nor/stm32f1x.c and stm32f2x.c, stm32x_probe, after LOG_INFO("device id =
 * 0x%08" PRIx32, ...)): a dev id the one driver knows was read by the other, one neither
 * knows by a driver that is not the chip's; unless the release that ran lacks the right
 * driver. Read without a config name in the log. */
static void test_unidentified_dev_names_the_other_driver(void **state)
{
	(void)state;
	char log[512];
	static const char fmt[] = "%sInfo : device id = 0x%08x\n"
	                          "Warn : Cannot identify target as a STM32 family.\n"
	                          "Error: auto_probe failed\n";
	static const char b12[] = "Open On-Chip Debugger 0.12.0\n";
	static const char b10[] = "Open On-Chip Debugger 0.10.0\n";
	static const char b9[] = "Open On-Chip Debugger 0.9.0 (2015-05-19-13:50)\n";

	/* an STM32F405/407 (0x413, stm32f2x's since 0.9): stm32f1x read it */
	snprintf(log, sizeof(log), fmt, b12, 0x10076413u);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_HIGH);
	/* an STM32F103 (0x410, stm32f1x's): stm32f2x read it */
	snprintf(log, sizeof(log), fmt, b9, 0x20036410u);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_HIGH);
	/* an STM32G4 (0x468, target/stm32g4x.cfg since 0.11) under 0.12: not its driver */
	snprintf(log, sizeof(log), fmt, b12, 0x10036468u);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_HIGH);
	/* ... under 0.10, which had no driver for it: not a wrong config */
	snprintf(log, sizeof(log), fmt, b10, 0x10036468u);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), -1);
	/* ... with no banner: either, so medium */
	snprintf(log, sizeof(log), fmt, "", 0x10036468u);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_MEDIUM);
	/* an STM32F413 (0x463, stm32f2x's since 0.11) under 0.10: not a wrong config */
	snprintf(log, sizeof(log), fmt, b10, 0x10006463u);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), -1);
	/* a dev id no STM32 has: not this reading */
	snprintf(log, sizeof(log), fmt, b12, 0x10006999u);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deciding_line_is_the_rules_own),
		cmocka_unit_test(test_low_power_family_is_a_hint),
		cmocka_unit_test(test_read_version_under_old_banner_is_medium),
		cmocka_unit_test(test_unexplained_dfu_util_line_is_shown),
		cmocka_unit_test(test_silent_stop_shows_last_line),
		cmocka_unit_test(test_adi_ice_driver_family),
		cmocka_unit_test(test_low_reading_refuted_by_an_answer),
		cmocka_unit_test(test_failed_connect_refuted_by_an_answer),
		cmocka_unit_test(test_unpowered_before_every_connect_failure),
		cmocka_unit_test(test_unidentified_dev_names_the_other_driver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
