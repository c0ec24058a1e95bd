/* usbdev.c - small facts about a USB device; see usbdev.h. */
#include "usb/usbdev.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int usb_context_open(libusb_context **ctx)
{
	int rc;

	for (int tries = 0; (rc = libusb_init(ctx)) == LIBUSB_ERROR_OTHER && tries < 4; tries++) {
		struct timespec ts = { 0, 50000000L };

		nanosleep(&ts, NULL);
	}
	return rc;
}

void usb_device_path(libusb_device *dev, char *out, size_t len)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
	int at;

	out[0] = '\0';
	if (n <= 0)
		return;
	at = snprintf(out, len, "%u-%u", libusb_get_bus_number(dev), ports[0]);
	for (int i = 1; i < n && at > 0 && (size_t)at < len; i++)
		at += snprintf(out + at, len - (size_t)at, ".%u", ports[i]);
	if (at <= 0 || (size_t)at >= len)
		out[0] = '\0';
}

void usb_sysfs_attr(const char *path, const char *attr, char *out, size_t len)
{
	char file[160];
	FILE *f;

	out[0] = '\0';
	if (!path[0] || (size_t)snprintf(file, sizeof(file), "/sys/bus/usb/devices/%s%s%s", path,
	                                 attr[0] >= '0' && attr[0] <= '9' ? ":" : "/", attr) >= sizeof(file))
		return;
	f = fopen(file, "re");
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	else
		out[0] = '\0';
	fclose(f);
}
