/* Unit tests for the rows that read what the fit cases of the fifth collection round taught:
 * particle-cli's (and install scripts') "dfu-util is not installed". Every line is built
 * from the format strings of particle-cli 1.29.0, never copied from a corpus log. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dfu_util_not_installed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
