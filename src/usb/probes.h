/* probes.h - the debug probes attached over USB, as libusb-1.0 sees them.
 *
 * Owns: enumerating ST-LINKs (kind, VID:PID, serial, bus path, whether this user may open
 * the device, whether another program holds its interface) and finding, from /proc, the
 * process that has /dev/bus/usb/BBB/DDD open.
 * Must not: print, or drive a probe (OpenOCD does): it opens a device only to read its
 * serial and to try the claim, and releases it at once.
 */
#ifndef SWD_USB_PROBES_H
#define SWD_USB_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

struct usb_probe {
	const char *kind;     /* "ST-LINK/V2", "ST-LINK/V2-1", "STLINK-V3"; static */
	uint16_t vid, pid;
	char serial[64];      /* "" when it could not be read */
	uint8_t bus, address;
	char devnode[32];     /* "/dev/bus/usb/001/002" */
	bool can_open;        /* libusb_open succeeded for this user */
	bool busy;            /* the debug interface is claimed by someone else */
	pid_t holder;         /* a process with devnode open, 0 if none seen */
	char holder_name[64]; /* its command name */
};

/* Lists the attached ST-LINKs into out (at most max; *n is how many there are, which may
 * exceed max). Returns 0, or SWD_EINTERNAL when libusb cannot start. */
int usb_probes_list(struct usb_probe *out, size_t max, size_t *n, struct swd_error *err);

/* The first process other than this one with devnode open, from /proc/PID/fd: its pid and
 * command name. Returns the pid, or 0 when none is visible. */
pid_t usb_probes_holder(const char *devnode, char *name, size_t namelen);

#endif
