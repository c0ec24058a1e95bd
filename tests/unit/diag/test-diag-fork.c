/* Unit tests for the rows that read vendor forks of OpenOCD and its releases before 0.9
 * (src/diag/rules_fork.inc, fork.c), for the readings a catalogue row cannot show alone: a
 * fork's line whose cause another line decides (the host, a later answer from the target,
 * the probe's voltage), a stock OpenOCD meeting a config written for a fork, a target type
 * read against the release that ran, and the forks' protection words never read as STM32
 * readout protection. Every line is built from the format strings of the forks' sources
 * (Raspberry Pi's picoprobe.c, WCH's wlinke.c/wchriscv.c/wcharm.c, Artery's at32f4xx.c,
 * Nuclei's gd32vf103.c, riscv-013.c) and of OpenOCD 0.5-0.12, never copied from a corpus
 * log. */
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

/* The detail of LOG's top finding contains WORDS. */
static void assert_detail_names(const char *log, const char *words)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	const char *detail = r->findings[0].detail;
	if (!detail || !strstr(detail, words))
		fail_msg("'%s': want the detail to name '%s', got '%s'", log, words,
		         detail ? detail : "(none)");
	diag_report_free(r);
}

/* A stock OpenOCD refusing a piece only a fork has: its adapter driver ('The specified debug
 * interface was not found (%s)', adapter.c), flash driver ("flash driver '%s' not found",
 * tcl.c) or target type ('Unknown target type %s, try one of ', target.c; 0.11+ behind the
 * script's 'file:line: Error: '). The fork is named; a name no fork or release has stays
 * medium. */
static void test_fork_piece_named(void **state)
{
	(void)state;
	static const struct {
		const char *name, *fork;
	} adapters[] = { { "picoprobe", "Raspberry Pi's" }, { "wlinke", "WCH's" },
		         { "wlink", "WCH's" }, { "jtag_esp_remote", "Espressif's" },
		         { "kitprog3", "Infineon's" } },
	  flash[] = { { "wch_riscv", "WCH's" }, { "wch_arm", "WCH's" }, { "esp32", "Espressif's" },
		      { "esp32s3", "Espressif's" }, { "esp32c6", "Espressif's" },
		      { "at32f4xx", "Artery's" }, { "at32f403axx", "Artery's" },
		      { "gd32vf103", "Nuclei's" } },
	  targets[] = { { "wch_riscv", "WCH's" }, { "esp32c3", "Espressif's" },
			{ "esp32h2", "Espressif's" }, { "esp32p4", "Espressif's" } };
	char log[LOG_MAX];
	for (size_t i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		snprintf(log, sizeof(log), "Open On-Chip Debugger 0.12.0 (2023-01-14-23:37)\n"
		         "Error: The specified debug interface was not found (%s)\n"
		         "The following debug adapters are available:\n1: ftdi\n2: cmsis-dap\n",
		         adapters[i].name);
		assert_top(log, DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
		assert_detail_names(log, adapters[i].fork);
	}
	for (size_t i = 0; i < sizeof(flash) / sizeof(flash[0]); i++) {
		snprintf(log, sizeof(log), "Error: flash driver '%s' not found\n", flash[i].name);
		assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
		assert_detail_names(log, flash[i].fork);
	}
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		snprintf(log, sizeof(log), "Unknown target type %s, try one of arm7tdmi, arm9tdmi\n"
		         "in procedure 'script'\n", targets[i].name);
		assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), "Open On-Chip Debugger 0.12.0\ntarget/x.cfg:42: Error: "
		         "Unknown target type %s, try one of arm7tdmi, arm9tdmi\n", targets[i].name);
		assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
		assert_detail_names(log, targets[i].fork);
	}
	/* upstream's own KitProg driver is no fork's: a build without it */
	assert_int_not_equal(listed_conf("Error: The specified debug interface was not found "
	                                 "(kitprog)\n", DIAG_OPENOCD_TOO_OLD), DIAG_CONF_HIGH);
	/* neither a fork's nor a release's: the generic readings, never high */
	assert_top("Error: The specified debug interface was not found (usbjtag3)\n",
	           DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_MEDIUM);
	assert_top("Error: flash driver 'stm32f1' not found\n", DIAG_OPENOCD_TOO_OLD,
	           DIAG_CONF_MEDIUM);
	assert_top("Unknown target type stm32f1, try one of arm7tdmi\n", DIAG_OPENOCD_TOO_OLD,
	           DIAG_CONF_MEDIUM);
	assert_true(top_lists("Unknown target type stm32f1, try one of arm7tdmi\n",
	                      DIAG_WRONG_TARGET_CONFIG));
}

/* A target type against the release that brought it upstream (riscv 0.11, esp32 0.12): the
 * banner of an older release makes it high, the banner of one that has it low. */
static void test_target_type_against_release(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int added;
	} types[] = { { "riscv", 11 }, { "aarch64", 11 }, { "esp32", 12 }, { "esp32s3", 12 } };
	char log[LOG_MAX];
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (int minor = 9; minor <= 12; minor++) {
			snprintf(log, sizeof(log), "Open On-Chip Debugger 0.%d.0 (2020-12-01-10:00)\n"
			         "Unknown target type %s, try one of arm7tdmi, arm9tdmi\n", minor,
			         types[i].name);
			if (minor < types[i].added)
				assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
			else
				assert_int_not_equal(listed_conf(log, DIAG_OPENOCD_TOO_OLD),
				                     DIAG_CONF_HIGH);
		}
		snprintf(log, sizeof(log), "Unknown target type %s, try one of arm7tdmi\n",
		         types[i].name);
		assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
	}
	/* in 0.9 already: the build has it, the config likelier misspells another */
	assert_int_not_equal(listed_conf("Unknown target type cortex_m, try one of arm7tdmi\n",
	                                 DIAG_OPENOCD_TOO_OLD), DIAG_CONF_HIGH);
}

/* riscv-013.c's DTM read as all zeros or all ones (riscv-collab's riscv.c now: 'Could not read
 * dtmcontrol'): nothing answered, unless the hart was read after it (the examine that failed
 * was a first try before a reset). */
static void test_dtm_unread_refuted_by_answer(void **state)
{
	(void)state;
	static const char *const unread[] = {
		"Error: dtmcontrol is 0. Check JTAG connectivity/board power.\n",
		"Error: Unsupported DTM version 15. (dtmcontrol=0xffffffff)\n",
		/* riscv-collab's 2024 wording (riscv.c, riscv_examine) */
		"Error: [riscv.cpu] Could not read dtmcontrol. Check JTAG connectivity/board power.\n",
	};
	static const char *const answers[] = {
		"Info : Examined RISC-V core; found 1 harts\n",
		"Info :  hart 0: XLEN=32, misa=0x40101105\n",
		"Info : [esp32c3] Examined RISC-V core; found 2 harts\n",
	};
	char log[LOG_MAX];
	for (size_t u = 0; u < sizeof(unread) / sizeof(unread[0]); u++) {
		assert_top(unread[u], DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
		for (size_t a = 0; a < 3; a++) {
			snprintf(log, sizeof(log), "%sInfo : starting retry\n%s", unread[u], answers[a]);
			assert_not_top(log, DIAG_SWD_UNREACHABLE);
			/* answered, then lost again: the last read decides */
			snprintf(log, sizeof(log), "%s%s%s", unread[u], answers[a], unread[u]);
			assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
		}
	}
	/* a DTM version no spec defines, not all ones: a garbled scan, not this reading */
	assert_not_top("Error: Unsupported DTM version 7. (dtmcontrol=0x7)\n", DIAG_SWD_UNREACHABLE);
}

/* xtensa_examine's 'Unexpected OCD_ID = %08x' in Espressif's later tags: a warning behind the
 * target's name, read as upstream 0.12's error is (rules_drv.inc: a debug module powered down
 * first, nothing on the wires below it). */
static void test_xtensa_ocd_id_fork_words(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"Error: Unexpected OCD_ID = ffffffff\n",
		"Warn : [esp32.cpu0] Unexpected OCD_ID = 00000000\n",
		"Warn : [esp32s3.cpu1] Unexpected OCD_ID = FFFFFFFF\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_top(lines[i], DIAG_TARGET_LOW_POWER, DIAG_CONF_MEDIUM);
		assert_true(top_lists(lines[i], DIAG_SWD_UNREACHABLE));
	}
}

/* picoprobe.c gives up after jtag_libusb_open, which logs each device it found and could
 * not open: a picoprobe refused at open is there (Linux: permission; Windows: another
 * program's), never "not found". */
static void test_picoprobe_open_by_host(void **state)
{
	(void)state;
	static const char *const tail =
		"Error: Failed to open or find the device\n"
		"Error: Can't find a picoprobe device! Please check device connections and "
		"permissions.\nError: No Valid JTAG Interface Configured.\n";
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Open On-Chip Debugger 0.11.0-g8e3c38f (2021-06-04-12:00)\n%s",
	         tail);
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "Open On-Chip Debugger 0.11.0-g8e3c38f (2021-06-04-12:00)\n"
	         "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n%s", tail);
	assert_not_top(log, DIAG_PROBE_NOT_FOUND);
	assert_true(top_lists(log, DIAG_USB_PERMISSION));
	snprintf(log, sizeof(log), "xPack OpenOCD x86_64 Open On-Chip Debugger 0.11.0+dev\n"
	         "C:\\Users\\me\\openocd.exe -f interface/picoprobe.cfg\n"
	         "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n%s", tail);
	assert_top(log, DIAG_PROBE_BUSY, DIAG_CONF_HIGH);
}

/* OpenOCD 0.6-0.8: 'init mode failed' without 0.9's '(unable to connect to the target)', and
 * hla's IDCODE check before 'expected 1 of 1' (hla_interface.c; 0.6 stlink_interface.c). */
static void test_old_release_lines(void **state)
{
	(void)state;
	static const char *const head = "Open On-Chip Debugger 0.8.0 (2014-04-28-08:42)\n"
	                                "Info : STLINK v2 JTAG v17 API v2 SWIM v4 VID 0x0483 "
	                                "PID 0x3748\n";
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "%sInfo : Target voltage: 0.011834\nError: init mode failed\n",
	         head);
	assert_top(log, DIAG_TARGET_UNPOWERED, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "%sInfo : Target voltage: 3.241570\nError: init mode failed\n",
	         head);
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	/* a first try before a reset: the target answered after it */
	snprintf(log, sizeof(log), "%sInfo : Target voltage: 3.241570\nError: init mode failed\n"
	         "Info : stm32f1x.cpu: hardware has 6 breakpoints, 4 watchpoints\n", head);
	assert_not_top(log, DIAG_SWD_UNREACHABLE);

	static const char *const fmts[] = {
		"Error: hl_interface_init_target: target not found: idcode: 0x%08x\n",
		"Error: stlink_interface_init_target: target not found: idcode: 0x%08x\n",
	};
	for (size_t f = 0; f < 2; f++) {
		snprintf(log, sizeof(log), fmts[f], 0x2ba01477u);
		assert_top(log, DIAG_CLONE_IDCODE, DIAG_CONF_MEDIUM);
		assert_true(top_lists(log, DIAG_WRONG_TARGET_CONFIG));
		snprintf(log, sizeof(log), fmts[f], 0x0bb11477u);
		assert_top(log, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
		/* all zeros or all ones: nothing gave an IDCODE, not a wrong chip */
		snprintf(log, sizeof(log), fmts[f], 0u);
		assert_int_not_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), fmts[f], 0xffffffffu);
		assert_int_not_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_HIGH);
	}
}

/* The protection words of WCH's, Artery's and GigaDevice's drivers are the vendor's own:
 * never STM32 readout protection, whose advice is swdbackup's unlock. */
static void test_fork_protection_never_rdp(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"Error: Read-Protect Status Currently Enabled\n",
		"Error: ch32x device protected\n",
		"Error: gd32vf103 device protected\nError: failed erasing sectors 0 to 3\n",
		"Warn : * maybe the target mcu access protection is activated, please try disable "
		"access protection.*\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		assert_false(top_lists(logs[i], DIAG_READOUT_PROTECTED));
		assert_true(top_lists(logs[i], DIAG_VENDOR_PROTECTED));
	}
	assert_top(logs[0], DIAG_VENDOR_PROTECTED, DIAG_CONF_HIGH);
	/* the stm32f1x.c words these drivers keep, on a log that names the part (at32f4xx.c's
	 * 'This is target %s algorithm', a config's chip name) */
	static const char *const named[] = {
		"Info : This is target AT32F403AxG algorithm\nError: flash memory write protected\n",
		"Info : [gd32vf103.cpu] Examined RISC-V core\nError: flash memory write protected\n"
		"Error: failed erasing sectors 0 to 3\n",
		"Info : WCH-LinkE  mode:RV version 2.10\nInfo : ch32v307.cpu: hart 0: XLEN=32\n"
		"Error: failed erasing sectors 0 to 7\n",
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		assert_top(named[i], DIAG_VENDOR_PROTECTED, DIAG_CONF_MEDIUM);
		assert_true(top_lists(named[i], DIAG_WRITE_PROTECTED));
		assert_false(top_lists(named[i], DIAG_READOUT_PROTECTED));
	}
	/* the same words with no such part named: STM32 readings as before */
	assert_false(top_lists("Error: flash memory write protected\n", DIAG_VENDOR_PROTECTED));
}

/* JTAG's IR capture check of one TAP ('%s: IR capture error; saw 0x%0*x not 0x%0*x', core.c,
 * 0.5-0.12, the width (irlen + 7) / irlen digits): every bit zero or one, with no TAP that
 * gave its IDCODE, is a TAP nobody drives; another value a garbled link or a TAP the config
 * does not describe (rules_drv.inc's reading, which the value leaves alone). */
static void test_ir_capture_by_value(void **state)
{
	(void)state;
	static const struct {
		int irlen;
		unsigned seen;
	} dead[] = { { 5, 0x00 }, { 5, 0x1f }, { 4, 0x0f }, { 6, 0x3f }, { 8, 0xff } },
	  other[] = { { 5, 0x0e }, { 4, 0x09 }, { 5, 0x11 }, { 8, 0x1e } };
	char log[LOG_MAX];
	for (size_t i = 0; i < sizeof(dead) / sizeof(dead[0]); i++) {
		int w = (dead[i].irlen + 7) / dead[i].irlen;
		snprintf(log, sizeof(log), "Error: riscv.cpu: IR capture error; saw 0x%0*x not "
		         "0x%0*x\nWarn : Bypassing JTAG setup events due to errors\n", w,
		         dead[i].seen, w, 1u);
		assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		int w = (other[i].irlen + 7) / other[i].irlen;
		snprintf(log, sizeof(log), "Error: esp32.cpu0: IR capture error; saw 0x%0*x not "
		         "0x%0*x\n", w, other[i].seen, w, 1u);
		assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
		assert_true(top_lists(log, DIAG_WRONG_TARGET_CONFIG));
		assert_false(top_lists(log, DIAG_SWD_UNREACHABLE));
	}
	/* a TAP gave its IDCODE, so TDO is driven: the capture was garbled, not absent */
	assert_not_top("Info : JTAG tap: riscv.cpu tap/device found: 0x1000563d (mfg: 0x31e "
	               "(Andes Technology Corporation), part: 0x0005, ver: 0x1)\n"
	               "Error: riscv.cpu: IR capture error; saw 0x1f not 0x01\n",
	               DIAG_SWD_UNREACHABLE);
	/* the chain scan's own line came first: the capture that follows agrees with it */
	assert_top("Error: JTAG scan chain interrogation failed: all ones\n"
	           "Error: Check JTAG interface, timings, target power, etc.\n"
	           "Error: Trying to use configured scan chain anyway...\n"
	           "Error: riscv.cpu: IR capture error; saw 0x1f not 0x01\n",
	           DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
}

/* A fork's banner gives its release as upstream's does: Espressif's "v0.11.0-esp32-...", the
 * xPack and GNU MCU Eclipse builds' prefixes; a line whose reading needs the release reads
 * alike under each. */
static void test_fork_banner_release(void **state)
{
	(void)state;
	static const char *const banners[] = {
		"Open On-Chip Debugger  v0.10.0-esp32-20210401 (2021-04-01-15:46)",
		"xPack OpenOCD, x86_64 Open On-Chip Debugger 0.10.0+dev-00378-ge5be992df "
		"(2020-06-26-12:31)",
		"GNU MCU Eclipse OpenOCD, 64-bitOpen On-Chip Debugger 0.10.0+dev-00593-g23ad80df4 "
		"(2019-04-22-20:25)",
	};
	char log[LOG_MAX];
	for (size_t i = 0; i < sizeof(banners) / sizeof(banners[0]); i++) {
		snprintf(log, sizeof(log), "%s\nUnknown target type riscv, try one of arm7tdmi\n",
		         banners[i]);
		assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
		assert_detail_names(log, "OpenOCD 0.10 predates");
	}
	snprintf(log, sizeof(log), "Open On-Chip Debugger  v0.12.0-esp32-20230419 "
	         "(2023-04-18-22:02)\nUnknown target type esp32s3, try one of arm7tdmi\n");
	assert_int_not_equal(listed_conf(log, DIAG_OPENOCD_TOO_OLD), DIAG_CONF_HIGH);
}

/* The catalogue holds rows of every fork and early release catalogue.py reads, so a fork
 * lost in a regeneration shows here. */
static void test_catalogue_has_forks(void **state)
{
	(void)state;
	static const char *const versions[] = { "openocd-0.5.0\t", "openocd-0.6.0\t",
		                                "openocd-0.7.0\t", "openocd-0.8.0\t",
		                                "openocd-rpi-", "openocd-riscv-", "openocd-nuclei-",
		                                "openocd-wch-", "openocd-artery-",
		                                "openocd-esp32-2026" };
	size_t seen[sizeof(versions) / sizeof(versions[0])] = { 0 };
	FILE *f = fopen(DIAG_CATALOGUE, "r");
	assert_non_null(f);
	char buf[1024];
	while (fgets(buf, sizeof(buf), f))
		for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++)
			seen[v] += strncmp(buf, versions[v], strlen(versions[v])) == 0;
	fclose(f);
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++)
		if (!seen[v])
			fail_msg("catalogue: no row for %s", versions[v]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_piece_named),
		cmocka_unit_test(test_target_type_against_release),
		cmocka_unit_test(test_dtm_unread_refuted_by_answer),
		cmocka_unit_test(test_xtensa_ocd_id_fork_words),
		cmocka_unit_test(test_picoprobe_open_by_host),
		cmocka_unit_test(test_old_release_lines),
		cmocka_unit_test(test_fork_protection_never_rdp),
		cmocka_unit_test(test_ir_capture_by_value),
		cmocka_unit_test(test_fork_banner_release),
		cmocka_unit_test(test_catalogue_has_forks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
