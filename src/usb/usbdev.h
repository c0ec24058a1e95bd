/* usbdev.h - small facts about a USB device that more than one lister needs.
 *
 * Owns: starting libusb (with the retry a loaded host needs), a device's sysfs path
 * ("1-2.3"), and reading one of its sysfs attributes.
 * Must not: open or drive a device.
 */
#ifndef SWD_USB_USBDEV_H
#define SWD_USB_USBDEV_H

#include <stddef.h>

#include <libusb.h>

/* libusb_init, tried again a few times when it fails with LIBUSB_ERROR_OTHER: libusb's init
 * also starts its hotplug monitor (a netlink socket), which on a loaded host (seen with
 * many runs starting at once on a umockdev bus) can fail for a moment, and enumeration does
 * not need it to have worked the first time. Returns libusb's code. */
int usb_context_open(libusb_context **ctx);

/* "1-2.3" from the bus and port numbers, as sysfs names the device; "" when libusb cannot
 * tell or it does not fit. */
void usb_device_path(libusb_device *dev, char *out, size_t len);

/* An attribute of the device at path ("serial"), or of one of its interfaces ("1.0/
 * interface"), from sysfs, which a device this user may not open still shows; "" when it
 * is not there. */
void usb_sysfs_attr(const char *path, const char *attr, char *out, size_t len);

#endif
