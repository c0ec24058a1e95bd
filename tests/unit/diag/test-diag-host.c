/* Unit tests for the host side of diagnosis: the same USB or dfu-util words read by the host
 * they came from, and the first cause over its cascade (a device found and not opened is
 * never "no device"). Each log is built from the messages OpenOCD and dfu-util print (the rule
 * that reads it cites the source); the host shows only through what a paste carries of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"

/* The top finding of LOG read as a pasted log, its confidence and its first evidence line
 * (copied into LINE, "" when it has none). */
static enum diag_id top_of(const char *log, enum diag_confidence *conf, char *line, size_t n)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_true(r->n >= 1);
	enum diag_id id = r->findings[0].id;
	if (conf)
		*conf = r->findings[0].confidence;
	if (line)
		snprintf(line, n, "%s", r->findings[0].n_evidence ? r->findings[0].evidence[0] : "");
	diag_report_free(r);
	return id;
}

/* The top finding of HEAD followed by TAIL: the same failure under another host's or
 * version's first lines. */
static enum diag_id top_after(const char *head, const char *tail, enum diag_confidence *conf)
{
	char log[512];
	snprintf(log, sizeof(log), "%s%s", head, tail);
	return top_of(log, conf, NULL, 0);
}

/* "Cannot open DFU device" then "No DFU capable USB device available": the bootloader was
 * there. Windows: the driver; Linux: the permission; neither shown: permission, less sure. */
static void test_dfu_cannot_open_by_host(void **state)
{
	(void)state;
	static const char tail[] = "Cannot open DFU device 0483:df11\n"
	                           "No DFU capable USB device available\n";
	enum diag_confidence conf;

	assert_int_equal(top_after("user@PC /cygdrive/c/work/blink\n$ make program-dfu\n", tail, &conf), DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);

	assert_int_equal(top_after("C:\\tools\\dfu-util.exe -a 0 -D fw.bin\n", tail, NULL), DIAG_PROBE_DRIVER_MISSING);

	/* Linux binds no driver a DFU interface must be taken from: the permission, high. */
	assert_int_equal(top_after("user@box:/home/user/fw$ dfu-util -a 0 -D fw.bin\n", tail, &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);

	/* No host shown: the likelier reading (Linux) at medium, Windows' driver below it. */
	assert_int_equal(top_of(tail, &conf, NULL, 0), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);

	/* dfu-util 0.10+ names libusb's error: ACCESS is the permission on Linux, another
	 * program's handle on Windows (WinUSB opens once), the permission at medium when no
	 * host shows. */
	static const char access[] = "dfu-util: Cannot open DFU device 2341:0366 found on devnum "
	                             "24 (LIBUSB_ERROR_ACCESS)\n"
	                             "dfu-util: No DFU capable USB device available\n";
	assert_int_equal(top_of(access, &conf, NULL, 0), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_after("user@box:/home/user/fw$ dfu-util -a 0 -D fw.bin\n", access,
	                           &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_after("C:\\tools\\dfu-util.exe -a 0 -D fw.bin\n", access, &conf),
	                 DIAG_PROBE_BUSY);
	assert_int_equal(conf, DIAG_CONF_HIGH);

	/* Nothing found at all is still no device. */
	assert_int_equal(top_of("dfu-util: No DFU capable USB device available\n", NULL, NULL, 0),
	                 DIAG_PROBE_NOT_FOUND);
}

/* A CMSIS-DAP OpenOCD found and could not open is reported again as "unable to find a
 * matching CMSIS-DAP device" by the next backend: the open failure decides. */
static void test_cmsis_dap_open_over_not_found(void **state)
{
	(void)state;
	static const char log[] = "Error: unable to open CMSIS-DAP device 0x2341:0x60\n"
	                          "Error: unable to find a matching CMSIS-DAP device\n";
	assert_int_equal(top_of(log, NULL, NULL, 0), DIAG_USB_PERMISSION);
	assert_int_equal(top_of("Error: unable to find a matching CMSIS-DAP device\n", NULL, NULL, 0),
	                 DIAG_PROBE_NOT_FOUND);
}

/* ACCESS from libusb_open is a permission on Linux; from libusb_claim_interface, after the
 * open worked, a driver that holds the interface. */
static void test_claim_access_is_a_driver(void **state)
{
	(void)state;
	enum diag_confidence conf;
	assert_int_equal(top_of("Error: libusb_claim_interface() failed with LIBUSB_ERROR_ACCESS\n"
	                        "Error: unable to open ftdi device with vid 0403, pid 6010, "
	                        "description 'Dual RS232' and serial '*'\n",
	                        &conf, NULL, 0),
	                 DIAG_PROBE_DRIVER_MISSING);
	/* medium: on macOS another program's claim is refused alike (probe-busy below) */
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_of("user@box:/home/user/fw$ openocd -f interface/ftdi/flyswatter.cfg\n"
	                        "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n"
	                        "Error: no device found\n"
	                        "Error: unable to open ftdi device with vid 15ba, pid 002a\n",
	                        &conf, NULL, 0),
	                 DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
}

/* A request dfu-util or the bootloader refused is "unknown" with its own line, above the
 * harmless suffix warning; a write into pages the memory map marks read-only is read from
 * the numbers even when the paste stops before the error line. */
static void test_dfu_refusal_is_unknown_with_its_line(void **state)
{
	(void)state;
	char line[160];
	enum diag_confidence conf;
	assert_int_equal(top_of("dfu-util: Warning: Invalid DFU suffix signature\n"
	                        "Downloading element to address = 0x90040000, size = 138352\n"
	                        "dfu-util: Last page at 0x90061c6f is not writeable\n",
	                        &conf, line, sizeof(line)),
	                 DIAG_UNKNOWN);
	assert_int_equal(conf, DIAG_CONF_LOW);
	assert_non_null(strstr(line, "is not writeable"));

	assert_int_equal(top_of("Run-time device DFU version 011a\n"
	                        "No such Alternate Setting: \"o\"\n",
	                        NULL, line, sizeof(line)),
	                 DIAG_UNKNOWN);
	assert_non_null(strstr(line, "No such Alternate Setting"));

	static const char cut[] = "dfu-util: Warning: Invalid DFU suffix signature\n"
	                          "Memory segment at 0x08000000  19 x 2048 = 38912 (r)\n"
	                          "Memory segment at 0x08009800 237 x 2048 = 485376 (rew)\n"
	                          "Downloading element to address = 0x08000000, size = 35724\n"
	                          "dfu-util: Last page a\n";
	assert_int_equal(top_of(cut, NULL, NULL, 0), DIAG_UNKNOWN);
	/* The same map with the write in the writable pages explains nothing. */
	static const char ok[] = "dfu-util: Warning: Invalid DFU suffix signature\n"
	                         "Memory segment at 0x08000000  19 x 2048 = 38912 (r)\n"
	                         "Memory segment at 0x08009800 237 x 2048 = 485376 (rew)\n"
	                         "Downloading element to address = 0x08009800, size = 35724\n";
	assert_int_equal(top_of(ok, NULL, NULL, 0), DIAG_DFU_SUFFIX_WARNING);
}

/* libjaylink words libusb's NOT_FOUND its own way; on Windows it is still a J-Link with no
 * WinUSB driver. A paste that shows no host is never "not found" at high: libusb listed the
 * J-Link and could not open it, so the driver reading leads at medium. */
static void test_jaylink_not_found_on_windows(void **state)
{
	(void)state;
	static const char tail[] = "Warn : Failed to open device: LIBUSB_ERROR_NOT_FOUND.\n"
	                           "Error: No J-Link device found\n";
	enum diag_confidence conf;
	assert_int_equal(top_after("PS C:\\Users\\me> openocd -f interface/jlink.cfg\n", tail, &conf),
	                 DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_of(tail, &conf, NULL, 0), DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
}

/* "SWD not supported" from OpenOCD 0.11 with CMSIS-DAP 2.1+ firmware is the OpenOCD (it
 * misreads two-byte capabilities); from 0.12, or with older firmware, it is not. */
static void test_cmsis_dap_caps_by_openocd_version(void **state)
{
	(void)state;
	static const char tail[] = "Info : CMSIS-DAP: FW Version = 2.1.1\n"
	                           "Error: CMSIS-DAP: SWD not supported\n"
	                           "Error: No Valid JTAG Interface Configured.\n";
	enum diag_confidence conf;
	assert_int_equal(top_after("Open On-Chip Debugger 0.11.0\n", tail, &conf), DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_not_equal(top_after("Open On-Chip Debugger 0.12.0\n", tail, NULL), DIAG_OPENOCD_TOO_OLD);
	assert_int_not_equal(top_of("Open On-Chip Debugger 0.11.0\n"
	                            "Info : CMSIS-DAP: FW Version = 1.10\n"
	                            "Error: CMSIS-DAP: SWD not supported\n",
	                            NULL, NULL, 0),
	                     DIAG_OPENOCD_TOO_OLD);
}

/* A tool the loader could not start is as good as missing, and the loader's own words say
 * which tool it was, on each host. */
static void test_tool_that_cannot_start(void **state)
{
	(void)state;
	assert_int_equal(top_of("dyld[3956]: Library not loaded: '/usr/local/opt/libusb/lib/"
	                        "libusb-1.0.0.dylib'\n"
	                        "  Referenced from: '/Library/Toolchain/bin/dfu-util'\n"
	                        "  Reason: tried: '/usr/lib/libusb-1.0.0.dylib' (no such file)\n",
	                        NULL, NULL, 0),
	                 DIAG_DFU_UTIL_MISSING);
	assert_int_equal(top_of("openocd: error while loading shared libraries: libhidapi-hidraw.so.0: "
	                        "cannot open shared object file: No such file or directory\n",
	                        NULL, NULL, 0),
	                 DIAG_OPENOCD_MISSING);
	/* The loader's line names another program: neither tool is blamed. */
	static const char other[] = "gdb: error while loading shared libraries: libncursesw.so.5: "
	                            "cannot open shared object file: No such file or directory\n";
	assert_int_not_equal(top_of(other, NULL, NULL, 0), DIAG_OPENOCD_MISSING);
	assert_int_not_equal(top_of(other, NULL, NULL, 0), DIAG_DFU_UTIL_MISSING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dfu_cannot_open_by_host),
		cmocka_unit_test(test_cmsis_dap_open_over_not_found),
		cmocka_unit_test(test_claim_access_is_a_driver),
		cmocka_unit_test(test_dfu_refusal_is_unknown_with_its_line),
		cmocka_unit_test(test_jaylink_not_found_on_windows),
		cmocka_unit_test(test_cmsis_dap_caps_by_openocd_version),
		cmocka_unit_test(test_tool_that_cannot_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
