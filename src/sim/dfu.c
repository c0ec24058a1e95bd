/* dfu.c - the virtual DFU bootloaders (see dfu.h).
 *
 * Sources: USB DFU 1.1 (states §6.1.2, requests §3, functional descriptor §4.1.3); ST
 * AN3156 "USB DFU protocol used in the STM32 bootloader" and AN2662 (DfuSe commands on
 * DNLOAD block 0, the address formula of UPLOAD/DNLOAD blocks >= 2, errVENDOR under
 * readout protection); the alt strings are those the devices report to `dfu-util -l`
 * in public logs (ST ROM, Particle Photon 0.5+, Spark Core).
 *
 * A DfuSe operation is carried out by the first GETSTATUS after its DNLOAD, which answers
 * dfuDNBUSY with bwPollTimeout; the next GETSTATUS gives its result. Under realistic
 * timing that next answer is not ready before the operation has finished (the device
 * NAKs), and every transfer costs its full-speed bus time.
 */
#include "sim/dfu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/dfu_mem.h"

#define MAX_ALTS 4

/* DFU 1.1 §6.1.2 */
enum dfu_state {
	ST_IDLE = 2,
	ST_DNLOAD_SYNC = 3,
	ST_DNBUSY = 4,
	ST_DNLOAD_IDLE = 5,
	ST_MANIFEST_SYNC = 6,
	ST_MANIFEST = 7,
	ST_UPLOAD_IDLE = 9,
	ST_ERROR = 10,
};

enum { REQ_DETACH, REQ_DNLOAD, REQ_UPLOAD, REQ_GETSTATUS, REQ_CLRSTATUS, REQ_GETSTATE,
       REQ_ABORT };

/* DfuSe commands (AN3156 §6.1) */
#define CMD_GET 0x00
#define CMD_SET_ADDRESS 0x21
#define CMD_ERASE 0x41
#define CMD_READ_UNPROTECT 0x92

struct kind_info {
	const char *name;
	struct dfu_usb_id id;
	uint16_t transfer_size; /* wTransferSize of the functional descriptor */
	bool status_fails_on_leave; /* the Photon's quirk */
};

/* The ST ROM: bcdDevice 0x2200 and wTransferSize 2048 as dfu-util shows them (ver=2200,
 * "Device returned transfer size 2048"); the Photon: ver=0250 (firmware 0.5 and later),
 * 4096-byte transfers; the Spark Core: ver=0200, 1024-byte transfers (ST's DFU library
 * default the Core's bootloader is built on). */
static const struct kind_info kinds[] = {
	[DFU_KIND_ST] = {"st", {0x0483, 0xDF11, 0x2200, "STMicroelectronics",
	                        "STM32  BOOTLOADER"}, 2048, false},
	[DFU_KIND_PHOTON] = {"photon", {0x2B04, 0xD006, 0x0250, "Particle",
	                                "Photon DFU Mode"}, 4096, true},
	[DFU_KIND_SPARK_CORE] = {"spark-core", {0x1D50, 0x607F, 0x0200, "Spark Devices",
	                                        "CORE DFU"}, 1024, false},
};

/* The boards each kind can front, and what the bootloader needs of them: main flash
 * size and the unique ID address (RM0033 §29, RM0090 §39, RM0008 §30.2). */
struct board_info {
	enum dfu_kind kind;
	const char *model;
	uint32_t flash_size;
	uint32_t uid_addr;
	bool f1;
};

static const struct board_info boards[] = {
	{DFU_KIND_ST, "stm32f205rg", 0x100000, 0x1FFF7A10, false},
	{DFU_KIND_ST, "stm32f405rg", 0x100000, 0x1FFF7A10, false},
	{DFU_KIND_ST, "stm32f407vg", 0x100000, 0x1FFF7A10, false},
	{DFU_KIND_ST, "stm32f429zg", 0x100000, 0x1FFF7A10, false},
	{DFU_KIND_ST, "stm32f429zi", 0x200000, 0x1FFF7A10, false},
	{DFU_KIND_PHOTON, "stm32f205rg", 0x100000, 0x1FFF7A10, false},
	{DFU_KIND_SPARK_CORE, "stm32f103cb", 0x20000, 0x1FFFF7E8, true},
};

struct dfu_device {
	const struct kind_info *k;
	const struct board_info *b;
	struct dfu_mem mem;
	struct dfu_alt alts[MAX_ALTS];
	unsigned nalts, alt;
	bool realistic;

	enum dfu_state state;
	uint8_t status;
	uint32_t address;        /* DfuSe address pointer */
	uint16_t block;          /* wValue of the pending DNLOAD */
	uint8_t *buf;            /* its data: transfer_size bytes */
	size_t len;
	int result;              /* of the operation running in dfuDNBUSY */
	uint32_t poll_ms;
	uint64_t busy_until;     /* realistic: when the running operation ends */
	uint64_t bus_free;       /* realistic: when the bus has carried the last answer */
};

int dfu_kind_parse(const char *name, enum dfu_kind *kind)
{
	for (int i = DFU_KIND_ST; i <= DFU_KIND_SPARK_CORE; i++)
		if (strcmp(name, kinds[i].name) == 0) {
			*kind = (enum dfu_kind)i;
			return 0;
		}
	return -1;
}

/* ---- the alt settings of each kind ------------------------------------------------ */

static int add_alt(dfu_device_t *d, const char *layout, enum dfu_store store,
                   uint32_t bus_base)
{
	struct dfu_alt *a = &d->alts[d->nalts];

	a->layout = layout;
	a->store = store;
	if (dfu_alt_parse(a) < 0)
		return -1;
	a->bus_base = bus_base ? bus_base : a->base;
	d->nalts++;
	return 0;
}

static int make_alts(dfu_device_t *d)
{
	int rc = 0;

	switch (d->b->kind) {
	case DFU_KIND_ST:
		rc |= add_alt(d, d->b->flash_size > 0x100000
		              ? "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg,"
		                "04*016Kg,01*064Kg,07*128Kg"
		              : "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
		              DFU_STORE_FLASH, 0);
		rc |= add_alt(d, "@Option Bytes  /0x1FFFC000/01*016 e", DFU_STORE_OPTION, 0);
		rc |= add_alt(d, "@OTP Memory /0x1FFF7800/01*512 e,01*016 e", DFU_STORE_OTP, 0);
		rc |= add_alt(d, "@Device Feature/0xFFFF0000/01*004 e", DFU_STORE_FEATURE, 0);
		break;
	case DFU_KIND_PHOTON:
		/* sectors 0-2 are the bootloader and the two DCT copies: read-only here */
		rc |= add_alt(d, "@Internal Flash   /0x08000000/03*016Ka,01*016Kg,01*064Kg,"
		              "07*128Kg", DFU_STORE_FLASH, 0);
		/* the DCT alt shows the first DCT copy, flash sector 1 */
		rc |= add_alt(d, "@DCT Flash   /0x00000000/01*016Kg", DFU_STORE_DCT, 0x08004000);
		break;
	case DFU_KIND_SPARK_CORE:
		/* the first 20 KiB hold the bootloader; user code starts at 0x08005000 */
		rc |= add_alt(d, "@Internal Flash  /0x08000000/20*001Ka,108*001Kg",
		              DFU_STORE_FLASH, 0);
		rc |= add_alt(d, "@SPI Flash : SST25x/0x00000000/512*04Kg", DFU_STORE_SPI, 0);
		break;
	default:
		return -1;
	}
	return rc;
}

static const struct board_info *board_of(enum dfu_kind kind, const char *model)
{
	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
		if (boards[i].kind == kind && model && strcmp(boards[i].model, model) == 0)
			return &boards[i];
	return NULL;
}

int dfu_check_model(enum dfu_kind kind, const char *model, char *err, size_t errlen)
{
	if (board_of(kind, model))
		return 0;
	snprintf(err, errlen, "dfu=%s does not fit model '%s'; use %s", kinds[kind].name,
	         model ? model : "", kind == DFU_KIND_ST ? "an F2/F4 model (stm32f205rg, "
	         "stm32f405rg, stm32f407vg, stm32f429zg, stm32f429zi): the F103 has no USB "
	         "bootloader" : kind == DFU_KIND_PHOTON ? "stm32f205rg" : "stm32f103cb");
	return -1;
}

dfu_device_t *dfu_new(enum dfu_kind kind, mcu_t *mcu, const char *model,
                      const char *flash_path, bool realistic, char *err, size_t errlen)
{
	const struct board_info *b = board_of(kind, model);
	char *spi = NULL;

	if (dfu_check_model(kind, model, err, errlen) < 0)
		return NULL;
	dfu_device_t *d = calloc(1, sizeof(*d));
	if (!d || !(d->buf = malloc(kinds[kind].transfer_size))) {
		snprintf(err, errlen, "out of memory");
		free(d);
		return NULL;
	}
	d->k = &kinds[kind];
	d->b = b;
	d->realistic = realistic;
	d->state = ST_IDLE;
	d->address = 0x08000000;
	if (make_alts(d) < 0) {
		snprintf(err, errlen, "dfu=%s: bad layout table", d->k->name);
		goto fail;
	}
	if (kind == DFU_KIND_SPARK_CORE && asprintf(&spi, "%s.spi", flash_path) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (dfu_mem_init(&d->mem, mcu, b->f1, b->flash_size, b->uid_addr, spi,
	                 2 * 1024 * 1024, err, errlen) < 0)
		goto fail;
	free(spi);
	/* BOOT0 high: the core runs the ROM, never the firmware in flash. Holding the board
	 * in reset is how the board model says "the firmware does not run" (its faults that
	 * need running firmware, such as swd-disabled, stay out of the way); the flash
	 * controller and memories answer as ever. */
	mcu_set_nrst(mcu, true);
	return d;
fail:
	free(spi);
	free(d->buf);
	free(d);
	return NULL;
}

void dfu_free(dfu_device_t *d)
{
	if (!d)
		return;
	dfu_mem_release(&d->mem);
	free(d->buf);
	free(d);
}

const struct dfu_usb_id *dfu_usb_id(const dfu_device_t *d)
{
	return &d->k->id;
}

void dfu_default_serial(dfu_device_t *d, char out[33])
{
	uint8_t u[12];

	if (!dfu_mem_uid(&d->mem, u))
		memset(u, 0, sizeof(u));
	if (d->b->kind == DFU_KIND_PHOTON) {
		/* the Photon reports its whole unique ID in hex */
		for (int i = 0; i < 12; i++)
			snprintf(out + 2 * i, 3, "%02X", u[i]);
		return;
	}
	/* ST's USB device library: UID word 0 plus word 2 as 8 hex digits, then the upper
	 * half of word 1 as 4 */
	uint32_t w0 = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
	              (uint32_t)u[3] << 24;
	uint32_t w1 = (uint32_t)u[4] | (uint32_t)u[5] << 8 | (uint32_t)u[6] << 16 |
	              (uint32_t)u[7] << 24;
	uint32_t w2 = (uint32_t)u[8] | (uint32_t)u[9] << 8 | (uint32_t)u[10] << 16 |
	              (uint32_t)u[11] << 24;
	snprintf(out, 33, "%08X%04X", w0 + w2, w1 >> 16);
}

/* ---- descriptors ------------------------------------------------------------------ */

size_t dfu_descriptors(const dfu_device_t *d, uint8_t *out, size_t max)
{
	const struct dfu_usb_id *id = &d->k->id;
	uint8_t buf[18 + 9 + MAX_ALTS * 9 + 9];
	size_t n = 0;
	uint16_t xfer = d->k->transfer_size;

	const uint8_t dev[18] = {
		18, 1, 0x00, 0x02, 0, 0, 0, 64,
		id->vid & 0xFF, id->vid >> 8, id->pid & 0xFF, id->pid >> 8,
		id->bcd_device & 0xFF, id->bcd_device >> 8, 1, 2, 3, 1,
	};
	memcpy(buf, dev, sizeof(dev));
	n = sizeof(dev);
	size_t total = 9 + 9 * d->nalts + 9;
	const uint8_t cfg[9] = {9, 2, total & 0xFF, total >> 8, 1, 1, 0, 0xC0, 50};
	memcpy(buf + n, cfg, 9);
	n += 9;
	for (unsigned a = 0; a < d->nalts; a++) {
		/* interface 0, alt a, no endpoints, class 0xFE application specific, subclass
		 * 1 DFU, protocol 2 DFU mode; iInterface 4 + a names it */
		const uint8_t intf[9] = {9, 4, 0, (uint8_t)a, 0, 0xFE, 1, 2, (uint8_t)(4 + a)};
		memcpy(buf + n, intf, 9);
		n += 9;
	}
	/* DFU functional descriptor: bmAttributes 0x0B (can download, can upload, will
	 * detach), wDetachTimeOut 255 ms, wTransferSize, bcdDFUVersion 0x011A (DfuSe) */
	const uint8_t func[9] = {9, 0x21, 0x0B, 0xFF, 0x00, xfer & 0xFF, xfer >> 8, 0x1A, 0x01};
	memcpy(buf + n, func, 9);
	n += 9;
	if (n > max)
		n = max;
	memcpy(out, buf, n);
	return n;
}

static size_t string_descriptor(const char *text, uint8_t *out)
{
	size_t n = 2;

	for (const char *c = text; *c && n + 2 <= 254; c++) {
		out[n++] = (uint8_t)*c;
		out[n++] = 0;
	}
	out[0] = (uint8_t)n;
	out[1] = 3;
	return n;
}

int dfu_set_alt(dfu_device_t *d, unsigned alt)
{
	if (alt >= d->nalts)
		return -1;
	d->alt = alt;
	return 0;
}

/* Standard GET_DESCRIPTOR. Returns the length or -1 (stall). */
static int get_descriptor(dfu_device_t *d, const uint8_t *setup, uint8_t *data, size_t room,
                          const char *serial)
{
	uint8_t type = setup[3], index = setup[2];
	uint8_t all[18 + 9 + MAX_ALTS * 9 + 9], s[256];
	size_t total = dfu_descriptors(d, all, sizeof(all)), n;
	const uint8_t *src = s;

	if (type == 1) {
		src = all, n = 18;
	} else if (type == 2 && index == 0) {
		src = all + 18, n = total - 18;
	} else if (type == 0x21) {
		src = all + total - 9, n = 9;
	} else if (type == 3 && index == 0) {
		s[0] = 4, s[1] = 3, s[2] = 0x09, s[3] = 0x04; /* en-US */
		n = 4;
	} else if (type == 3 && index >= 1 && index < 4 + d->nalts) {
		const struct dfu_usb_id *id = &d->k->id;
		const char *text = index == 1 ? id->manufacturer : index == 2 ? id->product
		                   : index == 3 ? serial : d->alts[index - 4].layout;
		n = string_descriptor(text, s);
	} else {
		return -1;
	}
	if (n > room)
		n = room;
	memcpy(data, src, n);
	return (int)n;
}

/* ---- the state machine ------------------------------------------------------------ */

static uint64_t ms_of(uint64_t ns)
{
	return (ns + 999999) / 1000000;
}

/* Full-speed control transfer time: USB 2.0 §5.5.4 table 5-5 allows at most 13 control
 * transactions of 64 bytes per 1 ms frame; a transfer is its setup, its data packets and
 * its status stage. This bounds what the ROM's EP0 can move (1 MiB of 2 KiB uploads:
 * 512 x 34 transactions = 1.34 s, about 780 KB/s). */
static uint64_t bus_ns(size_t len)
{
	return (2 + (len + 63) / 64) * 1000000ull / 13;
}

static void fail(dfu_device_t *d, uint8_t status)
{
	d->state = ST_ERROR;
	d->status = status;
}

/* The operation of the DNLOAD held in d->buf, carried out by the first GETSTATUS. */
static int run_download(dfu_device_t *d, uint64_t *ns, bool *leave, bool *rejoin)
{
	const struct dfu_alt *alt = &d->alts[d->alt];
	const uint8_t *p = d->buf;

	*ns = 0;
	if (d->block >= 2) {
		uint32_t addr = d->address + (uint32_t)(d->block - 2) * d->k->transfer_size;
		int rc = dfu_mem_program(&d->mem, alt, addr, d->buf, d->len, ns);
		/* AN2606: the bootloader resets after writing the option bytes, to load them */
		if (rc == DFU_OK && alt->store == DFU_STORE_OPTION)
			*leave = *rejoin = true;
		return rc;
	}
	if (d->block == 1 || d->len == 0)
		return DFU_ERR_STALLEDPKT;
	uint32_t arg = d->len >= 5 ? (uint32_t)p[1] | (uint32_t)p[2] << 8 |
	                             (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24 : 0;
	switch (p[0]) {
	case CMD_SET_ADDRESS:
		if (d->len != 5)
			return DFU_ERR_STALLEDPKT;
		if (arg < alt->base || arg - alt->base >= alt->size)
			return DFU_ERR_TARGET;
		d->address = arg;
		return DFU_OK;
	case CMD_ERASE:
		if (d->len == 1)
			return alt->store == DFU_STORE_FLASH ? dfu_mem_mass_erase(&d->mem, ns)
			                                     : DFU_ERR_TARGET;
		if (d->len != 5)
			return DFU_ERR_STALLEDPKT;
		return dfu_mem_erase(&d->mem, alt, arg, ns);
	case CMD_READ_UNPROTECT:
		if (d->len != 1)
			return DFU_ERR_STALLEDPKT;
		/* AN2662 §4.5.4: the device resets and disconnects; BOOT0 still high, it
		 * comes back as the bootloader */
		*leave = true;
		*rejoin = true;
		return dfu_mem_unprotect(&d->mem, ns);
	default:
		return DFU_ERR_STALLEDPKT;
	}
}

static int get_status(dfu_device_t *d, uint8_t *data, size_t room, uint64_t now,
                      struct dfu_answer *a)
{
	uint64_t ns = 0;
	bool leave = false, rejoin = false;

	switch (d->state) {
	case ST_DNLOAD_SYNC:
		d->result = run_download(d, &ns, &leave, &rejoin);
		d->state = ST_DNBUSY;
		d->status = DFU_OK;
		d->poll_ms = d->realistic ? (uint32_t)ms_of(ns) : 0;
		d->busy_until = d->realistic ? now + ns : 0;
		a->leave = leave;
		a->rejoin = rejoin;
		break;
	case ST_DNBUSY:
		/* the device answers once the operation is over */
		if (d->busy_until > a->due_ns)
			a->due_ns = d->busy_until;
		d->poll_ms = 0;
		if (d->result != DFU_OK)
			fail(d, (uint8_t)d->result);
		else
			d->state = ST_DNLOAD_IDLE;
		break;
	case ST_MANIFEST_SYNC:
		/* leave: the device jumps to the address pointer and drops off the bus. The
		 * Photon's bootloader resets before it answers this request, which dfu-util
		 * reports as "Error during download get_status" */
		a->leave = true;
		if (d->k->status_fails_on_leave)
			return -1;
		d->state = ST_MANIFEST;
		d->poll_ms = 0;
		break;
	default:
		d->poll_ms = 0;
		break;
	}
	uint8_t st[6] = {d->status, d->poll_ms & 0xFF, (d->poll_ms >> 8) & 0xFF,
	                 (d->poll_ms >> 16) & 0xFF, (uint8_t)d->state, 0};
	size_t n = room < sizeof(st) ? room : sizeof(st);
	memcpy(data, st, n);
	if (rejoin) {
		/* after the reset: a fresh bootloader */
		d->state = ST_IDLE;
		d->status = DFU_OK;
		d->address = 0x08000000;
		d->alt = 0;
		d->busy_until = 0;
	}
	return (int)n;
}

static int upload(dfu_device_t *d, uint16_t block, uint8_t *data, size_t room)
{
	const struct dfu_alt *alt = &d->alts[d->alt];

	if (d->state != ST_IDLE && d->state != ST_UPLOAD_IDLE) {
		fail(d, DFU_ERR_STALLEDPKT);
		return -1;
	}
	if (block == 0) {
		static const uint8_t cmds[] = {CMD_GET, CMD_SET_ADDRESS, CMD_ERASE,
		                               CMD_READ_UNPROTECT};
		size_t n = room < sizeof(cmds) ? room : sizeof(cmds);
		memcpy(data, cmds, n);
		d->state = ST_IDLE;
		return (int)n;
	}
	if (block == 1) {
		fail(d, DFU_ERR_STALLEDPKT);
		return -1;
	}
	uint32_t addr = d->address + (uint32_t)(block - 2) * d->k->transfer_size;
	size_t n = room;
	uint32_t end = alt->base + alt->size;
	if (addr >= alt->base && addr < end && n > end - addr)
		n = end - addr; /* a short frame ends the upload */
	int rc = dfu_mem_read(&d->mem, alt, addr, data, n);
	if (rc != DFU_OK) {
		fail(d, (uint8_t)rc);
		return -1;
	}
	d->state = n < room ? ST_IDLE : ST_UPLOAD_IDLE;
	return (int)n;
}

static int class_request(dfu_device_t *d, const uint8_t *setup, uint8_t *data, size_t room,
                         uint64_t now, struct dfu_answer *a)
{
	uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);
	uint16_t length = (uint16_t)(setup[6] | setup[7] << 8);

	switch (setup[1]) {
	case REQ_DNLOAD:
		if (d->state != ST_IDLE && d->state != ST_DNLOAD_IDLE) {
			fail(d, DFU_ERR_STALLEDPKT);
			return -1;
		}
		if (length == 0) {
			d->state = ST_MANIFEST_SYNC;
			return 0;
		}
		if (length > d->k->transfer_size || length > room) {
			fail(d, DFU_ERR_STALLEDPKT);
			return -1;
		}
		memcpy(d->buf, data, length);
		d->len = length;
		d->block = value;
		d->state = ST_DNLOAD_SYNC;
		return length;
	case REQ_UPLOAD:
		return upload(d, value, data, room < length ? room : length);
	case REQ_GETSTATUS:
		return get_status(d, data, room, now, a);
	case REQ_CLRSTATUS:
		if (d->state == ST_ERROR) {
			d->state = ST_IDLE;
			d->status = DFU_OK;
		}
		return 0;
	case REQ_GETSTATE:
		if (room)
			data[0] = (uint8_t)d->state;
		return room ? 1 : 0;
	case REQ_ABORT:
		if (d->state != ST_ERROR && d->state != ST_DNBUSY && d->state != ST_MANIFEST)
			d->state = ST_IDLE;
		return 0;
	case REQ_DETACH:
		return 0;
	default:
		fail(d, DFU_ERR_STALLEDPKT);
		return -1;
	}
}

void dfu_control(dfu_device_t *d, const uint8_t setup[8], uint8_t *data, size_t room,
                 const char *serial, uint64_t now_ns, struct dfu_answer *a)
{
	uint16_t length = (uint16_t)(setup[6] | setup[7] << 8);

	memset(a, 0, sizeof(*a));
	if (d->realistic) {
		uint64_t start = d->bus_free > now_ns ? d->bus_free : now_ns;
		a->due_ns = start + bus_ns(length);
	}
	if ((setup[0] & 0x60) == 0x20) /* class request to the interface */
		a->len = class_request(d, setup, data, room, now_ns, a);
	else if (setup[0] == 0x80 && setup[1] == 6)
		a->len = get_descriptor(d, setup, data, room, serial);
	else if (setup[0] == 0x80 && setup[1] == 0 && room >= 2)
		data[0] = 0, data[1] = 0, a->len = 2; /* GET_STATUS: bus powered */
	else if (setup[0] == 0x80 && setup[1] == 8 && room >= 1)
		data[0] = 1, a->len = 1; /* GET_CONFIGURATION */
	else if (setup[0] == 0x81 && setup[1] == 10 && room >= 1)
		data[0] = (uint8_t)d->alt, a->len = 1; /* GET_INTERFACE */
	else
		a->len = 0;
	if (d->realistic)
		d->bus_free = a->due_ns;
}
