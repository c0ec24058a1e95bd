/* probes.c - the debug probes attached over USB (see probes.h). */
#include "usb/probes.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libusb.h>

#define ST_VID 0x0483

static const struct {
	uint16_t pid;
	const char *kind;
} stlinks[] = {
	{0x3748, "ST-LINK/V2"},   {0x374B, "ST-LINK/V2-1"}, {0x3752, "ST-LINK/V2-1"},
	{0x374D, "STLINK-V3"},    {0x374E, "STLINK-V3"},    {0x374F, "STLINK-V3"},
	{0x3753, "STLINK-V3"},    {0x3754, "STLINK-V3"},
};

static const char *stlink_kind(uint16_t vid, uint16_t pid)
{
	if (vid != ST_VID)
		return NULL;
	for (size_t i = 0; i < sizeof(stlinks) / sizeof(stlinks[0]); i++)
		if (stlinks[i].pid == pid)
			return stlinks[i].kind;
	return NULL;
}

/* The serial from sysfs, for a device this user may not open. */
static void sysfs_serial(libusb_device *dev, char *out, size_t len)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
	char path[128];
	int at;
	FILE *f;

	if (n <= 0)
		return;
	at = snprintf(path, sizeof(path), "/sys/bus/usb/devices/%u-%u",
	              libusb_get_bus_number(dev), ports[0]);
	for (int i = 1; i < n && at < (int)sizeof(path); i++)
		at += snprintf(path + at, sizeof(path) - (size_t)at, ".%u", ports[i]);
	if (at >= (int)sizeof(path) - 8)
		return;
	strcat(path, "/serial");
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	else
		out[0] = '\0';
	fclose(f);
}

/* Opens the device to read its serial and try the claim OpenOCD will make. */
static void look_at(libusb_device *dev, const struct libusb_device_descriptor *d,
                    struct usb_probe *p)
{
	libusb_device_handle *h = NULL;
	int rc = libusb_open(dev, &h);

	p->can_open = rc == 0;
	if (rc != 0) {
		sysfs_serial(dev, p->serial, sizeof(p->serial));
		return;
	}
	if (d->iSerialNumber &&
	    libusb_get_string_descriptor_ascii(h, d->iSerialNumber, (unsigned char *)p->serial,
	                                       (int)sizeof(p->serial)) < 0)
		p->serial[0] = '\0';
	rc = libusb_claim_interface(h, 0);
	if (rc == 0)
		libusb_release_interface(h, 0);
	p->busy = rc == LIBUSB_ERROR_BUSY;
	libusb_close(h);
}

int usb_probes_list(struct usb_probe *out, size_t max, size_t *n, struct swd_error *err)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	ssize_t count;
	int rc;

	*n = 0;
	rc = libusb_init(&ctx);
	if (rc != 0)
		return swd_error_set(err, SWD_EINTERNAL, "cannot start libusb: %s",
		                     libusb_strerror(rc));
	count = libusb_get_device_list(ctx, &list);
	for (ssize_t i = 0; i < count; i++) {
		struct libusb_device_descriptor d;
		const char *kind;

		if (libusb_get_device_descriptor(list[i], &d) != 0)
			continue;
		kind = stlink_kind(d.idVendor, d.idProduct);
		if (!kind)
			continue;
		if (*n < max) {
			struct usb_probe *p = &out[*n];

			memset(p, 0, sizeof(*p));
			p->kind = kind;
			p->vid = d.idVendor;
			p->pid = d.idProduct;
			p->bus = libusb_get_bus_number(list[i]);
			p->address = libusb_get_device_address(list[i]);
			snprintf(p->devnode, sizeof(p->devnode), "/dev/bus/usb/%03u/%03u", p->bus,
			         p->address);
			look_at(list[i], &d, p);
			if (p->busy)
				p->holder = usb_probes_holder(p->devnode, p->holder_name,
				                              sizeof(p->holder_name));
		}
		(*n)++;
	}
	if (count > 0)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	return 0;
}

/* Whether process pid has devnode open: the node itself, or (on a umockdev test bed,
 * where UMOCKDEV_DIR names its root) the file under that root that stands for it. */
static bool holds(const char *pid, const char *devnode)
{
	const char *root = getenv("UMOCKDEV_DIR");

	char dir[64], link[PATH_MAX + 64], target[PATH_MAX];
	struct dirent *e;
	DIR *d;
	bool found = false;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, devnode) == 0 ||
		        (root && *root && strncmp(target, root, strlen(root)) == 0 &&
		         strcmp(target + strlen(root), devnode) == 0);
	}
	closedir(d);
	return found;
}

pid_t usb_probes_holder(const char *devnode, char *name, size_t namelen)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	pid_t self = getpid(), found = 0;

	if (namelen)
		name[0] = '\0';
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self || !holds(e->d_name, devnode))
			continue;
		found = (pid_t)pid;
		if (namelen) {
			char path[64];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
			f = fopen(path, "r");
			if (f) {
				if (fgets(name, (int)namelen, f))
					name[strcspn(name, "\n")] = '\0';
				fclose(f);
			}
		}
	}
	closedir(d);
	return found;
}
