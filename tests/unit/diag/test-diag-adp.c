/* Unit tests for the rows of src/diag/rules_adp.inc that the message catalogue cannot show:
 * a reading that depends on a line before it (libjaylink's own open failure under OpenOCD's
 * "unspecified error", a refused DFU open before "Lost device after RESET?", a USB transfer
 * that failed before CMSIS-DAP's commands), on the release (a CMSIS-DAP's capabilities under
 * 0.11 and 0.12), and on a number (DAP_Connect's mode, libusb's error after dfu-util's final
 * reset). Every line is built with snprintf from the format strings of OpenOCD 0.9-0.12,
 * libjaylink and dfu-util 0.9-0.11 (the row that reads it cites file and function), never
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

#define LOG_MAX 1024

/* jlink.c 0.10-0.11 'Failed to open device: %s.' and 0.12 'Failed to open device: %s' with
 * jaylink_strerror(JAYLINK_ERR); libjaylink's transport_usb.c logged the libusb error first
 * ('Failed to open device: %s.' / 'Failed to claim interface: %s.' with libusb_error_name),
 * and jlink_init ends with 'No J-Link device found'. OpenOCD's own line never decides. */
static void test_jlink_open_after_libjaylink(void **state)
{
	(void)state;
	static const char *const ocd[] = { "Error: Failed to open device: %s.\n",
		                           "Error: Failed to open device: %s\n" };
	for (size_t v = 0; v < 2; v++) {
		char own[128], log[LOG_MAX];
		snprintf(own, sizeof(own), ocd[v], "unspecified error");
		/* alone: names no cause, so never high */
		enum diag_confidence conf;
		top_of(own, &conf);
		assert_true(conf != DIAG_CONF_HIGH);
		/* after libjaylink's refused open: the permission reading (shared with another
		 * program's hold), whatever 'No J-Link device found' says after it */
		snprintf(log, sizeof(log), "Error: Failed to open device: %s.\n%sError: No J-Link "
		         "device found\n", "LIBUSB_ERROR_ACCESS", own);
		assert_top(log, DIAG_USB_PERMISSION, DIAG_CONF_MEDIUM);
		assert_true(top_lists(log, DIAG_PROBE_BUSY));
		/* after libjaylink's refused claim: another program holds it */
		snprintf(log, sizeof(log), "Error: Failed to claim interface: %s.\n%sError: No "
		         "J-Link device found\n", "LIBUSB_ERROR_BUSY", own);
		assert_top(log, DIAG_PROBE_BUSY, DIAG_CONF_HIGH);
	}
}

/* dfu-util 0.9-0.11 main.c: 'Lost device after RESET?' when probe_devices found no DFU-mode
 * interface after the detach. A DFU-mode device that was there and refused (dfu_util.c
 * 'Cannot open DFU device %04x:%04x found on devnum %i (%s)', 0.11) is the cause; alone the
 * line is "not found", with Windows' missing driver below it. */
static void test_dfu_lost_after_reset(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "dfu-util: %s\n", "Lost device after RESET?");
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_PROBE_DRIVER_MISSING), DIAG_CONF_LOW);

	snprintf(log, sizeof(log), "Claiming USB DFU (Run-Time) Interface...\nDetaching...\n"
	         "dfu-util: Cannot open DFU device %04x:%04x found on devnum %i (%s)\n"
	         "dfu-util: Lost device after RESET?\n", 0x0483, 0xdf11, 7, "LIBUSB_ERROR_ACCESS");
	assert_not_top(log, DIAG_PROBE_NOT_FOUND);
}

/* libusb_reset_device after the download: dfu_load.c's 'error resetting after download (%s)'
 * (to stderr, no prefix) and main.c's 'error resetting after download: %s' (0.9: no error
 * name) are reached only once the image went through, so NO_DEVICE there is the device that
 * already left, never a probe that was lost; the same error name in a transfer is. */
static void test_dfu_reset_after_download(void **state)
{
	(void)state;
	static const char *const forms[] = { "error resetting after download (%s)\n",
		                             "dfu-util: error resetting after download: %s\n" };
	static const char *const errs[] = { "LIBUSB_ERROR_NO_DEVICE", "LIBUSB_ERROR_IO",
		                            "LIBUSB_ERROR_OTHER" };
	for (size_t f = 0; f < 2; f++)
		for (size_t e = 0; e < 3; e++) {
			char line[128], log[LOG_MAX];
			snprintf(line, sizeof(line), forms[f], errs[e]);
			snprintf(log, sizeof(log), "Download\t[=========================] 100%%"
			         "         %d bytes\nDownload done.\nResetting USB to switch back to "
			         "runtime mode\n%s", 26880, line);
			assert_top(log, DIAG_DFU_LEAVE_QUIRK, DIAG_CONF_HIGH);
		}
	assert_top("dfu-util: error resetting after download\n", DIAG_DFU_LEAVE_QUIRK,
	           DIAG_CONF_HIGH);
	/* a transfer that lost the device is still the probe gone */
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: libusb_bulk_read error: %s\n", "LIBUSB_ERROR_NO_DEVICE");
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
}

/* 'CMSIS-DAP failed to connect in mode (%d)' (cmsis_dap_cmd_dap_connect): the number is the
 * port asked for, CONNECT_SWD 1 or CONNECT_JTAG 2; both are the probe refusing it, and the
 * cause names the transport the number says. */
static void test_cmsis_dap_connect_mode(void **state)
{
	(void)state;
	for (int mode = 1; mode <= 2; mode++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "Error: CMSIS-DAP failed to connect in mode (%d)\n", mode);
		assert_top(log, DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
		struct diag_report *r = diag_classify_log(log);
		assert_non_null(r);
		bool jtag = strstr(r->findings[0].cause, "JTAG") != NULL;
		assert_int_equal(jtag, mode == 2);
		diag_report_free(r);
	}
}

/* 'CMSIS-DAP: JTAG not supported' (cmsis_dap_init) read with the release: 0.12 takes DAP
 * 2.1's two-byte capabilities, so under its banner the probe has no JTAG; 0.11 leaves them at
 * 0, so with 'CMSIS-DAP: FW Version = %s' of 2.1 or later the release is the cause, and with
 * older firmware (or no banner) the line stays shared. */
static void test_cmsis_dap_jtag_caps_by_release(void **state)
{
	(void)state;
	static const char *const fmt = "Open On-Chip Debugger 0.%d.0\nInfo : CMSIS-DAP: FW "
	                               "Version = %s\nError: CMSIS-DAP: JTAG not supported\n";
	char log[LOG_MAX];
	snprintf(log, sizeof(log), fmt, 12, "2.1.0");
	assert_top(log, DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
	assert_false(top_lists(log, DIAG_OPENOCD_TOO_OLD));
	snprintf(log, sizeof(log), fmt, 11, "2.1.0");
	assert_top(log, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), fmt, 11, "1.10");
	assert_top(log, DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_OPENOCD_TOO_OLD), DIAG_CONF_LOW);
}

/* CMSIS-DAP's commands after the USB transfer failed ('error writing data: %ls', hidapi's
 * hid_error): the transfer's line decides, the commands' 'failed.' lines are its cascade. */
static void test_cmsis_dap_command_cascade(void **state)
{
	(void)state;
	static const char *const cmds[] = { "CMD_DAP_SWJ_CLOCK", "CMD_TFER_Configure",
		                            "CMD_SWD_Configure" };
	for (size_t i = 0; i < 3; i++) {
		char log[LOG_MAX];
		snprintf(log, sizeof(log), "Error: error writing data: %s\nError: CMSIS-DAP command "
		         "%s failed.\n", "No such device", cmds[i]);
		assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), "Error: CMSIS-DAP command %s failed.\n", cmds[i]);
		assert_top(log, DIAG_UNKNOWN, DIAG_CONF_LOW);
	}
}

/* jtag_examine_chain and jtag_init_inner (src/jtag/core.c): what they print after an all-ones
 * scan follows it; the scan decides, whichever of its followers a paste keeps. */
static void test_jtag_chain_cascade(void **state)
{
	(void)state;
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Error: JTAG scan chain interrogation failed: all %s\n"
	         "Error: Check JTAG interface, timings, target power, etc.\n"
	         "Error: Trying to use configured scan chain anyway...\n"
	         "Warn : Bypassing JTAG setup events due to errors\n", "ones");
	assert_top(log, DIAG_SWD_UNREACHABLE, DIAG_CONF_HIGH);
	assert_top("Warn : Bypassing JTAG setup events due to errors\n", DIAG_UNKNOWN,
	           DIAG_CONF_LOW);
}

/* jlink.c jlink_open_device (0.11+): several J-Links and no serial given; the fix names the
 * probe's serial. dfu-util's 'More than one DFU capable USB device found!' counts interfaces
 * and alternate settings (one board with two alt settings prints it): no such reading. */
static void test_several_probes(void **state)
{
	(void)state;
	const char *log = "Error: Multiple devices found, specify the desired device\n";
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_non_null(strstr(r->findings[0].fix, "--probe SERIAL"));
	diag_report_free(r);
	assert_false(top_lists("dfu-util: More than one DFU capable USB device found! Try "
	                       "`--list' and specify the serial number or disconnect all but "
	                       "one device\n", DIAG_PROBE_NOT_FOUND));
}

/* cmsis_dap_usb_bulk.c, cmsis_dap_usb_open (0.11+): 'could not open device 0x%04x:0x%04x: %s'
 * and 'could not claim interface: %s' with libusb_strerror(LIBUSB_ERROR_NO_DEVICE). After the
 * open, the device left; at the open, libusb's Linux backend says the same for a usbfs node
 * a container lacks (linux_usbfs.c, get_usbfs_fd, ENOENT), so that reading stays below. */
static void test_cmsis_dap_gone_by_step(void **state)
{
	(void)state;
	static const char *const nodev = "No such device (it may have been disconnected)";
	char log[LOG_MAX];
	snprintf(log, sizeof(log), "Warn : could not claim interface: %s\n", nodev);
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	assert_false(top_lists(log, DIAG_USB_PERMISSION));
	snprintf(log, sizeof(log), "Error: could not open device 0x%04x:0x%04x: %s\n", 0xc251,
	         0xf001, nodev);
	assert_top(log, DIAG_PROBE_NOT_FOUND, DIAG_CONF_MEDIUM);
	assert_int_equal(listed_conf(log, DIAG_USB_PERMISSION), DIAG_CONF_LOW);
}

/* adapter_init (src/jtag/adapter.c 0.12, core.c before) at 'init' with no driver set: no
 * interface config ran, in either wording; after 'The specified debug interface was not
 * found (%s)' (handle_adapter_driver_command) the driver line is the cause, never this. */
static void test_no_adapter_at_init(void **state)
{
	(void)state;
	static const char *const cmds[] = { "interface", "adapter driver" };
	for (size_t i = 0; i < 2; i++) {
		char line[128], log[LOG_MAX];
		snprintf(line, sizeof(line), "Error: Debug Adapter has to be specified, see \"%s\" "
		         "command\n", cmds[i]);
		assert_top(line, DIAG_CONFIG_NOT_FOUND, DIAG_CONF_HIGH);
		snprintf(log, sizeof(log), "Error: The specified debug interface was not found "
		         "(%s)\n%s", "st-link", line);
		assert_false(top_lists(log, DIAG_CONFIG_NOT_FOUND));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jlink_open_after_libjaylink),
		cmocka_unit_test(test_dfu_lost_after_reset),
		cmocka_unit_test(test_dfu_reset_after_download),
		cmocka_unit_test(test_cmsis_dap_connect_mode),
		cmocka_unit_test(test_cmsis_dap_jtag_caps_by_release),
		cmocka_unit_test(test_cmsis_dap_command_cascade),
		cmocka_unit_test(test_jtag_chain_cascade),
		cmocka_unit_test(test_several_probes),
		cmocka_unit_test(test_no_adapter_at_init),
		cmocka_unit_test(test_cmsis_dap_gone_by_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
