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
#include "board/bkpdomain.h"
#include "board/board.h"
#include "cli/map.h"
#include "board/optwrite.h"
#include "cli/restore.h"
#include "cli/fleet.h"
#include "core/tmpdir.h"
#include "core/digest.h"
#include "core/file.h"
#include "core/jsonfield.h"

int cli_restore_refuse_wrp(struct cli_ctx *ctx, struct board *b, const struct swd_image *img)
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

static int program(struct cli_ctx *ctx, struct board *b, const uint8_t *data, uint32_t offset,
		   uint32_t len, const char *scratch)
{
	struct board_program_how how = { "", "", "" };
	struct board_program a = { .data = data, .len = len, .offset = offset, .scratch = scratch, .how = &how };
	int rc;

	b->op = DIAG_OP_PROGRAM;
	rc = board_link_program(b->link, &a, &ctx->err);
	/* which way the backend wrote, and why not its fastest where it did not */
	if (how.method[0]) {
		json_object_set_new(ctx->doc, "flash_writer", json_pack("{s:s,s:s?}", "method", how.method,
			"why", how.why[0] ? how.why : NULL));
		if (rc == 0)
			ui_status(&ctx->ui, "%s", how.line);
	}
	return rc;
}

int cli_restore_diff(struct cli_ctx *ctx, struct board *b, const struct swd_image *img, bool **equal)
{
	const struct swd_profile *p = b->p;
	struct board_range *r = NULL;
	struct swd_error e = { 0 };
	size_t *which = NULL, k = 0, ndiff = 0;
	bool *eq = NULL, *same = NULL;
	char why[256] = "";
	int rc;

	*equal = NULL;
	/* only the units the image's span touches: the others are not written */
	rc = board_unit_ranges(b, img->lo, img->hi, &r, &which, &k, &ctx->err);
	if (rc == 0 && (!(eq = calloc(p->flash.nsectors, sizeof(*eq))) || !(same = calloc(k ? k : 1, sizeof(*same)))))
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	b->op = DIAG_OP_VERIFY;
	if (rc == 0)
		rc = board_link_crc_equal(b->link, img->data, r, k, same, &e);
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < k; i++) {
		eq[which[i]] = same[i];
		ndiff += !same[i];
	}
	json_object_set_new(ctx->doc, "difference", json_pack("{s:s,s:I,s:I,s:s}",
		"method", "on-target crc-32 per unit", "units_touched", (json_int_t)k, "units_differ", (json_int_t)ndiff,
		"unit", p->family->unit));
	*equal = eq;
	eq = NULL;
out:
	if (board_crc_failed(rc, &e, why, sizeof(why), &ctx->err) != 0 && why[0]) {
		json_object_set_new(ctx->doc, "difference", json_pack("{s:s,s:s}", "method", "none",
			"crc_fallback", why));
		ui_status(&ctx->ui, "the on-target crc cannot run (%s): %s", why, ctx->opt.no_safety_backup ?
			  "writing everything the image covers" : "the safety read will tell what differs");
		rc = 0;
	}
	free(r);
	free(which);
	free(same);
	free(eq);
	return rc;
}

/* Checks a written run against the image: each unit's on-target CRC-32, or where that
 * cannot run or differs, a read-back into `back` that finds the first differing byte.
 * Clears *crc_checked when the read-back was needed. */
static int check_run(struct cli_ctx *ctx, struct board *b, const struct swd_image *img, uint32_t off,
		     uint32_t len, const char *back, bool *crc_checked)
{
	const struct swd_profile *p = b->p;
	struct board_range *r = NULL;
	struct swd_error e = { 0 };
	bool *same = NULL, all = false;
	uint8_t *rb = NULL;
	size_t k = 0;
	int rc;

	b->op = DIAG_OP_VERIFY;
	rc = board_unit_ranges(b, off, off + len, &r, NULL, &k, &ctx->err);
	if (rc == 0 && !(same = calloc(k ? k : 1, sizeof(*same))))
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	if (rc == 0) {
		rc = board_link_crc_equal(b->link, img->data, r, k, same, &e);
		all = rc == 0;
		for (size_t i = 0; i < k && all; i++)
			all = same[i];
		if (rc == SWD_ETARGETFAILED)
			rc = 0; /* no on-target crc here: the read-back below decides */
		else if (rc != 0)
			swd_error_set(&ctx->err, rc, "%s", e.msg);
	}
	free(r);
	free(same);
	if (rc != 0 || all)
		return rc;
	*crc_checked = false;
	rc = board_link_read_flash(b->link, off, len, back, &ctx->err);
	if (rc == 0)
		rc = swd_file_read_exact(back, len, &rb, &ctx->err);
	if (rc == 0 && memcmp(rb, img->data + off, len) != 0) {
		uint32_t i = 0;

		while (rb[i] == img->data[off + i])
			i++;
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "read-back differs from the image at 0x%08" PRIx32
				   "; the board was not reset", p->flash.base + off + i);
	}
	free(rb);
	return rc;
}

int cli_restore_diff_read(struct cli_ctx *ctx, struct board *b, const struct swd_image *img,
			  const char *safety, bool **equal)
{
	const struct swd_profile *p = b->p;
	char *path = NULL, *old = NULL;
	size_t len = 0, touched = 0, ndiff = 0;
	bool *eq;
	int rc;

	*equal = NULL;
	if (asprintf(&path, "%s/flash.bin", safety) < 0)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	rc = swd_file_read(path, p->flash.size, &old, &len, &ctx->err);
	free(path);
	if (rc != 0)
		return rc;
	if (len < img->size || !(eq = calloc(p->flash.nsectors ? p->flash.nsectors : 1, sizeof(*eq)))) {
		free(old); /* not the whole flash: everything the image covers is written */
		return 0;
	}
	for (size_t i = 0; i < p->flash.nsectors; i++) {
		uint32_t off = p->flash.sectors[i].address - p->flash.base, size = p->flash.sectors[i].size;

		if (off >= img->hi || off + size <= img->lo || off + size > img->size)
			continue;
		touched++;
		eq[i] = memcmp(old + off, img->data + off, size) == 0;
		ndiff += !eq[i];
	}
	free(old);
	json_object_set_new(ctx->doc, "difference", json_pack("{s:s,s:I,s:I,s:s}",
		"method", "the safety read", "units_touched", (json_int_t)touched, "units_differ",
		(json_int_t)ndiff, "unit", p->family->unit));
	ui_status(&ctx->ui, "the safety read shows %zu of %zu %s differ", ndiff, touched, p->family->units);
	*equal = eq;
	return 0;
}

/* Erases and programs only the units the image touches that equal[] does not mark, run
 * by run, and checks each run (check_run). Sets *written to the bytes programmed (0 when
 * the image was already there). */
static int write_differing(struct cli_ctx *ctx, struct board *b, const struct swd_image *img,
			   const bool *equal, const char *scratch, const char *back, uint32_t *written,
			   unsigned *units, bool *crc_checked)
{
	const struct swd_profile *p = b->p;
	int rc = 0;

	*written = 0;
	*units = 0;
	for (size_t i = 0; i < p->flash.nsectors && rc == 0;) {
		uint32_t off = p->flash.sectors[i].address - p->flash.base, len = 0;
		size_t j = i;

		while (j < p->flash.nsectors) {
			uint32_t o = p->flash.sectors[j].address - p->flash.base;

			if (equal[j] || o >= img->hi || o + p->flash.sectors[j].size <= img->lo)
				break;
			len += p->flash.sectors[j++].size;
		}
		if (j == i) {
			i++;
			continue;
		}
		/* whole units: what the image does not cover in them is erased, as the
		 * 0xFF in img->data says */
		ui_status(&ctx->ui, "erasing and programming %" PRIu32 " bytes at 0x%08" PRIx32, len, p->flash.base + off);
		rc = program(ctx, b, img->data + off, off, len, scratch);
		if (rc != 0)
			break;
		cli_timing_begin(ctx, "verify");
		rc = check_run(ctx, b, img, off, len, back, crc_checked);
		cli_timing_end(ctx, rc, len);
		*written += len;
		*units += (unsigned)(j - i);
		i = j;
	}
	return rc;
}

/* How equal[] was found, as the summary says it: "on-target crc-32" or "the safety read". */
static const char *difference_method(struct cli_ctx *ctx)
{
	const char *m = json_string_value(json_object_get(json_object_get(ctx->doc, "difference"), "method"));

	return m && strcmp(m, "the safety read") == 0 ? m : "on-target crc-32";
}

/* Everything after the refusals and the safety backup: erase and program the image's span,
 * read back and compare SHA-256 with the image, write ob_want (when not NULL), reset and
 * run. The board has been touched as soon as this is called. */
int cli_restore_write(struct cli_ctx *ctx, struct board *b, const struct cli_source *src,
		      const char *scratch, const char *back, const uint8_t *ob_want, bool backup_domain,
		      const bool *equal)
{
	struct swd_digests want, got;
	uint8_t *rb = NULL;
	uint32_t written = 0;
	unsigned units = 0;
	bool crc_checked = true;
	size_t touched = 0;
	int rc;

	if (equal) {
		struct board_range *r = NULL;

		rc = board_unit_ranges(b, src->img->lo, src->img->hi, &r, NULL, &touched, &ctx->err);
		free(r);
		if (rc == 0)
			rc = write_differing(ctx, b, src->img, equal, scratch, back, &written, &units, &crc_checked);
		if (rc != 0)
			goto done;
		json_object_set_new(ctx->doc, "written", json_pack("{s:I,s:I}", "bytes", (json_int_t)written,
								   "units", (json_int_t)units));
		json_object_set_new(ctx->doc, "verified", json_true());
		json_object_set_new(ctx->doc, "verified_by", json_string(crc_checked ? "on-target crc-32 per unit" : "read-back"));
		goto written;
	}
	ui_status(&ctx->ui, "erasing and programming %" PRIu32 " bytes at 0x%08" PRIx32,
		  src->img->hi - src->img->lo, src->img->base + src->img->lo);
	rc = program(ctx, b, src->img->data + src->img->lo, src->img->lo, src->img->hi - src->img->lo, scratch);
	if (rc != 0)
		goto done;

	/* Read back and compare digests: what we meant to write against what is there. */
	ui_status(&ctx->ui, "reading back");
	b->op = DIAG_OP_VERIFY;
	cli_timing_begin(ctx, "verify");
	rc = board_link_read_flash(b->link, src->img->lo, src->img->hi - src->img->lo, back, &ctx->err);
	cli_timing_end(ctx, rc, src->img->hi - src->img->lo);
	if (rc == 0)
		rc = swd_file_read_exact(back, src->img->hi - src->img->lo, &rb, &ctx->err);
	if (rc == 0)
		rc = swd_digest_buffer(src->img->data + src->img->lo, src->img->hi - src->img->lo, &want, &ctx->err);
	if (rc == 0)
		rc = swd_digest_buffer(rb, src->img->hi - src->img->lo, &got, &ctx->err);
	if (rc != 0)
		goto done;
	json_object_set_new(ctx->doc, "programmed", json_pack("{s:o,s:I,s:s,s:s,s:s}",
		"address", swd_jsonfield_addr((uint32_t)(src->img->base + src->img->lo)), "bytes", (json_int_t)(src->img->hi - src->img->lo),
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
written:
	{
		/* what was erased and written, from the image the read-back just matched */
		struct swd_flashmap *map = NULL;

		rc = cli_map_build(ctx, b, src->img->data, NULL, NULL, &map);
		if (rc == 0)
			rc = swd_flashmap_restrict(map, src->img->lo, src->img->hi, &ctx->err);
		if (rc == 0)
			rc = cli_map_put(ctx, ctx->doc, map);
		swd_flashmap_free(map);
		if (rc != 0)
			goto done;
	}

	if (ob_want) {
		ui_status(&ctx->ui, "writing the bundle's option bytes");
		rc = board_optbytes_write(ctx, b, ob_want, b->ob_len);
		if (rc != 0)
			goto done;
	}
	json_object_set_new(ctx->doc, "option_bytes_written", json_boolean(ob_want != NULL));
	if (backup_domain) {
		rc = board_bkpdomain_write(ctx, b, src->bundle);
		if (rc != 0)
			goto done;
	}
	json_object_set_new(ctx->doc, "backup_domain_written", json_boolean(backup_domain));
	b->op = DIAG_OP_RESET;
	rc = board_link_reset(b->link, BOARD_RESET_RUN, &ctx->err);
	if (rc == 0) {
		char n[32], line[320];
		struct board_link_end e;

		board_link_end(b->link, &e);
		if (e.leave_quirk)
			board_note(ctx, "the bootloader left DFU mode before answering dfu-util's last "
				   "status request ('Error during download get_status'); that is its reset "
				   "into the application, and the data had been verified by read-back");

		json_object_set_new(ctx->doc, "reset", json_string("run"));
		if (equal && written == 0)
			snprintf(line, sizeof(line), "the image's %s bytes at 0x%08" PRIx32 " are already on the board "
				 "(%s); nothing was erased or written; the target runs",
				 swd_format_count(src->img->hi - src->img->lo, n, sizeof(n)), src->img->base + src->img->lo,
				 difference_method(ctx));
		else if (equal && units < touched)
			snprintf(line, sizeof(line), "restored %s bytes at 0x%08" PRIx32 " by writing %u of its %zu %s "
				 "(the others already equal by %s), verified by %s; the target runs",
				 swd_format_count(src->img->hi - src->img->lo, n, sizeof(n)), src->img->base + src->img->lo,
				 units, touched, b->p->family->units, difference_method(ctx),
				 crc_checked ? "on-target crc-32" : "read-back");
		else if (equal)
			snprintf(line, sizeof(line), "restored %s bytes at 0x%08" PRIx32 ", verified by %s; the target runs",
				 swd_format_count(src->img->hi - src->img->lo, n, sizeof(n)), src->img->base + src->img->lo,
				 crc_checked ? "on-target crc-32" : "read-back");
		else
			snprintf(line, sizeof(line), "restored %s bytes at 0x%08" PRIx32 ", verified by read-back; the target runs",
				 swd_format_count(src->img->hi - src->img->lo, n, sizeof(n)), src->img->base + src->img->lo);
		json_object_set_new(ctx->doc, "summary", json_string(line));
	}
done:
	free(rb);
	return rc;
}

/* Appends word to buf for a POSIX shell: as is when it is plain, else in single quotes. */
static void shell_word(char *buf, size_t len, const char *word)
{
	size_t n = strlen(buf);
	bool plain = *word != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789_./:=+-,@%") == strlen(word);

	n += (size_t)snprintf(buf + n, n < len ? len - n : 0, " %s", plain ? "" : "'");
	for (const char *c = word; *c && n + 5 < len; c++)
		n += (size_t)snprintf(buf + n, len - n, *c == '\'' && !plain ? "'\\''" : "%c", *c);
	if (!plain && n < len)
		snprintf(buf + n, len - n, "'");
}

void cli_restore_note_interrupted(struct cli_ctx *ctx, const struct board *b, uint32_t span_lo, uint32_t span_hi,
				  const bool *equal, const char *safety, const char *source)
{
	const struct swd_profile *p = b->p;
	const struct cli_options *o = &ctx->opt;
	char note[PATH_MAX + 512] = "", cmd[2 * PATH_MAX + 256] = "";
	uint32_t lo = UINT32_MAX, hi = 0;
	size_t n = 0, first = SIZE_MAX;

	for (size_t i = 0; i <= p->flash.nsectors; i++) {
		const struct swd_sector *sec = &p->flash.sectors[i < p->flash.nsectors ? i : 0];
		uint32_t off = sec->address - p->flash.base;
		bool hit = i < p->flash.nsectors && off < span_hi && off + sec->size > span_lo && !(equal && equal[i]);

		if (hit && first == SIZE_MAX)
			first = i;
		if (hit) {
			lo = sec->address < lo ? sec->address : lo;
			hi = sec->address + sec->size - 1;
			continue;
		}
		if (first == SIZE_MAX)
			continue;
		if (i - 1 > first)
			n += (size_t)snprintf(note + n, n < sizeof(note) ? sizeof(note) - n : 0, "%s%u-%u", n ? ", " : "",
					      p->flash.sectors[first].index, p->flash.sectors[i - 1].index);
		else
			n += (size_t)snprintf(note + n, n < sizeof(note) ? sizeof(note) - n : 0, "%s%u", n ? ", " : "",
					      p->flash.sectors[first].index);
		first = SIZE_MAX;
	}
	if (n == 0)
		return;
	{
		char head[512 + 64];

		snprintf(head, sizeof(head), "the %s stopped part-way: %s %s (0x%08" PRIx32 "-0x%08" PRIx32
			 ") may be erased%s", source ? "write" : "erase", p->family->units, note, lo, hi,
			 source ? " or half-programmed" : "");
		snprintf(note, sizeof(note), "%s; %s%s", head, safety ? "their previous contents are in the safety "
			 "backup " : "no safety backup was made", safety ? safety : "");
	}
	board_note(ctx, note);
	if (!safety && !source)
		return;
	snprintf(cmd, sizeof(cmd), "%s", safety ? "to put the board back as it was, run:"
		 : "to finish writing the image, run:");
	shell_word(cmd, sizeof(cmd), ctx->argv0 ? ctx->argv0 : "swdbackup");
	shell_word(cmd, sizeof(cmd), "restore");
	shell_word(cmd, sizeof(cmd), "--profile");
	shell_word(cmd, sizeof(cmd), p->name);
	if (o->probe_spec) {
		shell_word(cmd, sizeof(cmd), "--probe");
		shell_word(cmd, sizeof(cmd), o->probe_spec);
	}
	if (o->interface) {
		shell_word(cmd, sizeof(cmd), "--interface");
		shell_word(cmd, sizeof(cmd), o->interface);
	}
	if (o->openocd) {
		shell_word(cmd, sizeof(cmd), "--openocd");
		shell_word(cmd, sizeof(cmd), o->openocd);
	}
	if (o->connect_under_reset)
		shell_word(cmd, sizeof(cmd), "--connect-under-reset");
	if (o->force)
		shell_word(cmd, sizeof(cmd), "--force");
	if (safety) {
		shell_word(cmd, sizeof(cmd), "--no-safety-backup");
		shell_word(cmd, sizeof(cmd), safety);
	} else {
		char addr[16];

		if (o->address_set) {
			snprintf(addr, sizeof(addr), "0x%08" PRIx32, o->address);
			shell_word(cmd, sizeof(cmd), "--address");
			shell_word(cmd, sizeof(cmd), addr);
		}
		shell_word(cmd, sizeof(cmd), "--no-safety-backup");
		shell_word(cmd, sizeof(cmd), source);
	}
	board_note(ctx, cmd);
}

int cmd_restore(struct cli_ctx *ctx)
{
	struct board b;
	struct cli_source src;
	struct swd_tmp tmp = { 0 };
	char *scratch = NULL, *back = NULL, *safety = NULL;
	bool writing = false, ob_needed = false, *equal = NULL;
	uint8_t *ob_want = NULL;
	int rc;

	memset(&src, 0, sizeof(src));
	rc = board_profile(&b, ctx, true, &ctx->err);
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
	rc = swd_tmp_init(&tmp, &ctx->err);
	if (rc != 0)
		goto out;
	scratch = swd_tmp_path(&tmp, "chunk.bin");
	back = swd_tmp_path(&tmp, "readback.bin");
	if (!scratch || !back) {
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		goto out;
	}

	rc = board_connect(&b, DIAG_OP_IDENTIFY, true, &ctx->err);
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
			rc = board_optbytes_check(ctx, &b, ob_want, b.ob_len, &ob_needed);
		if (rc != 0)
			goto out;
		if (!ob_needed)
			board_note(ctx, "the device's option bytes already equal the bundle's; nothing to write");
	}
	rc = cli_restore_diff(ctx, &b, src.img, &equal);
	if (rc != 0)
		goto out;
	rc = cli_safety_bundle(ctx, &b, src.img->data, ctx->opt.safety_full ? NULL : equal, &safety);
	if (rc == 0 && !equal && safety)
		rc = cli_restore_diff_read(ctx, &b, src.img, safety, &equal);
	if (rc != 0)
		goto out;
	/* onto several boards: none is written before every board has passed its checks */
	rc = cli_fleet_gate(ctx, &ctx->err);
	if (rc != 0)
		goto out;

	writing = true;
	rc = cli_restore_write(ctx, &b, &src, scratch, back, ob_needed ? ob_want : NULL, ctx->opt.backup_domain,
			       equal);
out:
	/* The user's next question: what is on the board now, and how to get it back. */
	if (rc != 0 && writing)
		cli_restore_note_interrupted(ctx, &b, src.img->lo, src.img->hi, equal, safety, src.path);
	free(equal);
	free(ob_want);
	free(scratch);
	free(back);
	free(safety);
	cli_source_release(&src);
	rc = board_close(&b, rc, &ctx->err);
	swd_tmp_release(&tmp);
	return rc;
}
