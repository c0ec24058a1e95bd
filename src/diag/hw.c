/* diag: the checks that read the OpenOCD build against the hardware it met. Each returns the
 * confidence its row of rules_hw.inc deserves (0: the row does not apply) and writes what it
 * saw into the context's detail.
 *
 * Owns: nothing. Must not: print, or decide an id (the table says what a confidence means).
 */
#include <stdio.h>
#include <string.h>

#include "diag/checks.h"
#include "diag/hw.h"

/* The number N of the first "Sequence N not supported" line, -1 when there is none. */
static int unsupported_seq(const struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strstr(c->ev->log_lines[i], "Sequence ");
		int n;
		if (p && sscanf(p, "Sequence %d not supported", &n) == 1)
			return n;
	}
	return -1;
}

/* An adapter driver's switch_seq refused a special SWD sequence. Up to 0.11 the list
 * (src/target/arm_adi_v5.h, enum swd_special_seq) is LINE_RESET, JTAG_TO_SWD, SWD_TO_JTAG,
 * SWD_TO_DORMANT, DORMANT_TO_SWD, and no upstream driver sends 3 or 4: a config for a
 * multi-drop part (the RP2040) asks for them and the build cannot. 0.12 renumbered the list
 * (JTAG_TO_DORMANT is 2) and taught cmsis-dap, ftdi, jlink and bitbang the dormant ones, so
 * under a 0.12 banner the number means another sequence and a driver that still lacks it
 * (kitprog, xds110, vsllink): no upgrade cures that, and the row does not apply. */
int chk_swd_seq_too_old(struct diag_ctx *c)
{
	int seq = unsupported_seq(c);
	if (seq != 3 && seq != 4)
		return 0;
	if (c->ver_major > 0 || (c->ver_major == 0 && c->ver_minor >= 12))
		return 0;
	if (c->ver_major < 0) {
		snprintf(c->detail, sizeof(c->detail),
		         "sequence %d is %s before 0.12; the log shows no banner to date the build",
		         seq, seq == 3 ? "SWD-to-dormant" : "dormant-to-SWD");
		return DIAG_CONF_MEDIUM;
	}
	snprintf(c->detail, sizeof(c->detail),
	         "OpenOCD 0.%d: no adapter driver of it sends the %s sequence; 0.12 does", c->ver_minor,
	         seq == 3 ? "SWD-to-dormant" : "dormant-to-SWD");
	return DIAG_CONF_HIGH;
}

/* The ID of the first "Unknown flash device (ID 0x...)" line (any SPI flash driver's
 * wording); false when there is none. */
static bool unknown_flash_id(const struct diag_ctx *c, unsigned *id)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strstr(c->ev->log_lines[i], "Unknown flash device");
		const char *q = p ? strstr(p, "0x") : NULL;
		if (q && sscanf(q, "0x%x", id) == 1)
			return true;
	}
	return false;
}

/* The drivers read the chip's JEDEC ID (maker in the low byte, then memory type, then the
 * capacity code) and look it up in src/flash/nor/spi.c's table. An ID with a maker and a
 * capacity byte that are neither all zeros nor all ones came from a chip that answered: one
 * the build's table does not list yet. All zeros or all ones is a bus nothing drove (wiring,
 * chip select, a dead chip), which no upgrade cures. */
int chk_spi_flash_unlisted(struct diag_ctx *c)
{
	unsigned id;
	if (!unknown_flash_id(c, &id))
		return 0;
	unsigned maker = id & 0xff, capacity = (id >> 16) & 0xff;
	if (maker == 0x00 || maker == 0xff || capacity == 0x00 || capacity == 0xff)
		return 0;
	snprintf(c->detail, sizeof(c->detail),
	         "the flash chip answered JEDEC ID 0x%06x (maker 0x%02x, capacity code 0x%02x): a "
	         "real chip this build's table does not list", id & 0xffffff, maker, capacity);
	return DIAG_CONF_HIGH;
}

/* jtag_libusb_open (src/jtag/drivers/libusb_helper.c, 0.9-0.10 libusb1_common.c, the same
 * in Espressif's fork) logs 'libusb_open() failed with %s' for every matching device it
 * cannot open and 'No device matches the serial string' for a serial mismatch; a driver's
 * "could not find or open" with neither before it found no device with its VID:PID. */
int chk_usb_adapter_absent(struct diag_ctx *c)
{
	if (chk_log_has(c, "libusb_open() failed") || chk_log_has(c, "usb_open() failed") ||
	    chk_log_has(c, "No device matches the serial string"))
		return 0;
	snprintf(c->detail, sizeof(c->detail),
	         "no 'libusb_open() failed' line: no device with the driver's USB ids was listed");
	return DIAG_CONF_HIGH;
}
