/* restore.c - `swdbackup restore SOURCE`: refusals first, a safety bundle, then erase,
 * program, read-back verify, (option bytes only when asked), reset and run. */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/backup.h"
#include "cli/bkpdomain.h"
#include "cli/board.h"
#include "cli/optwrite.h"
#include "cli/restore.h"
#include "cli/tmpfile.h"
#include "core/digest.h"
#include "core/file.h"

int cli_restore_span(struct cli_ctx *ctx, const struct swd_image *img, const char *path)
{
	return swd_file_write(path, img->data + img->lo, img->hi - img->lo, 0, &ctx->err);
}

int cli_restore_refuse_wrp(struct cli_ctx *ctx, struct cli_board *b, const struct swd_image *img)
{
	const struct swd_profile *p = b->p;

	for (size_t i = 0; i < b->prot.nwrp; i++) {
		const struct swd_sector *s = &p->flash.sectors[b->prot.wrp[i]];
		uint32_t so = s->address - p->flash.base;

		if (so < img->hi && so + s->size > img->lo)
			return swd_error_set(&ctx->err, SWD_EPROTECTED,
					     "%s %u (0x%08" PRIx32 ") is write-protected by the option bytes; nothing was "
					     "written. Remove the write protection yourself if this is intended",
					     p->family->unit, s->index, s->address);
	}
	return 0;
}

static int program(struct cli_ctx *ctx, struct cli_board *b, const struct swd_image *img, const char *file)
{
	const struct swd_profile *p = b->p;
	struct ocd_sector *secs = NULL;
	struct ocd_program_args a;
	size_t n = 0;
	int rc;

	/* OpenOCD's bank 0 spans all of flash, dual-bank parts included (see board.c). */
	secs = calloc(p->flash.nsectors ? p->flash.nsectors : 1, sizeof(*secs));
	if (!secs)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->flash.nsectors; i++) {
		secs[n].index = p->flash.sectors[i].index;
		secs[n].offset = p->flash.sectors[i].address - p->flash.base;
		secs[n].size = p->flash.sectors[i].size;
		n++;
	}
	memset(&a, 0, sizeof(a));
	a.path = file;
	a.bank = 0;
	a.bank_base = p->flash.base;
	a.offset = img->lo;
	a.sectors = secs;
	a.nsectors = n;
	b->op = DIAG_OP_PROGRAM;
	rc = ocd_program(b->s, &a, &ctx->err);
	free(secs);
	return rc;
}

/* Everything after the refusals and the safety backup: erase and program the span file,
 * read back and compare SHA-256 with the image, write ob_want (when not NULL), reset and
 * run. The board has been touched as soon as this is called. */
int cli_restore_write(struct cli_ctx *ctx, struct cli_board *b, const struct cli_source *src,
		      const char *span, const char *back, const uint8_t *ob_want, bool backup_domain)
{
	struct swd_digests want, got;
	uint8_t *rb = NULL;
	int rc;

	ui_status(&ctx->ui, "erasing and programming %" PRIu32 " bytes at 0x%08" PRIx32,
		  src->img->hi - src->img->lo, src->img->base + src->img->lo);
	rc = program(ctx, b, src->img, span);
	if (rc != 0)
		goto done;

	/* Read back and compare digests: what we meant to write against what is there. */
	ui_status(&ctx->ui, "reading back");
	b->op = DIAG_OP_VERIFY;
	rc = ocd_read_flash(b->s, 0, src->img->lo, src->img->hi - src->img->lo, back, &ctx->err);
	if (rc == 0)
		rc = swd_file_read_exact(back, src->img->hi - src->img->lo, &rb, &ctx->err);
	if (rc == 0)
		rc = swd_digest_buffer(src->img->data + src->img->lo, src->img->hi - src->img->lo, &want, &ctx->err);
	if (rc == 0)
		rc = swd_digest_buffer(rb, src->img->hi - src->img->lo, &got, &ctx->err);
	if (rc != 0)
		goto done;
	json_object_set_new(ctx->doc, "programmed", json_pack("{s:I,s:I,s:s,s:s,s:s}",
		"address", (json_int_t)src->img->base + src->img->lo, "bytes", (json_int_t)(src->img->hi - src->img->lo),
		"sha256", want.sha256_hex, "md5", want.md5_hex, "readback_sha256", got.sha256_hex));
	if (strcmp(want.sha256_hex, got.sha256_hex) != 0) {
		size_t i = 0;

		while (i < src->img->hi - src->img->lo && rb[i] == src->img->data[src->img->lo + i])
			i++;
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "read-back differs from the image at 0x%08" PRIx32
				   " (sha256 %.16s..., expected %.16s...); the board was not reset",
				   (uint32_t)(src->img->base + src->img->lo + i), got.sha256_hex, want.sha256_hex);
		goto done;
	}
	json_object_set_new(ctx->doc, "verified", json_true());

	if (ob_want) {
		ui_status(&ctx->ui, "writing the bundle's option bytes");
		rc = cli_optbytes_write(ctx, b, ob_want, b->ob_len);
		if (rc != 0)
			goto done;
	}
	json_object_set_new(ctx->doc, "option_bytes_written", json_boolean(ob_want != NULL));
	if (backup_domain) {
		rc = cli_bkpdomain_write(ctx, b, src->bundle);
		if (rc != 0)
			goto done;
	}
	json_object_set_new(ctx->doc, "backup_domain_written", json_boolean(backup_domain));
	b->op = DIAG_OP_RESET;
	rc = ocd_reset(b->s, OCD_RESET_RUN, &ctx->err);
	if (rc == 0) {
		char n[32], line[160];

		json_object_set_new(ctx->doc, "reset", json_string("run"));
		snprintf(line, sizeof(line), "restored %s bytes at 0x%08" PRIx32 ", verified by read-back; the target runs",
			 ui_fmt_grouped(n, sizeof(n), src->img->hi - src->img->lo), src->img->base + src->img->lo);
		json_object_set_new(ctx->doc, "summary", json_string(line));
	}
done:
	free(rb);
	return rc;
}

int cmd_restore(struct cli_ctx *ctx)
{
	struct cli_board b;
	struct cli_source src;
	struct cli_tmp tmp = { 0 };
	char *span = NULL, *back = NULL, *safety = NULL;
	json_t *safety_doc = NULL;
	bool writing = false, ob_needed = false;
	uint8_t *ob_want = NULL;
	int rc;

	memset(&src, 0, sizeof(src));
	rc = cli_board_profile(ctx, &b, true);
	if (rc != 0)
		goto out;
	if (ctx->opt.option_bytes) {
		struct stat st;

		if (stat(ctx->opt.pos[0], &st) == 0 && !S_ISDIR(st.st_mode)) {
			rc = swd_error_set(&ctx->err, SWD_EINPUT, "--option-bytes needs a bundle with option-bytes.bin; "
					   "'%s' is an image", ctx->opt.pos[0]);
			goto out;
		}
	}
	/* Every refusal about the input happens here, before the board is touched. */
	rc = cli_source_load(ctx, b.p, ctx->opt.pos[0], !ctx->opt.force, &src);
	json_object_set_new(ctx->doc, "source", cli_source_json(&src));
	if (rc != 0)
		goto out;
	if (ctx->opt.backup_domain && (!src.bundle || !b.p->backup_domain.present ||
				       !swd_bundle_region(src.bundle, b.p->backup_domain.regions[0].name))) {
		rc = swd_error_set(&ctx->err, SWD_EINPUT, "--backup-domain needs a bundle that holds %s's "
				   "backup domain; '%s' has none", b.p->name, src.path);
		goto out;
	}
	if (ctx->opt.option_bytes && !src.option_bytes_path) {
		rc = swd_error_set(&ctx->err, SWD_EINPUT, "--option-bytes needs a bundle with option-bytes.bin; '%s' has none",
				   src.path);
		goto out;
	}
	if (!ctx->opt.no_safety_backup && (rc = cli_check_dest(ctx, ctx->opt.output, false)) != 0)
		goto out;
	rc = cli_tmp_init(&tmp, &ctx->err);
	if (rc != 0)
		goto out;
	span = cli_tmp_path(&tmp, "image.bin");
	back = cli_tmp_path(&tmp, "readback.bin");
	if (!span || !back) {
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	rc = cli_restore_span(ctx, src.img, span);
	if (rc != 0)
		goto out;

	rc = cli_board_connect(ctx, &b, DIAG_OP_IDENTIFY, true);
	if (rc != 0)
		goto out;
	if (src.bundle) {
		rc = swd_bundle_check_target(src.bundle, b.id.dbgmcu_idcode & 0xfff, b.id.flash_size_kib, &ctx->err);
		if (rc != 0)
			goto out;
	}
	rc = cli_refuse_rdp(ctx, &b, "programming it");
	if (rc == 0)
		rc = cli_restore_refuse_wrp(ctx, &b, src.img);
	if (rc != 0)
		goto out;

	if (ctx->opt.option_bytes) {
		rc = swd_file_read_exact(src.option_bytes_path, b.ob_len, &ob_want, &ctx->err);
		if (rc == 0)
			rc = cli_optbytes_check(ctx, &b, ob_want, b.ob_len, &ob_needed);
		if (rc != 0)
			goto out;
		if (!ob_needed)
			cli_add_note(ctx, "the device's option bytes already equal the bundle's; nothing to write");
	}
	if (!ctx->opt.no_safety_backup) {
		ui_status(&ctx->ui, "saving the current contents first");
		safety_doc = json_object();
		rc = cli_backup_bundle(ctx, &b, ctx->opt.output, "safety-", false, safety_doc, &safety);
		if (rc != 0)
			goto out;
		json_object_set_new(ctx->doc, "safety_backup", json_string(safety));
		ui_status(&ctx->ui, "safety backup: %s", safety);
	} else {
		json_object_set_new(ctx->doc, "safety_backup", json_null());
	}

	writing = true;
	rc = cli_restore_write(ctx, &b, &src, span, back, ob_needed ? ob_want : NULL, ctx->opt.backup_domain);
out:
	if (rc != 0 && writing) {
		char note[PATH_MAX + 160];

		/* The user's next question: what is on the board now, and how to get it back. */
		snprintf(note, sizeof(note), "the flash may now be partly erased or programmed; %s%s",
			 safety ? "the previous contents are in the safety backup " : "restore again",
			 safety ? safety : "");
		cli_add_note(ctx, note);
	}
	json_decref(safety_doc);
	free(ob_want);
	free(span);
	free(back);
	free(safety);
	cli_source_release(&src);
	rc = cli_board_close(ctx, &b, rc);
	cli_tmp_release(&tmp);
	return rc;
}
