/* Unit tests for the STM32 dev id read against OpenOCD's flash drivers per release
 * (src/diag/stm32ids.c): a genuine STM32 that a driver could not identify was refused by a
 * driver for another family (a wrong target config) or by the right driver of a release
 * older than the part (too old); only an id no STM32 has is an unsupported part.
 *
 * Logs are built from the drivers' format strings: 'device id = 0x%08x' and 'Cannot identify
 * target as a STM32 family.' (stm32f1x.c, stm32f2x.c), 'Cannot identify target as a STM32L4
 * family.' (stm32l4x.c 0.10), and Cortex-M's 'processor detected' line with the target name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/rules.h"
#include "diag-top.h"

#define BANNER(v) "Open On-Chip Debugger " v " (2019-05-02-10:00)\n"
#define F7_CPU "Info : [stm32f7x.cpu] Cortex-M7 r1p0 processor detected\n"
#define DEV(id) "Info : device id = 0x" id "\n"
#define F1F2_REFUSED "Warn : Cannot identify target as a STM32 family.\n" \
	"Error: auto_probe failed\n"

static void test_table(void **state)
{
	(void)state;
	int minor = -1;
	assert_string_equal(diag_stm32_family(0x413), "STM32F405/407");
	assert_string_equal(diag_stm32_family(0x10006413), "STM32F405/407");
	assert_null(diag_stm32_family(0x999));
	assert_string_equal(diag_stm32_driver(0x452, &minor), "stm32f2x");
	assert_int_equal(minor, 11);
	assert_string_equal(diag_stm32_driver(0x457, &minor), "stm32lx");
	assert_int_equal(minor, 10);
	assert_string_equal(diag_stm32_driver(0x484, &minor), "stm32h5x");
	assert_true(minor > 12);
	assert_null(diag_stm32_driver(0x999, &minor));
	assert_string_equal(diag_stm32_script("STM32WB5x"), "target/stm32wbx.cfg");
	assert_string_equal(diag_stm32_script("STM32G07x/08x"), "target/stm32g0x.cfg");
	assert_null(diag_stm32_script("STM32WBAx"));
}

/* The right driver (the target is an F7) of 0.10 did not know the F72x: 0.11 added it. */
static void test_right_driver_too_old(void **state)
{
	(void)state;
	char buf[256];
	const char *log = BANNER("0.10.0") F7_CPU DEV("10006452") F1F2_REFUSED;
	assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	assert_non_null(strstr(detail_of(log, DIAG_OPENOCD_TOO_OLD, buf, sizeof(buf)), "0.11"));
	/* the L4 driver's own words name it: the G07x came with 0.11 */
	assert_top(BANNER("0.10.0") DEV("10006460")
	           "Warn : Cannot identify target as a STM32L4 family.\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	/* 0.11's f2x driver knows the F72x: its refusal is not the version's */
	assert_true(listed_conf(BANNER("0.11.0") F7_CPU DEV("10006452") F1F2_REFUSED,
	                        DIAG_OPENOCD_TOO_OLD) < 0);
}

/* With no target name, stm32f1x's and stm32f2x's shared words leave open which refused a
 * 0x452 under 0.10: too old at medium, a wrong config below it. Under 0.12 the f2x driver
 * knows it, so stm32f1x refused it: a wrong config, high. */
static void test_shared_words(void **state)
{
	(void)state;
	const char *old = BANNER("0.10.0") DEV("10006452") F1F2_REFUSED;
	assert_top(old, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
	assert_top(BANNER("0.12.0") DEV("10006452") F1F2_REFUSED, DIAG_WRONG_TARGET_CONFIG,
	           DIAG_CONF_HIGH);
	/* an F1's id refused by those words: stm32f2x refused it, in every release */
	assert_top(BANNER("0.10.0") DEV("20036410") F1F2_REFUSED, DIAG_WRONG_TARGET_CONFIG,
	           DIAG_CONF_HIGH);
}

/* Families the table learnt with the drivers of 0.11-0.12 and ST's fork are genuine parts:
 * under another family's driver a wrong config naming the script, or a release too old. */
static void test_newer_families(void **state)
{
	(void)state;
	char buf[256];
	const char *wb = BANNER("0.12.0") DEV("20016495") F1F2_REFUSED;
	assert_top(wb, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
	assert_non_null(strstr(detail_of(wb, DIAG_WRONG_TARGET_CONFIG, buf, sizeof(buf)),
	                       "target/stm32wbx.cfg"));
	const char *h5 = BANNER("0.12.0") DEV("10016484") F1F2_REFUSED;
	assert_top(h5, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
	assert_non_null(strstr(detail_of(h5, DIAG_OPENOCD_TOO_OLD, buf, sizeof(buf)),
	                       "ST's fork"));
	/* an id no STM32 has stays an unsupported part */
	assert_top(BANNER("0.12.0") DEV("10006999") F1F2_REFUSED, DIAG_UNSUPPORTED_DEVICE,
	           DIAG_CONF_HIGH);
}

/* A dev id of all zeros or all ones is a read the link lost: never an unsupported part at
 * high. */
static void test_lost_read_is_no_part(void **state)
{
	(void)state;
	assert_int_equal(listed_conf(BANNER("0.12.0") DEV("00000000") F1F2_REFUSED,
	                             DIAG_UNSUPPORTED_DEVICE), DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(BANNER("0.12.0") DEV("ffffffff") F1F2_REFUSED,
	                             DIAG_UNSUPPORTED_DEVICE), DIAG_CONF_MEDIUM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_right_driver_too_old),
		cmocka_unit_test(test_shared_words),
		cmocka_unit_test(test_newer_families),
		cmocka_unit_test(test_lost_read_is_no_part),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
