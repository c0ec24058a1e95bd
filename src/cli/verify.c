/* verify.c - `swdbackup verify SOURCE`: the device against a bundle or an image. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/backup.h"
#include "board/bkpdomain.h"
#include "board/board.h"
#include "board/findings.h"
#include "cli/map.h"
#include "cli/source.h"
#include "core/tmpdir.h"
#include "core/digest.h"
#include "core/file.h"
#include "core/jsonfield.h"

static json_t *side(const uint8_t *buf, size_t len, struct swd_error *err)
{
	struct swd_digests d;

	if (swd_digest_buffer(buf, len, &d, err) != 0)
		return NULL;
	return json_pack("{s:I,s:s,s:s}", "bytes", (json_int_t)len, "sha256", d.sha256_hex, "md5", d.md5_hex);
}

/* The device's flash without reading what need not be read: each sector's CRC is taken
 * on the target (board/link.h) and a sector whose CRC equals the expected bytes' is
 * taken from `expected`; only the others are read, into the same buffer. Returns 0 and
 * fills *dev (new) and *nread (bytes read); SWD_ETARGETFAILED with *why set when our
 * routine cannot run (the caller then reads everything); another code on failure. */
static int device_by_crc(struct cli_ctx *ctx, struct board *b, const uint8_t *expected,
			 const char *path, uint8_t **dev, uint32_t *nread, char *why, size_t whylen)
{
	const struct swd_profile *p = b->p;
	struct board_range *r = NULL;
	struct swd_error e = { 0 };
	uint8_t *d = NULL;
	bool *equal = NULL;
	size_t n = 0;
	int rc;

	*nread = 0;
	rc = board_unit_ranges(b, 0, p->flash.size, &r, NULL, &n, &ctx->err);
	if (rc == 0 && (!(equal = calloc(n ? n : 1, sizeof(*equal))) || !(d = malloc(p->flash.size))))
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	if (rc == 0)
		rc = board_link_crc_equal(b->link, expected, r, n, equal, &e);
	if (rc != 0)
		goto out;
	memcpy(d, expected, p->flash.size);
	rc = board_read_units(b, equal, d, path, nread, &ctx->err);
	if (rc != 0)
		goto out;
	*dev = d;
	d = NULL;
out:
	board_crc_failed(rc, &e, why, whylen, &ctx->err);
	free(r);
	free(equal);
	free(d);
	return rc;
}

/* The device's flash into *dev (new, flash-sized): on-target CRCs per unit and the units
 * that differ read, else all of it read. */
static int read_device(struct cli_ctx *ctx, struct board *b, const uint8_t *expected, const char *path,
		       uint8_t **dev)
{
	char why[256] = "";
	uint32_t nread = 0;
	int rc;

	ui_status(&ctx->ui, "checking %u KiB of flash by on-target crc-32", b->p->flash.size / 1024);
	b->op = DIAG_OP_READ;
	cli_timing_begin(ctx, "verify");
	rc = device_by_crc(ctx, b, expected, path, dev, &nread, why, sizeof(why));
	cli_timing_end(ctx, rc, b->p->flash.size);
	if (rc == SWD_ETARGETFAILED) {
		ui_status(&ctx->ui, "the on-target crc cannot run (%s): reading %u KiB of flash", why,
			  b->p->flash.size / 1024);
		nread = b->p->flash.size;
		rc = board_read_flash(b, b->p->flash.size, path, &ctx->err);
		if (rc == 0)
			rc = swd_file_read_exact(path, b->p->flash.size, dev, &ctx->err);
	} else {
		why[0] = '\0';
	}
	if (rc == 0)
		json_object_set_new(ctx->doc, "device_read", json_pack("{s:s,s:I,s:s?}",
			"method", why[0] ? "read" : "on-target crc-32 per unit, differing units read",
			"bytes_read", (json_int_t)nread, "crc_fallback", why[0] ? why : NULL));
	return rc;
}

/* Both sides' digests over the range the source covers (the whole bank for a bundle). */
static int report_sides(struct cli_ctx *ctx, const struct board *b, const struct cli_source *src,
			const uint8_t *dev)
{
	uint32_t lo = src->bundle ? 0 : src->img->lo;
	uint32_t hi = src->bundle ? src->img->size : src->img->hi;
	json_t *is = side(src->img->data + lo, hi - lo, &ctx->err);
	json_t *ds = side(dev + lo, hi - lo, &ctx->err);

	if (!is || !ds) {
		json_decref(is);
		json_decref(ds);
		return ctx->err.code ? ctx->err.code : SWD_EINTERNAL;
	}
	json_object_set_new(ctx->doc, "image", is);
	json_object_set_new(ctx->doc, "device_digest", ds);
	json_object_set_new(ctx->doc, "range", json_pack("{s:o,s:I}", "address", swd_jsonfield_addr(b->p->flash.base + lo),
							 "bytes", (json_int_t)(hi - lo)));
	return 0;
}

/* The outcome into the report and the evidence; SWD_EVERIFY on a mismatch. */
static int report_outcome(struct cli_ctx *ctx, struct board *b, const struct cli_source *src,
			  const struct swd_compare *cmp)
{
	static const char *const names[] = { "identical", "match_erased", "match_not_erased", "mismatch" };
	char line[256];

	swd_compare_describe(cmp, line, sizeof(line));
	json_object_set_new(ctx->doc, "summary", json_string(line));
	json_object_set_new(ctx->doc, "outcome", json_string(names[cmp->outcome]));
	json_object_set_new(ctx->doc, "rest", json_pack("{s:I,s:I}", "bytes", (json_int_t)cmp->rest_bytes,
							"programmed", (json_int_t)cmp->rest_programmed));
	b->ev.verify_image_size = cmp->covered_bytes;
	b->ev.verify_flash_size = b->p->flash.size;
	if (cmp->outcome == SWD_CMP_MISMATCH) {
		json_object_set_new(ctx->doc, "mismatch", json_pack("{s:o,s:I,s:i,s:i,s:s}",
			"first_address", swd_jsonfield_addr(cmp->first_diff), "bytes", (json_int_t)cmp->diff_bytes,
			"units", cmp->diff_sectors, "units_total", cmp->nsectors, "unit", b->p->family->unit));
		b->ev.verify = DIAG_VERIFY_DIFFER;
		b->ev.verify_first_diff = cmp->first_diff;
		b->ev.verify_units_differ = cmp->diff_sectors;
		b->ev.verify_units_total = cmp->nsectors;
		b->ev.verify_pages = cmp->pages;
		return swd_error_set(&ctx->err, SWD_EVERIFY, "the device differs from '%s': %s", src->path, line);
	}
	if (cmp->outcome == SWD_CMP_MATCH_ERASED) {
		struct diag_report *r;

		b->ev.verify = DIAG_VERIFY_PADDING;
		b->ev.op = DIAG_OP_VERIFY;
		r = diag_run(&b->ev);
		board_findings_append_known(ctx->findings, r);
		diag_report_free(r);
	} else {
		b->ev.verify = DIAG_VERIFY_MATCH;
	}
	return 0;
}

int cmd_verify(struct cli_ctx *ctx)
{
	struct board b;
	struct cli_source src;
	struct swd_tmp tmp = { 0 };
	struct swd_compare cmp;
	struct swd_flashmap *map = NULL;
	uint8_t *dev = NULL;
	char *path = NULL;
	int rc;

	memset(&src, 0, sizeof(src));
	rc = board_profile(&b, ctx, true, &ctx->err);
	if (rc != 0)
		goto out;
	rc = cli_source_load(ctx, b.p, ctx->opt.pos[0], false, &src);
	json_object_set_new(ctx->doc, "source", cli_source_json(&src));
	if (rc != 0)
		goto out;
	if (ctx->opt.backup_domain && (!src.bundle || !b.p->backup_domain.present ||
				       !swd_bundle_region(src.bundle, b.p->backup_domain.regions[0].name))) {
		rc = swd_error_set(&ctx->err, SWD_EINPUT, "--backup-domain needs a bundle that holds %s's "
				   "backup domain; '%s' has none", b.p->name, src.path);
		goto out;
	}
	rc = swd_tmp_init(&tmp, &ctx->err);
	if (rc != 0)
		goto out;
	path = swd_tmp_path(&tmp, "device.bin");
	rc = board_connect(&b, DIAG_OP_READ, false, &ctx->err);
	if (rc == 0)
		rc = cli_refuse_rdp(ctx, &b, "reading its flash");
	if (rc == 0)
		rc = read_device(ctx, &b, src.img->data, path, &dev);
	if (rc != 0)
		goto out;
	b.op = DIAG_OP_VERIFY;
	rc = swd_image_compare(src.img, dev, b.p->flash.size, b.p, src.bundle != NULL, &cmp);
	if (rc != 0) {
		rc = swd_error_set(&ctx->err, rc, "cannot compare '%s' with the device", src.path);
		goto out;
	}
	/* from the flash just read: the map costs no further read */
	rc = cli_map_build(ctx, &b, dev, src.img->data, src.bundle ? NULL : src.img->covered, &map);
	if (rc == 0)
		rc = cli_map_put(ctx, ctx->doc, map);
	if (rc == 0)
		rc = report_sides(ctx, &b, &src, dev);
	if (rc == 0)
		rc = report_outcome(ctx, &b, &src, &cmp);
	if (rc == 0 && ctx->opt.backup_domain) {
		bool same = false;

		rc = board_bkpdomain_compare(ctx, &b, src.bundle, &same);
		if (rc == 0 && !same)
			rc = swd_error_set(&ctx->err, SWD_EVERIFY, "the flash matches '%s', the backup domain differs "
					   "(backup SRAM or backup registers; see \"backup_domain\" in --json)", src.path);
	}
out:
	swd_flashmap_free(map);
	free(dev);
	free(path);
	cli_source_release(&src);
	rc = board_close(&b, rc, &ctx->err);
	swd_tmp_release(&tmp);
	return rc;
}
