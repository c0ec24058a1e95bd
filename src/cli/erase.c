/* erase.c - `swdbackup erase --mass | --sector N[-M]`: erase flash, after a safety backup
 * and with consent. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/backup.h"
#include "board/board.h"
#include "cli/consent.h"
#include "cli/restore.h"
#include "core/tmpdir.h"
#include "core/file.h"
#include "core/jsonfield.h"

/* The address range [lo, hi) of sectors first..last, or an error naming the valid ones. */
static int sector_span(struct cli_ctx *ctx, const struct swd_profile *p, unsigned first,
		       unsigned last, uint32_t *lo, uint32_t *hi)
{
	const char *unit = p->family->units;

	if (p->flash.nsectors == 0 || last >= p->flash.nsectors)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "--sector %u is out of range; %s has %s 0-%zu",
				     last, p->name, unit, p->flash.nsectors ? p->flash.nsectors - 1 : 0);
	*lo = p->flash.sectors[first].address;
	*hi = p->flash.sectors[last].address + p->flash.sectors[last].size;
	return 0;
}

/* Reads [lo, hi) back and checks that every byte is 0xFF. */
static int check_erased(struct cli_ctx *ctx, struct board *b, uint32_t lo, uint32_t hi)
{
	struct swd_tmp tmp = { 0 };
	uint8_t *data = NULL;
	char *path = NULL;
	int rc = swd_tmp_init(&tmp, &ctx->err);

	if (rc == 0 && !(path = swd_tmp_path(&tmp, "erased.bin")))
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	if (rc == 0) {
		ui_status(&ctx->ui, "reading back what was erased");
		b->op = DIAG_OP_VERIFY;
		cli_timing_begin(ctx, "verify");
		rc = board_link_read_flash(b->link, lo - b->p->flash.base, hi - lo, path, &ctx->err);
		cli_timing_end(ctx, rc, hi - lo);
	}
	if (rc == 0)
		rc = swd_file_read_exact(path, hi - lo, &data, &ctx->err);
	for (uint32_t i = 0; rc == 0 && i < hi - lo; i++)
		if (data[i] != 0xFF)
			rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "0x%08" PRIx32 " still reads 0x%02x "
					   "after the erase", lo + i, data[i]);
	free(data);
	free(path);
	swd_tmp_release(&tmp);
	return rc;
}

int cmd_erase(struct cli_ctx *ctx)
{
	struct board b;
	const struct cli_options *o = &ctx->opt;
	char *safety = NULL, what[512], size[32], uid[32];
	uint32_t lo = 0, hi = 0;
	bool erasing = false;
	int rc;

	rc = board_profile(&b, ctx, false, &ctx->err);
	if (rc == 0 && o->mass == o->sector_set)
		rc = swd_error_set(&ctx->err, SWD_EUSAGE, "erase needs --mass or --sector N[-M], and not both");
	if (rc == 0)
		rc = cli_consent_possible(ctx, "erase");
	if (rc == 0 && !o->no_safety_backup)
		rc = cli_check_dest(ctx, o->output, false);
	if (rc == 0)
		rc = board_connect(&b, DIAG_OP_PROGRAM, true, &ctx->err);
	/* After connecting: the option bytes may select another sector layout (DB1M). */
	if (rc == 0 && o->sector_set)
		rc = sector_span(ctx, b.p, o->sector_first, o->sector_last, &lo, &hi);
	if (rc == 0 && o->mass) {
		lo = b.p->flash.base;
		hi = b.p->flash.base + b.p->flash.size;
	}
	if (rc == 0)
		rc = board_protection(&b, &ctx->err);
	if (rc == 0 && b.prot.rdp_level >= 1)
		rc = swd_error_set(&ctx->err, SWD_EPROTECTED, "the flash is read-protected (RDP level %d); "
				   "'swdbackup unlock --profile %s' lifts level 1, which erases all of it",
				   b.prot.rdp_level, b.p->name);
	for (size_t i = 0; rc == 0 && i < b.prot.nwrp; i++) {
		const struct swd_sector *s = &b.p->flash.sectors[b.prot.wrp[i]];

		if (s->address < hi && s->address + s->size > lo)
			rc = swd_error_set(&ctx->err, SWD_EPROTECTED, "%s %u is write-protected; nothing was "
					   "erased ('swdbackup rescue --factory-options' clears write protection)",
					   b.p->family->unit, s->index);
	}
	if (rc != 0)
		goto out;
	rc = cli_safety_bundle(ctx, &b, NULL, NULL, &safety);
	if (rc != 0)
		goto out;
	snprintf(uid, sizeof(uid), "%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x", b.id.uid[0],
		 b.id.uid[1], b.id.uid[2], b.id.uid[3], b.id.uid[4], b.id.uid[5], b.id.uid[6],
		 b.id.uid[7], b.id.uid[8], b.id.uid[9], b.id.uid[10], b.id.uid[11]);
	ui_fmt_size(size, sizeof(size), hi - lo);
	snprintf(what, sizeof(what), "This erases %s of the %s with unique id %s: 0x%08" PRIx32 "-0x%08"
		 PRIx32 " (%s). What it holds is lost%s%s.", o->mass ? "all of the flash" : "flash",
		 b.p->name, uid, lo, hi - 1, size, safety ? "; the safety backup keeps it: " :
		 " (no safety backup was made)", safety ? safety : "");
	rc = cli_consent(ctx, "erased", what);
	if (rc != 0)
		goto out;
	erasing = true;
	b.op = DIAG_OP_PROGRAM;
	cli_timing_begin(ctx, "erase");
	if (o->mass) {
		ui_status(&ctx->ui, "mass erase");
		rc = board_link_mass_erase(b.link, &ctx->err);
	} else {
		ui_status(&ctx->ui, "erasing %s %u-%u", b.p->family->units,
			  o->sector_first, o->sector_last);
		rc = board_link_erase_units(b.link, b.p->flash.sectors[o->sector_first].index,
				       b.p->flash.sectors[o->sector_last].index, &ctx->err);
	}
	cli_timing_end(ctx, rc, hi - lo);
	if (rc == 0)
		rc = check_erased(ctx, &b, lo, hi);
	if (rc == 0) {
		char line[160];

		json_object_set_new(ctx->doc, "erased", json_pack("{s:b,s:o,s:I,s:b}", "mass", o->mass,
			"address", swd_jsonfield_addr(lo), "bytes", (json_int_t)(hi - lo), "checked", 1));
		if (o->sector_set)
			json_object_set_new(json_object_get(ctx->doc, "erased"), "sectors",
					    json_pack("[I,I]", (json_int_t)o->sector_first, (json_int_t)o->sector_last));
		snprintf(line, sizeof(line), "erased 0x%08" PRIx32 "-0x%08" PRIx32 " (%s), checked by read-back",
			 lo, hi - 1, size);
		json_object_set_new(ctx->doc, "summary", json_string(line));
	}
out:
	if (rc != 0 && erasing)
		cli_restore_note_interrupted(ctx, &b, lo - b.p->flash.base, hi - b.p->flash.base, NULL, safety, NULL);
	free(safety);
	return board_close(&b, rc, &ctx->err);
}
