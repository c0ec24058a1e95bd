/* probes.h - the debug probes attached over USB, as libusb-1.0 sees them.
 *
 * Owns: enumerating probes (ST-LINK V2/V2-1/V3 by VID:PID, CMSIS-DAP v1/v2 by interface
 * string, J-Link by vendor, USB DFU devices by VID:PID) with kind, VID:PID, serial, USB
 * path, whether this user may open the device, whether another program holds an ST-LINK's
 * interface; finding, from /proc, the process that has /dev/bus/usb/BBB/DDD open; and the
 * key a probe's lock (core/lock.h) goes by.
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

enum usb_probe_family {
	USB_FAMILY_STLINK = 0,
	USB_FAMILY_CMSIS_DAP,
	USB_FAMILY_JLINK,
	USB_FAMILY_DFU,
};

struct usb_probe {
	const char *kind;     /* "ST-LINK/V2", "ST-LINK/V2-1", "STLINK-V3", "CMSIS-DAP v1",
	                       * "CMSIS-DAP v2", "J-Link", "DFU"; static */
	enum usb_probe_family family;
	uint16_t vid, pid;
	char serial[64];      /* "" when it could not be read */
	uint8_t bus, address;
	char path[32];        /* "1-2.3": bus, then the ports, as sysfs names the device */
	char devnode[32];     /* "/dev/bus/usb/001/002" */
	bool can_open;        /* libusb_open succeeded for this user */
	bool busy;            /* the debug interface is claimed by someone else (after
	                       * usb_probes_claim_test; the lists leave it false) */
	pid_t holder;         /* a process with devnode open, 0 if none seen */
	char holder_name[64]; /* its command name */
};

/* Lists the attached ST-LINKs into out in bus order (at most max; *n is how many there
 * are, which may exceed max). Returns 0, or SWD_EINTERNAL when libusb cannot start. */
int usb_probes_list(struct usb_probe *out, size_t max, size_t *n, struct swd_error *err);

/* The same for every kind of probe this module knows, in bus order. */
int usb_probes_list_all(struct usb_probe *out, size_t max, size_t *n, struct swd_error *err);

/* Tries the claim OpenOCD will make on an ST-LINK of a list (opening it again by bus and
 * address) and releases it at once: sets p->busy, and p->holder from /proc when busy.
 * The lists never do this themselves: a claim test of a probe another run is starting on
 * makes it look busy to that run. */
void usb_probes_claim_test(struct usb_probe *p);

/* One interface of a device, as far as the kind depends on it. */
struct usb_iface_info {
	uint8_t cls;          /* bInterfaceClass: 3 HID, 0xff vendor */
	const char *name;     /* its string descriptor, or NULL */
};

/* The kind of a device from its IDs, its product string and its interfaces (pure, for
 * tests). Sets *family. Returns: static, or NULL when it is not a probe we know. */
const char *usb_probe_kind(uint16_t vid, uint16_t pid, const char *product,
                           const struct usb_iface_info *ifs, size_t nifs,
                           enum usb_probe_family *family);

/* The lock key of the USB probe with this serial: "usb-SERIAL", with the root of the
 * umockdev test bed when UMOCKDEV_DIR names one (a virtual bus's probes are not the
 * host's). */
void usb_probes_lock_key(const char *serial, char *out, size_t len);

/* The first process other than this one with devnode open, from /proc/PID/fd: its pid and
 * command name. Returns the pid, or 0 when none is visible. */
pid_t usb_probes_holder(const char *devnode, char *name, size_t namelen);

#endif
