/* dfulog.c - dfu-util 0.11's output, line by line; see dfulog.h. */
#include "dfu/dfulog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "dfu-util: "

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static void copy(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The value of key="..." in s into dst. */
static void quoted(const char *s, const char *key, char *dst, size_t len)
{
	const char *a = strstr(s, key), *b;

	dst[0] = '\0';
	if (a == NULL)
		return;
	a += strlen(key);
	/* the name may hold anything but the '", ' that ends it (or the line's last '"') */
	b = strstr(a, "\", ");
	if (b == NULL)
		b = strrchr(a, '"');
	if (b != NULL && b >= a)
		copy(dst, len, a, (size_t)(b - a));
}

static bool found(const char *s, struct dfulog_line *out)
{
	struct dfulog_device *d = &out->dev;
	unsigned vid, pid, ver;
	const char *p;

	if (!starts(s, "Found DFU: ") && !starts(s, "Found Runtime: "))
		return false;
	p = strchr(s, '[');
	if (p == NULL || sscanf(p, "[%4x:%4x] ver=%4x, devnum=%u, cfg=%u, intf=%u,", &vid, &pid,
	                        &ver, &d->devnum, &d->cfg, &d->intf) != 6)
		return false;
	d->vid = (uint16_t)vid;
	d->pid = (uint16_t)pid;
	d->ver = (uint16_t)ver;
	p = strstr(s, "alt=");
	if (p == NULL || sscanf(p, "alt=%u", &d->alt) != 1)
		return false;
	quoted(s, "path=\"", d->path, sizeof(d->path));
	quoted(s, "name=\"", d->name, sizeof(d->name));
	quoted(s, "serial=\"", d->serial, sizeof(d->serial));
	out->kind = starts(s, "Found DFU") ? DFULOG_FOUND : DFULOG_OTHER;
	return true;
}

/* "Upload\t[=====    ]  40%        65536 bytes" (0.11), or with blanks before '['. */
static bool progress(const char *s, struct dfulog_line *out)
{
	const char *br = strchr(s, '['), *end;
	unsigned long long bytes;
	size_t n = 0;
	unsigned pct;

	while (isalpha((unsigned char)s[n]))
		n++;
	if (n == 0 || br == NULL || strspn(s + n, " \t") != (size_t)(br - s - n))
		return false;
	int used = 0;

	end = strchr(br, ']');
	if (end == NULL || sscanf(end + 1, " %u%% %llu bytes%n", &pct, &bytes, &used) != 2 ||
	    used == 0 || pct > 100)
		return false;
	if (end[1 + used] != '\0')
		out->rest = (size_t)(end + 1 + used - s);
	copy(out->phase, sizeof(out->phase), s, n);
	out->percent = pct;
	out->bytes = bytes;
	out->kind = DFULOG_PROGRESS;
	return true;
}

static bool done(const char *s, struct dfulog_line *out)
{
	size_t n = 0, len = strlen(s);

	while (isalpha((unsigned char)s[n]))
		n++;
	if (n == 0 || len < 6 || strcmp(s + len - 6, " done.") != 0 ||
	    strspn(s + n, " ") != len - 6 - n + 1)
		return false;
	copy(out->phase, sizeof(out->phase), s, n);
	out->kind = DFULOG_DONE;
	return true;
}

/* The libusb error name in "(LIBUSB_ERROR_X)" at the end, if any. */
static void libusb_name(const char *s, char *dst, size_t len)
{
	const char *a = strstr(s, "(LIBUSB_"), *b;

	dst[0] = '\0';
	if (a != NULL && (b = strchr(a, ')')) != NULL)
		copy(dst, len, a + 1, (size_t)(b - a - 1));
}

/* The failures, each a fixed phrase of dfu-util's. */
static bool failure(const char *s, struct dfulog_line *out)
{
	unsigned addr;
	const char *p;

	if (strstr(s, "Invalid DFU suffix signature") != NULL ||
	    strstr(s, "File too short for DFU suffix") != NULL ||
	    strstr(s, "A valid DFU suffix will be required") != NULL)
		out->kind = DFULOG_SUFFIX;
	else if (strstr(s, "No DFU capable USB device available") != NULL)
		out->kind = DFULOG_NO_DEVICE;
	else if (strstr(s, "More than one DFU capable USB device found") != NULL)
		out->kind = DFULOG_MANY_DEVICES;
	else if (starts(s, "Cannot open DFU device") || starts(s, "Cannot open device") ||
	         starts(s, "Cannot claim interface"))
		out->kind = strstr(s, "LIBUSB_ERROR_ACCESS") ? DFULOG_ACCESS : DFULOG_CANNOT_OPEN;
	else if (starts(s, "Error during download get_status"))
		out->kind = DFULOG_GET_STATUS;
	else if ((p = strstr(s, " not correctly executed")) != NULL) {
		out->kind = DFULOG_NOT_EXECUTED;
		copy(out->text, sizeof(out->text), s, (size_t)(p - s));
		return true;
	} else if (sscanf(s, "Page at 0x%8x is not readabl%*c", &addr) == 1) {
		out->kind = DFULOG_NOT_READABLE;
		out->address = addr;
	} else if (sscanf(s, "Page at 0x%8x is not writeabl%*c", &addr) == 1 ||
	           sscanf(s, "Last page at 0x%8x is not writeabl%*c", &addr) == 1) {
		out->kind = DFULOG_NOT_WRITABLE;
		out->address = addr;
	} else if (starts(s, "Unexpected number of bytes uploaded"))
		out->kind = DFULOG_SHORT_UPLOAD;
	else if (starts(s, "Error during upload") || starts(s, "Error during download") ||
	         starts(s, "Error during special command") ||
	         starts(s, "dfuse_upload: libusb_control_transfer returned") ||
	         starts(s, "dfuse_download: libusb_control_transfer returned"))
		out->kind = DFULOG_TRANSFER_ERROR;
	else if (starts(s, "Cannot set alternate interface") ||
	         starts(s, "No such Alternate Setting"))
		out->kind = DFULOG_NO_ALT;
	else
		return false;
	libusb_name(s, out->text, sizeof(out->text));
	if (out->text[0] == '\0')
		copy(out->text, sizeof(out->text), s, strlen(s));
	return true;
}

void dfulog_classify(const char *line, struct dfulog_line *out)
{
	bool prefixed = starts(line, PREFIX), warning;
	const char *s = prefixed ? line + strlen(PREFIX) : line;
	unsigned long long total;
	char st[32];

	memset(out, 0, sizeof(*out));
	warning = starts(s, "Warning: ");
	if (warning)
		s += strlen("Warning: ");
	if (found(s, out) || progress(s, out) || done(s, out) || failure(s, out))
		return;
	if (sscanf(s, "Received a total of %llu bytes", &total) == 1 ||
	    sscanf(s, "Sent a total of %llu bytes", &total) == 1) {
		out->kind = DFULOG_TOTAL;
		out->bytes = total;
	} else if (starts(s, "Submitting leave request")) {
		out->kind = DFULOG_LEAVE;
	} else if (sscanf(s, "DFU state(%u) = %31[^,], status(%u) = ", &out->state, st,
	                  &out->status) == 3) {
		const char *t = strstr(s, "status(");

		out->kind = DFULOG_STATE;
		t = t != NULL ? strstr(t, " = ") : NULL;
		if (t != NULL)
			copy(out->text, sizeof(out->text), t + 3, strlen(t + 3));
	} else if (prefixed && !warning) {
		out->kind = DFULOG_ERROR;
		copy(out->text, sizeof(out->text), s, strlen(s));
	}
}

bool dfulog_state_failed(const struct dfulog_line *l)
{
	return l->kind == DFULOG_STATE && (l->state == 10 || l->status != 0);
}

void dfulog_splitter_init(struct dfulog_splitter *s, dfulog_line_cb cb, void *ud)
{
	memset(s, 0, sizeof(*s));
	s->cb = cb;
	s->ud = ud;
}

static void emit(struct dfulog_splitter *s)
{
	if (s->len > 0 && !s->overflow) {
		s->buf[s->len] = '\0';
		s->cb(s->ud, s->buf);
	}
	s->len = 0;
	s->overflow = false;
}

void dfulog_splitter_feed(struct dfulog_splitter *s, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '\n' || c == '\r') {
			emit(s);
		} else if (s->len + 1 < sizeof(s->buf)) {
			s->buf[s->len++] = c;
		} else if (!s->overflow) {
			/* an over-long line is delivered cut; the rest of it is dropped */
			s->overflow = true;
			s->buf[s->len] = '\0';
			s->cb(s->ud, s->buf);
		}
	}
}

void dfulog_splitter_flush(struct dfulog_splitter *s)
{
	emit(s);
}
