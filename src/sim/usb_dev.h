/* usb_dev.h - one device on swdbackup-sim's virtual USB bus (internal to usb.c and
 * usb_dev.c).
 *
 * Owns: the board record the bus and its device share; the real probes' identities and
 * descriptors; what a board answers to usbdevfs ioctls: per open file the URBs in flight,
 * their due times under realistic timing, the USB faults.
 * Must not: create testbeds or write sysfs (usb.c, through usb_bus_*), interpret ST-LINK
 * commands (probe.c) or touch target memory (mcu/).
 * Threads: all of one board's device state is touched by that board's thread only.
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

#define USB_MANUFACTURER "STMicroelectronics"

struct conn;

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

/* Creates b->handler, whose ioctls land on the board's thread. */
void usb_dev_init(struct board *b);

/* Frees the handler and every connection; the board's thread must be idle. */
void usb_dev_release(struct board *b);

/* From usb.c, for a device that leaves the bus or enumerates again (from its thread):
 * the sysfs record and the node at the next device number (devnum 0) or at devnum. */
int usb_bus_enumerate(struct board *b, int devnum, char *err, size_t errlen);
void usb_bus_remove(struct board *b);

#endif
