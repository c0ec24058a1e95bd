/* dfu.c - dfu-util's command lines and what their results mean; see dfu.h. */
#include "dfu/dfu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for every argument built below. */
struct args {
	const char *v[16];
	size_t n;
	char dev[24], alt[8], addr[40];
};

static void push(struct args *a, const char *s)
{
	if (a->n + 1 < sizeof(a->v) / sizeof(a->v[0]))
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void select_args(struct args *a, const struct dfu_select *sel)
{
	a->n = 0;
	if (sel->vid != 0) {
		/* the ids twice: dfu-util 0.11 holds a device already in DFU mode only to the
		 * ids after the comma, and with those alone takes any DFU device on the bus */
		snprintf(a->dev, sizeof(a->dev), "%04x:%04x,%04x:%04x", sel->vid, sel->pid, sel->vid,
		         sel->pid);
		push(a, "-d");
		push(a, a->dev);
	}
	if (sel->serial != NULL) {
		push(a, "-S");
		push(a, sel->serial);
	}
}

/* -d, -S, then "-a ALT -s 0xADDRESS<modifiers>" and, when op is not NULL, "OP FILE". */
static void dfuse_args(struct args *a, const struct dfu_select *sel, unsigned alt,
                       uint32_t address, const char *modifiers, const char *op, const char *file)
{
	select_args(a, sel);
	snprintf(a->alt, sizeof(a->alt), "%u", alt);
	snprintf(a->addr, sizeof(a->addr), "0x%08X%s", address, modifiers);
	push(a, "-a");
	push(a, a->alt);
	push(a, "-s");
	push(a, a->addr);
	if (op != NULL) {
		push(a, op);
		push(a, file);
	}
}

static const char *device_name(const struct dfu_select *sel, char *buf, size_t len)
{
	if (sel->vid == 0 && sel->serial == NULL)
		snprintf(buf, len, "no DFU device");
	else if (sel->serial == NULL)
		snprintf(buf, len, "no DFU device %04x:%04x", sel->vid, sel->pid);
	else if (sel->vid == 0)
		snprintf(buf, len, "no DFU device with serial '%s'", sel->serial);
	else
		snprintf(buf, len, "no DFU device %04x:%04x with serial '%s'", sel->vid, sel->pid,
		         sel->serial);
	return buf;
}

int dfu_result_error(const struct dfu_result *res, const struct dfu_select *sel,
                     const char *what, struct swd_error *err)
{
	const struct dfulog_line *f = &res->failure;
	char name[128];

	if (res->cannot_run[0] != '\0')
		return swd_error_set(err, SWD_EDFUFAILED, "dfu-util %s could not start: %s; give "
		                     "--dfu-util the path of dfu-util", what, res->cannot_run);
	switch (f->kind) {
	case DFULOG_OTHER:
		break;
	case DFULOG_NO_DEVICE:
		return swd_error_set(err, SWD_EPROBENOTFOUND, "%s found: put the board in DFU mode "
		                     "and check the cable", device_name(sel, name, sizeof(name)));
	case DFULOG_MANY_DEVICES:
		return swd_error_set(err, SWD_EUSAGE, "more than one DFU device matches: name one "
		                     "with --probe dfu:SERIAL ('swdbackup probes' lists them)");
	case DFULOG_ACCESS:
		return swd_error_set(err, SWD_EPROBEPERM, "cannot open the DFU device: permission "
		                     "denied (%s); install the udev rules (README \"USB permission\")",
		                     f->text);
	case DFULOG_CANNOT_OPEN:
		return swd_error_set(err, SWD_EPROBEBUSY, "cannot open the DFU device (%s): another "
		                     "program may hold it", f->text);
	case DFULOG_NO_ALT:
		return swd_error_set(err, SWD_EWRONGTARGET, "the DFU device has no such alternate "
		                     "setting: '%s'", res->failure_line);
	case DFULOG_NOT_READABLE:
		return swd_error_set(err, SWD_EPROTECTED, "the DFU device does not let 0x%08X be "
		                     "read", f->address);
	case DFULOG_NOT_WRITABLE:
		return swd_error_set(err, SWD_EPROTECTED, "the DFU device does not let 0x%08X be "
		                     "written", f->address);
	default:
		return swd_error_set(err, SWD_ETARGETFAILED, "dfu-util %s failed: '%s'", what,
		                     res->failure_line);
	}
	if (res->term_signal != 0)
		return swd_error_set(err, SWD_EDFUFAILED, "dfu-util %s was killed by signal %d",
		                     what, res->term_signal);
	if (res->exit_status != 0 && !res->leave_quirk)
		return swd_error_set(err, SWD_EDFUFAILED, "dfu-util %s exited with status %lld: '%s'",
		                     what, (long long)res->exit_status,
		                     res->nlines > 0 ? res->lines[res->nlines - 1] : "");
	return 0;
}

int dfu_upload(const struct dfu_runner *r, const struct dfu_select *sel, unsigned alt,
               uint32_t address, uint32_t len, const char *path, struct dfu_result *res,
               struct swd_error *err)
{
	struct args a;
	char extra[16];
	int rc;

	snprintf(extra, sizeof(extra), ":%u", len);
	dfuse_args(&a, sel, alt, address, extra, "-U", path);
	if ((rc = dfu_run(r, a.v, res, err)) < 0)
		return rc;
	if ((rc = dfu_result_error(res, sel, "upload", err)) < 0)
		return rc;
	if (res->bytes != len)
		return swd_error_set(err, SWD_ETARGETFAILED, "dfu-util upload read %llu of %u bytes "
		                     "from 0x%08X", (unsigned long long)res->bytes, len, address);
	return 0;
}

int dfu_download(const struct dfu_runner *r, const struct dfu_select *sel, unsigned alt,
                 uint32_t address, const char *path, bool leave, struct dfu_result *res,
                 struct swd_error *err)
{
	struct args a;
	int rc;

	dfuse_args(&a, sel, alt, address, leave ? ":leave" : "", "-D", path);
	if ((rc = dfu_run(r, a.v, res, err)) < 0)
		return rc;
	return dfu_result_error(res, sel, "download", err);
}

int dfu_leave(const struct dfu_runner *r, const struct dfu_select *sel, unsigned alt,
              uint32_t address, struct dfu_result *res, struct swd_error *err)
{
	struct args a;
	int rc;

	dfuse_args(&a, sel, alt, address, ":leave", NULL, NULL);
	if ((rc = dfu_run(r, a.v, res, err)) < 0)
		return rc;
	return dfu_result_error(res, sel, "leave", err);
}
