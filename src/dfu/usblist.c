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

static int add_device(struct dfu_result *res, const struct dfulog_device *d)
{
	struct dfulog_device *nd = realloc(res->devices, (res->ndevices + 1) * sizeof(*nd));
	char *line = NULL;

	if (nd == NULL)
		return -1;
	res->devices = nd;
	res->devices[res->ndevices++] = *d;
	if (asprintf(&line, "libusb: DFU device [%04x:%04x] ver=%04x, devnum=%u, cfg=%u, intf=%u, "
	             "alt=%u, name=\"%s\", serial=\"%s\"", d->vid, d->pid, d->ver, d->devnum,
	             d->cfg, d->intf, d->alt, d->name, d->serial) < 0)
		line = NULL;
	return add_line(res, line);
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
                       uint16_t *langid, struct dfulog_device *d, struct dfu_result *res)
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
			string_or_unknown(*h, langid, s->iInterface, d->name, sizeof(d->name));
			if (add_device(res, d) != 0)
				return -1;
		}
	}
	return 0;
}

/* One device, every configuration. Returns 0, or -1 when out of memory. */
static int list_device(libusb_device *dev, const struct libusb_device_descriptor *dd,
                       struct dfu_result *res)
{
	libusb_device_handle *h = NULL;
	struct dfulog_device d;
	uint16_t langid = LANGID_EN_US;
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
		rc = list_config(dev, dd, cfg, &h, &langid, &d, res);
		libusb_free_config_descriptor(cfg);
	}
	if (h != NULL)
		libusb_close(h);
	return rc < 0 ? -1 : 0;
}

int dfu_usb_list(const struct dfu_select *sel, struct dfu_result *res, struct swd_error *err)
{
	libusb_context *ctx = NULL;
	libusb_device **devs = NULL;
	ssize_t count;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = usb_context_open(&ctx)) != 0)
		return swd_error_set(err, SWD_EPROBENOTFOUND, "cannot look for DFU devices: libusb "
		                     "cannot start (%s); is /dev/bus/usb there?", libusb_error_name(rc));
	count = libusb_get_device_list(ctx, &devs);
	rc = 0;
	for (ssize_t i = 0; i < count && rc == 0; i++) {
		struct libusb_device_descriptor dd;

		if (libusb_get_device_descriptor(devs[i], &dd) != 0 ||
		    (sel->vid != 0 && (dd.idVendor != sel->vid || dd.idProduct != sel->pid)))
			continue;
		rc = list_device(devs[i], &dd, res);
	}
	if (count > 0)
		libusb_free_device_list(devs, 1);
	libusb_exit(ctx);
	if (rc != 0)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	return dfu_result_error(res, sel, "list", err);
}
