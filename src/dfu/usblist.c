/* usblist.c - the USB DFU devices on the bus, through libusb-1.0; see usblist.h. */
#include "dfu/usblist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "usb/usbdev.h"

#define DFU_CLASS 0xFE    /* application specific (DFU 1.1 section 4.2.3) */
#define DFU_SUBCLASS 0x01
#define DFU_MODE 0x02     /* protocol 2: DFU mode; 1 is the run-time interface */

static int add_line(struct dfu_result *res, char *line)
{
	char **nl;

	if (line == NULL || (nl = realloc(res->lines, (res->nlines + 1) * sizeof(*nl))) == NULL) {
		free(line);
		return -1;
	}
	res->lines = nl;
	res->lines[res->nlines++] = line;
	return 0;
}

/* The log line of a listed alternate setting, as dfu-util's listing names it. */
static int log_device(struct dfu_result *res, const struct dfulog_device *d)
{
	char *line = NULL;

	if (asprintf(&line, "libusb: DFU device [%04x:%04x] ver=%04x, devnum=%u, cfg=%u, intf=%u, "
	             "alt=%u, name=\"%s\", serial=\"%s\"", d->vid, d->pid, d->ver, d->devnum,
	             d->cfg, d->intf, d->alt, d->name, d->serial) < 0)
		line = NULL;
	return add_line(res, line);
}

/* An alternate setting into the list, with its log line unless its name is still to be
 * read (held). */
static int add_device(struct dfu_result *res, const struct dfulog_device *d, bool held)
{
	struct dfulog_device *nd = realloc(res->devices, (res->ndevices + 1) * sizeof(*nd));

	if (nd == NULL)
		return -1;
	res->devices = nd;
	res->devices[res->ndevices++] = *d;
	return held ? 0 : log_device(res, d);
}

/* A listing whose names are still to be read: the devices it opened, and for each entry
 * of the list its device and its string index. */
struct dfu_usb_held {
	libusb_context *ctx;
	struct held_dev {
		libusb_device_handle *h;
		uint16_t langid;
	} *devs;
	size_t ndevs;
	struct held_alt {
		size_t dev;
		uint8_t iface;
	} *alts;
	size_t nalts;
};

/* Holds the entry just listed: its name is index iface of the last device held. */
static int hold_alt(struct dfu_usb_held *held, uint8_t iface)
{
	struct held_alt *na = realloc(held->alts, (held->nalts + 1) * sizeof(*na));

	if (na == NULL)
		return -1;
	held->alts = na;
	held->alts[held->nalts].dev = held->ndevs - 1;
	held->alts[held->nalts++].iface = iface;
	return 0;
}

/* Keeps an opened device open in held (or closes it when held is NULL). */
static int hold_dev(struct dfu_usb_held *held, libusb_device_handle *h, uint16_t langid)
{
	struct held_dev *nd;

	if (held == NULL) {
		libusb_close(h);
		return 0;
	}
	if ((nd = realloc(held->devs, (held->ndevs + 1) * sizeof(*nd))) == NULL) {
		libusb_close(h);
		return -1;
	}
	held->devs = nd;
	held->devs[held->ndevs].h = h;
	held->devs[held->ndevs++].langid = langid;
	return 0;
}

/* A device that cannot be opened: the first such is the run's failure, in dfu-util's
 * words (dfu_util.c, probe_configuration), which dfu.c and the findings read. */
static int cannot_open(struct dfu_result *res, const struct libusb_device_descriptor *dd,
                       libusb_device *dev, int rc)
{
	char *line = NULL;

	if (asprintf(&line, "libusb: Cannot open DFU device %04x:%04x found on devnum %u (%s)",
	             dd->idVendor, dd->idProduct, libusb_get_device_address(dev),
	             libusb_error_name(rc)) < 0)
		line = NULL;
	if (res->failure.kind == DFULOG_OTHER && line != NULL) {
		res->failure.kind = rc == LIBUSB_ERROR_ACCESS ? DFULOG_ACCESS : DFULOG_CANNOT_OPEN;
		snprintf(res->failure.text, sizeof(res->failure.text), "%s", libusb_error_name(rc));
		snprintf(res->failure_line, sizeof(res->failure_line), "%s", line);
	}
	return add_line(res, line);
}

/* US English: nearly every device offers it, first or only. */
#define LANGID_EN_US 0x0409

/* The device's first language (string descriptor 0), 0 when it gives none. Only the
 * first is used, so only it is asked for: a shorter transfer. */
static uint16_t first_langid(libusb_device_handle *h)
{
	unsigned char b[4];
	int n = libusb_get_string_descriptor(h, 0, 0, b, sizeof(b));

	return n >= 4 && b[1] == LIBUSB_DT_STRING ? (uint16_t)(b[2] | b[3] << 8) : 0;
}

/* String descriptor i in language langid into out as ASCII ('?' for any other character,
 * as libusb_get_string_descriptor_ascii gives it). Returns its length, or -1 when the
 * device gave no string descriptor. */
static int string_in(libusb_device_handle *h, uint16_t langid, uint8_t i, char *out, size_t len)
{
	unsigned char b[255];
	int n = libusb_get_string_descriptor(h, i, langid, b, sizeof(b));
	size_t k = 0;

	out[0] = '\0';
	if (n < 2 || b[1] != LIBUSB_DT_STRING || b[0] > n)
		return -1;
	for (int at = 2; at + 1 < b[0] && k + 1 < len; at += 2)
		out[k++] = b[at + 1] == 0 && b[at] < 0x80 ? (char)b[at] : '?';
	out[k] = '\0';
	return (int)k;
}

/* String descriptor i into out, or "UNKNOWN" as dfu-util says when there is none. One
 * request each (a control transfer, some 0.5 ms of a full-speed bus): *langid starts as
 * US English and the strings are asked in it straight away, where dfu-util's libusb asks
 * for the language list before every string. A device that refuses US English is asked
 * for its list once, and its first language (what dfu-util uses) kept in *langid. */
static void string_or_unknown(libusb_device_handle *h, uint16_t *langid, uint8_t i, char *out,
                              size_t len)
{
	int k = i != 0 && *langid != 0 ? string_in(h, *langid, i, out, len) : -1;

	if (k < 0 && i != 0 && *langid == LANGID_EN_US) {
		*langid = first_langid(h);
		if (*langid != 0 && *langid != LANGID_EN_US)
			k = string_in(h, *langid, i, out, len);
	}
	if (k <= 0)
		snprintf(out, len, "UNKNOWN");
}

/* The serial as the kernel read it when the device was enumerated (sysfs), which costs
 * no transfer; "" when it is not there or not plain ASCII, for dfu-util reads it from the
 * device and its -S must match what it reads. */
static void kernel_serial(libusb_device *dev, char *out, size_t len)
{
	char path[32];

	usb_device_path(dev, path, sizeof(path));
	usb_sysfs_attr(path, "serial", out, len);
	for (const char *c = out; *c; c++)
		if (*c < 0x20 || *c > 0x7e) {
			out[0] = '\0';
			break;
		}
}

static bool dfu_mode(const struct libusb_interface_descriptor *s)
{
	return s->bInterfaceClass == DFU_CLASS && s->bInterfaceSubClass == DFU_SUBCLASS &&
	       s->bInterfaceProtocol == DFU_MODE;
}

/* The DFU-mode alternate settings of one configuration. The device is opened (*h, for
 * its strings) at the first: one without any is never opened. Returns 0, 1 when it
 * cannot be opened (recorded in res), or -1 when out of memory. */
static int list_config(libusb_device *dev, const struct libusb_device_descriptor *dd,
                       const struct libusb_config_descriptor *cfg, libusb_device_handle **h,
                       uint16_t *langid, struct dfulog_device *d, struct dfu_result *res,
                       bool held)
{
	for (uint8_t i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *intf = &cfg->interface[i];

		for (int a = 0; a < intf->num_altsetting; a++) {
			const struct libusb_interface_descriptor *s = &intf->altsetting[a];
			int rc;

			if (!dfu_mode(s))
				continue;
			if (*h == NULL && (rc = libusb_open(dev, h)) != 0) {
				*h = NULL;
				return cannot_open(res, dd, dev, rc) == 0 ? 1 : -1;
			}
			if (d->serial[0] == '\0' && dd->iSerialNumber != 0)
				kernel_serial(dev, d->serial, sizeof(d->serial));
			if (d->serial[0] == '\0')
				string_or_unknown(*h, langid, dd->iSerialNumber, d->serial, sizeof(d->serial));
			d->cfg = cfg->bConfigurationValue;
			d->intf = s->bInterfaceNumber;
			d->alt = s->bAlternateSetting;
			d->name[0] = '\0';
			if (held)
				d->name[0] = (char)s->iInterface; /* read by dfu_usb_held_names() */
			else
				string_or_unknown(*h, langid, s->iInterface, d->name, sizeof(d->name));
			if (add_device(res, d, held) != 0)
				return -1;
		}
	}
	return 0;
}

/* One device, every configuration; with held, the device stays open there and its names
 * are left to be read. Returns 0, or -1 when out of memory. */
static int list_device(libusb_device *dev, const struct libusb_device_descriptor *dd,
                       struct dfu_result *res, struct dfu_usb_held *held)
{
	libusb_device_handle *h = NULL;
	struct dfulog_device d;
	uint16_t langid = LANGID_EN_US;
	size_t first = res->ndevices;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	d.vid = dd->idVendor;
	d.pid = dd->idProduct;
	d.ver = dd->bcdDevice;
	d.devnum = libusb_get_device_address(dev);
	for (uint8_t c = 0; c < dd->bNumConfigurations && rc == 0; c++) {
		struct libusb_config_descriptor *cfg = NULL;

		if (libusb_get_config_descriptor(dev, c, &cfg) != 0)
			continue;
		rc = list_config(dev, dd, cfg, &h, &langid, &d, res, held != NULL);
		libusb_free_config_descriptor(cfg);
	}
	if (h == NULL)
		return rc < 0 ? -1 : 0;
	if (rc < 0) {
		libusb_close(h);
		return -1;
	}
	if (hold_dev(held, h, langid) != 0)
		return -1;
	/* the string index was kept in the name's first byte */
	for (size_t i = first; held != NULL && i < res->ndevices; i++)
		if (hold_alt(held, (uint8_t)res->devices[i].name[0]) != 0)
			return -1;
	return 0;
}

/* Every device sel names by ids, into res (and held, when not NULL). */
static int list_bus(libusb_context *ctx, const struct dfu_select *sel, struct dfu_result *res,
                    struct dfu_usb_held *held)
{
	libusb_device **devs = NULL;
	ssize_t count = libusb_get_device_list(ctx, &devs);
	int rc = 0;

	for (ssize_t i = 0; i < count && rc == 0; i++) {
		struct libusb_device_descriptor dd;

		if (libusb_get_device_descriptor(devs[i], &dd) != 0 ||
		    (sel->vid != 0 && (dd.idVendor != sel->vid || dd.idProduct != sel->pid)))
			continue;
		rc = list_device(devs[i], &dd, res, held);
	}
	if (count > 0)
		libusb_free_device_list(devs, 1);
	return rc;
}

int dfu_usb_list(const struct dfu_select *sel, struct dfu_result *res, struct swd_error *err)
{
	libusb_context *ctx = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = usb_context_open(&ctx)) != 0)
		return swd_error_set(err, SWD_EPROBENOTFOUND, "cannot look for DFU devices: libusb "
		                     "cannot start (%s); is /dev/bus/usb there?", libusb_error_name(rc));
	rc = list_bus(ctx, sel, res, NULL);
	libusb_exit(ctx);
	if (rc != 0)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	return dfu_result_error(res, sel, "list", err);
}

int dfu_usb_list_held(const struct dfu_select *sel, struct dfu_result *res,
                      struct dfu_usb_held **out, struct swd_error *err)
{
	struct dfu_usb_held *held;
	int rc;

	memset(res, 0, sizeof(*res));
	*out = NULL;
	if ((held = calloc(1, sizeof(*held))) == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if ((rc = usb_context_open(&held->ctx)) != 0) {
		free(held);
		return swd_error_set(err, SWD_EPROBENOTFOUND, "cannot look for DFU devices: libusb "
		                     "cannot start (%s); is /dev/bus/usb there?", libusb_error_name(rc));
	}
	rc = list_bus(held->ctx, sel, res, held);
	if (rc == 0)
		rc = dfu_result_error(res, sel, "list", err);
	else
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (rc != 0) {
		dfu_usb_held_free(held);
		return rc;
	}
	*out = held;
	return 0;
}

int dfu_usb_held_names(struct dfu_usb_held *held, struct dfu_result *res, struct swd_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < res->ndevices && i < held->nalts; i++) {
		struct held_dev *hd = &held->devs[held->alts[i].dev];
		struct dfulog_device *d = &res->devices[i];

		string_or_unknown(hd->h, &hd->langid, held->alts[i].iface, d->name, sizeof(d->name));
		if (rc == 0 && log_device(res, d) != 0)
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	dfu_usb_held_free(held);
	return rc;
}

void dfu_usb_held_free(struct dfu_usb_held *held)
{
	if (held == NULL)
		return;
	for (size_t i = 0; i < held->ndevs; i++)
		libusb_close(held->devs[i].h);
	free(held->devs);
	free(held->alts);
	if (held->ctx != NULL)
		libusb_exit(held->ctx);
	free(held);
}
