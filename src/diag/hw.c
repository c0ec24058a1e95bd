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

/* The vendor:product dfu-util opened ('ID %04x:%04x' after "Opening DFU capable USB
 * device...", on its own line or after it); false when the log shows none. A file's ids
 * ("File ID %04x:%04x does not match") are not a device's. */
static bool dfu_opened_id(const struct diag_ctx *c, unsigned *vid, unsigned *pid)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (strstr(l, "File ID"))
			continue;
		for (const char *p = strstr(l, "ID "); p; p = strstr(p + 3, "ID "))
			if (sscanf(p, "ID %4x:%4x", vid, pid) == 2)
				return true;
	}
	return false;
}

/* True when VID:PID matches one item of a -d list ("1d50:6018,:6017"; an empty half
 * matches anything, an item of two empty halves nothing). */
static bool dfu_id_in_list(const char *list, unsigned vid, unsigned pid)
{
	while (*list && *list != ' ') {
		size_t n = strcspn(list, ", ");
		char item[32];
		snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1),
		         list);
		char *colon = strchr(item, ':');
		if (colon) {
			*colon = '\0';
			unsigned v, p;
			bool has_v = sscanf(item, "%x", &v) == 1, has_p = sscanf(colon + 1, "%x", &p) == 1;
			if ((has_v || has_p) && (!has_v || v == vid) && (!has_p || p == pid))
				return true;
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return false;
}

/* The list a dfu-util command line on LINE gives its device option, as getopt takes it:
 * "-d 0483:df11", "-d0483:df11", "--device 0483:df11", "--device=0483:df11"; NULL for none. */
static const char *device_option(const char *line)
{
	static const char *const opts[] = { " --device=", " --device ", " -d ", " -d" };
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char *p = strstr(line, opts[i]);
		if (p)
			return p + strlen(opts[i]);
	}
	return NULL;
}

/* True when dfu-util was asked for the device it opened: the ids it matched from the file's
 * suffix ("Match vendor ID from file: %04x", main.c 0.8-0.11), or a '-d' list on a dfu-util
 * command line the paste shows. Then the device is the board the user meant, not another
 * device with a run-time DFU interface that happened to be on the bus. */
static bool dfu_device_asked(const struct diag_ctx *c, unsigned vid, unsigned pid)
{
	int file_vid = -1, file_pid = -1;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		const char *p;
		unsigned x;
		if ((p = strstr(l, "Match vendor ID from file: ")) && sscanf(p + 27, "%x", &x) == 1)
			file_vid = (int)x;
		if ((p = strstr(l, "Match product ID from file: ")) && sscanf(p + 28, "%x", &x) == 1)
			file_pid = (int)x;
		if (strstr(l, "dfu-util") && (p = device_option(l)) && dfu_id_in_list(p, vid, pid))
			return true;
	}
	return file_vid == (int)vid && (file_pid < 0 || file_pid == (int)pid);
}

/* dfu-util claims a run-time interface only when no device in DFU mode matched. When it had
 * no ids to look for, the device it took may be any (a Mac's Bluetooth controller): "no DFU
 * device" is the reading. When the device is the one asked for, it is there and only the
 * claim failed. Returns: the row's confidence for the first, 0 for the second. */
int chk_dfu_runtime_unasked(struct diag_ctx *c)
{
	unsigned vid, pid;
	if (dfu_opened_id(c, &vid, &pid) && dfu_device_asked(c, vid, pid))
		return 0;
	return DIAG_CONF_MEDIUM;
}

/* The other side of chk_dfu_runtime_unasked: low (unknown, the claim's error shown) when
 * the device with the run-time interface is the one the file or -d asked for. */
int chk_dfu_runtime_asked(struct diag_ctx *c)
{
	unsigned vid, pid;
	if (!dfu_opened_id(c, &vid, &pid) || !dfu_device_asked(c, vid, pid))
		return 0;
	snprintf(c->detail, sizeof(c->detail),
	         "%04x:%04x is the device asked for (file suffix or -d), running its firmware: it "
	         "is on the bus, but claiming its DFU run-time interface failed", vid, pid);
	return DIAG_CONF_LOW;
}

/* ST's system bootloader answers a page erase with an error status while readout
 * protection is on (or the page is write-protected): dfu-util's "ERASE_PAGE not correctly
 * executed". Another vendor's DfuSe bootloader (a GD32's, an application's own) refuses for
 * reasons of its own, so the reading holds only when the device is ST's (0483) or the log
 * does not name it. */
int chk_dfu_erase_refused(struct diag_ctx *c)
{
	unsigned vid, pid;
	if (dfu_opened_id(c, &vid, &pid) && vid != 0x0483)
		return 0;
	return DIAG_CONF_MEDIUM;
}

/* The other reading of the same refusal: a write-protected page, below it. */
int chk_dfu_erase_refused_alt(struct diag_ctx *c)
{
	return chk_dfu_erase_refused(c) ? DIAG_CONF_LOW : 0;
}

/* Particle's DfuSe bootloaders, known by their DFU-mode USB id, and the MCU behind each with
 * its internal flash (particle-cli src/lib/deviceSpecs/specifications.js, 2.16.0: the ids and
 * the user-part addresses; the flash ranges from the STM32F205 and nRF52840 memory maps).
 * The two families put flash in places the other has none, so an address in the other's
 * flash says which family an image was built for. */
struct dfu_mcu {
	const char *name;
	unsigned lo, hi; /* internal flash, inclusive */
};
static const struct dfu_mcu stm32f205 = { "STM32F205", 0x08000000u, 0x080fffffu };
static const struct dfu_mcu nrf52840 = { "nRF52840", 0x00000000u, 0x000fffffu };

static const struct dfu_board {
	unsigned vid, pid;
	const char *product;
	const struct dfu_mcu *mcu;
} dfu_boards[] = {
	{ 0x2b04, 0xd006, "Photon", &stm32f205 },   { 0x2b04, 0xd008, "P1", &stm32f205 },
	{ 0x2b04, 0xd00a, "Electron", &stm32f205 }, { 0x2b04, 0xd058, "Duo", &stm32f205 },
	{ 0x2b04, 0xd00c, "Argon", &nrf52840 },     { 0x2b04, 0xd00d, "Boron", &nrf52840 },
	{ 0x2b04, 0xd00e, "Xenon", &nrf52840 },     { 0x2b04, 0xd016, "A SoM", &nrf52840 },
	{ 0x2b04, 0xd017, "B SoM", &nrf52840 },     { 0x2b04, 0xd018, "X SoM", &nrf52840 },
	{ 0x2b04, 0xd019, "B5 SoM", &nrf52840 },    { 0x2b04, 0xd01a, "Tracker", &nrf52840 },
};

/* The address of dfu-util's refusal to write a page ("Last page at 0x%08x is not
 * writeable", or the first-page twin "Page at ..."; dfuse.c, dfuse_dnload_element). */
static bool refused_page(const struct diag_ctx *c, unsigned *addr)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		const char *p = strstr(l, "age at 0x");
		if (p && strstr(p, "is not writeable") && sscanf(p, "age at 0x%x", addr) == 1)
			return true;
	}
	return false;
}

/* dfu-util refused a page of a Particle board that lies outside its MCU's flash and inside
 * the other family's: the image was built for a board with the other MCU (a Photon's user
 * part at 0x080a0000 sent to a Boron, a Gen 3 image at 0x000d4000 to an Electron). An
 * address in neither (past the end of the flash, the external flash of alt 2) is another
 * mistake and the row does not apply. Returns: high, or 0. */
int chk_dfu_image_for_other_mcu(struct diag_ctx *c)
{
	unsigned vid, pid, addr;
	if (!dfu_opened_id(c, &vid, &pid) || !refused_page(c, &addr))
		return 0;
	for (size_t i = 0; i < sizeof(dfu_boards) / sizeof(dfu_boards[0]); i++) {
		const struct dfu_board *b = &dfu_boards[i];
		if (b->vid != vid || b->pid != pid)
			continue;
		const struct dfu_mcu *other = b->mcu == &stm32f205 ? &nrf52840 : &stm32f205;
		if (addr < other->lo || addr > other->hi)
			return 0;
		snprintf(c->detail, sizeof(c->detail),
		         "the refused page 0x%08x is %s flash; %04x:%04x is a %s, whose %s has its "
		         "flash at 0x%08x-0x%08x", addr, other->name, vid, pid, b->product,
		         b->mcu->name, b->mcu->lo, b->mcu->hi);
		return DIAG_CONF_HIGH;
	}
	return 0;
}

/* Espressif's Xtensa debug module sets DSR's exec-exception or overrun bit when a debug
 * instruction OpenOCD shifted in faulted. A DSR of all ones (or zeros) is a JTAG bus nothing
 * drove, read as such by other rows; any other value came from the module, whose
 * instructions arrived garbled. Returns: medium, 0 when the DSR is all ones or zeros. */
int chk_xtensa_dir_fault(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		const char *p = strstr(l, "DSR (");
		unsigned dsr;
		if (!p || !strstr(p, "indicates DIR instruction generated an") ||
		    sscanf(p, "DSR (%x)", &dsr) != 1)
			continue;
		if (dsr == 0xffffffffu || dsr == 0)
			return 0;
		snprintf(c->detail, sizeof(c->detail),
		         "DSR 0x%08x: the debug module answered and says the debug instruction it was "
		         "sent faulted", dsr);
		return DIAG_CONF_MEDIUM;
	}
	return 0;
}

/* The same reading for the other cause of the same lines, one level lower. */
int chk_xtensa_dir_fault_alt(struct diag_ctx *c)
{
	return chk_xtensa_dir_fault(c) ? DIAG_CONF_LOW : 0;
}
