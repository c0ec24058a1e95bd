/* link_dfu.c - the USB DFU backend of a board link (link.h): the board's own DFU
 * bootloader (the ST system bootloader, Particle's), driven through dfu-util (src/dfu/).
 *
 * Bringing the link up lists the DFU devices with the profile's bootloader ids (or those
 * of --probe dfu:VID:PID, or a serial) in-process with libusb (dfu/usblist.h), takes the
 * one that matches and holds it to the profile: its flash alternate setting must report
 * the layout the profile says (a Spark Core is not a Photon). DFU reads no identity register, halts nothing and has no
 * on-target checksum: those operations are left out of the table.
 *
 * A backup of a board whose bootloader's own ids name its profile (the Particle boards:
 * their range is the profile's, not the layout's) starts dfu-util first, by those ids (and
 * the serial the user named), and lists the device while dfu-util starts up (libusb's
 * start, the listing and the strings: some 2 ms, on the other core, with their requests
 * serialised by the bus with dfu-util's own). Only then is the device held to the profile:
 * none, several, one that cannot be opened, or a layout that is not the profile's stops
 * dfu-util, discards its file and its words, and fails with the same refusal as when the
 * listing comes first. Everything else keeps the ordinary order.
 */
#include "board/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/boardprofile.h"
#include "core/dfuse.h"
#include "core/file.h"
#include "core/follow.h"
#include "dfu/dfu.h"
#include "dfu/usblist.h"

/* A dfu-util run may take a while under realistic timing (a 1 MiB upload of the F2 at
 * full speed takes about a second; erase and program of 1 MiB some ten): generous. */
#define RUN_TIMEOUT_MS (10u * 60u * 1000u)

/* How often the file is followed: a 128 KiB read takes about 0.2 s on the bus */
#define FOLLOW_MS 40u
/* Progress lines between ticks follow it too, once this much more has been read */
#define FOLLOW_STEP (4u * 1024u)

struct link_dfu {
	struct board_link base;       /* first: the link is this struct */
	struct dfu_runner run;
	struct dfu_select sel;
	struct swd_dfu_facts facts;
	struct swd_dfuse_layout flash; /* the flash alternate setting's layout */
	char serial[64];
	char *exe;                    /* dfu-util, found once */
	struct board_link_events ev;  /* a copy: the caller's may not outlive the link */
	const char *progress_what;
	uint64_t progress_total;
	char **lines;                 /* every line of every run */
	size_t nlines;
	int64_t last_status;
	bool ran;
	bool leave_quirk;
	struct swd_follow follow;     /* the file a flash read is being written to (core/follow.h),
	                               * followed while dfu-util runs (on_wait, its progress lines) */
	struct swd_followed last;     /* what the last flash read followed, for board_link_take_read() */
	/* a backup that starts dfu-util first: the device is listed while it starts (probe
	 * is the caller's, to fill then; NULL once listed) */
	struct board_link_probe *probe;
	const char *named_serial;     /* the serial the user named, or NULL */
	bool stopped;                 /* the listing refused the device: dfu-util was stopped */
};

static struct link_dfu *D(struct board_link *l)
{
	return (struct link_dfu *)l;
}

static void dfu_free_link(struct board_link *l)
{
	struct link_dfu *d = D(l);

	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	swd_dfuse_layout_release(&d->flash);
	free(d->last.data);
	free(d->exe);
	free(d);
}

static const char *const *dfu_log(const struct board_link *l, size_t *n)
{
	const struct link_dfu *d = (const struct link_dfu *)l;

	*n = d->nlines;
	return (const char *const *)d->lines;
}

static void dfu_end(const struct board_link *l, struct board_link_end *out)
{
	const struct link_dfu *d = (const struct link_dfu *)l;

	memset(out, 0, sizeof(*out));
	out->exited = d->ran;
	out->status = (int)d->last_status;
	out->leave_quirk = d->leave_quirk;
}

static void on_progress(void *ud, const char *phase, uint64_t bytes, unsigned pct)
{
	struct link_dfu *d = ud;

	(void)phase;
	(void)pct;
	if (d->follow.hashing && bytes >= d->follow.have + FOLLOW_STEP)
		swd_follow_poll(&d->follow);
	if (d->ev.on_progress != NULL && d->progress_what != NULL)
		d->ev.on_progress(d->ev.ud, d->progress_what, bytes, d->progress_total);
}

/* Keeps a run's lines (the findings read them) and passes them to the log event, and how
 * it ended; nothing of a run swdbackup stopped (the listing refused the device: what it
 * said, cut short, tells nothing of the device). */
static void keep_run(struct link_dfu *d, struct dfu_result *res)
{
	char **nl;

	if (d->stopped) {
		d->stopped = false;
		return;
	}
	nl = realloc(d->lines, (d->nlines + res->nlines) * sizeof(*nl));
	d->ran = true;
	d->last_status = res->term_signal ? -res->term_signal : res->exit_status;
	if (nl == NULL)
		return;
	d->lines = nl;
	for (size_t i = 0; i < res->nlines; i++) {
		if (d->ev.on_log != NULL)
			d->ev.on_log(d->ev.ud, res->lines[i]);
		d->lines[d->nlines++] = res->lines[i];
		res->lines[i] = NULL;
	}
}

/* A temporary name beside path, which dfu-util creates itself (it will not replace a
 * file). Returns: new. */
static char *part_name(const char *path)
{
	char *t = NULL;

	return asprintf(&t, "%s.dfu-XXXXXX", path) < 0 ? NULL : t;
}

/* Makes tmp (a mkstemp template) a name nothing has: dfu-util creates the file itself. */
static int make_free_name(char *tmp, const char *beside, struct swd_error *err)
{
	int fd = mkstemp(tmp);

	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot create a file beside '%s'", beside);
	close(fd);
	unlink(tmp);
	return 0;
}

static int list_device(struct link_dfu *d, struct board_link_probe *probe,
                       struct swd_error *err);

/* A link whose first run was started before the device was listed: lists it now and holds
 * it to the profile, as the ordinary order does before any run. 0 when it is listed. */
static int confirm(struct link_dfu *d, struct swd_error *err)
{
	struct board_link_probe *probe = d->probe;

	if (probe == NULL)
		return 0;
	d->probe = NULL;
	return list_device(d, probe, err);
}

/* While the first dfu-util run starts up: the listing; a refusal stops it. */
static int confirm_while_started(void *ud, struct swd_error *err)
{
	struct link_dfu *d = ud;
	int rc = confirm(d, err);

	d->stopped = rc != 0;
	return rc;
}

/* Uploads len bytes at address to the new file at path. */
static int upload(struct link_dfu *d, uint32_t address, uint32_t len, const char *path,
                  struct swd_error *err)
{
	struct dfu_result res;
	int rc;

	d->progress_total = len;
	d->run.on_started = d->probe != NULL ? confirm_while_started : NULL;
	rc = dfu_upload(&d->run, &d->sel, d->facts.flash_alt, address, len, path, &res, err);
	/* the ST bootloader stalls the first upload request while readout protection is on */
	if (rc == SWD_ETARGETFAILED && res.failure.kind == DFULOG_TRANSFER_ERROR && res.bytes == 0 &&
	    strstr(res.failure_line, "LIBUSB_ERROR_PIPE") != NULL) {
		swd_error_init(err);
		rc = swd_error_set(err, SWD_EPROTECTED, "the DFU bootloader refused to be read at "
		                   "0x%08X: the flash is read-protected (RDP); removing the protection "
		                   "mass-erases the flash, so swdbackup never does it", address);
	}
	d->run.on_started = NULL;
	keep_run(d, &res);
	dfu_result_release(&res);
	return rc;
}

/* While dfu-util runs: the file it writes is followed (core/follow.h: dfu-util leaves it
 * unsynced, and its write-back started while the bus works leaves little for the sync of
 * whoever keeps it; only the tail is left to read and hash when it ends), and work the command needs after
 * the run is done instead (the profile's hash for a bundle's manifest, libcrypto's first
 * use: about a millisecond). Not at the start, where dfu-util's own start would share the
 * CPU with it, but once it waits on the bus. A failure is met again, and reported, where
 * the hash is needed. */
static void on_wait(void *ud)
{
	struct link_dfu *d = ud;

	swd_follow_poll(&d->follow);
	(void)swd_profile_hash(d->base.p, NULL);
}

static int dfu_read_flash(struct board_link *l, uint32_t offset, uint32_t len, const char *path,
                          struct swd_error *err)
{
	struct link_dfu *d = D(l);
	char *tmp = part_name(path);
	int rc;

	if (tmp == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	d->progress_what = "reading flash";
	free(d->last.data);
	memset(&d->last, 0, sizeof(d->last));
	/* dfu-util creates the file: a free name, renamed over path when complete */
	rc = make_free_name(tmp, path, err);
	if (rc == 0) {
		swd_follow_start(&d->follow, tmp, len);
		rc = upload(d, l->p->flash.base + offset, len, tmp, err);
		swd_follow_end(&d->follow, rc == 0, &d->last);
	}
	if (rc == 0 && rename(tmp, path) != 0)
		rc = swd_error_set(err, SWD_EIO, "cannot rename '%s' to '%s'", tmp, path);
	if (rc != 0) {
		unlink(tmp);
		free(d->last.data);
		memset(&d->last, 0, sizeof(d->last));
	}
	free(tmp);
	return rc;
}

static uint8_t *dfu_take_read(struct board_link *l, size_t *len, struct swd_digests *dg)
{
	struct link_dfu *d = D(l);
	uint8_t *data = d->last.data;

	*len = d->last.len;
	*dg = d->last.d;
	memset(&d->last, 0, sizeof(d->last));
	return data;
}

/* Whether the device holds data at [address, address + len), read through a file beside
 * scratch. */
static int holds(struct link_dfu *d, uint32_t address, const uint8_t *data, uint32_t len,
                 const char *scratch, bool *same, struct swd_error *err)
{
	char *tmp = part_name(scratch);
	uint8_t *got = NULL;
	size_t glen = 0;
	int rc;

	if (tmp == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	d->progress_what = "verifying";
	d->progress_total = len;
	rc = make_free_name(tmp, scratch, err);
	if (rc == 0)
		rc = upload(d, address, len, tmp, err);
	if (rc == 0)
		rc = swd_file_read(tmp, len + 1, (char **)&got, &glen, err);
	*same = rc == 0 && glen == len && memcmp(got, data, len) == 0;
	unlink(tmp);
	free(tmp);
	free(got);
	return rc;
}

/* Writes a piece the layout lets be written: DfuSe erases the pages it touches first. */
static int download(struct link_dfu *d, uint32_t address, const uint8_t *data, uint32_t len,
                    const char *scratch, struct swd_error *err)
{
	struct dfu_result res;
	int rc;

	if ((rc = swd_file_write(scratch, data, len, SWD_FILE_SCRATCH, err)) != 0)
		return rc;
	d->progress_what = "programming";
	d->progress_total = len;
	rc = dfu_download(&d->run, &d->sel, d->facts.flash_alt, address, scratch, false, &res, err);
	keep_run(d, &res);
	dfu_result_release(&res);
	unlink(scratch);
	return rc;
}

/* A bootloader keeps its own sectors read-only (Particle's: the bootloader and the DCT).
 * Those the data covers must already hold it (a board's own backup does), or the data is
 * for another board: refused before anything is written. Then the writable pieces. */
static int dfu_program(struct board_link *l, const struct board_program *a, struct swd_error *err)
{
	struct link_dfu *d = D(l);
	uint32_t base = l->p->flash.base + a->offset;
	uint64_t end = (uint64_t)base + a->len;
	int rc = confirm(d, err);

	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		uint64_t at = base;

		while (at < end && rc == 0) {
			uint32_t start = 0, size = 0, first_bad = 0;
			bool w, same = true;
			uint64_t stop = at;

			if (!swd_dfuse_layout_sector(&d->flash, (uint32_t)at, &start, &size))
				return swd_error_set(err, SWD_EWRONGTARGET, "0x%08X is outside what this DFU "
				                     "bootloader reports ('%s'): the data is not for this "
				                     "board; nothing was written", (uint32_t)at,
				                     d->facts.flash_layout);
			w = swd_dfuse_layout_allows(&d->flash, (uint32_t)at, 1, SWD_DFUSE_WRITE, NULL);
			/* the run of sectors with the same writability */
			while (stop < end && swd_dfuse_layout_allows(&d->flash, (uint32_t)stop, 1,
			                                             SWD_DFUSE_WRITE, &first_bad) == w &&
			       swd_dfuse_layout_sector(&d->flash, (uint32_t)stop, &start, &size))
				stop = (uint64_t)start + size;
			if (stop > end)
				stop = end;
			if (pass == 0 && !w)
				rc = holds(d, (uint32_t)at, a->data + (at - base), (uint32_t)(stop - at),
				           a->scratch, &same, err);
			if (rc == 0 && !same)
				rc = swd_error_set(err, SWD_EWRONGTARGET, "the data differs from the board at "
				                   "0x%08X, which its DFU bootloader keeps read-only ('%s'): "
				                   "it is not for this board's user region (0x%08X, %u bytes); "
				                   "nothing was written", (uint32_t)at, d->facts.flash_layout,
				                   d->facts.user_address, d->facts.user_size);
			if (rc == 0 && pass == 1 && w)
				rc = download(d, (uint32_t)at, a->data + (at - base), (uint32_t)(stop - at),
				              a->scratch, err);
			at = stop;
		}
	}
	return rc;
}

/* Leaves DFU mode: DfuSe's leave request makes the bootloader jump to the application.
 * The reset that follows cuts the status request short on some bootloaders (the leave
 * quirk): that is how it should end. */
static int dfu_reset(struct board_link *l, enum board_reset mode, struct swd_error *err)
{
	struct link_dfu *d = D(l);
	struct dfu_result res;
	int rc;

	if (mode != BOARD_RESET_RUN)
		return swd_error_set(err, SWD_EUNSUPPORTED, "a dfu link cannot halt the core; use an "
		                     "SWD probe for that");
	if ((rc = confirm(d, err)) != 0)
		return rc;
	d->progress_what = NULL;
	rc = dfu_leave(&d->run, &d->sel, d->facts.flash_alt, d->facts.user_address, &res, err);
	d->leave_quirk = rc == 0 && res.leave_quirk;
	keep_run(d, &res);
	dfu_result_release(&res);
	return rc;
}

static int dfu_identify(struct board_link *l, struct board_identity *out, struct swd_error *err)
{
	(void)l;
	(void)err;
	/* DFU reads no identity register: all unknown (0); the layout is checked at open, or
	 * for a backup that starts dfu-util first, while its first run starts */
	memset(out, 0, sizeof(*out));
	return 0;
}

static const struct board_link_ops dfu_ops = {
	.kind = "dfu",
	.free = dfu_free_link,
	.log = dfu_log,
	.end = dfu_end,
	.identify = dfu_identify,
	.reset = dfu_reset,
	.read_flash = dfu_read_flash,
	.take_read = dfu_take_read,
	.program = dfu_program,
};

/* Whether the device's layout for the flash alt is the profile's (same runs). */
static bool same_layout(const struct swd_dfuse_layout *a, const struct swd_dfuse_layout *b)
{
	if (a->nruns != b->nruns)
		return false;
	for (size_t i = 0; i < a->nruns; i++)
		if (a->runs[i].address != b->runs[i].address || a->runs[i].count != b->runs[i].count ||
		    a->runs[i].size != b->runs[i].size || a->runs[i].type != b->runs[i].type)
			return false;
	return true;
}

/* Whether dev is one sel names (the listing selects by ids only). */
static bool selected(const struct dfu_select *sel, const struct dfulog_device *dev)
{
	return (sel->vid == 0 || (dev->vid == sel->vid && dev->pid == sel->pid)) &&
	       (sel->serial == NULL || strcmp(sel->serial, dev->serial) == 0);
}

/* Picks the one device the selection names from the list (by ids and serial): *at, the
 * entry of its flash alt. Every later run names this very device. */
static int pick(struct link_dfu *d, const struct dfulog_device *devs, size_t n, size_t *at,
                struct swd_error *err)
{
	const struct dfulog_device *flash = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!selected(&d->sel, &devs[i]))
			continue;
		if (flash != NULL && strcmp(devs[i].serial, flash->serial) != 0)
			return swd_error_set(err, SWD_EUSAGE, "more than one DFU device %04x:%04x is "
			                     "attached (serials '%s' and '%s'): name one with --probe "
			                     "dfu:SERIAL", devs[i].vid, devs[i].pid, flash->serial,
			                     devs[i].serial);
		if (devs[i].alt == d->facts.flash_alt)
			flash = &devs[i];
	}
	if (flash == NULL)
		return swd_error_set(err, SWD_EWRONGTARGET, "the DFU device %04x:%04x has no alternate "
		                     "setting %u, where %s's bootloader keeps the flash: is this another "
		                     "board?", d->sel.vid, d->sel.pid, d->facts.flash_alt, d->base.p->name);
	*at = (size_t)(flash - devs);
	snprintf(d->serial, sizeof(d->serial), "%s", flash->serial);
	if (d->serial[0] != '\0')
		d->sel.serial = d->serial;
	d->sel.vid = flash->vid;
	d->sel.pid = flash->pid;
	return 0;
}

/* Holds the picked device's flash alt (devs[at]) to the profile: the layout it reports
 * must be the profile's. Fills probe with what the device reports. */
static int hold_to_profile(struct link_dfu *d, const struct dfulog_device *devs, size_t n,
                           size_t at, struct board_link_probe *probe, struct swd_error *err)
{
	const struct dfulog_device *flash = &devs[at];
	struct swd_dfuse_layout want;
	int rc;

	if ((rc = swd_dfuse_layout_parse(d->facts.flash_layout, &want, err)) != 0)
		return rc;
	swd_dfuse_layout_release(&d->flash);
	if (swd_dfuse_layout_parse(flash->name, &d->flash, NULL) != 0 || !same_layout(&want, &d->flash))
		rc = swd_error_set(err, SWD_EWRONGTARGET, "the DFU device %04x:%04x reports '%s' for its "
		                   "flash, but %s's bootloader reports '%s': this is another board or part; "
		                   "nothing was read or written; use its profile", flash->vid, flash->pid,
		                   flash->name, d->base.p->name, d->facts.flash_layout);
	swd_dfuse_layout_release(&want);
	if (rc != 0)
		return rc;
	snprintf(probe->adapter, sizeof(probe->adapter), "DFU %04x:%04x", flash->vid, flash->pid);
	snprintf(probe->serial, sizeof(probe->serial), "%s", flash->serial);
	snprintf(probe->vid_pid, sizeof(probe->vid_pid), "%04x:%04x", flash->vid, flash->pid);
	probe->flash_alt = flash->alt;
	for (size_t i = 0; i < n && probe->nlayouts < BOARD_LINK_LAYOUTS; i++)
		if (selected(&d->sel, &devs[i]) && strcmp(devs[i].serial, flash->serial) == 0)
			snprintf(probe->layouts[probe->nlayouts++], sizeof(probe->layouts[0]), "%s", devs[i].name);
	return 0;
}

/* Whether a backup may start dfu-util before the strings are read: the bootloader's own
 * ids (a board's, not the ST ROM's, whose range the layout tells) name the profile. */
static bool read_early(const struct link_dfu *d, const struct board_link_params *lp)
{
	return lp->read_first && d->base.p->board != NULL && strcmp(d->facts.bootloader, "st") != 0 &&
	       d->sel.vid == d->facts.vid && d->sel.pid == d->facts.pid;
}

/* Lists the devices the selection names in-process (a dfu-util -l run would cost a process
 * start and a second enumeration), picks the one and holds it to the profile; fills
 * probe. */
static int list_device(struct link_dfu *d, struct board_link_probe *probe, struct swd_error *err)
{
	const char *named = d->named_serial;
	struct dfu_result res;
	bool found = false;
	size_t at = 0;
	int rc;

	rc = dfu_usb_list(&d->sel, &res, err);
	for (size_t i = 0; rc == 0 && i < res.ndevices; i++)
		found |= selected(&d->sel, &res.devices[i]);
	if (rc == 0 && !found) {
		char name[80];

		snprintf(name, sizeof(name), "%04x:%04x%s%s%s", d->sel.vid, d->sel.pid,
		         named ? " with serial '" : "", named ? named : "", named ? "'" : "");
		rc = swd_error_set(err, SWD_EPROBENOTFOUND, "no DFU device %s found: put the board in "
		                   "DFU mode (%s) and check the cable", name,
		                   strcmp(d->facts.bootloader, "st") == 0
		                       ? "BOOT0 high, then reset"
		                       : "hold SETUP, tap RESET, release SETUP when the LED blinks yellow");
	} else if (rc == 0) {
		rc = pick(d, res.devices, res.ndevices, &at, err);
	}
	if (rc == 0)
		rc = hold_to_profile(d, res.devices, res.ndevices, at, probe, err);
	keep_run(d, &res);
	dfu_result_release(&res);
	return rc;
}

int board_link_dfu_open(const struct swd_profile *p, const struct board_link_params *lp,
			const struct board_link_events *ev, struct board_link **out,
			struct board_link_probe *probe, struct swd_error *err)
{
	struct link_dfu *d;
	int rc;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	d->base.ops = &dfu_ops;
	d->base.p = p;
	if (ev != NULL)
		d->ev = *ev;
	d->run.timeout_ms = RUN_TIMEOUT_MS;
	d->run.on_progress = on_progress;
	d->run.on_wait = on_wait;
	d->run.wait_ms = FOLLOW_MS;
	swd_follow_init(&d->follow);
	d->run.ud = d;
	*out = &d->base;
	if ((rc = swd_profile_dfu(p, &d->facts, err)) != 0)
		return rc;
	d->sel.vid = lp->vid ? lp->vid : d->facts.vid;
	d->sel.pid = lp->vid ? lp->pid : d->facts.pid;
	d->sel.serial = d->named_serial = lp->serial;
	/* dfu-util moves the bytes: missing, it is the first thing to say */
	if ((rc = dfu_find(lp->tool, &d->exe, err)) != 0)
		return rc;
	d->run.exe = d->exe;
	if (read_early(d, lp)) {
		/* the first run lists the device while dfu-util starts */
		d->probe = probe;
		return 0;
	}
	return list_device(d, probe, err);
}
