/* Unit tests for the rows that read what the fit cases of the fifth collection round taught:
 * particle-cli's (and install scripts') "dfu-util is not installed", the IDCODE scan check
 * of OpenOCD 0.1 and 0.2 in their own words, a Particle board's DFU bootloader refusing an
 * image built for the other MCU family, and a Nordic part locked under a config that never
 * asks. Every line is built from the format strings of particle-cli 1.29.0, OpenOCD 0.1.0,
 * 0.2.0, 0.10.0 and 0.12.0 and dfu-util 0.9-0.11, never copied from a corpus log. */
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

/* particle-cli 1.x: isDfuUtilInstalled (src/lib/dfu.js) runs 'dfu-util -l' and rejects with
 * 'dfu-util is not installed' when it cannot; flash prints it after 'Error writing
 * firmware...' (src/cmd/flash.js). Shell scripts that check with 'command -v' print the same
 * words with their own prefix. */
static void test_dfu_util_not_installed(void **state)
{
	(void)state;
	static const char *const forms[] = {
		"\nError writing firmware...%s\n\n",
		"Error: %s.\nInstall with: brew install dfu-util\n",
		"[ERROR] %s.\n",
	};
	static const char *const words[] = { "dfu-util is not installed", "dfu-util isn't installed" };
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		for (size_t w = 0; w < 2; w++) {
			char log[LOG_MAX];
			snprintf(log, sizeof(log), forms[f], words[w]);
			assert_top(log, DIAG_DFU_UTIL_MISSING, DIAG_CONF_HIGH);
		}
	/* the same words about another program, or a check that passed, are not it */
	assert_not_top("Error: openocd is not installed\n", DIAG_DFU_UTIL_MISSING);
	assert_not_top("dfu-util is installed\nNo DFU capable USB device available\n",
	               DIAG_DFU_UTIL_MISSING);
}

/* OpenOCD 0.1 (src/jtag/jtag.c, jtag_examine_chain) and 0.2 (src/jtag/core.c,
 * jtag_examine_chain_check) on an IDCODE scan of all ones or all zeros: nothing on the chain
 * answered, as 0.3+ says 'JTAG scan chain interrogation failed: all %s'. */
static void test_jtag_chain_failure_old_wordings(void **state)
{
	(void)state;
	static const char sep[] = { ',', ':' };
	static const char *const prefixes[] = { "Error: ", "Error: core.c:864 jtag_examine_chain(): ",
		                                "jtag_examine_chain(): " };
	for (size_t s = 0; s < sizeof(sep); s++)
		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
			char log[LOG_MAX];
			snprintf(log, sizeof(log), "%sJTAG communication failure%c check connection, "
			         "JTAG interface, target power etc.\n", prefixes[p], sep[s]);
			assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
		}
	/* a first scan that failed before the chain answered is not the failure */
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: JTAG communication failure: check connection, JTAG "
	         "interface, target power etc.\nInfo : JTAG tap: %s tap/device found: 0x%08x "
	         "(mfg: 0x%03x, part: 0x%04x, ver: 0x%x)\n", "lpc2103.cpu", 0x4f1f0f0fu, 0x787u,
	         0xf1f0u, 0x4u);
	assert_not_top(log, DIAG_SWD_UNREACHABLE);
	/* the FT2232 driver's status check is another message: a link that garbles bits */
	assert_not_top("Error: jtag status contains invalid mode value - communication failure\n",
	               DIAG_SWD_UNREACHABLE);
}

/* dfu-util's device lines (main.c: 0.9-0.10 'ID %04x:%04x', 0.11 'Device ID %04x:%04x'), its
 * DfuSe download line (dfuse.c: 0.9 'Downloading to address = 0x%08x, size = %i', 0.10+
 * 'Downloading element to ...') and its refusal ('Last page at 0x%08x is not writeable'). */
static void dfu_refusal(char *log, size_t n, int dev_form, unsigned pid, unsigned start,
                        unsigned size)
{
	snprintf(log, n, "Opening DFU capable USB device...\n%s %04x:%04x\nRun-time device DFU "
	         "version 011a\nClaiming USB DFU Interface...\nDfuSe interface name: \"Internal "
	         "Flash   \"\nDownloading %sto address = 0x%08x, size = %u\ndfu-util: Last page "
	         "at 0x%08x is not writeable\n", dev_form ? "Device ID" : "ID", 0x2b04u, pid,
	         dev_form ? "element " : "", start, size, start + size - 1);
}

/* A Particle board refuses a page that lies in the other MCU family's flash: the image was
 * built for another board (particle-cli's device table: STM32F205 boards and their user part
 * at 0x080a0000, nRF52840 boards and theirs at 0x000d4000). */
static void test_dfu_image_for_other_mcu(void **state)
{
	(void)state;
	static const unsigned gen3[] = { 0xd00c, 0xd00d, 0xd00e, 0xd016, 0xd017, 0xd018, 0xd019,
		                         0xd01a };
	static const unsigned stm32[] = { 0xd006, 0xd008, 0xd00a, 0xd058 };
	char log[LOG_MAX];
	for (int form = 0; form < 2; form++) {
		for (size_t i = 0; i < sizeof(gen3) / sizeof(gen3[0]); i++) {
			dfu_refusal(log, sizeof(log), form, gen3[i], 0x080a0000u, 9000);
			assert_top(log, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
		}
		for (size_t i = 0; i < sizeof(stm32) / sizeof(stm32[0]); i++) {
			dfu_refusal(log, sizeof(log), form, stm32[i], 0x000d4000u, 20480);
			assert_top(log, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
		}
	}
	/* an image for the right MCU that runs past the end of its flash, or a refused page of
	 * a Gen 3 board's external flash (alt 2), is another mistake */
	dfu_refusal(log, sizeof(log), 0, 0xd006, 0x080a0000u, 500000);
	assert_not_top(log, DIAG_WRONG_TARGET_CONFIG);
	dfu_refusal(log, sizeof(log), 1, 0xd00d, 0x80289000u, 4096);
	assert_not_top(log, DIAG_WRONG_TARGET_CONFIG);
	/* a device the table does not know says nothing about the image's MCU */
	snprintf(log, sizeof(log), "ID %04x:%04x\ndfu-util: Last page at 0x%08x is not writeable\n",
	         0x0483u, 0xdf11u, 0x000d5000u);
	assert_not_top(log, DIAG_WRONG_TARGET_CONFIG);
}

/* dfuse.c's refusals of an address ('Last page at 0x%08x is not writeable', 'Page at 0x%08x
 * is not writeable', 'Page at 0x%08x can not be erased', 'Page at 0x%08x is not readable')
 * after the suffix warning of a raw file: the request was refused, the warning is not the
 * story; so too when a cut paste keeps only the start of the refusal. */
static void test_dfu_refusal_after_suffix_warning(void **state)
{
	(void)state;
	static const char *const refusals[] = { "Last page at 0x%08x is not writeable",
		                                "Page at 0x%08x is not writeable",
		                                "Page at 0x%08x can not be erased",
		                                "Page at 0x%08x is not readable", "Last page at 0x" };
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		char refusal[128], log[LOG_MAX];
		snprintf(refusal, sizeof(refusal), refusals[i], 0x08100000u);
		snprintf(log, sizeof(log), "dfu-util: Invalid DFU suffix signature\ndfu-util: A "
		         "valid DFU suffix will be required in a future dfu-util release!!!\n"
		         "Opening DFU capable USB device...\nID %04x:%04x\nDownloading to address = "
		         "0x%08x, size = %u\ndfu-util: %s\n", 0x0483u, 0xdf11u, 0x08080000u,
		         600000u, refusal);
		assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
		assert_decided_by(log, "age at 0x");
	}
}

/* A Nordic part under a config that never asks its CTRL-AP about APPROTECT (nrf54l.cfg;
 * nrf52.cfg before 0.11): the DP answers ('SWD DPIDR %#8.8x', adi_v5_swd.c) and the core's
 * System Control Space is refused ('Failed to read memory at 0x%08x', arm_adi_v5.c; 'Could
 * not find MEM-AP to control the core', cortex_m.c; '[%s] AP write error, reset will not
 * halt', cortex_m_assert_reset). */
static void test_nrf_lock_unchecked(void **state)
{
	(void)state;
	static const unsigned scs[] = { 0xe000ed00u, 0xe000edf0u, 0xe000edfcu };
	char log[LOG_MAX];
	for (size_t i = 0; i < sizeof(scs) / sizeof(scs[0]); i++) {
		snprintf(log, sizeof(log), "Info : SWD DPIDR 0x%08x\nError: Failed to read memory at "
		         "0x%08x\nWarn : target %s examination failed\nInfo : [%s] AP write error, "
		         "reset will not halt\nError: [%s] DP initialisation failed\n", 0x6ba02477u,
		         scs[i], "nrf54l.cpu", "nrf54l.cpu", "nrf54l.cpu");
		assert_top(log, DIAG_VENDOR_PROTECTED, DIAG_CONF_HIGH);
		/* the DP initialisation that failed after it is its cascade, not a second cause */
		assert_true(listed_conf(log, DIAG_SWD_COMM_ERRORS) < (int)DIAG_CONF_HIGH);
	}
	static const char *const banners[] = { "0.9.0", "0.10.0", "0.11.0", "0.12.0" };
	for (size_t b = 0; b < sizeof(banners) / sizeof(banners[0]); b++) {
		snprintf(log, sizeof(log), "openocd -f interface/%s.cfg -f target/%s.cfg\nOpen "
		         "On-Chip Debugger %s\nInfo : SWD DPIDR 0x%08x\nError: Could not find MEM-AP "
		         "to control the core\n", "cmsis-dap", "nrf52", banners[b], 0x2ba01477u);
		if (b < 2)
			assert_top(log, DIAG_VENDOR_PROTECTED, DIAG_CONF_HIGH);
		else /* nrf52_check_ap_lock ran and printed nothing: not locked */
			assert_not_top(log, DIAG_VENDOR_PROTECTED);
	}
	/* a DP that failed too is the link; a core that answered is not locked; an STM32 with
	 * the same lines has no APPROTECT */
	static const char *const others[] = {
		"Info : SWD DPIDR 0x6ba02477\nError: Failed to read memory and, additionally, "
		"failed to find out where\nWarn : target nrf54l.cpu examination failed\n",
		"Info : SWD DPIDR 0x6ba02477\nError: Failed to read memory at 0xe000ed00\nDebug: "
		"SWD ack not OK @ 0 FAULT\nWarn : target nrf54l.cpu examination failed\n",
		"Info : SWD DPIDR 0x6ba02477\nError: Failed to read memory at 0xe000ed00\nInfo : "
		"[nrf54l.cpu] Cortex-M33 r1p0 processor detected\n",
		"Info : SWD DPIDR 0x6ba02477\nError: Failed to read memory at 0xe000ed00\nWarn : "
		"target stm32u5x.cpu examination failed\n",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_not_top(others[i], DIAG_VENDOR_PROTECTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dfu_util_not_installed),
		cmocka_unit_test(test_jtag_chain_failure_old_wordings),
		cmocka_unit_test(test_dfu_image_for_other_mcu),
		cmocka_unit_test(test_dfu_refusal_after_suffix_warning),
		cmocka_unit_test(test_nrf_lock_unchecked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
