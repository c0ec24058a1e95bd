/* usbfs_wire.h - the direct usbfs channel between a client on the virtual USB bus
 * (libswdsim-preload, preload_usbfs.c) and the bus (usb_direct.c).
 *
 * Owns: the socket's place and its two messages. Over umockdev's own ioctl protocol an
 * usbdevfs ioctl costs one message and then one synchronous round trip back to the
 * client for every piece of client memory the handler reads or writes (the URB, its
 * buffer, the reaped pointer). Here the client sends all the bus needs in one request
 * and applies one reply in its own memory: one round trip per ioctl.
 * The socket of device /dev/bus/usb/BBB/DDD is $UMOCKDEV_DIR/swdsim-usbfs/BBB-DDD, a
 * SOCK_STREAM Unix socket; each message is its header then len bytes.
 * Must not: carry anything but usbdevfs ioctls ('U' requests) of one open file.
 */
#ifndef SWDSIM_USBFS_WIRE_H
#define SWDSIM_USBFS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USBFS_WIRE_DIR "swdsim-usbfs"

/* The direct socket of the device node devnode (/dev/bus/usb/BBB/DDD) under root, the
 * bus's $UMOCKDEV_DIR: ROOT/swdsim-usbfs/BBB-DDD, written in out (cut at size, as by
 * snprintf). Returns the whole path's length, or -1 when devnode is no such node. */
int usbfs_wire_path(char *out, size_t size, const char *root, const char *devnode);

/* Bytes of an ioctl's argument the channel carries for requests other than the URB
 * ones (usbfs arguments are a few words). */
#define USBFS_WIRE_MAX_ARG 64

/* The largest URB either way in takes: the kernel's usbfs memory limit (usbfs_memory_mb,
 * 16 MiB by default), above which SUBMITURB fails with ENOMEM. The client refuses such an
 * URB before sending it; the bus refuses one that comes anyway. */
#define USBFS_WIRE_MAX_URB (16u << 20)

/* client -> bus. SUBMITURB: the URB's fields, its address as cookie, and the data the
 * device reads (a bulk OUT buffer; a control setup packet, with its data stage when it
 * goes OUT). DISCARDURB: the URB's address as cookie. REAPURB, REAPURBNDELAY: nothing.
 * Other requests: the argument's _IOC_SIZE bytes (at most USBFS_WIRE_MAX_ARG). */
struct usbfs_wire_req {
	uint32_t request;
	uint32_t len;
	uint64_t cookie;
	int32_t buffer_length;
	uint8_t type, endpoint;
	uint8_t pad[2];
};

/* bus -> client. result 0, or -1 with err. A reap: the URB's cookie, status and
 * actual_length, and the data it brings IN, to go at offset in its buffer. Other
 * requests: the argument as the bus left it. */
struct usbfs_wire_rep {
	int32_t result;
	int32_t err;
	uint64_t cookie;
	int32_t status, actual;
	uint32_t offset;
	uint32_t len;
};

/* Blocking I/O of one whole message part on the channel's socket, through signals.
 * Returns false when the peer is gone or the socket fails. */
bool usbfs_wire_send(int fd, const void *head, size_t hlen, const void *data, size_t dlen);
bool usbfs_wire_recv(int fd, void *buf, size_t len);

/* A request as it arrives at the bus, in whatever pieces the socket gives: a client that
 * stops mid-message (stopped, traced, or its socket full) must not hold up the thread
 * that serves every other file of its board. Zeroed to start. */
struct usbfs_wire_rx {
	struct usbfs_wire_req q;
	size_t got;              /* bytes of the header and its data so far */
	uint8_t *data;           /* q.len bytes; owned */
};

/* Reads what fd holds now, without waiting. Returns 1 when rx holds a whole request (the
 * caller takes rx->data, then zeroes rx for the next), 0 when more is to come, -1 when
 * the peer is gone, the socket fails, or the request carries more than max bytes. */
int usbfs_wire_rx_read(struct usbfs_wire_rx *rx, int fd, uint32_t max);

#endif
