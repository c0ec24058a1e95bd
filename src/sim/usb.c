/* usb.c - swdbackup-sim's virtual USB bus (see usb.h).
 *
 * The emulation sits below the real libusb-1.0, at the kernel interface, with umockdev:
 * each board is a sysfs USB device (its `descriptors` attribute is what libusb parses)
 * and a /dev/bus/usb/001/NNN node whose usbdevfs ioctls land in usb_ioctl(). libusb
 * sends every transfer, control ones included, as SUBMITURB and collects it with
 * REAPURBNDELAY; every open() of the node is a new umockdev client with its own URBs.
 * ST-LINK commands arrive on the bulk OUT endpoint and go to the same probe_command()
 * the TCP server uses; the reply fills the IN URB OpenOCD queued for it, whose length is
 * the data-in size of the command.
 *
 * Every board is served by a thread of its own: umockdev runs all the handlers of a
 * testbed on that testbed's one worker thread, so each board's handler is attached on a
 * testbed of its own and its socket moved to where the clients look, under the testbed
 * that holds the bus's sysfs. A board's state is touched by its thread only; what the
 * boards share (that sysfs testbed, the device numbers) is under bus_lock. The main
 * thread only sets up, starts the child and waits for it.
 */
#include "sim/usb.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include "sim/dfu.h"
#include "sim/mcu/mcu.h"
#include "sim/options.h"
#include "sim/probe.h"

#define MAX_BOARDS 16

/* Realistic timing: the probe prices each command (USB round trip + wire time) and an
 * URB is reapable only once that much time has passed since its command was submitted,
 * so the emulation's own latency is part of the round trip, not added to it. */
struct urb {
	struct urb *next;
	UMockdevIoctlData *urb;  /* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;  /* its buffer */
	uint8_t type, ep;
	bool done;               /* has its result: reapable from due_ns on */
	int status;              /* 0 or -errno, as the kernel reports it */
	int actual;
	uint64_t due_ns;
};

/* One open() of the device node. */
struct conn {
	struct conn *next;
	UMockdevIoctlClient *client; /* referenced */
	struct urb *urbs;            /* in submission order */
	bool have_cmd;               /* a command waits for its data phase or IN URB */
	bool want_data;              /* ... for its OUT data phase (WRITEMEM) */
	uint8_t cdb[STP_CDB_LEN];
	uint32_t data_len;
	uint64_t cmd_ns;             /* when the command's OUT URB was submitted */
	bool claimed;
	bool gone;                   /* opened before the device left the bus: ENODEV */
	struct board *board;         /* borrowed */
	GSource *timer;              /* a reap waiting for its URB's due time: reap_due() */
	int timer_fd;
	UMockdevIoctlClient *wait_client; /* that reap, referenced; NULL when none waits */
	UMockdevIoctlData *wait_arg;
};

struct board {
	const char *spec;
	struct sim_options o;        /* model, flash, serial, probe, timing, board faults */
	char serial[33];
	bool usb_access, usb_busy;   /* USB faults */
	uint64_t unplug_after;       /* bytes of bulk traffic; 0 = never */
	double stall;                /* fraction of IN URBs that stall */
	uint64_t rng;
	enum dfu_kind dfu_kind;      /* dfu=: a DFU bootloader instead of an ST-LINK */
	dfu_device_t *dfu;

	int devnum;                  /* changes when the device enumerates again */
	int port;                    /* the hub port: the sysfs path, fixed */
	char devnode[64];
	mcu_t *mcu;
	struct probe probe;
	UMockdevIoctlBase *handler;
	struct conn *conns;
	uint64_t traffic;
	uint64_t urbs;               /* URBs submitted, for --stats */
	uint64_t ioctls;             /* ... ioctls, and reaps that found nothing (EAGAIN) */
	uint64_t empty_reaps;
	uint64_t busy_until;
	bool unplugged;
	UMockdevTestbed *tb;         /* the bus's sysfs, borrowed, shared: under bus_lock */
	UMockdevTestbed *htb;        /* owned: its worker thread serves this board alone */
	char *syspath;               /* owned */
	struct probe_reply reply;
};

static GMutex bus_lock;  /* the sysfs testbed and last_devnum, shared by the boards */
static int last_devnum; /* the bus hands out device numbers in order, never twice */

static int enumerate(struct board *b, int devnum, char *err, size_t errlen);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- identity: the real probes' descriptors ------------------------------------ */

struct identity {
	uint16_t pid;
	uint8_t ep_out, ep_trace;
	uint16_t max_packet;
	uint16_t bcd_usb;
	const char *speed;           /* sysfs `speed`, Mb/s */
	const char *product;
};

static const struct identity identities[] = {
	[PROBE_V2] = {0x3748, 0x02, 0x83, 64, 0x0200, "12", "STM32 STLink"},
	[PROBE_V2_1] = {0x374B, 0x01, 0x82, 64, 0x0200, "12", "STM32 STLink"},
	[PROBE_V3] = {0x374F, 0x01, 0x82, 512, 0x0210, "480", "STLINK-V3"},
};

#define MANUFACTURER "STMicroelectronics"
#define EP_IN 0x81

/* Device descriptor then the configuration descriptor with the debug interface: what
 * the kernel exposes as the sysfs `descriptors` attribute. Returns its length. */
static size_t descriptors(const struct identity *id, uint8_t out[64])
{
	const uint8_t dev[18] = {
		18, 1, id->bcd_usb & 0xFF, id->bcd_usb >> 8, 0, 0, 0, 64,
		0x83, 0x04, id->pid & 0xFF, id->pid >> 8, 0x00, 0x01,
		1, 2, 3, 1,
	};
	const uint8_t cfg[9 + 9 + 3 * 7] = {
		9, 2, sizeof(cfg), 0, 1, 1, 0, 0x80, 50,
		9, 4, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0,
		7, 5, EP_IN, 2, id->max_packet & 0xFF, id->max_packet >> 8, 0,
		7, 5, id->ep_out, 2, id->max_packet & 0xFF, id->max_packet >> 8, 0,
		7, 5, id->ep_trace, 2, id->max_packet & 0xFF, id->max_packet >> 8, 0,
	};

	memcpy(out, dev, sizeof(dev));
	memcpy(out + sizeof(dev), cfg, sizeof(cfg));
	return sizeof(dev) + sizeof(cfg);
}

/* A string descriptor (UTF-16LE of ASCII text). Returns its length. */
static size_t string_descriptor(const char *text, uint8_t out[256])
{
	size_t n = 0;

	out[n++] = 0;
	out[n++] = 3;
	for (const char *c = text; *c && n + 2 <= 254; c++) {
		out[n++] = (uint8_t)*c;
		out[n++] = 0;
	}
	out[0] = (uint8_t)n;
	return n;
}

/* ---- SPEC ------------------------------------------------------------------------ */

static int parse_spec(struct board *b, char *spec, char *err, size_t errlen)
{
	char *save = NULL, *field;
	int i = 0;
	bool probe_set = false;

	b->spec = spec;
	b->o.seed = 1;
	for (field = strtok_r(spec, ",", &save); field; field = strtok_r(NULL, ",", &save), i++) {
		char *eq = strchr(field, '=');
		if (i == 0 && !eq) {
			b->o.model = field;
			continue;
		}
		if (i == 1 && !eq) {
			b->o.flash = field;
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "board field '%s' is not KEY=VALUE; use serial=, "
			         "probe=, dfu=, timing= or fault=", field);
			return -1;
		}
		*eq = '\0';
		const char *v = eq + 1;
		if (strcmp(field, "model") == 0 && *v) {
			b->o.model = v;
		} else if (strcmp(field, "flash") == 0 && *v) {
			b->o.flash = v;
		} else if (strcmp(field, "dfu") == 0) {
			if (dfu_kind_parse(v, &b->dfu_kind) < 0) {
				snprintf(err, errlen, "board dfu '%s' is unknown; use st, photon or "
				         "spark-core", v);
				return -1;
			}
		} else if (strcmp(field, "serial") == 0) {
			if (!*v || strlen(v) >= sizeof(b->serial)) {
				snprintf(err, errlen, "board serial '%s' must be 1 to 32 characters", v);
				return -1;
			}
			snprintf(b->serial, sizeof(b->serial), "%s", v);
		} else if (strcmp(field, "probe") == 0) {
			probe_set = true;
			if (strcmp(v, "v2") == 0)
				b->o.probe = PROBE_V2;
			else if (strcmp(v, "v2-1") == 0)
				b->o.probe = PROBE_V2_1;
			else if (strcmp(v, "v3") == 0)
				b->o.probe = PROBE_V3;
			else {
				snprintf(err, errlen, "board probe '%s' is unknown; use v2, v2-1 or v3", v);
				return -1;
			}
		} else if (strcmp(field, "timing") == 0) {
			if (strcmp(v, "none") == 0)
				b->o.timing = MCU_TIMING_NONE;
			else if (strcmp(v, "realistic") == 0)
				b->o.timing = MCU_TIMING_REALISTIC;
			else {
				snprintf(err, errlen, "board timing '%s' is unknown; use none or realistic",
				         v);
				return -1;
			}
		} else if (strcmp(field, "fault") == 0) {
			char *end;
			if (strcmp(v, "usb-access") == 0) {
				b->usb_access = true;
			} else if (strcmp(v, "usb-busy") == 0) {
				b->usb_busy = true;
			} else if (strncmp(v, "unplug-after=", 13) == 0) {
				errno = 0;
				unsigned long long n = strtoull(v + 13, &end, 10);
				if (errno || *end || n == 0 || v[13] == '-' || v[13] == '\0') {
					snprintf(err, errlen, "fault 'unplug-after' needs a byte count above 0, "
					         "e.g. unplug-after=65536");
					return -1;
				}
				b->unplug_after = n;
			} else if (strncmp(v, "stall=", 6) == 0) {
				double r = v[6] ? strtod(v + 6, &end) : -1;
				if (!v[6] || *end || !(r > 0 && r <= 1)) {
					snprintf(err, errlen, "fault 'stall' needs a rate above 0 and at most 1, "
					         "e.g. stall=0.01");
					return -1;
				}
				b->stall = r;
			} else if (sim_options_fault(&b->o, v, err, errlen) < 0) {
				if (strncmp(err, "unknown fault", 13) == 0)
					snprintf(err, errlen, "unknown fault '%s'; use usb-access, usb-busy, "
					         "unplug-after=BYTES, stall=RATE or a board fault (swd-disabled, "
					         "unpowered, rdp1, low-power, wrp=LIST, flaky=RATE, "
					         "clone-idcode=HEX)", v);
				return -1;
			} else if (b->o.busy || b->o.drop_after) {
				snprintf(err, errlen, "fault '%s' is for the TCP server; on USB use "
				         "usb-busy or unplug-after=BYTES", v);
				return -1;
			}
		} else {
			snprintf(err, errlen, "board field '%s' is unknown; use model=, flash=, "
			         "serial=, probe=, dfu=, timing= or fault=", field);
			return -1;
		}
	}
	if (!b->o.model || !b->o.flash) {
		snprintf(err, errlen, "--board needs MODEL,FLASHFILE, e.g. --board "
		         "stm32f103c8,board.bin,probe=v2");
		return -1;
	}
	/* One board file, two ways in, one at a time: the SPEC says which device the board
	 * sits behind, an ST-LINK (probe=) or its USB bootloader (dfu=). */
	if (b->dfu_kind && dfu_check_model(b->dfu_kind, b->o.model, err, errlen) < 0)
		return -1;
	if (b->dfu_kind && (probe_set || b->stall)) {
		snprintf(err, errlen, "board '%s': dfu= is the board's own USB bootloader; drop "
		         "%s (it is for an ST-LINK)", b->o.flash, probe_set ? "probe=" : "stall=");
		return -1;
	}
	return 0;
}

/* ---- URBs ------------------------------------------------------------------------ */

static void urb_free(struct urb *u)
{
	g_object_unref(u->urb);
	g_object_unref(u->buf);
	free(u);
}

static void conn_free(struct conn *c)
{
	while (c->urbs) {
		struct urb *u = c->urbs;
		c->urbs = u->next;
		urb_free(u);
	}
	if (c->timer) {
		g_source_destroy(c->timer);
		g_source_unref(c->timer);
		close(c->timer_fd);
	}
	if (c->wait_client) {
		g_object_unref(c->wait_client);
		g_object_unref(c->wait_arg);
	}
	g_object_unref(c->client);
	free(c);
}

/* Forgets the connections whose process has closed the node. umockdev 0.17 does not
 * always emit client-vanished (a client that exits without releasing its interface, as
 * dfu-util does, would otherwise keep it claimed), so each request looks for them; the
 * kernel releases a closed file's interfaces in the same way. Returns true when one was
 * dropped. */
static bool drop_closed(struct board *b)
{
	bool dropped = false;

	for (struct conn **p = &b->conns; *p;) {
		struct conn *c = *p;
		if (umockdev_ioctl_client_get_connected(c->client)) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		conn_free(c);
		dropped = true;
	}
	return dropped;
}

static struct conn *conn_of(struct board *b, UMockdevIoctlClient *client)
{
	for (struct conn *c = b->conns; c; c = c->next)
		if (c->client == client)
			return c;
	if (drop_closed(b))
		mcu_save(b->mcu); /* the board file is current whenever a client has let go */
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->client = g_object_ref(client); /* held until its node is closed */
	c->board = b;
	c->next = b->conns;
	b->conns = c;
	return c;
}

static void urb_finish(struct urb *u, int status, int actual, uint64_t due_ns)
{
	u->done = true;
	u->status = status;
	u->actual = actual;
	u->due_ns = due_ns;
}

static bool chance(struct board *b, double rate)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return (double)(b->rng >> 11) / (double)(1ull << 53) < rate;
}

/* The device drops off the bus (a pulled cable, or a bootloader that resets): every URB
 * still in flight fails with ENODEV. */
static void leave_bus(struct board *b)
{
	b->unplugged = true;
	for (struct conn *c = b->conns; c; c = c->next) {
		c->gone = true;
		for (struct urb *u = c->urbs; u; u = u->next)
			if (!u->done)
				urb_finish(u, -ENODEV, 0, 0);
	}
	mcu_save(b->mcu);
	/* Gone from sysfs too, so a new enumeration no longer lists it. */
	g_mutex_lock(&bus_lock);
	if (b->syspath)
		umockdev_testbed_remove_device(b->tb, b->syspath);
	g_mutex_unlock(&bus_lock);
}

/* Counts bulk bytes toward unplug-after. Returns true when the device is gone. */
static bool count_traffic(struct board *b, size_t n)
{
	b->traffic += n;
	if (!b->unplug_after || b->traffic < b->unplug_after || b->unplugged)
		return b->unplugged;
	leave_bus(b);
	return true;
}

/* A control transfer to a DFU bootloader. */
static void dfu_urb(struct board *b, struct urb *u)
{
	uint8_t *setup = u->buf->data;
	size_t room = (size_t)u->buf->data_len - 8;
	uint16_t length = (uint16_t)(setup[6] | setup[7] << 8);
	struct dfu_answer a;

	dfu_control(b->dfu, setup, setup + 8, room, b->serial, now_ns(), &a);
	if (a.len < 0)
		urb_finish(u, -EPIPE, 0, a.due_ns);
	else if (!count_traffic(b, (setup[0] & 0x80) ? (size_t)a.len : length))
		urb_finish(u, 0, a.len, a.due_ns);
	if (!a.leave || b->unplugged)
		return;
	leave_bus(b);
	if (!a.rejoin)
		return;
	/* Reset into the bootloader again: the device enumerates anew, on the same port
	 * with the next device number, as after a real USB reset. */
	char err[256];
	b->unplugged = false;
	if (enumerate(b, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "swdbackup-sim usb: %s\n", err);
		b->unplugged = true;
	}
}

/* OUT data of commands that have an OUT data phase: the WRITEMEM family. */
static bool has_data_out(const uint8_t *cdb, uint32_t *len)
{
	if (cdb[0] != 0xF2)
		return false;
	if (cdb[1] != 0x08 && cdb[1] != 0x0D && cdb[1] != 0x48)
		return false;
	*len = stp_get_u16(cdb + 6);
	return *len > 0;
}

/* Commands with neither data phase nor response: DFU_EXIT, DEBUG_EXIT, and WRITEMEM
 * (its status comes from the GETLASTRWSTATUS2 that follows). */
static bool has_no_reply(const uint8_t *cdb)
{
	return cdb[0] == 0xF3 || (cdb[0] == 0xF2 && (cdb[1] == 0x21 || cdb[1] == 0x08 ||
	                                             cdb[1] == 0x0D || cdb[1] == 0x48));
}

/* Runs the pending command of c through the shared codec. in: the IN URB that takes the
 * response, or NULL for commands without one. data/len: the OUT data phase. */
static void run_command(struct board *b, struct conn *c, struct urb *in, const uint8_t *data,
                        uint32_t len)
{
	struct stp_request req;
	uint64_t now = now_ns();
	bool realistic = b->o.timing == MCU_TIMING_REALISTIC;
	uint64_t start = c->cmd_ns;

	memset(&req, 0, sizeof(req));
	req.cmd = STP_SEND_USB_CMD;
	memcpy(req.cdb, c->cdb, sizeof(req.cdb));
	if (in) {
		req.dir = STP_DIR_IN;
		req.data_len = (uint32_t)(in->buf->data_len < STP_MAX_DATA ? in->buf->data_len
		                                                            : STP_MAX_DATA);
	} else {
		req.dir = STP_DIR_OUT;
		req.data_len = len;
		req.data = data;
	}
	if (realistic && b->busy_until > start)
		start = b->busy_until;
	probe_command(&b->probe, &req, realistic ? start : now, &b->reply);
	b->busy_until = start + b->reply.cost_ns;
	c->have_cmd = false;
	c->want_data = false;
	if (!in)
		return;
	size_t n = b->reply.len > 4 ? b->reply.len - 4 : 0;
	if (n > (size_t)in->buf->data_len)
		n = (size_t)in->buf->data_len;
	if (b->stall && chance(b, b->stall)) {
		urb_finish(in, -EPIPE, 0, realistic ? b->busy_until : 0);
		return;
	}
	memcpy(in->buf->data, b->reply.buf + 4, n);
	if (!count_traffic(b, n))
		urb_finish(in, 0, (int)n, realistic ? b->busy_until : 0);
}

/* Gives the waiting command the oldest IN URB still waiting, if both exist. */
static void pump(struct board *b, struct conn *c)
{
	if (!c->have_cmd || c->want_data)
		return;
	for (struct urb *u = c->urbs; u; u = u->next)
		if (!u->done && u->ep == EP_IN && u->type == USBDEVFS_URB_TYPE_BULK) {
			run_command(b, c, u, NULL, 0);
			return;
		}
}

static void control_urb(struct board *b, struct urb *u)
{
	const struct identity *id = &identities[b->o.probe];
	uint8_t *setup = u->buf->data;
	int room = u->buf->data_len - 8;
	uint8_t d[256];
	size_t n = 0;

	if (room < 0) {
		urb_finish(u, -EINVAL, 0, 0);
		return;
	}
	if (b->dfu) {
		dfu_urb(b, u);
		return;
	}
	if (setup[0] == 0x80 && setup[1] == 6) { /* GET_DESCRIPTOR */
		uint8_t type = setup[3], index = setup[2];
		uint8_t all[64];
		size_t total = descriptors(id, all);
		if (type == 1) {
			memcpy(d, all, 18);
			n = 18;
		} else if (type == 2 && index == 0) {
			memcpy(d, all + 18, total - 18);
			n = total - 18;
		} else if (type == 3 && index == 0) {
			d[0] = 4, d[1] = 3, d[2] = 0x09, d[3] = 0x04; /* en-US */
			n = 4;
		} else if (type == 3 && index <= 3) {
			n = string_descriptor(index == 1 ? MANUFACTURER : index == 2 ? id->product
			                      : b->serial, d);
		} else {
			urb_finish(u, -EPIPE, 0, 0);
			return;
		}
	}
	if (n > (size_t)room)
		n = (size_t)room;
	memcpy(u->buf->data + 8, d, n);
	urb_finish(u, 0, (int)n, 0);
}

static void bulk_out(struct board *b, struct conn *c, struct urb *u)
{
	const uint8_t *data = u->buf->data;
	uint32_t len = (uint32_t)u->buf->data_len;

	if (count_traffic(b, len))
		return;
	urb_finish(u, 0, (int)len, 0);
	if (c->have_cmd && c->want_data) {
		run_command(b, c, NULL, data, len);
		return;
	}
	memset(c->cdb, 0, sizeof(c->cdb));
	memcpy(c->cdb, data, len < sizeof(c->cdb) ? len : sizeof(c->cdb));
	c->have_cmd = true;
	c->cmd_ns = now_ns();
	if (has_data_out(c->cdb, &c->data_len))
		c->want_data = true;
	else if (has_no_reply(c->cdb))
		run_command(b, c, NULL, NULL, 0);
}

static int submit(struct board *b, struct conn *c, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb),
	                                                    NULL);
	if (!ud)
		return EFAULT;
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)ud->data;
	UMockdevIoctlData *bd = umockdev_ioctl_data_resolve(
		ud, offsetof(struct usbdevfs_urb, buffer), (gsize)urb->buffer_length, NULL);
	if (!bd) {
		g_object_unref(ud);
		return EFAULT;
	}
	struct urb *u = calloc(1, sizeof(*u));
	if (!u) {
		g_object_unref(ud);
		g_object_unref(bd);
		return ENOMEM;
	}
	b->urbs++;
	u->urb = ud;
	u->buf = bd;
	u->type = urb->type;
	u->ep = urb->endpoint;
	struct urb **tail = &c->urbs;
	while (*tail)
		tail = &(*tail)->next;
	*tail = u;

	const struct identity *id = &identities[b->o.probe];
	if (u->type == USBDEVFS_URB_TYPE_CONTROL)
		control_urb(b, u);
	else if (u->type == USBDEVFS_URB_TYPE_BULK && u->ep == id->ep_out)
		bulk_out(b, c, u);
	/* IN URBs wait for a command; trace URBs wait for ever (no SWO is modelled). */
	pump(b, c);
	return 0;
}

static int reap(struct board *b, struct conn *c, UMockdevIoctlData *arg)
{
	uint64_t now = now_ns();

	(void)b;
	for (struct urb **p = &c->urbs; *p; p = &(*p)->next) {
		struct urb *u = *p;
		if (!u->done || u->due_ns > now)
			continue;
		struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->urb->data;
		urb->status = u->status;
		urb->actual_length = u->actual;
		UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
		if (!ptr)
			return EFAULT;
		umockdev_ioctl_data_set_ptr(ptr, 0, u->urb);
		g_object_unref(ptr);
		*p = u->next;
		/* The client's copy is written back when the ioctl completes: the URB's data
		 * objects live as long as the ioctl's argument. */
		g_object_set_data_full(G_OBJECT(arg), "swdsim-urb", u,
		                       (GDestroyNotify)urb_free);
		return 0;
	}
	return EAGAIN;
}

/* A reap that finds only URBs whose time has not come waits for the first of them instead
 * of answering EAGAIN at once, as a real client sleeps until the kernel completes its URB:
 * libusb would otherwise poll again at once (the node is a plain file, always ready), and
 * every client would spin through the bus. The wait is a timerfd armed at the due time,
 * not a GLib timeout, whose poll wakes to the millisecond: a wake up to 1 ms early left
 * the client spinning for the rest (five empty reaps per URB), one late stretched every
 * command. */
static gboolean reap_due(gpointer data)
{
	struct conn *c = data;
	UMockdevIoctlClient *client = c->wait_client;
	UMockdevIoctlData *arg = c->wait_arg;
	uint64_t ticks;

	if (read(c->timer_fd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
		return G_SOURCE_CONTINUE; /* woken for nothing: stay armed */
	if (!client)
		return G_SOURCE_CONTINUE;
	c->wait_client = NULL;
	c->wait_arg = NULL;
	int e = reap(c->board, c, arg);
	umockdev_ioctl_client_complete(client, e ? -1 : 0, e);
	g_object_unref(arg);
	g_object_unref(client);
	return G_SOURCE_CONTINUE;
}

static gboolean timer_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	(void)src;
	return cb(data);
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

/* The connection's timer, on the main context of the thread that serves it. */
static bool timer_start(struct conn *c)
{
	GMainContext *ctx;

	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->timer_fd < 0)
		return false;
	c->timer = g_source_new(&timer_funcs, sizeof(GSource));
	g_source_add_unix_fd(c->timer, c->timer_fd, G_IO_IN);
	g_source_set_callback(c->timer, reap_due, c, NULL);
	ctx = g_main_context_ref_thread_default();
	g_source_attach(c->timer, ctx);
	g_main_context_unref(ctx);
	return true;
}

/* True when the reap was put off until the first done URB is due (reap_due completes
 * it). */
static bool reap_when_due(struct conn *c, UMockdevIoctlClient *client,
                          UMockdevIoctlData *arg)
{
	uint64_t due = 0;

	for (const struct urb *u = c->urbs; u; u = u->next)
		if (u->done && (!due || u->due_ns < due))
			due = u->due_ns;
	if (!due || due <= now_ns() || c->wait_client)
		return false;
	if (!c->timer && !timer_start(c))
		return false;
	struct itimerspec it = {.it_value = {.tv_sec = (time_t)(due / 1000000000ull),
	                                     .tv_nsec = (long)(due % 1000000000ull)}};
	if (timerfd_settime(c->timer_fd, TFD_TIMER_ABSTIME, &it, NULL) < 0)
		return false;
	c->wait_client = g_object_ref(client);
	c->wait_arg = g_object_ref(arg);
	return true;
}

static int discard(struct conn *c, UMockdevIoctlData *arg)
{
	unsigned long addr = *(unsigned long *)arg->data;

	for (struct urb *u = c->urbs; u; u = u->next)
		if (u->urb->client_addr == addr && !u->done) {
			urb_finish(u, -ENOENT, 0, 0);
			return 0;
		}
	return EINVAL;
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
                         gpointer data)
{
	struct board *b = data;
	unsigned long request = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	struct conn *c = conn_of(b, client);
	int e = 0;
	b->ioctls++;

	(void)handler;
	if (!c) {
		umockdev_ioctl_client_complete(client, -1, ENOMEM);
		return TRUE;
	}
	if ((b->unplugged || c->gone) && request != USBDEVFS_REAPURBNDELAY &&
	    request != USBDEVFS_REAPURB && request != USBDEVFS_DISCARDURB) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}
	switch (request) {
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), NULL);
		if (!d) {
			e = EFAULT;
			break;
		}
		*(uint32_t *)d->data = USBDEVFS_CAP_BULK_CONTINUATION |
		                       USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_ZERO_PACKET |
		                       USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		g_object_unref(d);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
		/* usb-busy: another process holds the interface, as a running openocd would. */
		if (b->usb_busy)
			e = EBUSY;
		for (struct conn *o = b->conns; o && !e; o = o->next)
			if (o != c && o->claimed)
				e = EBUSY; /* as the kernel: one claimant per interface */
		if (!e)
			c->claimed = true;
		break;
	case USBDEVFS_RELEASEINTERFACE:
		c->claimed = false;
		break;
	case USBDEVFS_SETINTERFACE:
		if (b->dfu) {
			UMockdevIoctlData *d = umockdev_ioctl_data_resolve(
				arg, 0, sizeof(struct usbdevfs_setinterface), NULL);
			if (!d) {
				e = EFAULT;
				break;
			}
			struct usbdevfs_setinterface *si = (struct usbdevfs_setinterface *)d->data;
			if (si->interface != 0 || dfu_set_alt(b->dfu, si->altsetting) < 0)
				e = EINVAL;
			g_object_unref(d);
		}
		break;
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
		break;
	case USBDEVFS_SUBMITURB:
		e = submit(b, c, arg);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		e = reap(b, c, arg);
		if (e == EAGAIN && reap_when_due(c, client, arg))
			return TRUE; /* completed by reap_due() */
		if (e == EAGAIN)
			b->empty_reaps++;
		break;
	case USBDEVFS_DISCARDURB:
		e = discard(c, arg);
		break;
	default:
		e = ENOTTY;
		break;
	}
	umockdev_ioctl_client_complete(client, e ? -1 : 0, e);
	return TRUE;
}

static void on_vanished(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer data)
{
	struct board *b = data;

	(void)handler;
	for (struct conn **p = &b->conns; *p; p = &(*p)->next) {
		struct conn *c = *p;
		if (c->client != client)
			continue;
		*p = c->next;
		conn_free(c);
		break;
	}
	/* The board file must be current whenever a client has let go. */
	mcu_save(b->mcu);
}

/* ---- the bus and the child ------------------------------------------------------- */

/* Attaches the board's handler to b->devnode on the board's own testbed, whose worker
 * thread then serves it, and moves the listening socket to the path under the bus's
 * testbed where clients connect (a bound socket keeps listening when renamed). */
static int attach_handler(struct board *b, char *err, size_t errlen)
{
	GError *gerr = NULL;
	int rc = -1;

	if (!umockdev_testbed_attach_ioctl(b->htb, b->devnode, b->handler, &gerr)) {
		snprintf(err, errlen, "cannot attach %s: %s", b->devnode, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	char *hroot = umockdev_testbed_get_root_dir(b->htb);
	char *root = umockdev_testbed_get_root_dir(b->tb);
	char *from = g_build_filename(hroot, "ioctl", b->devnode, NULL);
	char *to = g_build_filename(root, "ioctl", b->devnode, NULL);
	char *dir = g_path_get_dirname(to);
	if (g_mkdir_with_parents(dir, 0755) < 0 || rename(from, to) < 0)
		snprintf(err, errlen, "cannot move the socket of %s to '%s': %s", b->devnode, to,
		         strerror(errno));
	else
		rc = 0;
	g_free(dir);
	g_free(to);
	g_free(from);
	g_free(root);
	g_free(hroot);
	return rc;
}

static int enumerate_locked(struct board *b, char *err, size_t errlen);

/* The device's node and sysfs record at the next device number (or at devnum when it
 * is not 0), on port b->port: what a device enumerating on the bus creates. The handler
 * must exist. Called by the main thread and, for a device that enumerates again, by the
 * board's. */
static int enumerate(struct board *b, int devnum, char *err, size_t errlen)
{
	g_mutex_lock(&bus_lock);
	b->devnum = devnum ? devnum : ++last_devnum;
	if (b->devnum > last_devnum)
		last_devnum = b->devnum;
	int rc = enumerate_locked(b, err, errlen);
	g_mutex_unlock(&bus_lock);
	return rc;
}

static int enumerate_locked(struct board *b, char *err, size_t errlen)
{
	const struct identity *id = &identities[b->o.probe];
	uint8_t desc[128];
	size_t dlen;
	unsigned vid = 0x0483, pid = id->pid, bcd = 0x0100;
	const char *manufacturer = MANUFACTURER, *product = id->product, *speed = id->speed;
	char hex[2 * sizeof(desc) + 1];
	GError *gerr = NULL;

	if (b->dfu) {
		const struct dfu_usb_id *di = dfu_usb_id(b->dfu);
		dlen = dfu_descriptors(b->dfu, desc, sizeof(desc));
		vid = di->vid, pid = di->pid, bcd = di->bcd_device;
		manufacturer = di->manufacturer, product = di->product, speed = "12";
	} else {
		dlen = descriptors(id, desc);
	}
	snprintf(b->devnode, sizeof(b->devnode), "/dev/bus/usb/001/%03d", b->devnum);
	for (size_t k = 0; k < dlen; k++)
		snprintf(hex + 2 * k, 3, "%02x", desc[k]);
	/* The handler first, so the device can be opened as soon as it appears. */
	if (attach_handler(b, err, errlen) < 0)
		return -1;
	/* A device record rather than add_device: only a record creates the node file.
	 * Text attributes end in a newline as in sysfs; usb_device nodes have major 189. */
	char *rec = g_strdup_printf(
		"P: /devices/pci0000:00/0000:00:14.0/usb1/1-%d\n"
		"N: bus/usb/001/%03d\n"
		"E: SUBSYSTEM=usb\nE: DRIVER=usb\nE: DEVTYPE=usb_device\n"
		"E: DEVNAME=/dev/bus/usb/001/%03d\nE: BUSNUM=001\nE: DEVNUM=%03d\n"
		"E: PRODUCT=%x/%x/%x\nE: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n"
		"E: ID_SERIAL_SHORT=%s\n"
		"A: dev=189:%d\\n\nA: busnum=1\\n\nA: devnum=%d\\n\nA: speed=%s\\n\n"
		"A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n"
		"A: bConfigurationValue=1\\n\nA: bNumConfigurations=1\\n\n"
		"A: bDeviceClass=00\\n\nA: maxchild=0\\n\n"
		"A: manufacturer=%s\\n\nA: product=%s\\n\nA: serial=%s\\n\n"
		"H: descriptors=%s\n",
		b->port, b->devnum, b->devnum, b->devnum, vid, pid, bcd, vid, pid, b->serial,
		b->devnum - 1, b->devnum, speed, vid, pid, bcd, manufacturer, product,
		b->serial, hex);
	g_free(b->syspath);
	b->syspath = g_strdup_printf("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%d", b->port);
	bool ok = umockdev_testbed_add_from_string(b->tb, rec, &gerr);
	g_free(rec);
	if (!ok) {
		snprintf(err, errlen, "cannot add the USB device for '%s': %s", b->spec,
		         gerr->message);
		g_error_free(gerr);
		return -1;
	}
	if (b->usb_access) {
		/* Only the owner may open it: root still can, as on a real system. */
		char *root = umockdev_testbed_get_root_dir(b->tb);
		char *node = g_build_filename(root, b->devnode, NULL);
		chmod(node, 0);
		g_free(node);
		g_free(root);
	}
	return 0;
}

static int add_board(UMockdevTestbed *tb, struct board *b, char *err, size_t errlen)
{
	b->tb = tb;
	b->handler = g_object_new(UMOCKDEV_TYPE_IOCTL_BASE, NULL);
	g_signal_connect(b->handler, "handle-ioctl", G_CALLBACK(on_ioctl), b);
	g_signal_connect(b->handler, "client-vanished", G_CALLBACK(on_vanished), b);
	return enumerate(b, b->devnum, err, errlen);
}

static double cpu_s(const struct rusage *r)
{
	return (double)(r->ru_utime.tv_sec + r->ru_stime.tv_sec) +
	       (double)(r->ru_utime.tv_usec + r->ru_stime.tv_usec) / 1e6;
}

/* --stats: the bus's own CPU time (every thread of this process) per URB, and the
 * command's (libusb spins reaping while a transfer waits: the node is a plain file). */
static void print_stats(const struct board *boards, size_t nb)
{
	struct rusage self, children;
	uint64_t urbs = 0, ioctls = 0, empty = 0;

	for (size_t k = 0; k < nb; k++) {
		urbs += boards[k].urbs;
		ioctls += boards[k].ioctls;
		empty += boards[k].empty_reaps;
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	fprintf(stderr, "swdbackup-sim usb: %llu urbs in %llu ioctls (%llu empty reaps), bus cpu "
	        "%.3f s (%.1f us per urb), command cpu %.3f s\n", (unsigned long long)urbs,
	        (unsigned long long)ioctls, (unsigned long long)empty, cpu_s(&self),
	        urbs ? cpu_s(&self) * 1e6 / (double)urbs : 0.0, cpu_s(&children));
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static const char *usage =
	"usage: swdbackup-sim usb [--stats] --board SPEC [--board SPEC]... -- COMMAND [ARGS...]\n"
	"\n"
	"Runs COMMAND on a virtual USB bus with one device per SPEC: an ST-LINK with the\n"
	"board behind it, or with dfu= the board's own USB DFU bootloader:\n"
	"  MODEL,FLASHFILE[,serial=TEXT][,probe=v2|v2-1|v3|dfu=KIND][,timing=none|realistic]\n"
	"  [,fault=F]...\n"
	"MODEL and FLASHFILE may also be given as model=MODEL and flash=FILE.\n"
	"dfu=KIND: st (0483:df11, STM32F2/F4 system bootloader, F2/F4 models), photon\n"
	"(2b04:d006, Particle Photon, stm32f205rg; alt 1 is the DCT, flash sector 1) or\n"
	"spark-core (1d50:607f, stm32f103cb; alt 1 is the 2 MiB SPI flash, kept in\n"
	"FLASHFILE.spi). The same board file works either way, one way per run. With\n"
	"timing=realistic the bootloader reports datasheet erase/program times as\n"
	"bwPollTimeout and holds its answers for them and for full-speed USB transfer time.\n"
	"F is a board fault of the TCP server (swd-disabled, unpowered, rdp1, low-power,\n"
	"wrp=LIST, flaky=RATE, clone-idcode=HEX) or a USB fault: usb-access, usb-busy,\n"
	"unplug-after=BYTES, stall=RATE (ST-LINK only). Exits with COMMAND's status.\n"
	"--stats prints at the end the URB and ioctl counts, the reaps that found nothing,\n"
	"and the CPU time of the bus and of COMMAND.\n";

int sim_usb_main(int argc, char **argv)
{
	static struct board boards[MAX_BOARDS];
	size_t nb = 0;
	char err[512] = "";
	int i, status = 1;
	bool stats = false;
	UMockdevTestbed *tb = NULL;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--stats") == 0) {
			stats = true;
			continue;
		}
		if (strcmp(argv[i], "--board") != 0 || i + 1 >= argc) {
			fprintf(stderr, "swdbackup-sim usb: expected --board SPEC or --, got '%s'; "
			        "see swdbackup-sim usb --help\n", argv[i]);
			return 2;
		}
		if (nb == MAX_BOARDS) {
			fprintf(stderr, "swdbackup-sim usb: at most %d boards\n", MAX_BOARDS);
			return 2;
		}
		struct board *b = &boards[nb];
		memset(b, 0, sizeof(*b));
		if (parse_spec(b, argv[++i], err, sizeof(err)) < 0) {
			fprintf(stderr, "swdbackup-sim usb: %s\n", err);
			return 2;
		}
		b->devnum = (int)nb + 2; /* 1 is the root hub */
		b->port = (int)nb + 1;
		b->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)b->devnum;
		nb++;
	}
	if (nb == 0 || i >= argc) {
		fprintf(stderr, "swdbackup-sim usb: needs at least one --board SPEC and a command "
		        "after --; see swdbackup-sim usb --help\n");
		return 2;
	}

	for (size_t k = 0; k < nb; k++) {
		struct board *b = &boards[k];
		bool realistic = b->o.timing == MCU_TIMING_REALISTIC;
		/* Behind a DFU bootloader the board runs no debugger's algorithms: the
		 * bootloader (dfu.c) keeps the flash times itself and reports them. */
		struct mcu_config mc = {
			.model = b->o.model, .flash_path = b->o.flash, .faults = b->o.faults,
			.timing = b->dfu_kind ? MCU_TIMING_NONE : b->o.timing, .seed = b->o.seed,
		};
		b->mcu = mcu_new(&mc, err, sizeof(err));
		if (!b->mcu) {
			fprintf(stderr, "swdbackup-sim usb: %s\n", err[0] ? err : "cannot create board");
			goto out;
		}
		if (b->dfu_kind) {
			b->dfu = dfu_new(b->dfu_kind, b->mcu, b->o.model, b->o.flash, realistic, err,
			                 sizeof(err));
			if (!b->dfu) {
				fprintf(stderr, "swdbackup-sim usb: %s\n", err);
				goto out;
			}
			if (!b->serial[0])
				dfu_default_serial(b->dfu, b->serial);
		}
		if (!b->serial[0])
			probe_default_serial(b->serial, b->o.flash);
		struct probe_config pc = {.model = b->o.probe, .serial = b->serial};
		probe_init(&b->probe, b->mcu, &pc);
	}

	/* Each testbed sets $UMOCKDEV_DIR to its own root: the bus's comes last. */
	for (size_t k = 0; k < nb; k++)
		boards[k].htb = umockdev_testbed_new();
	tb = umockdev_testbed_new();
	for (size_t k = 0; k < nb; k++)
		if (add_board(tb, &boards[k], err, sizeof(err)) < 0) {
			fprintf(stderr, "swdbackup-sim usb: %s\n", err);
			goto out;
		}

	const char *old = getenv("LD_PRELOAD");
	char *preload = g_strdup_printf("libumockdev-preload.so.0%s%s", old ? ":" : "",
	                                old ? old : "");
	pid_t pid = fork();
	if (pid == 0) {
		setenv("LD_PRELOAD", preload, 1);
		execvp(argv[i], argv + i);
		fprintf(stderr, "swdbackup-sim usb: cannot run '%s': %s\n", argv[i],
		        strerror(errno));
		_exit(127);
	}
	g_free(preload);
	if (pid < 0) {
		fprintf(stderr, "swdbackup-sim usb: cannot start '%s': %s\n", argv[i],
		        strerror(errno));
		goto out;
	}
	child_pid = pid;
	struct sigaction sa = {.sa_handler = forward_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	if (stats)
		print_stats(boards, nb);

out:
	if (tb)
		g_object_unref(tb);
	for (size_t k = 0; k < nb; k++) {
		if (boards[k].htb)
			g_object_unref(boards[k].htb);
		if (boards[k].handler)
			g_object_unref(boards[k].handler);
		while (boards[k].conns) {
			struct conn *c = boards[k].conns;
			boards[k].conns = c->next;
			conn_free(c);
		}
		g_free(boards[k].syspath);
		dfu_free(boards[k].dfu);
		if (boards[k].mcu && mcu_free(boards[k].mcu) < 0) {
			fprintf(stderr, "swdbackup-sim usb: cannot save '%s'\n", boards[k].o.flash);
			if (status == 0)
				status = 1;
		}
	}
	return status;
}
