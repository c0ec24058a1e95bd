/* usb_dev.h - one device on swdbackup-sim's virtual USB bus (internal to usb.c and
 * usb_dev.c).
 *
 * Owns: the board record the bus and its device share; the real probes' identities and
 * descriptors; what a board answers to usbdevfs ioctls: per open file the URBs in flight,
 * their due times under realistic timing, the USB faults.
 * Two ways in reach the same model: umockdev's ioctl handler (usb_dev.c, for a client
 * without libswdsim-preload) and the direct usbfs channel (usb_direct.c), one socket
 * message each way per ioctl. The model works on plain buffers; each way in copies the
 * client's URBs and arguments in and out.
 * Must not: create testbeds or write sysfs (usb.c, through usb_bus_*), interpret ST-LINK
 * commands (probe.c) or touch target memory (mcu/).
 * Threads: one board's device state is touched under its lock only (b->lock): by
 * umockdev's worker thread for that board, and by the board's direct-channel thread.
 */
#ifndef SWDSIM_USB_DEV_H
#define SWDSIM_USB_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <umockdev.h>

#include "sim/dfu.h"
#include "sim/mcu/mcu.h"
#include "sim/options.h"
#include "sim/probe.h"
#include "sim/usbfs_wire.h"

#define USB_MANUFACTURER "STMicroelectronics"

struct conn;
struct usb_direct;

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
	GMutex lock;                 /* everything below, and the model's state in mcu/probe */
	UMockdevIoctlBase *handler;
	struct usb_direct *direct;   /* the direct channel's server: usb_direct.c */
	struct conn *conns;
	uint64_t traffic;
	uint64_t urbs;               /* URBs submitted, for --stats */
	uint64_t ioctls;             /* ... ioctls through umockdev, through the direct channel, */
	uint64_t direct_ioctls;      /* and reaps that found nothing (EAGAIN) */
	uint64_t empty_reaps;
	uint64_t saves;              /* ... and the board file made current (usb_dev.c) */
	uint64_t busy_until;
	bool unplugged;
	UMockdevTestbed *tb;         /* the bus's sysfs, borrowed, shared: under bus_lock */
	UMockdevTestbed *htb;        /* owned: its worker thread serves this board alone */
	char *syspath;               /* owned */
	struct probe_reply reply;
};

struct identity {
	uint16_t pid;
	uint8_t ep_out, ep_trace;
	uint16_t max_packet;
	uint16_t bcd_usb;
	const char *speed;           /* sysfs `speed`, Mb/s */
	const char *product;
};

/* Returns: borrowed, the identity of an ST-LINK model. */
const struct identity *usb_identity(enum probe_model model);

/* Device descriptor then the configuration descriptor with the debug interface: what
 * the kernel exposes as the sysfs `descriptors` attribute. Returns its length. */
size_t usb_descriptors(const struct identity *id, uint8_t out[64]);

/* An URB in flight. Realistic timing: the probe prices each command (USB round trip + wire
 * time) and an URB is reapable only once that much time has passed since its command was
 * submitted, so the emulation's own latency is part of the round trip, not added to it. */
struct urb {
	struct urb *next;
	UMockdevIoctlData *urb;  /* umockdev's way: the client's struct usbdevfs_urb, or NULL */
	UMockdevIoctlData *buf;  /* ... its buffer */
	uint8_t *data;           /* the buffer: buf's data, or owned (direct channel) */
	size_t len;
	uint64_t cookie;         /* the client's address of its struct usbdevfs_urb */
	uint8_t type, ep;
	bool done;               /* has its result: reapable from due_ns on */
	int status;              /* 0 or -errno, as the kernel reports it */
	int actual;
	uint64_t due_ns;
};

/* One open() of the device node. */
struct conn {
	struct conn *next;
	UMockdevIoctlClient *client; /* umockdev's way, referenced; NULL on the direct channel */
	int fd;                      /* the direct channel's socket; -1 on umockdev's way */
	GSource *src;                /* ... its watch on the channel thread's context */
	struct usbfs_wire_rx rx;     /* ... the request it is reading, */
	uint64_t rx_at;              /* ... since then */
	struct urb *urbs;            /* in submission order */
	bool have_cmd;               /* a command waits for its data phase or IN URB */
	bool want_data;              /* ... for its OUT data phase (WRITEMEM) */
	uint8_t cdb[STP_CDB_LEN];
	uint64_t cmd_ns;             /* when the SUBMITURB of the command's OUT URB came */
	bool claimed;
	bool gone;                   /* opened before the device left the bus: ENODEV */
	struct board *board;         /* borrowed */
	GSource *timer;              /* a reap waiting for its URB's due time */
	int timer_fd;
	bool waiting;                /* a reap waits: due(c) answers it, under the lock */
	void (*due)(struct conn *c);
	uint64_t wait_due;           /* when its URB is due */
	UMockdevIoctlClient *wait_client; /* umockdev's way: that reap, referenced */
	UMockdevIoctlData *wait_arg;
	bool wait_ready;             /* its URB is fetched: it completes at wait_due */
	int wait_err;                /* ... with this result */
};

/* The model, for both ways in; the caller holds b->lock. */

uint64_t usb_now_ns(void);

/* Returns: a new connection of b, linked in b->conns, or NULL when out of memory. */
struct conn *usb_conn_add(struct board *b);

/* Unlinks and frees c; the board file is saved (a client has let go). */
void usb_conn_drop(struct board *b, struct conn *c);

/* True when request fails with ENODEV: the file's device has left the bus, and request
 * is neither a reap nor a discard (the URBs in flight still come back). */
bool usb_conn_refuses(const struct conn *c, unsigned long request);

/* An ioctl that is not about URBs; arg: a copy of its argument (its _IOC_SIZE bytes), or
 * NULL. Returns 0 or an errno. */
int usb_dev_ioctl(struct board *b, struct conn *c, unsigned long request, void *arg);

/* Takes ownership of u (its data, len, cookie, type and ep set): the URB is queued and
 * served as far as it can be. at: when the SUBMITURB came. Returns 0 (errors go in the
 * URB's status). */
int usb_urb_submit(struct board *b, struct conn *c, struct urb *u, uint64_t at);

/* Returns: the first URB done and due by the time by, unlinked (the caller owns it), or
 * NULL. */
struct urb *usb_urb_take(struct conn *c, uint64_t by);

int usb_urb_discard(struct conn *c, uint64_t cookie);

void usb_urb_free(struct urb *u);

/* When the first done URB is due later than now: arms c's timer at that time less
 * prepare_ns and sets c->waiting and c->wait_due; c->due(c) then runs, under the lock, on
 * the context of the calling thread. Returns false when there is nothing to wait for. */
bool usb_reap_wait(struct conn *c, uint64_t prepare_ns);

/* Re-arms c's timer at the absolute time at. */
bool usb_timer_arm(struct conn *c, uint64_t at);

/* Creates b->handler, whose ioctls land on the board's thread. */
void usb_dev_init(struct board *b);

/* Frees the handler and every connection; the board's thread must be idle. */
void usb_dev_release(struct board *b);

/* From usb.c, for a device that leaves the bus or enumerates again (from its thread):
 * the sysfs record and the node at the next device number (devnum 0) or at devnum. */
int usb_bus_enumerate(struct board *b, int devnum, char *err, size_t errlen);
void usb_bus_remove(struct board *b);

/* The direct channel (usb_direct.c): a thread per board serving a Unix socket at
 * ROOT/swdsim-usbfs/BBB-DDD beside the device's node, ROOT being the bus's $UMOCKDEV_DIR. */
int usb_direct_start(struct board *b, char *err, size_t errlen);
/* (Re)names the socket after b->devnode under root; from usb_bus_enumerate. */
int usb_direct_bind(struct board *b, const char *root, char *err, size_t errlen);
/* Stops the thread and closes every direct connection. */
void usb_direct_stop(struct board *b);

#endif
