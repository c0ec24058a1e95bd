/* usb_dev.c - what a board on swdbackup-sim's virtual USB bus answers (see usb_dev.h).
 *
 * libusb sends every transfer, control ones included, as SUBMITURB and collects it with
 * REAPURBNDELAY; every open() of the node is a new connection with its own URBs: a
 * umockdev client here, or a direct channel (usb_direct.c).
 * ST-LINK commands arrive on the bulk OUT endpoint and go to the same probe_command()
 * the TCP server uses; the reply fills the IN URB OpenOCD queued for it, whose length is
 * the data-in size of the command.
 */
#include "sim/usb_dev.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>

uint64_t usb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const struct identity identities[] = {
	[PROBE_V2] = {0x3748, 0x02, 0x83, 64, 0x0200, "12", "STM32 STLink"},
	[PROBE_V2_1] = {0x374B, 0x01, 0x82, 64, 0x0200, "12", "STM32 STLink"},
	[PROBE_V3] = {0x374F, 0x01, 0x82, 512, 0x0210, "480", "STLINK-V3"},
};

#define EP_IN 0x81

const struct identity *usb_identity(enum probe_model model)
{
	return &identities[model];
}

size_t usb_descriptors(const struct identity *id, uint8_t out[64])
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

/* ---- URBs ------------------------------------------------------------------------ */

void usb_urb_free(struct urb *u)
{
	if (u->urb) {
		g_object_unref(u->urb);
		g_object_unref(u->buf);
	} else {
		free(u->data);
	}
	free(u);
}

static void conn_free(struct conn *c)
{
	while (c->urbs) {
		struct urb *u = c->urbs;
		c->urbs = u->next;
		usb_urb_free(u);
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
	if (c->src) {
		g_source_destroy(c->src);
		g_source_unref(c->src);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c->rx.data);
	if (c->client)
		g_object_unref(c->client);
	free(c);
}

struct conn *usb_conn_add(struct board *b)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = -1;
	c->timer_fd = -1;
	c->board = b;
	c->next = b->conns;
	b->conns = c;
	return c;
}

/* Makes the board file current: whenever a client has let go, and when the device leaves
 * the bus. Counted for --stats. */
static void board_save(struct board *b)
{
	mcu_save(b->mcu);
	b->saves++;
}

void usb_conn_drop(struct board *b, struct conn *c)
{
	for (struct conn **p = &b->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			conn_free(c);
			break;
		}
	board_save(b); /* a client has let go */
}

bool usb_conn_refuses(const struct conn *c, unsigned long request)
{
	return (c->board->unplugged || c->gone) && request != USBDEVFS_REAPURBNDELAY &&
	       request != USBDEVFS_REAPURB && request != USBDEVFS_DISCARDURB;
}

/* A direct channel whose client has closed it, though its thread has not yet read the
 * end. */
static bool peer_closed(const struct conn *c)
{
	char x;

	return c->fd >= 0 && recv(c->fd, &x, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Forgets the connections whose process has closed the node. umockdev 0.17.16 declares
 * client-vanished but never emits it (a client that exits without releasing its
 * interface, as dfu-util does, would otherwise keep it claimed), so each request looks
 * for them; the kernel releases a closed file's interfaces in the same way. A connection
 * is freed only on the thread that serves it (umockdev's way: on its worker thread, when
 * on_umockdev); one closed on the other way only lets go of its interface here, and its
 * own thread frees it. Returns true when one was freed. */
static bool drop_closed(struct board *b, bool on_umockdev)
{
	bool dropped = false;

	for (struct conn **p = &b->conns; *p;) {
		struct conn *c = *p;
		if (c->client ? umockdev_ioctl_client_get_connected(c->client) : !peer_closed(c)) {
			p = &c->next;
			continue;
		}
		if (!c->client || !on_umockdev) {
			c->claimed = false;
			p = &c->next;
			continue;
		}
		*p = c->next;
		conn_free(c);
		dropped = true;
	}
	return dropped;
}

static void umockdev_due(struct conn *c);

static struct conn *conn_of(struct board *b, UMockdevIoctlClient *client)
{
	for (struct conn *c = b->conns; c; c = c->next)
		if (c->client == client)
			return c;
	if (drop_closed(b, true))
		board_save(b); /* a client has let go */
	struct conn *c = usb_conn_add(b);
	if (c) {
		c->client = g_object_ref(client); /* held until its node is closed */
		c->due = umockdev_due;
	}
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
 * still in flight fails with ENODEV, and the interfaces go with the device, so a file of
 * it still open holds no claim on the device that enumerates after it. */
static void leave_bus(struct board *b)
{
	b->unplugged = true;
	for (struct conn *c = b->conns; c; c = c->next) {
		c->gone = true;
		c->claimed = false;
		for (struct urb *u = c->urbs; u; u = u->next)
			if (!u->done)
				urb_finish(u, -ENODEV, 0, 0);
	}
	board_save(b);
	usb_bus_remove(b); /* so a new enumeration no longer lists it */
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
	uint8_t *setup = u->data;
	size_t room = u->len - 8;
	uint16_t length = (uint16_t)(setup[6] | setup[7] << 8);
	struct dfu_answer a;

	dfu_control(b->dfu, setup, setup + 8, room, b->serial, usb_now_ns(), &a);
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
	if (usb_bus_enumerate(b, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "swdbackup-sim usb: %s\n", err);
		b->unplugged = true;
	}
}

/* Commands that have an OUT data phase: the WRITEMEM family, with a length above 0. */
static bool has_data_out(const uint8_t *cdb)
{
	if (cdb[0] != 0xF2)
		return false;
	if (cdb[1] != 0x08 && cdb[1] != 0x0D && cdb[1] != 0x48)
		return false;
	return stp_get_u16(cdb + 6) > 0;
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
	uint64_t now = usb_now_ns();
	bool realistic = b->o.timing == MCU_TIMING_REALISTIC;
	uint64_t start = c->cmd_ns;

	memset(&req, 0, sizeof(req));
	req.cmd = STP_SEND_USB_CMD;
	memcpy(req.cdb, c->cdb, sizeof(req.cdb));
	if (in) {
		req.dir = STP_DIR_IN;
		req.data_len = (uint32_t)(in->len < STP_MAX_DATA ? in->len : STP_MAX_DATA);
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
	if (n > in->len)
		n = in->len;
	if (b->stall && chance(b, b->stall)) {
		urb_finish(in, -EPIPE, 0, realistic ? b->busy_until : 0);
		return;
	}
	memcpy(in->data, b->reply.buf + 4, n);
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
	uint8_t *setup = u->data;
	int room = (int)u->len - 8;
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
		size_t total = usb_descriptors(id, all);
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
			n = string_descriptor(index == 1 ? USB_MANUFACTURER : index == 2 ? id->product
			                      : b->serial, d);
		} else {
			urb_finish(u, -EPIPE, 0, 0);
			return;
		}
	}
	if (n > (size_t)room)
		n = (size_t)room;
	memcpy(u->data + 8, d, n);
	urb_finish(u, 0, (int)n, 0);
}

static void bulk_out(struct board *b, struct conn *c, struct urb *u, uint64_t at)
{
	const uint8_t *data = u->data;
	uint32_t len = (uint32_t)u->len;

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
	c->cmd_ns = at;
	if (has_data_out(c->cdb))
		c->want_data = true;
	else if (has_no_reply(c->cdb))
		run_command(b, c, NULL, NULL, 0);
}

/* at: when the ioctl came, before its data was fetched from the client. Under realistic
 * timing a command's round trip starts there: the fetching is the emulation's latency,
 * inside the round trip, not added to it. */
int usb_urb_submit(struct board *b, struct conn *c, struct urb *u, uint64_t at)
{
	b->urbs++;
	struct urb **tail = &c->urbs;
	while (*tail)
		tail = &(*tail)->next;
	*tail = u;

	const struct identity *id = &identities[b->o.probe];
	if (u->type == USBDEVFS_URB_TYPE_CONTROL)
		control_urb(b, u);
	else if (u->type == USBDEVFS_URB_TYPE_BULK && u->ep == id->ep_out)
		bulk_out(b, c, u, at);
	/* IN URBs wait for a command; trace URBs wait for ever (no SWO is modelled). */
	pump(b, c);
	return 0;
}

struct urb *usb_urb_take(struct conn *c, uint64_t by)
{
	for (struct urb **p = &c->urbs; *p; p = &(*p)->next) {
		struct urb *u = *p;
		if (!u->done || u->due_ns > by)
			continue;
		*p = u->next;
		u->next = NULL;
		return u;
	}
	return NULL;
}

int usb_urb_discard(struct conn *c, uint64_t cookie)
{
	for (struct urb *u = c->urbs; u; u = u->next)
		if (u->cookie == cookie && !u->done) {
			urb_finish(u, -ENOENT, 0, 0);
			return 0;
		}
	return EINVAL;
}

/* A reap that finds only URBs whose time has not come waits for the first of them instead
 * of answering EAGAIN at once, as a real client sleeps until the kernel completes its URB:
 * libusb would otherwise poll again at once (the node is a plain file, always ready), and
 * every client would spin through the bus. The wait is a timerfd, not a GLib timeout,
 * whose poll wakes to the millisecond: a wake up to 1 ms early left the client spinning
 * for the rest (five empty reaps per URB), one late stretched every command. */
bool usb_timer_arm(struct conn *c, uint64_t at)
{
	struct itimerspec it = {.it_value = {.tv_sec = (time_t)(at / 1000000000ull),
	                                     .tv_nsec = (long)(at % 1000000000ull)}};

	return timerfd_settime(c->timer_fd, TFD_TIMER_ABSTIME, &it, NULL) == 0;
}

static gboolean reap_due(gpointer data)
{
	struct conn *c = data;
	struct board *b = c->board;
	uint64_t ticks;

	if (read(c->timer_fd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
		return G_SOURCE_CONTINUE; /* woken for nothing: stay armed */
	g_mutex_lock(&b->lock);
	if (c->waiting)
		c->due(c);
	g_mutex_unlock(&b->lock);
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

bool usb_reap_wait(struct conn *c, uint64_t prepare_ns)
{
	uint64_t due = 0;

	for (const struct urb *u = c->urbs; u; u = u->next)
		if (u->done && (!due || u->due_ns < due))
			due = u->due_ns;
	if (!due || due <= usb_now_ns() || c->waiting)
		return false;
	if (!c->timer && !timer_start(c))
		return false;
	/* An arming time already past fires at once. */
	if (!usb_timer_arm(c, due > prepare_ns ? due - prepare_ns : due))
		return false;
	c->waiting = true;
	c->wait_due = due;
	return true;
}

int usb_dev_ioctl(struct board *b, struct conn *c, unsigned long request, void *arg)
{
	int e = 0;

	switch (request) {
	case USBDEVFS_GET_CAPABILITIES:
		if (!arg)
			return EFAULT;
		*(uint32_t *)arg = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
		                   USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		return 0;
	case USBDEVFS_CLAIMINTERFACE:
		if (drop_closed(b, c->client != NULL))
			board_save(b);
		/* usb-busy: another process holds the interface, as a running openocd would. */
		if (b->usb_busy)
			e = EBUSY;
		for (struct conn *o = b->conns; o && !e; o = o->next)
			if (o != c && o->claimed)
				e = EBUSY; /* as the kernel: one claimant per interface */
		if (!e)
			c->claimed = true;
		return e;
	case USBDEVFS_RELEASEINTERFACE:
		c->claimed = false;
		return 0;
	case USBDEVFS_SETINTERFACE:
		if (b->dfu) {
			const struct usbdevfs_setinterface *si = arg;
			if (!si)
				return EFAULT;
			if (si->interface != 0 || dfu_set_alt(b->dfu, si->altsetting) < 0)
				return EINVAL;
		}
		return 0;
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
		return 0;
	default:
		return ENOTTY;
	}
}

/* ---- umockdev's way in ----------------------------------------------------------- */

static int umockdev_submit(struct board *b, struct conn *c, UMockdevIoctlData *arg,
                           uint64_t at)
{
	UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb),
	                                                    NULL);
	if (!ud)
		return EFAULT;
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)ud->data;
	if (urb->buffer_length > 0 && (unsigned)urb->buffer_length > USBFS_WIRE_MAX_URB) {
		g_object_unref(ud);
		return ENOMEM; /* as the kernel, before the buffer is fetched from the client */
	}
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
	u->urb = ud;
	u->buf = bd;
	u->data = bd->data;
	u->len = bd->data_len;
	u->cookie = ud->client_addr;
	u->type = urb->type;
	u->ep = urb->endpoint;
	return usb_urb_submit(b, c, u, at);
}

/* Gives the reap in arg the first URB that is done and due by the time by. */
static int umockdev_reap(struct conn *c, UMockdevIoctlData *arg, uint64_t by)
{
	struct urb *u = usb_urb_take(c, by);

	if (!u)
		return EAGAIN;
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->urb->data;
	urb->status = u->status;
	urb->actual_length = u->actual;
	UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
	if (!ptr) {
		usb_urb_free(u);
		return EFAULT;
	}
	umockdev_ioctl_data_set_ptr(ptr, 0, u->urb);
	g_object_unref(ptr);
	/* The client's copy is written back when the ioctl completes: the URB's data objects
	 * live as long as the ioctl's argument. */
	g_object_set_data_full(G_OBJECT(arg), "swdsim-urb", u, (GDestroyNotify)usb_urb_free);
	return 0;
}

/* A waiting reap on umockdev's way wakes REAP_PREPARE_NS before the due time to fetch the
 * client's pointer for the URB (a round trip to the client), then again at the due time
 * to hand the URB over, so the emulation's latency is inside the round trip, as for a
 * submission. */
#define REAP_PREPARE_NS 500000ull

static void umockdev_due(struct conn *c)
{
	UMockdevIoctlClient *client = c->wait_client;
	UMockdevIoctlData *arg = c->wait_arg;

	if (!c->wait_ready) {
		c->wait_err = umockdev_reap(c, arg, c->wait_due);
		c->wait_ready = true;
		if (!c->wait_err && c->wait_due > usb_now_ns() && usb_timer_arm(c, c->wait_due))
			return;
	}
	c->waiting = false;
	c->wait_client = NULL;
	c->wait_arg = NULL;
	umockdev_ioctl_client_complete(client, c->wait_err ? -1 : 0, c->wait_err);
	g_object_unref(arg);
	g_object_unref(client);
}

/* The argument of an ioctl that is not about URBs, fetched from the client when the
 * model reads or writes it. Returns: new, or NULL. */
static UMockdevIoctlData *umockdev_small_arg(unsigned long request, UMockdevIoctlData *arg)
{
	if (request == USBDEVFS_GET_CAPABILITIES)
		return umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), NULL);
	if (request == USBDEVFS_SETINTERFACE)
		return umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_setinterface),
		                                   NULL);
	return NULL;
}

static int umockdev_request(struct board *b, struct conn *c, UMockdevIoctlClient *client,
                            UMockdevIoctlData *arg, uint64_t at, bool *later)
{
	unsigned long request = umockdev_ioctl_client_get_request(client);
	int e;

	switch (request) {
	case USBDEVFS_SUBMITURB:
		return umockdev_submit(b, c, arg, at);
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		e = umockdev_reap(c, arg, usb_now_ns());
		if (e == EAGAIN && usb_reap_wait(c, REAP_PREPARE_NS)) {
			c->wait_client = g_object_ref(client);
			c->wait_arg = g_object_ref(arg);
			c->wait_ready = false;
			*later = true; /* completed by umockdev_due() */
		} else if (e == EAGAIN) {
			b->empty_reaps++;
		}
		return e;
	case USBDEVFS_DISCARDURB:
		return usb_urb_discard(c, *(unsigned long *)arg->data);
	default: {
		UMockdevIoctlData *d = umockdev_small_arg(request, arg);
		if (!d && (request == USBDEVFS_GET_CAPABILITIES || request == USBDEVFS_SETINTERFACE))
			return EFAULT;
		e = usb_dev_ioctl(b, c, request, d ? d->data : NULL);
		if (d)
			g_object_unref(d);
		return e;
	}
	}
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
                         gpointer data)
{
	struct board *b = data;
	uint64_t at = usb_now_ns();
	unsigned long request = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	bool later = false;
	int e;

	(void)handler;
	g_mutex_lock(&b->lock);
	struct conn *c = conn_of(b, client);
	b->ioctls++;
	if (!c)
		e = ENOMEM;
	else if (usb_conn_refuses(c, request))
		e = ENODEV;
	else
		e = umockdev_request(b, c, client, arg, at, &later);
	if (!later)
		umockdev_ioctl_client_complete(client, e ? -1 : 0, e);
	g_mutex_unlock(&b->lock);
	return TRUE;
}

static void on_vanished(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer data)
{
	struct board *b = data;
	struct conn *c;

	(void)handler;
	g_mutex_lock(&b->lock);
	for (c = b->conns; c; c = c->next)
		if (c->client == client)
			break;
	/* A client without a connection here made no ioctl on umockdev's way, or its
	 * connection went already, saved (drop_closed): a direct client's is saved when its
	 * channel's thread reads the end, so one close saves the board file once. */
	if (c)
		usb_conn_drop(b, c);
	g_mutex_unlock(&b->lock);
}

void usb_dev_init(struct board *b)
{
	g_mutex_init(&b->lock);
	b->handler = g_object_new(UMOCKDEV_TYPE_IOCTL_BASE, NULL);
	g_signal_connect(b->handler, "handle-ioctl", G_CALLBACK(on_ioctl), b);
	g_signal_connect(b->handler, "client-vanished", G_CALLBACK(on_vanished), b);
}

void usb_dev_release(struct board *b)
{
	if (b->handler)
		g_object_unref(b->handler);
	b->handler = NULL;
	while (b->conns) {
		struct conn *c = b->conns;
		b->conns = c->next;
		conn_free(c);
	}
}
