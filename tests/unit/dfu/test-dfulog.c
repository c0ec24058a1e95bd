/* test-dfulog.c - dfu-util's output as real sessions printed it (lines quoted from public
 * threads: Particle device-os #599, quartiq/stabilizer #69, pineflash #56, dfu-rs #4, the
 * Flirc forum; and the strings of Debian's dfu-util 0.11), classified line by line and
 * split at every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dfu/dfulog.h"

static struct dfulog_line cl(const char *s)
{
	struct dfulog_line l;

	dfulog_classify(s, &l);
	return l;
}

static void test_list(void **state)
{
	struct dfulog_line l = cl("Found DFU: [28e9:0189] ver=1000, devnum=12, cfg=1, intf=0, "
	                          "path=\"1-4.4\", alt=0, name=\"@Internal Flash  /0x08000000/512*002Kg\", "
	                          "serial=\"3CBJ\"");

	(void)state;
	assert_int_equal(l.kind, DFULOG_FOUND);
	assert_int_equal(l.dev.vid, 0x28e9);
	assert_int_equal(l.dev.pid, 0x0189);
	assert_int_equal(l.dev.ver, 0x1000);
	assert_int_equal(l.dev.devnum, 12);
	assert_int_equal(l.dev.alt, 0);
	assert_string_equal(l.dev.path, "1-4.4");
	assert_string_equal(l.dev.name, "@Internal Flash  /0x08000000/512*002Kg");
	assert_string_equal(l.dev.serial, "3CBJ");
	l = cl("Found DFU: [1d50:6017] ver=0200, devnum=17, cfg=1, intf=0, path=\"1-2\", alt=0, "
	       "name=\"@Internal Flash /0x00000000/1*008Ka,15*008Kg\", serial=\"DEMO\"");
	assert_int_equal(l.kind, DFULOG_FOUND);
	assert_string_equal(l.dev.name, "@Internal Flash /0x00000000/1*008Ka,15*008Kg");
	l = cl("Found DFU: [2b04:d006] ver=0250, devnum=9, cfg=1, intf=0, path=\"3-1\", alt=1, "
	       "name=\"@DCT Flash   /0x00000000/01*016Kg\", serial=\"00000000010C\"");
	assert_int_equal(l.dev.alt, 1);
	assert_string_equal(l.dev.serial, "00000000010C");
	/* a runtime-mode device is not a DFU-mode one */
	l = cl("Found Runtime: [0483:5740] ver=0200, devnum=3, cfg=1, intf=1, path=\"1-1\", alt=0, "
	       "name=\"UNKNOWN\", serial=\"206A34\"");
	assert_int_equal(l.kind, DFULOG_OTHER);
}

static void test_progress(void **state)
{
	struct dfulog_line l;

	(void)state;
	l = cl("Download\t[=========================] 100%       120016 bytes");
	assert_int_equal(l.kind, DFULOG_PROGRESS);
	assert_string_equal(l.phase, "Download");
	assert_int_equal(l.percent, 100);
	assert_int_equal(l.bytes, 120016);
	l = cl("Erase   \t[=========================] 100%        20120 bytes");
	assert_string_equal(l.phase, "Erase");
	l = cl("Download        [=                        ]   4%         2048 bytes");
	assert_int_equal(l.kind, DFULOG_PROGRESS);
	assert_int_equal(l.percent, 4);
	assert_int_equal(l.bytes, 2048);
	assert_int_equal(l.rest, 0);
	/* a message written before the bar's line ended (redbear/Duo #50) */
	l = cl("Download        [=                        ]   4%         2048 bytesError during "
	       "special command \"ERASE_PAGE\" get_status");
	assert_int_equal(l.kind, DFULOG_PROGRESS);
	assert_int_equal(l.bytes, 2048);
	assert_string_equal(l.phase, "Download");
	assert_int_equal(cl("Download        [=                        ]   4%         2048 bytesError during "
	                    "special command \"ERASE_PAGE\" get_status" + l.rest).kind, DFULOG_TRANSFER_ERROR);
	l = cl("Upload\t[==========               ]  40%        65536 bytes");
	assert_string_equal(l.phase, "Upload");
	assert_int_equal(l.bytes, 65536);
	l = cl("Download done.");
	assert_int_equal(l.kind, DFULOG_DONE);
	assert_string_equal(l.phase, "Download");
	l = cl("Erase    done.");
	assert_int_equal(l.kind, DFULOG_DONE);
	assert_string_equal(l.phase, "Erase");
	l = cl("Received a total of 1048576 bytes");
	assert_int_equal(l.kind, DFULOG_TOTAL);
	assert_int_equal(l.bytes, 1048576);
	assert_int_equal(cl("Sent a total of 4316 bytes").bytes, 4316);
	assert_int_equal(cl("Submitting leave request...").kind, DFULOG_LEAVE);
	/* other text is not progress */
	assert_int_equal(cl("Copying data from DFU device to PC").kind, DFULOG_OTHER);
	assert_int_equal(cl("File downloaded successfully").kind, DFULOG_OTHER);
	assert_int_equal(cl("DfuSe interface name: \"Internal Flash   \"").kind, DFULOG_OTHER);
}

static void test_failures(void **state)
{
	struct dfulog_line l;

	(void)state;
	assert_int_equal(cl("dfu-util: No DFU capable USB device available").kind, DFULOG_NO_DEVICE);
	assert_int_equal(cl("dfu-util: Warning: Invalid DFU suffix signature").kind, DFULOG_SUFFIX);
	assert_int_equal(cl("dfu-util: A valid DFU suffix will be required in a future dfu-util release").kind,
	                 DFULOG_SUFFIX);
	assert_int_equal(cl("dfu-util: Invalid DFU suffix signature").kind, DFULOG_SUFFIX);
	assert_int_equal(cl("dfu-util: Warning: File too short for DFU suffix").kind, DFULOG_SUFFIX);
	/* a warning nothing else explains is not a failure */
	assert_int_equal(cl("dfu-util: Warning: Assuming DFU version 1.0").kind, DFULOG_OTHER);
	l = cl("dfu-util: Cannot open DFU device 38fb:1001 found on devnum 3 (LIBUSB_ERROR_ACCESS)");
	assert_int_equal(l.kind, DFULOG_ACCESS);
	assert_string_equal(l.text, "LIBUSB_ERROR_ACCESS");
	l = cl("dfu-util: Cannot open DFU device 28e9:0189 found on devnum 31 (LIBUSB_ERROR_IO)");
	assert_int_equal(l.kind, DFULOG_CANNOT_OPEN);
	assert_string_equal(l.text, "LIBUSB_ERROR_IO");
	assert_int_equal(cl("dfu-util: Cannot open DFU device 0483:df11.").kind, DFULOG_CANNOT_OPEN);
	assert_int_equal(cl("dfu-util: Error during download get_status").kind, DFULOG_GET_STATUS);
	l = cl("dfu-util: Error during download get_status (LIBUSB_ERROR_PIPE)");
	assert_int_equal(l.kind, DFULOG_GET_STATUS);
	assert_string_equal(l.text, "LIBUSB_ERROR_PIPE");
	assert_int_equal(cl("Error during download get_status").kind, DFULOG_GET_STATUS);
	l = cl("DFU state(10) = dfuERROR, status(11) = iString indicates a vendor specific error");
	assert_int_equal(l.kind, DFULOG_STATE);
	assert_int_equal(l.state, 10);
	assert_int_equal(l.status, 11);
	assert_string_equal(l.text, "iString indicates a vendor specific error");
	assert_true(dfulog_state_failed(&l));
	l = cl("DFU state(2) = dfuIDLE, status(0) = No error condition is present");
	assert_int_equal(l.kind, DFULOG_STATE);
	assert_false(dfulog_state_failed(&l));
	l = cl("dfu-util: ERASE_PAGE not correctly executed");
	assert_int_equal(l.kind, DFULOG_NOT_EXECUTED);
	assert_string_equal(l.text, "ERASE_PAGE");
	l = cl("dfu-util: Page at 0x08000000 is not readable");
	assert_int_equal(l.kind, DFULOG_NOT_READABLE);
	assert_int_equal(l.address, 0x08000000);
	l = cl("dfu-util: Last page at 0x08004fff is not writeable");
	assert_int_equal(l.kind, DFULOG_NOT_WRITABLE);
	assert_int_equal(l.address, 0x08004fff);
	assert_int_equal(cl("dfu-util: Error during special command \"ERASE_PAGE\" get_status").kind,
	                 DFULOG_TRANSFER_ERROR);
	assert_int_equal(cl("dfu-util: Error during upload (LIBUSB_ERROR_PIPE)").kind, DFULOG_TRANSFER_ERROR);
	/* an upload the ST bootloader stalls (readout protection), as dfu-util 0.11 prints it */
	l = cl("dfu-util: dfuse_upload: libusb_control_transfer returned -9 (LIBUSB_ERROR_PIPE)");
	assert_int_equal(l.kind, DFULOG_TRANSFER_ERROR);
	assert_string_equal(l.text, "LIBUSB_ERROR_PIPE");
	l = cl("dfu-util: Cannot claim interface - LIBUSB_ERROR_BUSY");
	assert_int_equal(l.kind, DFULOG_CANNOT_OPEN);
	assert_int_equal(cl("dfu-util: Unexpected number of bytes uploaded from device").kind,
	                 DFULOG_SHORT_UPLOAD);
	assert_int_equal(cl("dfu-util: More than one DFU capable USB device found! Try `--list' and "
	                    "specify the serial number or disconnect all but one device").kind,
	                 DFULOG_MANY_DEVICES);
	assert_int_equal(cl("dfu-util: Cannot set alternate interface: LIBUSB_ERROR_NOT_FOUND").kind,
	                 DFULOG_NO_ALT);
	l = cl("dfu-util: Only DfuSe file version 1.1a is supported");
	assert_int_equal(l.kind, DFULOG_ERROR);
	assert_string_equal(l.text, "Only DfuSe file version 1.1a is supported");
}

/* A download with :leave to a Photon, as device-os #599 shows it, with bars redrawn in
 * place by '\r' as dfu-util 0.11 does. */
static const char photon_leave[] =
	"dfu-util 0.11\n\n"
	"dfu-util: Warning: Invalid DFU suffix signature\n"
	"dfu-util: A valid DFU suffix will be required in a future dfu-util release\n"
	"Opening DFU capable USB device...\n"
	"Device ID 2b04:d006\n"
	"Downloading element to address = 0x080a0000, size = 4316\n"
	"\rErase   \t[                         ]   0%            0 bytes"
	"\rErase   \t[=========================] 100%         4316 bytes\nErase    done.\n"
	"\rDownload\t[============             ]  47%         2048 bytes"
	"\rDownload\t[=========================] 100%         4316 bytes\nDownload done.\n"
	"File downloaded successfully\n"
	"Submitting leave request...\n"
	"dfu-util: Error during download get_status\n";

struct tally {
	size_t lines;
	size_t kinds[DFULOG_ERROR + 1];
	uint64_t last_bytes;
	char joined[2048];
};

static void on_line(void *ud, const char *line)
{
	struct tally *t = ud;
	struct dfulog_line l;

	dfulog_classify(line, &l);
	t->lines++;
	t->kinds[l.kind]++;
	if (l.kind == DFULOG_PROGRESS)
		t->last_bytes = l.bytes;
	strncat(t->joined, line, sizeof(t->joined) - strlen(t->joined) - 2);
	strcat(t->joined, "|");
}

static void test_split_every_byte(void **state)
{
	struct tally whole = {0};
	struct dfulog_splitter s;
	size_t n = sizeof(photon_leave) - 1;

	(void)state;
	dfulog_splitter_init(&s, on_line, &whole);
	dfulog_splitter_feed(&s, photon_leave, n);
	dfulog_splitter_flush(&s);
	assert_int_equal(whole.kinds[DFULOG_PROGRESS], 4);
	assert_int_equal(whole.kinds[DFULOG_DONE], 2);
	assert_int_equal(whole.kinds[DFULOG_SUFFIX], 2);
	assert_int_equal(whole.kinds[DFULOG_LEAVE], 1);
	assert_int_equal(whole.kinds[DFULOG_GET_STATUS], 1);
	assert_int_equal(whole.last_bytes, 4316);
	for (size_t cut = 1; cut < n; cut++) {
		struct tally t = {0};

		dfulog_splitter_init(&s, on_line, &t);
		dfulog_splitter_feed(&s, photon_leave, cut);
		dfulog_splitter_feed(&s, photon_leave + cut, n - cut);
		dfulog_splitter_flush(&s);
		assert_int_equal(t.lines, whole.lines);
		assert_string_equal(t.joined, whole.joined);
	}
}

static void test_split_long_and_unterminated(void **state)
{
	char big[2000];
	struct tally t = {0};
	struct dfulog_splitter s;

	(void)state;
	memset(big, 'x', sizeof(big));
	dfulog_splitter_init(&s, on_line, &t);
	dfulog_splitter_feed(&s, big, sizeof(big));
	dfulog_splitter_feed(&s, "\nlast", 5);
	assert_int_equal(t.lines, 1);
	dfulog_splitter_flush(&s);
	assert_int_equal(t.lines, 2);
	assert_non_null(strstr(t.joined, "|last|"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_split_every_byte),
		cmocka_unit_test(test_split_long_and_unterminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
