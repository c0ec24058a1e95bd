/* probe.c - the virtual ST-LINK/V2 (see probe.h).
 *
 * Command layouts follow OpenOCD 0.12's src/jtag/drivers/stlink_usb.c as summarised in
 * the project's ST-LINK reference (sections 2.4, 3.1 and 4): the ST-LINK status byte of
 * debug commands is data-in byte 0; memory transfers carry no status and report it
 * through the GETLASTRWSTATUS2 that follows each of them.
 */
#include "sim/probe.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ST-LINK USB command bytes (CDB[0], and CDB[1] under DEBUG_COMMAND). */
enum {
	USB_GET_VERSION = 0xF1,
	USB_DEBUG_COMMAND = 0xF2,
	USB_DFU_COMMAND = 0xF3,
	USB_GET_CURRENT_MODE = 0xF5,
	USB_GET_TARGET_VOLTAGE = 0xF7,
	USB_APIV3_GET_VERSION_EX = 0xFB,
};

enum {
	DBG_READMEM_32 = 0x07,
	DBG_WRITEMEM_32 = 0x08,
	DBG_READMEM_8 = 0x0C,
	DBG_WRITEMEM_8 = 0x0D,
	DBG_EXIT = 0x21,
	DBG_ENTER = 0x30,
	DBG_READ_IDCODES = 0x31,
	DBG_RESETSYS = 0x32,
	DBG_READREG = 0x33,
	DBG_WRITEREG = 0x34,
	DBG_WRITEDEBUGREG = 0x35,
	DBG_READDEBUGREG = 0x36,
	DBG_GETLASTRWSTATUS = 0x3B,
	DBG_DRIVE_NRST = 0x3C,
	DBG_GETLASTRWSTATUS2 = 0x3E,
	DBG_SWD_SET_FREQ = 0x43,
	DBG_READMEM_16 = 0x47,
	DBG_WRITEMEM_16 = 0x48,
	DBG_INIT_AP = 0x4B,
	DBG_APIV3_SET_COM_FREQ = 0x61,
	DBG_APIV3_GET_COM_FREQ = 0x62,
};

enum {
	ST_OK = 0x80,
	ST_FAULT = 0x81,     /* DEBUG_ERR_FAULT: command not understood */
	ST_AP_ERROR = 0x12,  /* SWD_AP_ERROR: misaligned or oversized transfer */
	ST_BAD_AP = 0x1D,    /* BAD_AP_ERROR */
};

enum { MODE_MASS = 1, MODE_DEBUG = 2 };

/* ST-LINK/V2 on full-speed USB: about 1 ms per command, calibrated from a published
 * 9.72 s OpenOCD read of 1 MiB at 1.8 MHz. */
#define USB_ROUND_TRIP_NS 1000000ull
#define SWD_CLOCKS_PER_TRANSFER 46   /* request, ACK, 32 data bits, parity, turnarounds */
#define PROBE_MAX_MEM 6144           /* STLINK_DATA_SIZE: the probe's buffer */
#define PROBE_MAX_MEM8 64            /* 8-bit transfers on V2 */
#define PROBE_MAX_MEM8_V3 512        /* and on V3 from firmware J6 */

/* SWD_SET_FREQ divisor -> kHz for ST-LINK/V2 (OpenOCD stlink_khz_to_speed_map_swd). */
static const struct {
	unsigned div, khz;
} swd_speeds[] = {
	{0, 4000}, {1, 1800}, {2, 1200}, {3, 950}, {7, 480}, {15, 240},
	{31, 125}, {40, 100}, {79, 50}, {158, 25}, {265, 15}, {798, 5},
};

/* The SWD clocks a V3 offers in GET_COM_FREQ, fastest first (OpenOCD picks the fastest
 * at or below the requested speed). */
static const unsigned v3_khz[] = {24000, 8000, 3300, 1000, 200, 50, 5};

uint16_t probe_pid(enum probe_model model)
{
	return model == PROBE_V3 ? 0x374F : model == PROBE_V2_1 ? 0x374B : 0x3748;
}

void probe_default_serial(char out[25], const char *flash)
{
	char *real = realpath(flash, NULL);
	const char *s = real ? real : flash;
	uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;

	for (const char *c = s; *c; c++) {
		h1 = (h1 ^ (uint8_t)*c) * 0x100000001b3ull;
		h2 = (h2 ^ (uint8_t)*c) * 0x100000001b3ull + 0x9e3779b9u;
	}
	snprintf(out, 25, "%016llX%08X", (unsigned long long)h1, (unsigned)(h2 >> 32));
	free(real);
}

unsigned probe_divisor_khz(unsigned divisor)
{
	for (size_t i = 0; i < sizeof(swd_speeds) / sizeof(swd_speeds[0]); i++)
		if (divisor <= swd_speeds[i].div)
			return swd_speeds[i].khz;
	return 5;
}

void probe_init(struct probe *p, mcu_t *mcu, const struct probe_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->mcu = mcu;
	/* so OpenOCD sends no EXIT at open: 0.12's stlink_usb_init_mode leaves only a DFU,
	 * debug or SWIM mode */
	p->mode = MODE_MASS;
	p->swd_khz = 1800;   /* the V2 firmware's power-on default */
	p->last_rw = ST_OK;
}

void probe_disconnect(struct probe *p)
{
	p->open = false;
}

static void trace(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void trace(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->cfg.trace)
		return;
	va_start(ap, fmt);
	vfprintf(p->cfg.trace, fmt, ap);
	va_end(ap);
	fputc('\n', p->cfg.trace);
}

static uint64_t wire_ns(const struct probe *p, uint64_t transfers)
{
	return transfers * SWD_CLOCKS_PER_TRANSFER * 1000000ull / p->swd_khz;
}

static const char *mem_name(uint8_t op)
{
	switch (op) {
	case DBG_READMEM_32: return "READMEM_32";
	case DBG_WRITEMEM_32: return "WRITEMEM_32";
	case DBG_READMEM_16: return "READMEM_16";
	case DBG_WRITEMEM_16: return "WRITEMEM_16";
	case DBG_READMEM_8: return "READMEM_8";
	default: return "WRITEMEM_8";
	}
}

/* READMEM/WRITEMEM of any width. out is the data-in area (reads) of size n. */
static void mem_access(struct probe *p, const struct stp_request *req, uint8_t *out,
                       size_t n, uint64_t *cost)
{
	uint8_t op = req->cdb[1];
	uint32_t addr = stp_get_u32(req->cdb + 2);
	uint32_t len = stp_get_u16(req->cdb + 6);
	bool write = op == DBG_WRITEMEM_32 || op == DBG_WRITEMEM_16 || op == DBG_WRITEMEM_8;
	unsigned width = (op == DBG_READMEM_32 || op == DBG_WRITEMEM_32) ? 4
	                 : (op == DBG_READMEM_16 || op == DBG_WRITEMEM_16) ? 2 : 1;
	uint32_t max = width != 1 ? PROBE_MAX_MEM
	               : p->cfg.model == PROBE_V3 ? PROBE_MAX_MEM8_V3 : PROBE_MAX_MEM8;
	uint8_t st;

	if (len % width || addr % width || len > max) {
		st = ST_AP_ERROR;
	} else if (write) {
		/* The data phase carries what the header announced; a missing or short one is
		 * an error. */
		if (req->dir != STP_DIR_OUT || req->data_len < len)
			st = ST_AP_ERROR;
		else
			st = (uint8_t)mcu_write(p->mcu, addr, req->data, len, width);
	} else {
		/* READMEM_8 of one byte arrives with N = 2; never write past the reply. */
		if (len > n)
			st = ST_AP_ERROR;
		else
			st = len ? (uint8_t)mcu_read(p->mcu, addr, out, len, width) : ST_OK;
	}
	p->last_rw = (uint8_t)st;
	p->last_rw_addr = addr;
	if (st != ST_AP_ERROR) /* refused by the probe: nothing went on the wire */
		*cost += wire_ns(p, len / width);
	trace(p, "%s addr=0x%08x len=%u status=0x%02x", mem_name(op), addr, len, st);
}

/* One DEBUG_COMMAND (F2 xx). d/n: data-in area. */
static void debug_command(struct probe *p, const struct stp_request *req, uint8_t *d,
                          size_t n, uint64_t now_ns, uint64_t *cost)
{
	const uint8_t *c = req->cdb;
	uint8_t st = ST_OK;
	uint32_t v = 0, addr;

	if (c[1] != DBG_SWD_SET_FREQ && c[1] != DBG_EXIT)
		mcu_advance(p->mcu, now_ns);

	switch (c[1]) {
	case DBG_READMEM_32:
	case DBG_WRITEMEM_32:
	case DBG_READMEM_16:
	case DBG_WRITEMEM_16:
	case DBG_READMEM_8:
	case DBG_WRITEMEM_8:
		mem_access(p, req, d, n, cost);
		return;
	case DBG_GETLASTRWSTATUS2:
	case DBG_GETLASTRWSTATUS:
		if (n >= 1)
			d[0] = p->last_rw;
		if (n >= 8 && c[1] == DBG_GETLASTRWSTATUS2 && p->last_rw != ST_OK)
			stp_put_u32(d + 4, p->last_rw_addr);
		trace(p, "GETLASTRWSTATUS2 status=0x%02x", p->last_rw);
		return;
	case DBG_EXIT:
		p->mode = MODE_MASS;
		trace(p, "DEBUG_EXIT");
		return;
	case DBG_SWD_SET_FREQ:
		p->swd_khz = probe_divisor_khz(stp_get_u16(c + 2));
		trace(p, "SWD_SET_FREQ divisor=%u khz=%u status=0x80", stp_get_u16(c + 2),
		      p->swd_khz);
		break;
	case DBG_APIV3_GET_COM_FREQ:
		/* [0] status, [8] count, [12 + 4i] kHz: the V3's fixed list for SWD. */
		if (p->cfg.model != PROBE_V3) {
			st = ST_FAULT;
		} else if (n >= 12) {
			size_t count = sizeof(v3_khz) / sizeof(v3_khz[0]);
			while (count && 12 + 4 * count > n)
				count--;
			d[8] = (uint8_t)count;
			for (size_t i = 0; i < count; i++)
				stp_put_u32(d + 12 + 4 * i, v3_khz[i]);
		}
		trace(p, "APIV3_GET_COM_FREQ status=0x%02x", st);
		break;
	case DBG_APIV3_SET_COM_FREQ:
		if (p->cfg.model != PROBE_V3) {
			st = ST_FAULT;
		} else {
			p->swd_khz = stp_get_u32(c + 4);
			if (p->swd_khz == 0)
				p->swd_khz = v3_khz[sizeof(v3_khz) / sizeof(v3_khz[0]) - 1];
		}
		trace(p, "APIV3_SET_COM_FREQ khz=%u status=0x%02x", stp_get_u32(c + 4), st);
		break;
	case DBG_ENTER:
		if (c[2] != 0xA3) {
			/* Only SWD is wired; a JTAG enter is what a JTAG-less target answers. */
			st = 0x16;
		} else {
			st = (uint8_t)mcu_connect(p->mcu, &v);
			*cost += wire_ns(p, 3);
			if (st == ST_OK)
				p->mode = MODE_DEBUG;
		}
		trace(p, "ENTER mode=0x%02x status=0x%02x", c[2], st);
		break;
	case DBG_INIT_AP:
		st = c[2] == 0 ? ST_OK : ST_BAD_AP;
		trace(p, "INIT_AP ap=%u status=0x%02x", c[2], st);
		break;
	case DBG_READ_IDCODES:
		st = (uint8_t)mcu_connect(p->mcu, &v);
		*cost += wire_ns(p, 3);
		if (n >= 8 && st == ST_OK)
			stp_put_u32(d + 4, v);
		trace(p, "READ_IDCODES idcode=0x%08x status=0x%02x", v, st);
		break;
	case DBG_DRIVE_NRST:
		if (c[2] == 2) {
			mcu_set_nrst(p->mcu, true);
			mcu_set_nrst(p->mcu, false);
		} else {
			mcu_set_nrst(p->mcu, c[2] == 0);
		}
		trace(p, "DRIVE_NRST %s status=0x80",
		      c[2] == 0 ? "low" : c[2] == 1 ? "high" : "pulse");
		break;
	case DBG_RESETSYS:
		st = (uint8_t)mcu_system_reset(p->mcu);
		*cost += wire_ns(p, 2);
		trace(p, "RESETSYS status=0x%02x", st);
		break;
	case DBG_READDEBUGREG:
		addr = stp_get_u32(c + 2);
		{
			uint8_t b[4] = {0};
			st = addr % 4 ? ST_AP_ERROR : (uint8_t)mcu_read(p->mcu, addr, b, 4, 4);
			if (n >= 8)
				memcpy(d + 4, b, 4);
			v = stp_get_u32(b);
		}
		*cost += wire_ns(p, 2);
		trace(p, "READDEBUGREG addr=0x%08x value=0x%08x status=0x%02x", addr, v, st);
		break;
	case DBG_WRITEDEBUGREG:
		addr = stp_get_u32(c + 2);
		st = addr % 4 ? ST_AP_ERROR : (uint8_t)mcu_write(p->mcu, addr, c + 6, 4, 4);
		*cost += wire_ns(p, 2);
		trace(p, "WRITEDEBUGREG addr=0x%08x value=0x%08x status=0x%02x", addr,
		      stp_get_u32(c + 6), st);
		break;
	case DBG_READREG:
		st = (uint8_t)mcu_read_core_reg(p->mcu, c[2], &v);
		if (n >= 8)
			stp_put_u32(d + 4, v);
		*cost += wire_ns(p, 4);
		trace(p, "READREG reg=0x%02x value=0x%08x status=0x%02x", c[2], v, st);
		break;
	case DBG_WRITEREG:
		v = stp_get_u32(c + 3);
		st = (uint8_t)mcu_write_core_reg(p->mcu, c[2], v);
		*cost += wire_ns(p, 4);
		trace(p, "WRITEREG reg=0x%02x value=0x%08x status=0x%02x", c[2], v, st);
		break;
	default:
		st = ST_FAULT;
		trace(p, "DEBUG_COMMAND 0x%02x unsupported status=0x81", c[1]);
		break;
	}
	if (n >= 1)
		d[0] = st;
}

void probe_command(struct probe *p, const struct stp_request *req, uint64_t now_ns,
                   struct probe_reply *r)
{
	/* The reply always has exactly the data-in size OpenOCD asked for, or it would
	 * lose step with the stream. */
	size_t n = req->dir == STP_DIR_OUT ? 0 : req->data_len;
	uint8_t *d = r->buf + 4;
	static const uint8_t version[3][6] = {
		[PROBE_V2] = {0x29, 0x47, 0x83, 0x04, 0x48, 0x37},   /* V2J37S7, 0483:3748 */
		[PROBE_V2_1] = {0x29, 0x5A, 0x83, 0x04, 0x4B, 0x37}, /* V2J37M26, 0483:374B */
		/* V3: v=3 with x = y = 0 makes OpenOCD ask GET_VERSION_EX for the rest. */
		[PROBE_V3] = {0x30, 0x00, 0x83, 0x04, 0x4F, 0x37},
	};
	/* GET_VERSION_EX: V3J7M1B3, 0483:374F. */
	static const uint8_t version_ex[12] = {3, 0, 7, 1, 3, 0, 0, 0, 0x83, 0x04, 0x4F, 0x37};

	memset(r->buf, 0, 4 + n);
	r->len = 4 + n;
	r->cost_ns = USB_ROUND_TRIP_NS;
	stp_put_u32(r->buf, STP_SS_OK);

	switch (req->cdb[0]) {
	case USB_GET_VERSION:
		memcpy(d, version[p->cfg.model], n < 6 ? n : 6);
		trace(p, "GET_VERSION");
		break;
	case USB_APIV3_GET_VERSION_EX:
		if (p->cfg.model == PROBE_V3)
			memcpy(d, version_ex, n < sizeof(version_ex) ? n : sizeof(version_ex));
		else if (n >= 1)
			d[0] = ST_FAULT;
		trace(p, "APIV3_GET_VERSION_EX");
		break;
	case USB_GET_CURRENT_MODE:
		if (n >= 1)
			d[0] = p->mode;
		trace(p, "GET_CURRENT_MODE mode=%u", p->mode);
		break;
	case USB_DFU_COMMAND:
		trace(p, "DFU_EXIT");
		break;
	case USB_GET_TARGET_VOLTAGE: {
		/* OpenOCD: V = 2 * adc1 * 1.2 / adc0. */
		double volts = mcu_target_voltage(p->mcu);
		uint32_t adc0 = 1600, adc1 = (uint32_t)(volts * adc0 / 2.4 + 0.5);
		if (n >= 8) {
			stp_put_u32(d, adc0);
			stp_put_u32(d + 4, adc1);
		}
		trace(p, "GET_TARGET_VOLTAGE volts=%.2f", volts);
		break;
	}
	case USB_DEBUG_COMMAND:
		debug_command(p, req, d, n, now_ns, &r->cost_ns);
		break;
	default:
		if (n >= 1)
			d[0] = ST_FAULT;
		trace(p, "USB 0x%02x unsupported", req->cdb[0]);
		break;
	}
}

void probe_handle(struct probe *p, const struct stp_request *req, uint64_t now_ns,
                  struct probe_reply *r)
{
	r->cost_ns = 0;
	switch (req->cmd) {
	case STP_GET_SERVER_VERSION:
		/* API 2 lifts OpenOCD's transfer cap from 1 KiB to 4 KiB. */
		r->len = stp_encode_server_version(r->buf, 2, 2, 1, 0);
		trace(p, "GET_SERVER_VERSION client_api=%u", req->arg);
		break;
	case STP_REFRESH_DEVICE_LIST:
		r->len = stp_encode_u32(r->buf, STP_SS_OK);
		trace(p, "REFRESH_DEVICE_LIST");
		break;
	case STP_GET_NB_DEV:
		r->len = stp_encode_u32(r->buf, 1);
		trace(p, "GET_NB_DEV count=1");
		break;
	case STP_GET_DEV_INFO: {
		uint8_t info[STP_DEV_INFO_REPLY_LEN];
		uint16_t pid = probe_pid(p->cfg.model);
		uint32_t st = req->arg == 0 ? STP_SS_OK : STP_SS_BAD_PARAMETER;
		size_t want = 4 + (size_t)req->size;

		stp_encode_dev_info(info, st, PROBE_DEVICE_ID, p->cfg.serial, 0x0483, pid,
		                    p->cfg.busy);
		memset(r->buf, 0, want);
		memcpy(r->buf, info, want < sizeof(info) ? want : sizeof(info));
		if (want < 4) /* size 0: the status alone still goes out */
			want = 4;
		r->len = want;
		trace(p, "GET_DEV_INFO index=%u used=%d status=0x%x", req->arg, p->cfg.busy, st);
		break;
	}
	case STP_OPEN_DEV:
		if (req->id != PROBE_DEVICE_ID) {
			r->len = stp_encode_open(r->buf, STP_SS_OPEN_ERR, 0);
		} else {
			p->open = true;
			p->connect_id = 0xC0FFEE00u + (++p->sessions & 0xFF);
			r->len = stp_encode_open(r->buf, STP_SS_OK, p->connect_id);
		}
		trace(p, "OPEN_DEV device_id=0x%08x connect_id=0x%08x", req->id,
		      p->open ? p->connect_id : 0);
		break;
	case STP_CLOSE_DEV: {
		uint32_t st = p->open && req->id == p->connect_id ? STP_SS_OK : STP_SS_BAD_PARAMETER;
		if (st == STP_SS_OK) {
			p->open = false;
			/* OpenOCD exits right after this reply: the board file must be current. */
			mcu_save(p->mcu);
		}
		r->len = stp_encode_u32(r->buf, st);
		trace(p, "CLOSE_DEV connect_id=0x%08x status=0x%x", req->id, st);
		break;
	}
	case STP_SEND_USB_CMD:
		if (!p->open || req->id != p->connect_id) {
			size_t n = req->dir == STP_DIR_OUT ? 0 : req->data_len;
			memset(r->buf, 0, 4 + n);
			r->len = 4 + n;
			stp_put_u32(r->buf, STP_SS_BAD_PARAMETER);
			trace(p, "SEND_USB_CMD connect_id=0x%08x not open status=0x%x", req->id,
			      STP_SS_BAD_PARAMETER);
			break;
		}
		probe_command(p, req, now_ns, r);
		break;
	default:
		r->len = stp_encode_u32(r->buf, STP_SS_CMD_NOT_AVAILABLE);
		break;
	}
	if (p->cfg.trace)
		fflush(p->cfg.trace);
}
