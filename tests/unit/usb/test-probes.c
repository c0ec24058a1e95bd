/* test-probes.c - the kind of a USB device: ST-LINK by VID:PID, J-Link by vendor, DFU by
 * VID:PID, CMSIS-DAP v1/v2 by interface and product strings, everything else not a probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "usb/probes.h"

static void test_by_ids(void **state)
{
	enum usb_probe_family f;

	(void)state;
	assert_string_equal(usb_probe_kind(0x0483, 0x3748, NULL, NULL, 0, &f), "ST-LINK/V2");
	assert_int_equal(f, USB_FAMILY_STLINK);
	assert_string_equal(usb_probe_kind(0x0483, 0x374B, NULL, NULL, 0, &f), "ST-LINK/V2-1");
	assert_string_equal(usb_probe_kind(0x0483, 0x374F, NULL, NULL, 0, &f), "STLINK-V3");
	assert_string_equal(usb_probe_kind(0x1366, 0x0105, NULL, NULL, 0, &f), "J-Link");
	assert_int_equal(f, USB_FAMILY_JLINK);
	assert_string_equal(usb_probe_kind(0x1366, 0x1024, NULL, NULL, 0, &f), "J-Link");
	assert_string_equal(usb_probe_kind(0x0483, 0xDF11, NULL, NULL, 0, &f), "DFU");
	assert_int_equal(f, USB_FAMILY_DFU);
	assert_string_equal(usb_probe_kind(0x2B04, 0xD006, NULL, NULL, 0, &f), "DFU");
	assert_string_equal(usb_probe_kind(0x1D50, 0x607F, NULL, NULL, 0, &f), "DFU");
	/* ST's other devices, and a keyboard, are not probes */
	assert_null(usb_probe_kind(0x0483, 0x5740, NULL, NULL, 0, &f));
	assert_null(usb_probe_kind(0x046D, 0xC31C, "USB Keyboard", NULL, 0, &f));
}

static void test_cmsis_dap(void **state)
{
	const struct usb_iface_info v2[] = { { 0xFF, "CMSIS-DAP v2 Interface" }, { 3, "CMSIS-DAP v1 Interface" } };
	const struct usb_iface_info v1[] = { { 0x0A, "CDC" }, { 3, "MBED CMSIS-DAP" } };
	const struct usb_iface_info hid_only[] = { { 3, NULL } };
	const struct usb_iface_info vendor_other[] = { { 0xFF, "Vendor Debug" } };
	enum usb_probe_family f;

	(void)state;
	/* a v2 interface wins over the v1 one the same probe offers */
	assert_string_equal(usb_probe_kind(0x2E8A, 0x000C, "Debugprobe on Pico (CMSIS-DAP)", v2, 2, &f),
			    "CMSIS-DAP v2");
	assert_int_equal(f, USB_FAMILY_CMSIS_DAP);
	assert_string_equal(usb_probe_kind(0x0D28, 0x0204, "DAPLink", v1, 2, &f), "CMSIS-DAP v1");
	/* an unnamed HID interface counts when the product says CMSIS-DAP */
	assert_string_equal(usb_probe_kind(0xC251, 0xF002, "LPC-Link CMSIS-DAP", hid_only, 1, &f), "CMSIS-DAP v1");
	assert_null(usb_probe_kind(0xC251, 0xF002, "Gamepad", hid_only, 1, &f));
	/* a vendor interface not named CMSIS-DAP is someone else's */
	assert_null(usb_probe_kind(0x1234, 0x5678, "CMSIS-DAP thing", vendor_other, 1, &f));
}

static void test_lock_key(void **state)
{
	char k[256];

	(void)state;
	unsetenv("UMOCKDEV_DIR");
	usb_probes_lock_key("066DFF48", k, sizeof(k));
	assert_string_equal(k, "usb-066DFF48");
	/* a virtual bus's probe is not the host's one of the same serial */
	setenv("UMOCKDEV_DIR", "/tmp/umockdev.AB12", 1);
	usb_probes_lock_key("066DFF48", k, sizeof(k));
	assert_string_equal(k, "usb-066DFF48@/tmp/umockdev.AB12");
	unsetenv("UMOCKDEV_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_ids),
		cmocka_unit_test(test_cmsis_dap),
		cmocka_unit_test(test_lock_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
