/* backup.c - `swdbackup [backup]`: a complete, verified bundle of the board. */
#include "cli/backup.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "board/bkpdomain.h"
#include "cli/map.h"
#include "core/bundle.h"
#include "core/file.h"
#include "core/jsonfield.h"
#include "core/mapsvg.h"
#include "core/image.h"

#ifndef SWD_VERSION
#define SWD_VERSION "unknown"
#endif

int cli_check_dest(struct cli_ctx *ctx, const char *dest, bool force)
{
	struct stat st;
	char *copy, *parent;
	int rc = 0;

	if (!dest)
		return 0;
	if (!force && lstat(dest, &st) == 0)
		return swd_error_set(&ctx->err, SWD_EEXIST, "'%s' already exists; choose another -o or add --force to replace it", dest);
	/* The bundle is staged next to its final name: the parent must be there before the
	 * board is touched, not found missing after a long read. */
	copy = strdup(dest);
	if (!copy)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	parent = dirname(copy);
	if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = swd_error_set(&ctx->err, SWD_ENOENT, "cannot create '%s': directory '%s' does not exist", dest, parent);
	free(copy);
	return rc;
}

int cli_refuse_rdp(struct cli_ctx *ctx, struct board *b, const char *what)
{
	int rc = board_protection(b, &ctx->err);

	if (rc != 0 || !b->prot_ready || b->prot.rdp_level < 1)
		return rc;
	return swd_error_set(&ctx->err, SWD_EPROTECTED,
			     "the target is read-protected (RDP level %d): %s is refused; removing the protection "
			     "mass-erases the flash, so swdbackup never does it", b->prot.rdp_level, what);
}

/* $XDG_STATE_HOME/swdbackup/safety (default ~/.local/state/swdbackup/safety), made if
 * missing and private to the user: safety bundles hold someone's firmware, and a checkout
 * is no place for them. Returns: *dir new. */
static int safety_dir(struct cli_ctx *ctx, char **dir)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *d = NULL;

	*dir = NULL;
	if (xdg != NULL && xdg[0] == '/') {
		if (asprintf(&d, "%s/swdbackup/safety", xdg) < 0)
			d = NULL;
	} else if (home != NULL && home[0] == '/') {
		if (asprintf(&d, "%s/.local/state/swdbackup/safety", home) < 0)
			d = NULL;
	} else {
		return swd_error_set(&ctx->err, SWD_EIO, "cannot place the safety bundle: neither $XDG_STATE_HOME "
				     "nor $HOME is set; give -o DIR");
	}
	if (d == NULL)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	for (char *s = d + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			int e = errno;

			*s = c;
			swd_error_set(&ctx->err, SWD_EIO, "cannot create '%s' for the safety bundle: %s; give -o DIR",
				      d, strerror(e));
			free(d);
			return SWD_EIO;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	*dir = d;
	return 0;
}

/* The map of the flash just read, from the staged file's bytes (data, read once for the
 * digests too) rather than the target, drawn into flash-map.svg beside it. The picture is
 * derived from flash.bin, which the sums cover, so it is not a region of its own. */
static int map_into_bundle(struct cli_ctx *ctx, struct board *b, swd_bundle_writer_t *w,
			   const uint8_t *data, struct swd_flashmap **map)
{
	char *svg = NULL, *path = NULL, title[160];
	int rc;

	rc = cli_map_build(ctx, b, data, NULL, NULL, map);
	if (rc != 0)
		goto out;
	snprintf(title, sizeof(title), "%s flash map", b->p->name);
	svg = swd_flashmap_svg(*map, title);
	path = swd_bundle_writer_file_path(w, "flash-map.svg");
	if (!svg || !path)
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	else
		rc = swd_file_write(path, svg, strlen(svg), SWD_FILE_STAGED, &ctx->err);
out:
	free(svg);
	free(path);
	return rc;
}

/* Checks the flash file just read against the device, one on-target CRC-32 per page or
 * sector (board/link.h). Returns 0 when all match; SWD_ETARGETFAILED with why set when
 * our routine cannot run, so that the caller verifies another way; SWD_ETARGETFAILED
 * with ctx->err set (why empty) when a unit differs. */
static int verify_by_crc(struct cli_ctx *ctx, struct board *b, const char *flash, char *why, size_t whylen)
{
	const struct swd_profile *p = b->p;
	struct board_range *r = NULL;
	struct swd_error e = { 0 };
	bool *equal = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	rc = swd_file_read_exact(flash, p->flash.size, &buf, &ctx->err);
	if (rc == 0)
		rc = board_unit_ranges(b, 0, p->flash.size, &r, NULL, &n, &ctx->err);
	if (rc == 0 && !(equal = calloc(n ? n : 1, sizeof(*equal))))
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	if (rc != 0)
		goto out;
	ui_progress(&ctx->ui, "verifying", 0, p->flash.size);
	rc = board_link_crc_equal(b->link, buf, r, n, equal, &e);
	if (rc == 0)
		ui_progress(&ctx->ui, "verifying", p->flash.size, p->flash.size);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!equal[i])
			rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "what was read differs from the device in %s "
					   "%u (0x%08" PRIx32 "); the link is unreliable, try a lower --speed",
					   p->family->unit, p->flash.sectors[i].index, r[i].address);
out:
	board_crc_failed(rc, &e, why, whylen, &ctx->err);
	free(r);
	free(equal);
	free(buf);
	return rc;
}

/* Writes flash.bin at path from the units equal[] marks (taken from known) and the others
 * (read, adjacent ones in one go), and describes each run in *src (new, *nsrc entries). */
static int read_flash_partly(struct cli_ctx *ctx, struct board *b, const uint8_t *known, const bool *equal,
			     const char *path, struct swd_manifest_source **src, size_t *nsrc)
{
	const struct swd_profile *p = b->p;
	uint8_t *buf = malloc(p->flash.size);
	struct swd_manifest_source *s = calloc(p->flash.nsectors, sizeof(*s));
	uint32_t nread = 0;
	size_t n = 0;
	int rc = 0;

	*src = NULL;
	*nsrc = 0;
	if (!buf || !s) {
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(buf, known, p->flash.size);
	rc = board_read_units(b, equal, buf, path, &nread, &ctx->err);
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < p->flash.nsectors;) {
		size_t j = i;

		s[n].address = p->flash.sectors[i].address;
		while (j < p->flash.nsectors && equal[j] == equal[i])
			s[n].size += p->flash.sectors[j++].size;
		s[n++].read = !equal[i];
		i = j;
	}
	ui_status(&ctx->ui, "read %" PRIu32 " of %u KiB; the rest equals the image by on-target crc-32",
		  nread / 1024, p->flash.size / 1024);
	rc = swd_file_write(path, buf, p->flash.size, SWD_FILE_STAGED, &ctx->err);
	if (rc == 0) {
		*src = s;
		*nsrc = n;
		s = NULL;
	}
out:
	free(buf);
	free(s);
	return rc;
}

/* Names what the writer cleaned up: a run killed earlier left its staging directory. */
static void stale_notes(struct cli_ctx *ctx, const swd_bundle_writer_t *w)
{
	const char *const *paths;
	size_t n = swd_bundle_writer_stale(w, &paths);

	for (size_t i = 0; i < n; i++) {
		char note[PATH_MAX + 120];

		snprintf(note, sizeof(note), "removed '%s', the unfinished bundle of an earlier run "
			 "that was killed", paths[i]);
		board_note(ctx, note);
	}
}

/* The bundle's name when -o gave none: the profile, the UID and the time, in the safety
 * directory when prefix says it is a safety bundle. *dflt is new. */
static int default_dest(struct cli_ctx *ctx, struct board *b, const char *prefix, char **dflt)
{
	char name[256], *dir = NULL;
	int rc;

	if (prefix && (rc = safety_dir(ctx, &dir)) != 0)
		return rc;
	swd_bundle_default_name(b->p->name, b->id.uid, time(NULL), name, sizeof(name));
	rc = asprintf(dflt, "%s%s%s%s", dir ? dir : "", dir ? "/" : "", prefix ? prefix : "", name);
	free(dir);
	if (rc < 0) {
		*dflt = NULL;
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	}
	return 0;
}

/* Flash (all of it, or the units equal[] does not mark), option bytes, OTP and the
 * backup domain into the bundle being written. *data: the flash file's bytes (new). */
static int read_regions(struct cli_ctx *ctx, struct board *b, swd_bundle_writer_t *w, const char *flash,
			const uint8_t *known, const bool *equal, struct swd_manifest_source **sources,
			size_t *nsources, struct swd_manifest_touch *touched, size_t *ntouched,
			uint8_t **data)
{
	const struct swd_profile *p = b->p;
	uint8_t *otp = NULL;
	size_t otp_len = 0;
	int rc;

	if (equal && !p->flash.whole_die) {
		rc = read_flash_partly(ctx, b, known, equal, flash, sources, nsources);
	} else {
		ui_status(&ctx->ui, "reading %u KiB of flash", p->flash.size / 1024);
		rc = board_read_flash(b, p->flash.size, flash, &ctx->err);
		/* through a board's own DFU bootloader the device is listed as dfu-util starts
		 * (board/link_dfu.c): missing, it is found so here, not at connection */
		if (rc == SWD_EPROBENOTFOUND && ctx->opt.probe.kind == CLI_PROBE_DFU)
			b->ev.dfu_device_found = DIAG_TRI_NO;
	}
	if (rc == 0)
		rc = swd_bundle_writer_add_file_exact(w, "flash", "flash.bin", p->flash.base,
						      p->flash.size, data, &ctx->err);
	if (rc == 0 && b->ob_len)
		rc = swd_bundle_writer_add_buffer(w, "option-bytes", "option-bytes.bin", p->option_bytes.address,
						  b->ob_raw, b->ob_len, &ctx->err);
	if (rc == 0)
		rc = board_read_otp(b, &otp, &otp_len, &ctx->err);
	if (rc == 0 && otp)
		rc = swd_bundle_writer_add_buffer(w, "otp", "otp.bin", p->otp.address, otp, otp_len, &ctx->err);
	if (rc == 0)
		rc = board_bkpdomain_read(ctx, b, w, touched, ntouched);
	free(otp);
	return rc;
}

/* What was read must be what the device holds before the bundle may appear: on-target
 * CRCs per unit, else the link's own check of the file. */
static int verify_read(struct cli_ctx *ctx, struct board *b, const char *flash, json_t *out)
{
	struct board_verify_result vr;
	struct swd_error verr;
	char why[256] = "";
	int rc;

	if (ctx->opt.probe.kind == CLI_PROBE_DFU) {
		/* A DFU bootloader computes no checksum, and reading it all again would double
		 * the time of a backup: the bundle says how far it was checked instead. */
		json_object_set_new(out, "verified_by", json_string("none: read once through the DFU "
								    "bootloader (USB checks every packet)"));
		board_note(ctx, "a DFU bootloader has no checksum to check the read against; 'swdbackup "
			   "verify --probe dfu' reads the board again and compares");
		return 0;
	}
	ui_status(&ctx->ui, "verifying on the target");
	b->op = DIAG_OP_VERIFY;
	rc = verify_by_crc(ctx, b, flash, why, sizeof(why));
	if (rc == 0)
		json_object_set_new(out, "verified_by", json_string("on-target crc-32 per unit"));
	if (rc != SWD_ETARGETFAILED || !why[0])
		return rc;
	ui_status(&ctx->ui, "the on-target crc cannot run (%s): verifying with openocd's verify_image", why);
	json_object_set_new(out, "verified_by", json_string("openocd verify_image"));
	json_object_set_new(out, "crc_fallback", json_string(why));
	swd_error_init(&verr);
	rc = board_link_verify_file(b->link, flash, b->p->flash.base, &vr, &verr);
	if (rc == SWD_EVERIFY && vr.has_first_diff)
		return swd_error_set(&ctx->err, SWD_ETARGETFAILED, "what was read differs from the device at "
				     "0x%08" PRIx32 "; the link is unreliable, try a lower --speed",
				     vr.first_diff_address);
	if (rc == SWD_EVERIFY)
		return swd_error_set(&ctx->err, SWD_ETARGETFAILED, "what was read differs from the device; "
				     "the link is unreliable, try a lower --speed");
	if (rc != 0)
		swd_error_set(&ctx->err, rc, "%s", verr.msg);
	return rc;
}

/* The manifest's probe, device and protection from what the board said. Strings point
 * into b, p and the caller's ver[64], vid_pid[10] and layouts[BOARD_LINK_LAYOUTS]. */
static void describe_board(struct cli_ctx *ctx, struct board *b, struct swd_manifest *m, char *ver,
			   char *vid_pid, char **layouts)
{
	const struct swd_profile *p = b->p;

	m->format = SWD_MANIFEST_FORMAT;
	m->tool_version = SWD_VERSION;
	snprintf(ver, 64, "%s", b->probe.version);
	m->openocd_version = ver[0] ? ver : NULL;
	m->profile_name = p->name;
	m->profile_sha256 = (char *)p->sha256_hex;
	m->probe.kind = (char *)(ctx->opt.probe.kind == CLI_PROBE_SIM || ctx->opt.probe.kind == CLI_PROBE_SIM_FILE ? "sim" :
				 ctx->opt.probe.kind == CLI_PROBE_TCP ? "stlink-tcp" :
				 ctx->opt.interface ? ctx->opt.interface : "stlink");
	m->probe.serial = (char *)ctx->opt.probe.serial;
	m->probe.firmware = b->probe.firmware[0] ? b->probe.firmware : NULL;
	if (b->usb_found) {
		snprintf(vid_pid, 10, "%04x:%04x", b->usb.vid, b->usb.pid);
		m->probe.vid_pid = vid_pid;
	}
	m->probe.target_voltage = b->probe.has_voltage ? b->probe.target_voltage : -1.0;
	m->device.dp_idcode = b->id.has_dp_idcode ? b->id.dp_idcode :
			      b->clone_idcode[0] ? (uint32_t)strtoul(b->clone_idcode, NULL, 16) : 0;
	m->device.cpuid = b->id.cpuid;
	m->device.dbgmcu_idcode = b->id.dbgmcu_idcode;
	m->device.dev_id = b->id.dbgmcu_idcode & 0xfff;
	m->device.rev_id = (uint16_t)(b->id.dbgmcu_idcode >> 16);
	m->device.revision = (char *)board_revision(b);
	m->device.flash_size_kib = b->id.flash_size_kib;
	memcpy(m->device.unique_id, b->id.uid, 12);
	m->protection.rdp_level = b->prot_ready ? b->prot.rdp_level : -1;
	m->protection.wrp = b->prot_ready ? b->prot.wrp : NULL;
	m->protection.nwrp = b->prot_ready ? b->prot.nwrp : 0;
	m->protection.pages = p->family->pages;
	if (ctx->opt.probe.kind == CLI_PROBE_DFU) {
		/* the bootloader's ids, serial and layouts; the identity registers stay 0
		 * (unknown): DFU cannot read them */
		m->probe.kind = "dfu";
		m->probe.serial = b->probe.serial[0] ? b->probe.serial : NULL;
		m->probe.vid_pid = b->probe.vid_pid;
		m->dfu.present = true;
		m->dfu.part = p->board ? p->board->part : p->name;
		m->dfu.alt = b->probe.flash_alt;
		for (size_t i = 0; i < b->probe.nlayouts; i++)
			layouts[i] = b->probe.layouts[i];
		m->dfu.layouts = layouts;
		m->dfu.nlayouts = b->probe.nlayouts;
	}
}

/* The committed bundle's regions, extent and notes into the report. */
static void report_bundle(struct cli_ctx *ctx, struct board *b, swd_bundle_writer_t *w, json_t *out)
{
	const struct swd_profile *p = b->p;
	const struct swd_manifest_region *fr = swd_bundle_writer_region(w, "flash");
	json_t *regions = json_array();

	for (const char *const *r = (const char *const[]){ "flash", "option-bytes", "otp", "backup-sram",
										 "backup-registers", NULL }; *r; r++) {
		const struct swd_manifest_region *x = swd_bundle_writer_region(w, *r);

		if (x)
			json_array_append_new(regions, json_pack("{s:s,s:s,s:o,s:I,s:I,s:s,s:s}", "name", x->name,
								 "file", x->file, "address", swd_jsonfield_addr(x->address),
								 "size", (json_int_t)x->size, "used", (json_int_t)x->used,
								 "sha256", x->sha256, "md5", x->md5));
	}
	json_object_set_new(out, "regions", regions);
	json_object_set_new(out, "flash_base", swd_jsonfield_addr(p->flash.base));
	json_object_set_new(out, "used_extent", json_integer(fr ? fr->used : 0));
	if (p->flash.whole_die && fr) {
		char n1[32], n2[32], n3[32], note[200];
		uint32_t above = fr->used > p->flash.register_size ? fr->used - p->flash.register_size : 0;

		snprintf(note, sizeof(note), "this %s holds %s KiB; %s bytes are used above the %s KiB it reports",
			 p->name, swd_format_count(p->flash.size / 1024, n1, sizeof(n1)),
			 swd_format_count(above, n2, sizeof(n2)),
			 swd_format_count(p->flash.register_size / 1024, n3, sizeof(n3)));
		board_note(ctx, note);
	}
	json_object_set_new(out, "verified", json_boolean(ctx->opt.probe.kind != CLI_PROBE_DFU));
}

int cli_backup_bundle(struct cli_ctx *ctx, struct board *b, const char *dest, const char *prefix,
		      bool force, const uint8_t *known, const bool *equal, json_t *out, char **path)
{
	struct swd_manifest_source *sources = NULL;
	struct swd_manifest_touch touched[BOARD_BKP_TOUCH_MAX];
	struct swd_flashmap *map = NULL;
	swd_bundle_writer_t *w = NULL;
	uint8_t *data = NULL;
	struct swd_manifest m;
	size_t nsources = 0, ntouched = 0;
	char *dflt = NULL, *flash = NULL, ver[64], vid_pid[10], *layouts[BOARD_LINK_LAYOUTS];
	int rc;

	*path = NULL;
	if (!dest) {
		if ((rc = default_dest(ctx, b, prefix, &dflt)) != 0)
			return rc;
		dest = dflt;
	}
	rc = swd_bundle_writer_new(dest, force, &w, &ctx->err);
	if (rc != 0)
		goto out;
	stale_notes(ctx, w);
	if (b->p->flash.die_size && !b->p->flash.whole_die && board_has_die(b)) {
		/* More flash than the size register says: all of it goes into the bundle. */
		rc = swd_profile_use_die(b->p, &ctx->err);
		if (rc != 0)
			goto out;
		json_object_set_new(out, "whole_die", json_true());
	}
	flash = swd_bundle_writer_file_path(w, "flash.bin");
	if (!flash) {
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	rc = read_regions(ctx, b, w, flash, known, equal, &sources, &nsources, touched, &ntouched,
			  &data);
	if (rc == 0) {
		cli_timing_begin(ctx, "verify");
		rc = verify_read(ctx, b, flash, out);
		cli_timing_end(ctx, rc, b->p->flash.size);
	}
	if (rc != 0)
		goto out;
	/* the manifest records the profile's hash (a DFU link has made it already) */
	if ((rc = swd_profile_hash(b->p, &ctx->err)) != 0)
		goto out;
	memset(&m, 0, sizeof(m));
	describe_board(ctx, b, &m, ver, vid_pid, layouts);
	m.touched = touched;
	m.ntouched = ntouched;
	rc = map_into_bundle(ctx, b, w, data, &map);
	if (rc != 0)
		goto out;
	m.map = map;
	m.flash_sources = sources;
	m.nflash_sources = nsources;
	rc = swd_bundle_writer_commit(w, &m, &ctx->err);
	if (rc != 0)
		goto out;
	*path = strdup(swd_bundle_writer_dest(w));
	report_bundle(ctx, b, w, out);
	cli_map_put(ctx, out, map);
	json_object_set_new(out, "bundle", json_string(*path ? *path : dest));
out:
	swd_bundle_writer_free(w);
	swd_flashmap_free(map);
	free(data);
	free(sources);
	free(flash);
	free(dflt);
	return rc;
}

int cmd_backup(struct cli_ctx *ctx)
{
	struct board b;
	char *path = NULL;
	int rc;

	rc = board_profile(&b, ctx, false, &ctx->err);
	if (rc != 0)
		goto out;
	rc = cli_check_dest(ctx, ctx->opt.output, ctx->opt.force);
	if (rc != 0)
		goto out;
	rc = board_connect(&b, DIAG_OP_IDENTIFY, true, &ctx->err);
	if (rc != 0)
		goto out;
	rc = cli_refuse_rdp(ctx, &b, "reading its flash");
	if (rc != 0)
		goto out;
	rc = cli_backup_bundle(ctx, &b, ctx->opt.output, NULL, ctx->opt.force, NULL, NULL, ctx->doc, &path);
out:
	free(path);
	return board_close(&b, rc, &ctx->err);
}

int cli_safety_bundle(struct cli_ctx *ctx, struct board *b, const uint8_t *known, const bool *equal,
		      char **safety)
{
	json_t *doc;
	int rc;

	*safety = NULL;
	if (ctx->opt.no_safety_backup) {
		json_object_set_new(ctx->doc, "safety_backup", json_null());
		return 0;
	}
	ui_status(&ctx->ui, "saving the current contents first");
	doc = json_object();
	rc = cli_backup_bundle(ctx, b, ctx->opt.output, "safety-", false, known, equal, doc, safety);
	json_decref(doc);
	if (rc != 0)
		return rc;
	json_object_set_new(ctx->doc, "safety_backup", json_string(*safety));
	ui_status(&ctx->ui, "safety backup: %s", *safety);
	return 0;
}
