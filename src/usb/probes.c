/* probes.c - the debug probes attached over USB (see probes.h). */
#include "usb/probes.h"
#include "usb/usbdev.h"

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

static const struct {
	uint16_t vid, pid;
} dfus[] = {
	{0x0483, 0xDF11}, /* STM32 system bootloader (AN3156) */
	{0x2B04, 0xD006}, /* Particle Photon/P1 bootloader */
	{0x1D50, 0x607F}, /* OpenMoko-assigned DFU bootloaders */
};

#define JLINK_VID 0x1366

static const char *stlink_kind(uint16_t vid, uint16_t pid)
{
	if (vid != ST_VID)
		return NULL;
	for (size_t i = 0; i < sizeof(stlinks) / sizeof(stlinks[0]); i++)
		if (stlinks[i].pid == pid)
			return stlinks[i].kind;
	return NULL;
}

const char *usb_probe_kind(uint16_t vid, uint16_t pid, const char *product,
                           const struct usb_iface_info *ifs, size_t nifs,
                           enum usb_probe_family *family)
{
	const char *kind = stlink_kind(vid, pid);
	bool hid = false, v1 = false;

	*family = USB_FAMILY_STLINK;
	if (kind)
		return kind;
	*family = USB_FAMILY_DFU;
	for (size_t i = 0; i < sizeof(dfus) / sizeof(dfus[0]); i++)
		if (dfus[i].vid == vid && dfus[i].pid == pid)
			return "DFU";
	*family = USB_FAMILY_JLINK;
	if (vid == JLINK_VID)
		return "J-Link";
	/* As OpenOCD's cmsis_dap driver finds them: v2 is a vendor-class interface whose
	 * string says CMSIS-DAP; v1 a HID interface so named, or in a device so named. */
	*family = USB_FAMILY_CMSIS_DAP;
	for (size_t i = 0; i < nifs; i++) {
		bool named = ifs[i].name && strstr(ifs[i].name, "CMSIS-DAP");

		if (named && ifs[i].cls == 0xFF)
			return "CMSIS-DAP v2";
		v1 |= named && ifs[i].cls == 3;
		hid |= ifs[i].cls == 3;
	}
	if (v1 || (hid && product && strstr(product, "CMSIS-DAP")))
		return "CMSIS-DAP v1";
	return NULL;
}

/* Opens the device to read its serial and, with `claim`, try the claim OpenOCD will make
 * on an ST-LINK. */
static void look_at(libusb_device *dev, const struct libusb_device_descriptor *d,
                    struct usb_probe *p, bool claim)
{
	libusb_device_handle *h = NULL;
	int rc = libusb_open(dev, &h);

	p->can_open = rc == 0;
	if (rc != 0) {
		usb_sysfs_attr(p->path, "serial", p->serial, sizeof(p->serial));
		return;
	}
	if (d->iSerialNumber &&
	    libusb_get_string_descriptor_ascii(h, d->iSerialNumber, (unsigned char *)p->serial,
	                                       (int)sizeof(p->serial)) < 0)
		p->serial[0] = '\0';
	if (claim && p->family == USB_FAMILY_STLINK) {
		rc = libusb_claim_interface(h, 0);
		if (rc == 0)
			libusb_release_interface(h, 0);
		p->busy = rc == LIBUSB_ERROR_BUSY;
	}
	libusb_close(h);
}

#define MAX_IFACES 8

/* The kind of a device that is not an ST-LINK, J-Link or DFU device by its IDs: its HID
 * and vendor interfaces' strings, from sysfs (no open needed) or else from the device. */
static const char *kind_by_strings(libusb_device *dev, const struct libusb_device_descriptor *d,
                                   const char *path, enum usb_probe_family *family)
{
	struct libusb_config_descriptor *cfg = NULL;
	struct usb_iface_info ifs[MAX_IFACES];
	char names[MAX_IFACES][128], product[128] = "", attr[32];
	libusb_device_handle *h = NULL;
	const char *kind;
	size_t n = 0;

	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return NULL;
	for (uint8_t i = 0; i < cfg->bNumInterfaces && n < MAX_IFACES; i++) {
		const struct libusb_interface_descriptor *a;

		if (cfg->interface[i].num_altsetting < 1)
			continue;
		a = &cfg->interface[i].altsetting[0];
		if ((a->bInterfaceClass != 3 && a->bInterfaceClass != 0xFF) || !a->iInterface)
			continue;
		snprintf(attr, sizeof(attr), "%u.%u/interface", cfg->bConfigurationValue,
		         a->bInterfaceNumber);
		usb_sysfs_attr(path, attr, names[n], sizeof(names[n]));
		if (!names[n][0] && (h || libusb_open(dev, &h) == 0) &&
		    libusb_get_string_descriptor_ascii(h, a->iInterface, (unsigned char *)names[n],
		                                       (int)sizeof(names[n])) < 0)
			names[n][0] = '\0';
		ifs[n].cls = a->bInterfaceClass;
		ifs[n].name = names[n][0] ? names[n] : NULL;
		n++;
	}
	libusb_free_config_descriptor(cfg);
	if (n == 0) {
		if (h)
			libusb_close(h);
		return NULL;
	}
	usb_sysfs_attr(path, "product", product, sizeof(product));
	if (!product[0] && d->iProduct && (h || libusb_open(dev, &h) == 0) &&
	    libusb_get_string_descriptor_ascii(h, d->iProduct, (unsigned char *)product,
	                                       (int)sizeof(product)) < 0)
		product[0] = '\0';
	if (h)
		libusb_close(h);
	kind = usb_probe_kind(d->idVendor, d->idProduct, product, ifs, n, family);
	return kind;
}

/* bus order: "1-2" before "1-10" */
static int by_path(const void *a, const void *b)
{
	return strverscmp(((const struct usb_probe *)a)->path, ((const struct usb_probe *)b)->path);
}

/* The attached devices of the kinds wanted (all: every kind, else ST-LINKs). No claim is
 * tried: that would make a probe look busy to a run starting on it at the same moment. */
static int list(struct usb_probe *out, size_t max, size_t *n, bool all, struct swd_error *err)
{
	libusb_context *ctx = NULL;
	libusb_device **devs = NULL;
	ssize_t count;
	int rc;

	*n = 0;
	if ((rc = usb_context_open(&ctx)) != 0)
		return swd_error_set(err, SWD_EINTERNAL, "cannot start libusb: %s",
		                     libusb_strerror(rc));
	count = libusb_get_device_list(ctx, &devs);
	for (ssize_t i = 0; i < count; i++) {
		struct libusb_device_descriptor d;
		enum usb_probe_family family;
		const char *kind;
		char path[32];

		if (libusb_get_device_descriptor(devs[i], &d) != 0)
			continue;
		usb_device_path(devs[i], path, sizeof(path));
		kind = usb_probe_kind(d.idVendor, d.idProduct, NULL, NULL, 0, &family);
		if (all && !kind && d.bDeviceClass != 9 /* hubs */)
			kind = kind_by_strings(devs[i], &d, path, &family);
		if (!kind || (!all && family != USB_FAMILY_STLINK))
			continue;
		if (*n < max) {
			struct usb_probe *p = &out[*n];

			memset(p, 0, sizeof(*p));
			p->kind = kind;
			p->family = family;
			p->vid = d.idVendor;
			p->pid = d.idProduct;
			p->bus = libusb_get_bus_number(devs[i]);
			p->address = libusb_get_device_address(devs[i]);
			snprintf(p->path, sizeof(p->path), "%s", path);
			snprintf(p->devnode, sizeof(p->devnode), "/dev/bus/usb/%03u/%03u", p->bus,
			         p->address);
			look_at(devs[i], &d, p, false);
		}
		(*n)++;
	}
	if (count > 0)
		libusb_free_device_list(devs, 1);
	libusb_exit(ctx);
	qsort(out, *n < max ? *n : max, sizeof(*out), by_path);
	return 0;
}

int usb_probes_list(struct usb_probe *out, size_t max, size_t *n, struct swd_error *err)
{
	return list(out, max, n, false, err);
}

int usb_probes_list_all(struct usb_probe *out, size_t max, size_t *n, struct swd_error *err)
{
	return list(out, max, n, true, err);
}

void usb_probes_claim_test(struct usb_probe *p)
{
	libusb_context *ctx = NULL;
	libusb_device **devs = NULL;
	ssize_t count;

	p->busy = false;
	p->holder = 0;
	p->holder_name[0] = '\0';
	if (p->family != USB_FAMILY_STLINK || libusb_init(&ctx) != 0)
		return;
	count = libusb_get_device_list(ctx, &devs);
	for (ssize_t i = 0; i < count; i++) {
		struct libusb_device_descriptor d;

		if (libusb_get_bus_number(devs[i]) == p->bus && libusb_get_device_address(devs[i]) == p->address &&
		    libusb_get_device_descriptor(devs[i], &d) == 0)
			look_at(devs[i], &d, p, true);
	}
	if (count > 0)
		libusb_free_device_list(devs, 1);
	libusb_exit(ctx);
	if (p->busy)
		p->holder = usb_probes_holder(p->devnode, p->holder_name, sizeof(p->holder_name));
}

void usb_probes_lock_key(const char *serial, char *out, size_t len)
{
	const char *bed = getenv("UMOCKDEV_DIR");

	snprintf(out, len, "usb-%s%s%s", serial, bed && *bed ? "@" : "", bed && *bed ? bed : "");
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
