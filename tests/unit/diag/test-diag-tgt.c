/* Unit tests for the target, flash and server side of src/diag (rules_tgt.inc, tgt.c): the
 * readings a catalogue row alone cannot show. A line's class that a number in it decides (a
 * flash status register's WRPERR bit, the F1 option byte register's RDPRT bit, a request
 * against the bank's size), that a line before it decides (a DPIDR read through the same
 * multi-drop address, a connect that failed first), or that the release decides. Every log
 * is built from OpenOCD's format strings (the file and function named at each test), never
 * copied from a posted log. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag-top.h"

#define LOG_MAX 1024

/* stm32f2x.c and stm32l4x.c (stm32x_write_block / stm32l4_write_block): 'flash write failed
 * = %08x' (0x%08x from 0.11), WRPERR is bit 4; stm32h7x.c: 'flash write failed, FLASH_SR =
 * 0x%08x', WRPERR is bit 17. Only a set WRPERR bit is protection, and only in its own
 * driver's register. */
static void test_flash_status_read_by_bit(void **state)
{
	(void)state;
	char log[LOG_MAX];
	static const char *const f2_l4[] = { "Error: flash write failed = %08" PRIx32 "\n",
		                             "Error: flash write failed = 0x%08" PRIx32 "\n" };
	for (size_t k = 0; k < 2; k++) {
		snprintf(log, sizeof(log), f2_l4[k], UINT32_C(1) << 4);
		assert_top(log, DIAG_WRITE_PROTECTED, DIAG_CONF_MEDIUM);
		assert_int_equal(listed_conf(log, DIAG_READOUT_PROTECTED), DIAG_CONF_LOW);
		/* PGSERR|PGPERR (bits 7, 6): a programming sequence the driver got wrong, no
		 * protection of either kind */
		snprintf(log, sizeof(log), f2_l4[k], (UINT32_C(1) << 7) | (UINT32_C(1) << 6));
		assert_false(top_lists(log, DIAG_WRITE_PROTECTED));
		assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
	}
	snprintf(log, sizeof(log), "Error: flash write failed, FLASH_SR = 0x%08" PRIx32 "\n",
	         UINT32_C(1) << 17);
	assert_top(log, DIAG_WRITE_PROTECTED, DIAG_CONF_MEDIUM);
	char detail[256];
	detail_of(log, DIAG_WRITE_PROTECTED, detail, sizeof(detail));
	assert_non_null(strstr(detail, "0x00020000"));
	/* bit 4 of the H7's register is not its WRPERR */
	snprintf(log, sizeof(log), "Error: flash write failed, FLASH_SR = 0x%08" PRIx32 "\n",
	         UINT32_C(1) << 4);
	assert_false(top_lists(log, DIAG_WRITE_PROTECTED));
	/* bluenrg-x.c (bluenrgx_write_flash, 0.11+) prints the same words with its loader's r0
	 * or a read pointer in RAM, whose bit 4 is no status bit */
	snprintf(log, sizeof(log), "Error: error executing bluenrg-x flash write algorithm\n"
	         "Error: flash write failed = %08" PRIx32 "\n", UINT32_C(0x20000010));
	assert_false(top_lists(log, DIAG_WRITE_PROTECTED));
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
}

/* The same WRPERR with the option bytes in the log (stm32f1x.c/stm32f2x.c options_read, read
 * into the context): readout protection on makes it RDP, high; RDP off leaves WRP. */
static void test_flash_status_with_option_bytes(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "read protection: %s\nError: flash write failed = 0x%08" PRIx32
	         "\n", "on", UINT32_C(0x10));
	assert_top(log, DIAG_READOUT_PROTECTED, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "read protection: %s\nError: flash write failed = 0x%08" PRIx32
	         "\n", "off", UINT32_C(0x10));
	assert_top(log, DIAG_WRITE_PROTECTED, DIAG_CONF_MEDIUM);
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
}

/* stm32f1x.c, stm32x_handle_options_read_command: 'option byte register = 0x%x' (0.11+) and
 * 0.9-0.10's 'Option Byte: 0x%x' (the same handler), FLASH_OBR, bit 1 RDPRT. The number alone
 * decides, before or without the 'read protection:' line after it. */
static void test_f1_option_byte_register(void **state)
{
	(void)state;
	static const char *const fmts[] = { "option byte register = 0x%" PRIx32 "\n",
		                            "Option Byte: 0x%" PRIx32 "\n" };
	char log[LOG_MAX];
	for (size_t k = 0; k < 2; k++) {
		snprintf(log, sizeof(log), fmts[k], UINT32_C(0x03fffffe));
		assert_top(log, DIAG_READOUT_PROTECTED, DIAG_CONF_HIGH);
		/* bit 1 clear: no RDP, so a refused write is write protection, not RDP */
		snprintf(log, sizeof(log), fmts[k], UINT32_C(0x03fffffc));
		assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
		size_t n = strlen(log);
		snprintf(log + n, sizeof(log) - n, "Error: stm32x device protected\n");
		assert_top(log, DIAG_WRITE_PROTECTED, DIAG_CONF_MEDIUM);
		assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
	}
	/* another vendor's part under the same driver: never STM32 readout protection */
	snprintf(log, sizeof(log), "Info : GD32VF103 detected\noption byte register = 0x%" PRIx32
	         "\n", UINT32_C(0x03fffffe));
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
}

/* src/flash/nor/tcl.c, handle_flash_read_bank_command (0.11+): 'Length of %u bytes with
 * offset 0x%8.8x is out of range of the flash bank'. The bank's size is the flash-size
 * register's ('flash size = %dkbytes', stm32x_probe): the detail reads both numbers. */
static void test_bank_range_against_flash_size(void **state)
{
	(void)state;
	char log[LOG_MAX], detail[256];
	snprintf(log, sizeof(log), "Info : flash size = %ukbytes\nError: Length of %u bytes with "
	         "offset 0x%8.8x is out of range of the flash bank\n", 64u, 131072u, 0u);
	assert_top(log, DIAG_FLASH_SIZE_MISMATCH, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_LOW);
	detail_of(log, DIAG_FLASH_SIZE_MISMATCH, detail, sizeof(detail));
	assert_non_null(strstr(detail, "128 KiB"));
	assert_non_null(strstr(detail, "64 KiB"));
	/* an offset past the end: the same request against a smaller bank */
	snprintf(log, sizeof(log), "Error: Offset 0x%8.8x is out of range of the flash bank\n",
	         0x20000u);
	assert_top(log, DIAG_FLASH_SIZE_MISMATCH, DIAG_CONF_MEDIUM);
	/* the flash's address given as the offset (read_bank's offset counts from the bank's
	 * start): no flash size is wrong */
	snprintf(log, sizeof(log), "Error: Offset 0x%8.8x is out of range of the flash bank\n",
	         0x08000000u);
	assert_false(top_lists(log, DIAG_FLASH_SIZE_MISMATCH));
	assert_false(top_lists(log, DIAG_WRONG_TARGET_CONFIG));
}

/* src/target/adi_v5_swd.c, swd_connect_multidrop (0.12): 'Failed to connect multidrop %s'.
 * Alone, an unwired part and one whose TARGETID is not the config's read alike; a DPIDR
 * read through a TARGETSEL before it ('SWD DPIDR 0x%08x, DLPIDR 0x%08x',
 * swd_connect_multidrop) proves the id; an answer after it makes it a first attempt. */
static void test_multidrop_connect_by_the_line_before(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: Failed to connect multidrop %s\n", "rp2040.dap0");
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_LOW);

	snprintf(log, sizeof(log), "Info : SWD DPIDR 0x%08" PRIx32 ", DLPIDR 0x%08" PRIx32
	         "\nError: Failed to connect multidrop %s\n", UINT32_C(0x0bc12477),
	         UINT32_C(0x00000001), "rp2040.dap1");
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	assert_false(top_lists(log, DIAG_WRONG_TARGET_CONFIG));

	/* swd_connect_single's DPIDR (no DLPIDR) came through no TARGETSEL: it proves no
	 * multi-drop id */
	snprintf(log, sizeof(log), "Info : SWD DPIDR 0x%08" PRIx32 "\nError: Failed to connect "
	         "multidrop %s\n", UINT32_C(0x0bc12477), "rp2040.dap0");
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_LOW);

	snprintf(log, sizeof(log), "Error: Failed to connect multidrop %s\nInfo : SWD DPIDR "
	         "0x%08" PRIx32 "\nInfo : [%s] Cortex-M0+ r0p1 processor detected\n",
	         "rp2040.dap0", UINT32_C(0x0bc12477), "rp2040.core0");
	assert_false(top_lists(log, DIAG_SWD_UNREACHABLE));
}

/* Lines that only follow a failed examine (cortex_m.c, cortex_m_assert_reset, 0.12: 'Debug AP
 * not available, reset NOT asserted!' through LOG_TARGET_ERROR's '[%s] '; gdb_server.c,
 * gdb_new_connection: 'Target %s not examined yet, refuse gdb connection %d!') never take
 * the place of the connect's own line, before or after it; alone they name no cause. */
static void test_examine_cascades_follow_the_connect(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: [%s] Debug AP not available, reset NOT asserted!\n"
	         "Error: Target %s not examined yet, refuse gdb connection %d!\n", "stm32f1x.cpu",
	         "stm32f1x.cpu", 0);
	assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
	char with[2 * LOG_MAX];
	snprintf(with, sizeof(with), "Error: Error connecting DP: cannot read IDR\n%s", log);
	assert_top(with, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	assert_decided_by(with, "cannot read IDR");
	/* 0.10-0.11 word it 'Target not examined, will not halt after reset!' (the core was
	 * never asked to halt: no halt timeout), after 0.10's 'Could not initialize the debug
	 * port' (cortex_m_examine) */
	snprintf(log, sizeof(log), "Error: Target not examined, will not halt after reset!\n");
	assert_false(top_lists(log, DIAG_CORE_HALT_TIMEOUT));
	snprintf(with, sizeof(with), "Error: Could not initialize the debug port\n%s", log);
	assert_top(with, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
}

/* A loader run the F1 controller refused (0.12 order: target.c's 'flash write algorithm
 * aborted by target', stm32x_wait_status_busy's 'stm32x device protected', then
 * stm32x_write_block_async's 'flash write failed just before address 0x%x'): the status line
 * decides, the lines around it add nothing. */
static void test_refused_loader_run(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: flash write algorithm aborted by target\nError: stm32x "
	         "device protected\nError: flash write failed just before address 0x%" PRIx32 "\n",
	         UINT32_C(0x8000400));
	assert_top(log, DIAG_WRITE_PROTECTED, DIAG_CONF_MEDIUM);
	assert_decided_by(log, "device protected");
	assert_int_equal(listed_conf(log, DIAG_READOUT_PROTECTED), DIAG_CONF_LOW);
	/* without the status line the two cascades name no cause */
	snprintf(log, sizeof(log), "Error: flash write algorithm aborted by target\nError: flash "
	         "write failed just before address 0x%" PRIx32 "\n", UINT32_C(0x8000400));
	assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
}

/* src/flash/nor/tcl.c, flash bank: "flash driver '%s' not found": the release in the banner
 * decides whether the driver is one it predates (stm32l4x came in 0.10) or one no release
 * up to 0.12 has (a vendor fork's), which is never high. */
static void test_flash_driver_against_release(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Open On-Chip Debugger %s\nError: flash driver '%s' not found\n",
	         "0.9.0 (2015-05-19-13:50)", "stm32l4x");
	assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "Open On-Chip Debugger %s\nError: flash driver '%s' not found\n",
	         "0.12.0", "stm32h5x");
	enum diag_confidence conf;
	top_of(log, &conf);
	assert_true(conf < DIAG_CONF_HIGH);
}

/* The debug port's own words read with the power before them: adi_v5_jtag.c's 'Timeout
 * during WAIT recovery' (jtagdp_overrun_check) is a stalled bus, but a probe that measures
 * no target voltage ('Target voltage: %f', stlink_usb.c) explains it first. */
static void test_wait_recovery_after_no_power(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: Timeout during WAIT recovery\n");
	assert_top(log, DIAG_TARGET_LOW_POWER, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_SWD_COMM_ERRORS), DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "Info : Target voltage: %f\nError: Timeout during WAIT "
	         "recovery\n", 0.012);
	assert_top(log, DIAG_TARGET_UNPOWERED, DIAG_CONF_MEDIUM);
}

/* stm32h7x.c, stm32x_probe (0.11+): a bank the config declares that the part lacks. */
static void test_h7_bank_config(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Info : STM32H7 flash has a single bank\nError: this device has "
	         "a single bank only\nError: auto_probe failed\n");
	assert_top(log, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "Info : STM32H7 flash has dual banks\nError: STM32H7 flash bank "
	         "base address config is incorrect. 0x%8.8" PRIx32 " but should rather be 0x%"
	         PRIx32 " or 0x%" PRIx32 "\n", UINT32_C(0x08080000), UINT32_C(0x08000000),
	         UINT32_C(0x08100000));
	assert_top(log, DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
}

/* src/target/target.c, target_mem2array (0.9-0.12): 'mem2array: Read @ 0x%08x, w=%d, cnt=%d,
 * failed', the read 0.9-0.11 scripts make. The address decides: the flash's is readout
 * protection at medium (the link below it) unless the option bytes say RDP is off; a RAM
 * address is no readout protection. */
static void test_mem2array_read_by_address(void **state)
{
	(void)state;
	static const char *const fmt = "Error: mem2array: Read @ 0x%08" PRIx32 ", w=%d, cnt=%d, "
	                               "failed\n";
	char log[LOG_MAX];
	snprintf(log, sizeof(log), fmt, UINT32_C(0x08000000), 4, 256);
	assert_top(log, DIAG_READOUT_PROTECTED, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_SWD_COMM_ERRORS), DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "read protection: off\n");
	size_t n = strlen(log);
	snprintf(log + n, sizeof(log) - n, fmt, UINT32_C(0x08000000), 4, 256);
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
	assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
	snprintf(log, sizeof(log), fmt, UINT32_C(0x20000000), 4, 256);
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
	/* after the flash was shown read back (a memory display of it, target.c's
	 * handle_md_output), the failed read had another cause, as read_memory's has */
	snprintf(log, sizeof(log), "0x08000000: 20005000 08000135 0800013d 0800013f \n");
	n = strlen(log);
	snprintf(log + n, sizeof(log) - n, fmt, UINT32_C(0x08010000), 4, 256);
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flash_status_read_by_bit),
		cmocka_unit_test(test_flash_status_with_option_bytes),
		cmocka_unit_test(test_f1_option_byte_register),
		cmocka_unit_test(test_bank_range_against_flash_size),
		cmocka_unit_test(test_multidrop_connect_by_the_line_before),
		cmocka_unit_test(test_examine_cascades_follow_the_connect),
		cmocka_unit_test(test_refused_loader_run),
		cmocka_unit_test(test_flash_driver_against_release),
		cmocka_unit_test(test_wait_recovery_after_no_power),
		cmocka_unit_test(test_h7_bank_config),
		cmocka_unit_test(test_mem2array_read_by_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
