/* Unit tests for the rows that read what the fit cases of the fifth collection round taught:
 * particle-cli's (and install scripts') "dfu-util is not installed", the IDCODE scan check
 * of OpenOCD 0.1 and 0.2 in their own words, and dfu-util's refusals of an address after
 * the suffix warning. Every line is built from the format strings of particle-cli 1.29.0,
 * OpenOCD 0.1.0, 0.2.0 and 0.12.0 and dfu-util 0.9-0.11, never copied from a corpus log. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dfu_util_not_installed),
		cmocka_unit_test(test_jtag_chain_failure_old_wordings),
		cmocka_unit_test(test_dfu_refusal_after_suffix_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
