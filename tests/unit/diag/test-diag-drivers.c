/* Unit tests for adapter open failures read per driver, OpenOCD version and host: the same
 * words mean another cause on Windows and on Linux, in 0.10 and in 0.12, and where nothing
 * in the log decides, the finding is medium with the other reading listed below it.
 *
 * Every log is built from the format strings of OpenOCD 0.9-0.12 (the rule that reads it
 * cites the file and function), libusb's error names and libjaylink's messages; the host
 * shows only through a command line of the kind a paste carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"

#define LINUX "user@box:/home/user/fw$ openocd -f interface/cmsis-dap.cfg -f target/stm32f1x.cfg\n"
#define WINDOWS "C:\\Users\\dev\\fw> C:\\openocd\\bin\\openocd.exe -f interface/stlink.cfg\n"
#define MACOS "dev@mac fw % /opt/homebrew/bin/openocd -f interface/cmsis-dap.cfg\n"
#define BANNER(v) "Open On-Chip Debugger " v " (2023-01-10-12:00)\n"

struct reading {
	enum diag_id id;
	enum diag_confidence conf;
	const struct diag_finding *other[8];
	size_t n_other;
	struct diag_report *r;
};

/* Classifies LOG into OUT: its top finding, and the report kept for finding others. */
static void read_log(const char *log, struct reading *out)
{
	out->r = diag_classify_log(log);
	assert_non_null(out->r);
	assert_true(out->r->n >= 1);
	out->id = out->r->findings[0].id;
	out->conf = out->r->findings[0].confidence;
}

/* The confidence ID is listed at in R's report, or -1 when it is not listed. */
static int listed(const struct reading *r, enum diag_id id)
{
	for (size_t i = 0; i < r->r->n; i++)
		if (r->r->findings[i].id == id)
			return (int)r->r->findings[i].confidence;
	return -1;
}

static void expect(const char *log, enum diag_id id, enum diag_confidence conf)
{
	struct reading r;
	read_log(log, &r);
	if (r.id != id || r.conf != conf)
		fail_msg("'%s': want %s (%s), got %s (%s)", log, diag_id_name(id),
		         diag_confidence_name(conf), diag_id_name(r.id), diag_confidence_name(r.conf));
	diag_report_free(r.r);
}

/* LOG reads as ID at medium with OTHER listed below it. */
static void expect_shared(const char *log, enum diag_id id, enum diag_id other)
{
	struct reading r;
	read_log(log, &r);
	if (r.id != id || r.conf != DIAG_CONF_MEDIUM || listed(&r, other) < 0)
		fail_msg("'%s': want %s (medium) with %s below, got %s (%s), %s %s", log,
		         diag_id_name(id), diag_id_name(other), diag_id_name(r.id),
		         diag_confidence_name(r.conf), diag_id_name(other),
		         listed(&r, other) < 0 ? "not listed" : "listed");
	diag_report_free(r.r);
}

/* The same, for TAIL under the command line HOST. */
static void expect_on(const char *host, const char *tail, enum diag_id id,
                      enum diag_confidence conf)
{
	char log[512];
	snprintf(log, sizeof(log), "%s%s", host, tail);
	expect(log, id, conf);
}

static void expect_shared_on(const char *host, const char *tail, enum diag_id id,
                             enum diag_id other)
{
	char log[512];
	snprintf(log, sizeof(log), "%s%s", host, tail);
	expect_shared(log, id, other);
}

/* "The specified debug interface was not found (%s)" (src/jtag/adapter.c, 0.9-0.12): the
 * driver against the release that ran. */
static void test_interface_not_found_by_release(void **state)
{
	(void)state;
	/* st-link (the DAP driver) came with 0.11: 0.10 is too old for it. */
	expect(BANNER("0.10.0") "Error: The specified debug interface was not found (st-link)\n",
	       DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	/* 0.12 has it: this build was made without it. */
	expect(BANNER("0.12.0") "Error: The specified debug interface was not found (st-link)\n",
	       DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
	/* xds110 came with 0.11 and no version shows: either, the build reading first. */
	expect_shared("Error: The specified debug interface was not found (xds110)\n",
	              DIAG_PROBE_DRIVER_MISSING, DIAG_OPENOCD_TOO_OLD);
	/* cmsis-dap is in every release: not built in, whatever the version. */
	expect("Error: The specified debug interface was not found (cmsis-dap)\n",
	       DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
	/* ft2232 left after 0.9: an old config on a newer OpenOCD, never "too old". */
	expect(BANNER("0.11.0") "Error: The specified debug interface was not found (ft2232)\n",
	       DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
	/* A name no release has and no fork src/diag/fork.c knows (another fork's driver, or
	 * misspelt): medium. */
	expect("Error: The specified debug interface was not found (usbjtag3)\n",
	       DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_MEDIUM);
}

/* libusb_open's LIBUSB_ERROR_ACCESS (libusb_helper.c, jtag_libusb_open; libusb1_common.c
 * 0.9-0.10): Linux's permission, Windows' exclusive open held by another program. */
static void test_open_access_by_host(void **state)
{
	(void)state;
	static const char tail[] = "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n"
	                           "Error: open failed\n";
	expect_on(LINUX, tail, DIAG_USB_PERMISSION, DIAG_CONF_HIGH);
	expect_on(WINDOWS, tail, DIAG_PROBE_BUSY, DIAG_CONF_HIGH);
	expect_shared(tail, DIAG_USB_PERMISSION, DIAG_PROBE_BUSY);

	/* CMSIS-DAP's bulk backend with a VID:PID given names libusb_strerror's words. */
	expect_on(WINDOWS, "Error: could not open device 0x2e8a:0x000c: Access denied "
	          "(insufficient permissions)\nError: unable to find a matching CMSIS-DAP "
	          "device\n", DIAG_PROBE_BUSY, DIAG_CONF_HIGH);

	/* libftdi's EPERM comes from detaching Linux's kernel driver: Linux with no host shown. */
	expect("Error: unable to open ftdi device: inappropriate permissions on device!\n",
	       DIAG_USB_PERMISSION, DIAG_CONF_HIGH);
}

/* J-Link 0.10+: libjaylink opens each SEGGER device while it lists them and skips one it
 * cannot open, with its own warning; "No J-Link device found" after it is a cascade. */
static void test_jlink_refused_in_discovery(void **state)
{
	(void)state;
	expect_on(LINUX, "Warn : Failed to open device: LIBUSB_ERROR_ACCESS.\n"
	          "Error: No J-Link device found\n", DIAG_USB_PERMISSION, DIAG_CONF_HIGH);
	expect_on(WINDOWS, "Warn : Failed to open device: LIBUSB_ERROR_NOT_SUPPORTED.\n"
	          "Error: No J-Link device found.\n", DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_HIGH);
	/* Nothing refused: absent. */
	expect("Error: No J-Link device found\n", DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
}

/* "unable to find a matching CMSIS-DAP device" (cmsis_dap.c, 0.11+): absent, or a probe the
 * bulk backend could not open to read its name (logged at debug level only). */
static void test_cmsis_dap_not_found_by_host(void **state)
{
	(void)state;
	static const char tail[] = "Info : Listening on port 6666 for tcl connections\n"
	                           "Error: unable to find a matching CMSIS-DAP device\n";
	expect_on(MACOS, tail, DIAG_PROBE_NOT_FOUND, DIAG_CONF_HIGH);
	expect_shared_on(LINUX, tail, DIAG_PROBE_NOT_FOUND, DIAG_USB_PERMISSION);
	expect_shared_on(WINDOWS, tail, DIAG_PROBE_NOT_FOUND, DIAG_PROBE_DRIVER_MISSING);

	/* 0.10 has the HID backend alone: a bulk-only v2 probe is invisible to it. */
	struct reading r;
	read_log(BANNER("0.10.0") "Error: unable to find CMSIS-DAP device\n", &r);
	assert_int_equal(r.id, DIAG_PROBE_NOT_FOUND);
	assert_int_equal(r.conf, DIAG_CONF_MEDIUM);
	assert_int_equal(listed(&r, DIAG_OPENOCD_TOO_OLD), DIAG_CONF_LOW);
	diag_report_free(r.r);
	read_log(BANNER("0.12.0") "Error: unable to find a matching CMSIS-DAP device\n", &r);
	assert_int_equal(listed(&r, DIAG_OPENOCD_TOO_OLD), -1);
	diag_report_free(r.r);
}

/* "open failed" (stlink_usb.c, 0.9-0.12) is jtag_libusb_open matching no VID:PID: absent,
 * unless the release predates the probe's USB id (STLINK-V3 before 0.11). 0.12 knows every
 * ST-LINK: high; an older banner or none: medium with the version listed low; a pasted
 * 'lsusb' that lists an ST-LINK the banner's release does not know decides for the version. */
static void test_stlink_open_failed_by_release(void **state)
{
	(void)state;
	struct reading r;
	read_log(BANNER("0.10.0") "Error: open failed\n", &r);
	assert_int_equal(r.id, DIAG_PROBE_NOT_FOUND);
	assert_int_equal(r.conf, DIAG_CONF_MEDIUM);
	assert_int_equal(listed(&r, DIAG_OPENOCD_TOO_OLD), DIAG_CONF_LOW);
	diag_report_free(r.r);
	expect_shared("Error: open failed\n", DIAG_PROBE_NOT_FOUND, DIAG_OPENOCD_TOO_OLD);
	read_log(BANNER("0.12.0") "Error: open failed\n", &r);
	assert_int_equal(r.id, DIAG_PROBE_NOT_FOUND);
	assert_int_equal(r.conf, DIAG_CONF_HIGH);
	assert_int_equal(listed(&r, DIAG_OPENOCD_TOO_OLD), -1);
	diag_report_free(r.r);

	/* lsusb's "Bus %03d Device %03d: ID %04x:%04x %s" next to the log. */
	static const char v3[] = "Bus 001 Device 009: ID 0483:374e STMicroelectronics STLINK-V3\n"
	                         "Error: open failed\n";
	expect_on(BANNER("0.10.0"), v3, DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	expect_on(BANNER("0.11.0"), v3, DIAG_PROBE_NOT_FOUND, DIAG_CONF_MEDIUM);
	expect_on(BANNER("0.11.0"), "Bus 003 Device 004: ID 0483:3754 STMicroelectronics "
	          "STLINK-V3\nError: open failed\n", DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	/* A V2 that 0.10 knows: the config's VID:PID or serial does not match it. */
	expect_on(BANNER("0.10.0"), "Bus 002 Device 005: ID 0483:3748 STMicroelectronics "
	          "ST-LINK/V2\nError: open failed\n", DIAG_PROBE_NOT_FOUND, DIAG_CONF_MEDIUM);
}

/* ST-LINK's "read version failed" (stlink_usb.c): before 0.8 OpenOCD gave up on the first
 * failure (0.8 resets the probe and retries, and knows the V2-1); from 0.8 it is the probe's. */
static void test_stlink_read_version_by_release(void **state)
{
	(void)state;
	/* medium: a probe that stopped answering prints the same line under 0.7 */
	expect(BANNER("0.7.0") "Info : This adapter doesn't support configurable speed\n"
	       "Error: read version failed\n", DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
	expect(BANNER("0.6.1") "Error: read version failed\n", DIAG_OPENOCD_TOO_OLD,
	       DIAG_CONF_MEDIUM);
	struct reading r;
	read_log(BANNER("0.7.0") "Error: read version failed\n", &r);
	assert_true(listed(&r, DIAG_PROBE_NOT_FOUND) > 0);
	diag_report_free(r.r);
	read_log(BANNER("0.10.0") "Error: read version failed\n", &r);
	assert_int_not_equal(r.id, DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(listed(&r, DIAG_OPENOCD_TOO_OLD), -1);
	diag_report_free(r.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interface_not_found_by_release),
		cmocka_unit_test(test_open_access_by_host),
		cmocka_unit_test(test_jlink_refused_in_discovery),
		cmocka_unit_test(test_cmsis_dap_not_found_by_host),
		cmocka_unit_test(test_stlink_open_failed_by_release),
		cmocka_unit_test(test_stlink_read_version_by_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
