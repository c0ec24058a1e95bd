/* Unit tests for the rows of src/diag/rules_drv.inc that the message catalogue cannot show:
 * a reading that depends on another line (a refused open before "not found", a sysfs export
 * refused as busy, a target that answered after a failed multi-drop select, a probe that
 * measures no voltage), on the errno or id a line carries, on the host's wording of one
 * socket error, and the fix a GPIO adapter's refused device needs (a group or root, never a
 * USB udev rule). Every line is built from the format strings of OpenOCD 0.9-0.12 (the row
 * that reads it cites file and function), never copied from a corpus log. */
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

/* Fails unless some evidence line of LOG's top finding contains WORDS: the line that decided
 * it (or, for unknown, the error line left unexplained) is the one shown. */
static void assert_shows(const char *log, const char *words)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	bool seen = false;
	for (size_t i = 0; i < r->findings[0].n_evidence && !seen; i++)
		seen = strstr(r->findings[0].evidence[i], words) != NULL;
	if (!seen)
		fail_msg("'%s': top finding %s does not show '%s'", log,
		         diag_id_name(r->findings[0].id), words);
	diag_report_free(r);
}

/* The fix of LOG's top finding. Returns: a copy in BUF. */
static const char *top_fix(const char *log, char *buf, size_t size)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	snprintf(buf, size, "%s", r->findings[0].fix);
	diag_report_free(r);
	return buf;
}

/* 'open: %s' with strerror (bcm2835gpio.c, am335xgpio.c, imx_gpio.c, at91rm9200.c, ep93xx.c
 * _init, 0.11+; perror("open") in 0.9-0.10, without a level): EACCES and EPERM are the
 * device node refused, and the fix is a group or root; another errno names no cause. */
static void test_gpio_mem_open(void **state)
{
	(void)state;
	static const char *const forms[] = { "Error: open: %s\n", "open: %s\n" };
	static const char *const refused[] = { "Permission denied", "Operation not permitted" };
	for (size_t f = 0; f < 2; f++) {
		char log[LOG_MAX], fix[1024];
		for (size_t e = 0; e < 2; e++) {
			snprintf(log, sizeof(log), forms[f], refused[e]);
			assert_top(log, DIAG_USB_PERMISSION, DIAG_CONF_HIGH);
			top_fix(log, fix, sizeof(fix));
			assert_non_null(strstr(fix, "'gpio' group"));
			assert_non_null(strstr(fix, "/dev/mem"));
			assert_null(strstr(fix, "udev"));
		}
		snprintf(log, sizeof(log), forms[f], "No such file or directory");
		assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
		assert_shows(log, "open: No such file or directory");
	}
	/* 'mmap: %s' (bcm2835gpio_init): a peripheral base wrong for the board's model or a
	 * kernel's /dev/mem restriction; the words do not say which, so the line is shown */
	assert_top("Info : BCM2835 GPIO JTAG/SWD bitbang driver\nError: mmap: Operation not "
	           "permitted\n", DIAG_UNKNOWN, DIAG_CONF_LOW);
	assert_shows("Error: mmap: Invalid argument\n", "mmap: Invalid argument");
}

/* sysfsgpio.c setup_sysfs_gpio: an export refused with EBUSY is only the warning 'gpio %d is
 * already exported'; a kernel driver's line then has no gpioN directory (ENOENT on its
 * direction), while a line a crashed run left exported works. Each in the 0.11+ form
 * ('sysfsgpio: %s' at error level) and the 0.9-0.10 one (perror("sysfsgpio: ")). */
static void test_sysfsgpio_export(void **state)
{
	(void)state;
	static const char *const errfmt[] = { "Error: sysfsgpio: %s\n", "sysfsgpio: : %s\n" };
	for (size_t f = 0; f < 2; f++) {
		char err[96], log[LOG_MAX];
		snprintf(err, sizeof(err), errfmt[f], "No such file or directory");
		snprintf(log, sizeof(log), "Warn : gpio %d is already exported\nError: Couldn't set "
		         "direction for gpio %d\n%s", 25, 25, err);
		assert_top(log, DIAG_PROBE_BUSY, DIAG_CONF_HIGH);
		/* without the export's warning, a missing directory is not a busy line */
		snprintf(log, sizeof(log), "Error: Couldn't set direction for gpio %d\n%s", 25, err);
		assert_not_top(log, DIAG_PROBE_BUSY);

		snprintf(err, sizeof(err), errfmt[f], "Permission denied");
		snprintf(log, sizeof(log), "Warn : gpio %d is already exported\nError: Couldn't open "
		         "value for gpio %d\n%s", 8, 8, err);
		assert_top(log, DIAG_USB_PERMISSION, DIAG_CONF_HIGH);

		/* a number the kernel's GPIO numbering does not have: a config matter, no class */
		snprintf(err, sizeof(err), errfmt[f], "Invalid argument");
		snprintf(log, sizeof(log), "Error: Couldn't export gpio %d\n%s", 11, err);
		assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
		assert_shows(log, "Invalid argument");
	}
	/* a line a crashed run left exported: the run goes on */
	assert_not_top("Warn : gpio 11 is already exported\nInfo : SWD DPIDR 0x1ba01477\n",
	               DIAG_PROBE_BUSY);
	assert_not_top("Warn : gpio 11 is already exported\n", DIAG_PROBE_BUSY);
}

/* linuxgpiod.c: a chip open refused or absent reads medium with both causes; a line request
 * after the chip opened is another consumer's line: high for 0.11's words (no flags asked),
 * medium for 0.12's, whose bias flag a kernel before 5.5 refuses. */
static void test_linuxgpiod(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: Cannot open LinuxGPIOD chip %d for %s\n", 4, "swclk");
	assert_top(log, DIAG_USB_PERMISSION, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_PROBE_NOT_FOUND), DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "Error: Cannot open LinuxGPIOD gpiochip %d\n", 0);
	assert_top(log, DIAG_USB_PERMISSION, DIAG_CONF_MEDIUM);
	static const char *const names[] = { "tck", "swdio", "srst", "swdio_dir" };
	for (size_t k = 0; k < 4; k++) {
		snprintf(log, sizeof(log), "Info : Linux GPIOD JTAG/SWD bitbang driver\n"
		         "Error: Error requesting gpio line %s\n", names[k]);
		assert_top(log, DIAG_PROBE_BUSY, DIAG_CONF_MEDIUM);
		assert_int_equal(listed_conf(log, DIAG_PROBE_DRIVER_MISSING), DIAG_CONF_LOW);
	}
	assert_top("Error: Error request_output line tck\n", DIAG_PROBE_BUSY, DIAG_CONF_HIGH);
	assert_top("Error: Error request_input line tdo\n", DIAG_PROBE_BUSY, DIAG_CONF_HIGH);
	assert_int_equal(listed_conf("Error: Error request_input line tdo\n",
	                             DIAG_PROBE_DRIVER_MISSING), -1);
}

/* ulink.c and osbdm.c print their "not found" after jtag_libusb_open, which logs a refused
 * open first: then the adapter was there. usb_blaster.c's "No lowlevel driver available"
 * comes before any open: no low-level driver was built in. */
static void test_usb_adapter_refused_first(void **state)
{
	(void)state;
	assert_top("Error: No lowlevel driver available\n", DIAG_PROBE_DRIVER_MISSING,
	           DIAG_CONF_HIGH);
	assert_false(top_lists("Error: No lowlevel driver available\n", DIAG_PROBE_NOT_FOUND));
	static const char *const lines[] = { "Could not open ULINK device",
		                             "Can't open OSBDM device" };
	for (size_t k = 0; k < 2; k++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "Error: %s\n", lines[k]);
		assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), "Error: libusb_open() failed with %s\nError: %s\n",
		         "LIBUSB_ERROR_ACCESS", lines[k]);
		assert_not_top(log, DIAG_PROBE_NOT_FOUND);
		assert_false(top_lists(log, DIAG_PROBE_NOT_FOUND));
		assert_true(top_lists(log, DIAG_USB_PERMISSION));
	}
}

/* remote_bitbang: 0.9-0.11 'Failed to connect: %s' / 'connect: %s' with strerror; 0.12
 * log_socket_error, whose words differ by host (Linux errno 111, macOS 61, Windows
 * WSAGetLastError 10061 with FormatMessage's text). gdb's own refusal is not the adapter, nor
 * a socket this user may not open. */
static void test_remote_bitbang_hosts(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Info : Connecting to %s:%s\nError: Failed to connect: %s\n",
	         "localhost", "44853", "Connection refused");
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	static const struct { const char *what; int code; const char *msg; } sock[] = {
		{ "errno", 111, "Connection refused" },
		{ "errno", 61, "Connection refused" },
		{ "WSAGetLastError", 10061, ", message: No connection could be made because the "
		                            "target machine actively refused it" },
	};
	for (size_t k = 0; k < 3; k++) {
		snprintf(log, sizeof(log), "Error: Error on socket '%s': %s==%d%s%s.\n",
		         "Failed to connect", sock[k].what, sock[k].code,
		         k < 2 ? ", message: " : "", sock[k].msg);
		assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	}
	snprintf(log, sizeof(log), "Info : Connecting to unix socket %s\nError: connect: %s\n",
	         "/tmp/rbb.sock", "No such file or directory");
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	assert_not_top("localhost:3333: Connection refused.\n", DIAG_PROBE_NOT_FOUND);
	/* macOS's words for ETIMEDOUT (errno 60) */
	assert_top("Error: Error on socket 'Failed to connect': errno==60, message: Operation "
	           "timed out.\n", DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	/* a unix socket there that this user may not open: something listens, not 'not found' */
	assert_not_top("Error: Error on socket 'connect': errno==13, message: Permission denied.\n",
	               DIAG_PROBE_NOT_FOUND);
	assert_not_top("Error: connect: Permission denied\n", DIAG_PROBE_NOT_FOUND);
}

/* 'Failed to select multidrop %s' (adi_v5_swd.c, swd_multidrop_select, 0.12): the first
 * attempt's failure when the target answered after it, the cascade of a probe that measures
 * no target voltage. */
static void test_multidrop_select(void **state)
{
	(void)state;
	char line[96], log[LOG_MAX];
	snprintf(line, sizeof(line), "Error: Failed to select multidrop %s\n", "rp2040.dap0");
	assert_top(line, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "%sInfo : SWD DPIDR 0x%08x, DLPIDR 0x%08x\n"
	         "Info : [%s] Cortex-M0+ r0p1 processor detected\n", line, 0x0bc12477u, 1u,
	         "rp2040.core0");
	assert_not_top(log, DIAG_SWD_UNREACHABLE);
	snprintf(log, sizeof(log), "Info : VTarget = %u.%03u V\n%s", 0u, 0u, line);
	assert_top(log, DIAG_TARGET_UNPOWERED, DIAG_CONF_HIGH);
}

/* jtag_validate_ircapture (src/jtag/core.c): garbled bits or a config's TAP, medium; after
 * a chain of all ones nothing answered, and that is the cause. */
static void test_ir_capture(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: %s: IR capture error; saw 0x%0*x not 0x%0*x\n",
	         "riscv.cpu", 2, 0x11, 2, 0x01);
	assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_LOW);
	snprintf(log, sizeof(log), "Error: IR capture error at bit %d, saw 0x%s not 0x...3\n", 4,
	         "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
	assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
	snprintf(log, sizeof(log), "Error: %s: IR capture error; saw 0x%0*x not 0x%0*x\n"
	         "Error: JTAG scan chain interrogation failed: all ones\n", "riscv.cpu", 2, 0x1f,
	         2, 0x01);
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
}

/* 'Unexpected OCD_ID = %08x' (xtensa.c, xtensa_examine, 0.12) is printed when the id is 0 or
 * all ones; any other id is a module that answered. */
static void test_xtensa_ocd_id(void **state)
{
	(void)state;
	static const uint32_t ids[] = { 0x00000000u, 0xffffffffu, 0x120034e5u };
	for (size_t k = 0; k < 3; k++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "Error: Unexpected OCD_ID = %08x\n", ids[k]);
		if (k < 2) {
			assert_top(log, DIAG_TARGET_LOW_POWER, DIAG_CONF_MEDIUM);
			assert_int_equal(listed_conf(log, DIAG_SWD_UNREACHABLE), DIAG_CONF_LOW);
		} else {
			assert_false(top_lists(log, DIAG_TARGET_LOW_POWER));
		}
	}
}

/* A RISC-V Debug Module that wants authentication is the vendor's lock: never STM32 RDP,
 * even with the memory reads that then fail. */
static void test_riscv_auth_not_rdp(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: Debugger is not authenticated to target Debug Module. "
	         "(dmstatus=0x%x). Use `riscv authdata_read` and `riscv authdata_write` commands "
	         "to authenticate.\nError: Failed to read memory at 0x%08x\n", 0x3u, 0x08000000u);
	assert_top(log, DIAG_VENDOR_PROTECTED, DIAG_CONF_HIGH);
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
}

/* parport.c parport_init: the errno the ppdev open printed decides; only EACCES is a
 * permission. */
static void test_parport_errno(void **state)
{
	(void)state;
	static const int errs[] = { 13, 2, 6, 16 };
	for (size_t k = 0; k < 4; k++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "Error: cannot open device. check it exists and that user "
		         "read and write rights are set. errno=%d\n", errs[k]);
		if (k == 0)
			assert_top(log, DIAG_USB_PERMISSION, DIAG_CONF_HIGH);
		else
			assert_not_top(log, DIAG_USB_PERMISSION);
	}
}

/* efm32.c's 'Target is not Cortex-Mx Device' is a core other than M3/M4/M0+: a Series 2
 * part the driver does not know (medium), or a bank on another vendor's chip (low). */
static void test_efm32_core(void **state)
{
	(void)state;
	static const char log[] = "Info : [efr32.cpu] Cortex-M33 r0p4 processor detected\n"
	                          "Error: Target is not Cortex-Mx Device\n";
	assert_top(log, DIAG_UNSUPPORTED_DEVICE, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_WRONG_TARGET_CONFIG), DIAG_CONF_LOW);
}

/* lpc2000.c lpc2000_erase/lpc2000_write: the IAP status decides (19 is CRP enabled); the
 * boot-checksum warning lpc2000_write prints before it fixes the image is no failure. */
static void test_lpc_iap_status(void **state)
{
	(void)state;
	static const char *const fmts[] = { "Warn : lpc2000 prepare sectors returned %i\n",
		                            "Warn : lpc2000 erase sectors returned %i\n",
		                            "Warn : lpc2000 returned %i\n" };
	static const int codes[] = { 19, 9, 11, 14 };
	for (size_t f = 0; f < 3; f++)
		for (size_t k = 0; k < 4; k++) {
			char log[LOG_MAX];
			snprintf(log, sizeof(log), fmts[f], codes[k]);
			if (k == 0)
				assert_top(log, DIAG_VENDOR_PROTECTED, DIAG_CONF_HIGH);
			else
				assert_false(top_lists(log, DIAG_VENDOR_PROTECTED));
			assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
		}
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Warn : Boot verification checksum in image (0x%8.8x) to be "
	         "written to flash is different from calculated vector checksum (0x%8.8x).\n"
	         "Warn : OpenOCD will write the correct checksum. To remove this warning modify "
	         "build tools on developer PC to inject correct LPC vector checksum.\n"
	         "wrote %u bytes from file %s in %fs (%0.3f KiB/s)\n", 0u, 0xefff7fe8u, 8192u,
	         "blink.bin", 0.5, 16.0);
	assert_false(top_lists(log, DIAG_VERIFY_MISMATCH));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpio_mem_open),
		cmocka_unit_test(test_sysfsgpio_export),
		cmocka_unit_test(test_linuxgpiod),
		cmocka_unit_test(test_usb_adapter_refused_first),
		cmocka_unit_test(test_remote_bitbang_hosts),
		cmocka_unit_test(test_multidrop_select),
		cmocka_unit_test(test_ir_capture),
		cmocka_unit_test(test_xtensa_ocd_id),
		cmocka_unit_test(test_riscv_auth_not_rdp),
		cmocka_unit_test(test_parport_errno),
		cmocka_unit_test(test_efm32_core),
		cmocka_unit_test(test_lpc_iap_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
