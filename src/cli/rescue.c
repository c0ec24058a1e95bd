/* rescue.c - `swdbackup rescue [SOURCE]`: bring a bricked board back.
 *
 * The order: connect every way there is (board_connect: as usual, under reset, at lower
 * speeds; the core halted at its reset vector when under reset), identify, read the option
 * bytes and find what bricks the board (core/brick.h), then plan. Each fix needs its own
 * consent on the command line: --unlock (RDP 1 -> 0, the chip erases all of flash),
 * --erase (mass erase, for a firmware that turns SWD off at once), --factory-options
 * (option bytes back to the reference manual's values; readout protection is left as it
 * is). Without a consent a fix needs, nothing is changed: the plan and the exact command
 * that carries it out are printed, and the exit code says why (7 protected, 6 unreachable).
 * With consent: a safety bundle of what can be read, the fixes in that order, then SOURCE
 * (a bundle or an image) restored and verified. RDP level 2 is never set and cannot be
 * undone.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/backup.h"
#include "board/board.h"
#include "board/optwrite.h"
#include "cli/rescue.h"
#include "cli/restore.h"
#include "cli/source.h"
#include "core/tmpdir.h"
#include "core/file.h"
#include "core/brick.h"
#include "core/file.h"

struct plan {
	struct swd_brick bricks[SWD_BRICKS_MAX];
	size_t n;
	bool need_unlock, need_factory, need_erase, impossible;
	bool swd_disabled; /* reached only under reset: the firmware takes the SWD pins */
};

static void add_arg(char *buf, size_t n, const char *arg)
{
	size_t len = strlen(buf);
	bool quote = strpbrk(arg, " \t'\"$`\\;&|<>()[]{}*?!") != NULL;

	if (!quote) {
		snprintf(buf + len, n - len, " %s", arg);
		return;
	}
	snprintf(buf + len, n - len, " '");
	for (const char *p = arg; *p; p++) {
		len = strlen(buf);
		snprintf(buf + len, n - len, *p == '\'' ? "'\\''" : "%c", *p);
	}
	len = strlen(buf);
	snprintf(buf + len, n - len, "'");
}

/* The command line that carries the plan out: this one, with the consents it lacks. */
static void plan_command(struct cli_ctx *ctx, const struct plan *pl, char *buf, size_t n)
{
	const struct cli_options *o = &ctx->opt;

	snprintf(buf, n, "swdbackup rescue");
	add_arg(buf, n, "--profile");
	add_arg(buf, n, o->profile);
	if (o->probe_spec) {
		add_arg(buf, n, "--probe");
		add_arg(buf, n, o->probe_spec);
	}
	if (o->connect_under_reset)
		add_arg(buf, n, "--connect-under-reset");
	if (o->unlock || pl->need_unlock)
		add_arg(buf, n, "--unlock");
	if (o->erase || pl->need_erase)
		add_arg(buf, n, "--erase");
	if (o->factory_options || pl->need_factory)
		add_arg(buf, n, "--factory-options");
	if (o->option_bytes)
		add_arg(buf, n, "--option-bytes");
	if (o->output) {
		add_arg(buf, n, "-o");
		add_arg(buf, n, o->output);
	}
	if (o->npos == 1)
		add_arg(buf, n, o->pos[0]);
}

static void find_bricks(struct cli_ctx *ctx, struct board *b, struct plan *pl)
{
	struct swd_protection pr = b->prot;
	double volts = b->probe.has_voltage ? b->probe.target_voltage : 0;

	memset(pl, 0, sizeof(*pl));
	/* An F1 at level 1 hides its option bytes from the debugger: only the level is known
	 * until it is unlocked; the rest is checked again then. */
	if (b->ob_len == 0) {
		pr.user = 0xFF;
		pr.nwrp = 0;
		board_note(ctx, "the other option bytes cannot be read under readout protection; they are "
			     "checked again after unlocking");
	}
	pl->n = swd_bricks_find(b->p, &pr, volts, pl->bricks);
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->bricks[i].fix == SWD_FIX_UNLOCK)
			pl->need_unlock = true;
		else if (pl->bricks[i].fix == SWD_FIX_FACTORY)
			pl->need_factory = true;
		else
			pl->impossible = true;
	}
	/* A firmware that takes the SWD pins is replaced by SOURCE; without one, only a mass
	 * erase makes the board reachable without NRST again. */
	pl->swd_disabled = b->under_reset && !ctx->opt.connect_under_reset;
	pl->need_erase = pl->swd_disabled && ctx->opt.npos == 0;
}

static json_t *plan_json(const struct plan *pl)
{
	static const char *const fix[] = { "--unlock", "--factory-options", NULL };
	json_t *a = json_array();

	for (size_t i = 0; i < pl->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s?}", "kind", swd_brick_name(pl->bricks[i].kind),
						   "what", pl->bricks[i].what, "fix", fix[pl->bricks[i].fix]));
	if (pl->swd_disabled)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s?}", "kind", "swd-disabled", "what",
						   "the target answered only under reset: its firmware turns the SWD "
						   "pins into GPIO", "fix", pl->need_erase ? "--erase" : NULL));
	return a;
}

/* Says the plan and, when consent is missing, refuses with the command that carries it
 * out. Returns 0 when everything the plan needs was consented to. */
static int check_consent(struct cli_ctx *ctx, struct board *b, const struct plan *pl, bool changed)
{
	const struct cli_options *o = &ctx->opt;
	bool missing = (pl->need_unlock && !o->unlock) || (pl->need_factory && !o->factory_options) ||
		       (pl->need_erase && !o->erase);
	char cmd[2048];

	for (size_t i = 0; i < pl->n; i++)
		ui_status(&ctx->ui, "found: %s", pl->bricks[i].what);
	if (pl->swd_disabled)
		ui_status(&ctx->ui, "found: the target answered only under reset: its firmware turns the SWD pins into GPIO");
	if (pl->n == 0 && !pl->swd_disabled)
		ui_status(&ctx->ui, "found nothing in the option bytes that bricks the board");
	if (b->prot.rdp_level == 2)
		return swd_error_set(&ctx->err, SWD_EPROTECTED, "readout protection level 2 is permanent: no tool "
				     "can reach this flash again; the board cannot be rescued through its debug port");
	if (!missing)
		return 0;
	plan_command(ctx, pl, cmd, sizeof(cmd));
	json_object_set_new(ctx->doc, "plan_command", json_string(cmd));
	if (pl->need_unlock && !o->unlock)
		board_note(ctx, "--unlock lifts readout protection; the chip then erases all of flash, "
			     "which cannot be saved first");
	if (pl->need_factory && !o->factory_options)
		board_note(ctx, "--factory-options puts the option bytes back to the reference manual's "
			     "factory values (write protection off, software watchdog, no reset on Stop or Standby)");
	if (pl->need_erase && !o->erase)
		board_note(ctx, "--erase mass-erases the flash (after a safety backup), so that the firmware "
			     "that disables SWD no longer runs; or give a SOURCE to program instead");
	return swd_error_set(&ctx->err, pl->need_unlock || pl->need_factory ? SWD_EPROTECTED : SWD_ETARGETNORESP,
			     "%s: the rescue needs your consent; run: %s", changed ?
			     "readout protection was lifted, and the next step needs more" : "nothing was changed", cmd);
}

static void step(struct cli_ctx *ctx, const char *what)
{
	json_array_append_new(json_object_get(ctx->doc, "steps"), json_string(what));
	ui_status(&ctx->ui, "%s", what);
}

static int fix_factory(struct cli_ctx *ctx, struct board *b)
{
	uint8_t want[16];
	bool needed = false;
	int rc = swd_optbytes_factory(b->p, b->ob_raw, b->ob_len, want, &ctx->err);

	if (rc == 0)
		rc = board_optbytes_check(ctx, b, want, b->ob_len, &needed);
	if (rc == 0 && needed) {
		step(ctx, "writing the factory option bytes (readout protection kept as it is)");
		rc = board_optbytes_write(ctx, b, want, b->ob_len);
	}
	if (rc == 0)
		rc = board_link_reset(b->link, BOARD_RESET_HALT, &ctx->err);
	if (rc == 0)
		rc = cli_reread_protection(ctx, b);
	return rc;
}

/* After the fixes: SOURCE restored and verified, as `restore` does after its safety backup. */
static int restore_source(struct cli_ctx *ctx, struct board *b, struct cli_source *src)
{
	struct swd_tmp tmp = { 0 };
	char *scratch = NULL, *back = NULL;
	uint8_t *ob = NULL;
	bool ob_needed = false;
	int rc;

	if (src->bundle)
		rc = swd_bundle_check_target(src->bundle, b->id.dbgmcu_idcode & 0xfff, b->id.flash_size_kib,
					     &ctx->err);
	else
		rc = 0;
	if (rc == 0)
		rc = cli_restore_refuse_wrp(ctx, b, src->img);
	if (rc == 0 && ctx->opt.option_bytes) {
		rc = swd_file_read_exact(src->option_bytes_path, b->ob_len, &ob, &ctx->err);
		if (rc == 0)
			rc = board_optbytes_check(ctx, b, ob, b->ob_len, &ob_needed);
	}
	if (rc == 0)
		rc = swd_tmp_init(&tmp, &ctx->err);
	if (rc == 0) {
		scratch = swd_tmp_path(&tmp, "chunk.bin");
		back = swd_tmp_path(&tmp, "readback.bin");
		if (!scratch || !back)
			rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	}
	if (rc == 0) {
		step(ctx, "restoring the source and verifying it by read-back");
		rc = cli_restore_write(ctx, b, src, scratch, back, ob_needed ? ob : NULL, false, NULL);
	}
	free(ob);
	free(scratch);
	free(back);
	swd_tmp_release(&tmp);
	return rc;
}

static int safety_backup(struct cli_ctx *ctx, struct board *b, char **safety)
{
	if (ctx->opt.no_safety_backup) {
		json_object_set_new(ctx->doc, "safety_backup", json_null());
		return 0;
	}
	if (b->prot.rdp_level >= 1) {
		json_object_set_new(ctx->doc, "safety_backup", json_null());
		json_object_set_new(ctx->doc, "not_saved", json_string("the flash is read-protected: it cannot be read, "
								       "so nothing of it could be saved"));
		board_note(ctx, "nothing could be saved first: the flash is read-protected");
		return 0;
	}
	json_array_append_new(json_object_get(ctx->doc, "steps"), json_string("saving what can be read first"));
	return cli_safety_bundle(ctx, b, NULL, NULL, safety);
}

int cmd_rescue(struct cli_ctx *ctx)
{
	const struct cli_options *o = &ctx->opt;
	struct board b;
	struct cli_source src;
	struct plan pl;
	char *safety = NULL, size[32], line[PATH_MAX + 200];
	bool touched = false;
	int rc;

	memset(&src, 0, sizeof(src));
	rc = board_profile(&b, ctx, o->npos == 1, &ctx->err);
	if (rc == 0 && o->npos == 1) {
		rc = cli_source_load(ctx, b.p, o->pos[0], !o->force, &src);
		json_object_set_new(ctx->doc, "source", cli_source_json(&src));
		if (rc == 0 && o->option_bytes && !src.option_bytes_path)
			rc = swd_error_set(&ctx->err, SWD_EINPUT, "--option-bytes needs a bundle with "
					   "option-bytes.bin; '%s' has none", src.path);
	}
	if (rc == 0 && o->option_bytes && o->npos == 0)
		rc = swd_error_set(&ctx->err, SWD_EUSAGE, "--option-bytes needs a SOURCE bundle");
	if (rc == 0 && !o->no_safety_backup)
		rc = cli_check_dest(ctx, o->output, false);
	if (rc != 0)
		goto out;
	json_object_set_new(ctx->doc, "steps", json_array());
	step(ctx, "connecting: as usual, then under reset, then at lower speeds");
	rc = board_connect(&b, DIAG_OP_IDENTIFY, true, &ctx->err);
	if (rc == 0)
		rc = board_protection(&b, &ctx->err);
	if (rc != 0)
		goto out;
	find_bricks(ctx, &b, &pl);
	json_object_set_new(ctx->doc, "bricks", plan_json(&pl));
	rc = check_consent(ctx, &b, &pl, false);
	if (rc != 0)
		goto out;
	rc = safety_backup(ctx, &b, &safety);
	if (rc != 0)
		goto out;
	ui_fmt_size(size, sizeof(size), b.p->flash.size);
	if (pl.need_unlock) {
		snprintf(line, sizeof(line), "lifting readout protection: the chip erases all of flash (%s), "
			 "which could not be saved", size);
		step(ctx, line);
		touched = true;
		rc = cli_unlock_rdp1(ctx, &b);
		if (rc != 0)
			goto out;
		/* Now the option bytes can be read: what else is there? */
		find_bricks(ctx, &b, &pl);
		json_object_set_new(ctx->doc, "bricks_after_unlock", plan_json(&pl));
		rc = check_consent(ctx, &b, &pl, true);
		if (rc != 0)
			goto out;
	}
	if (o->erase) {
		snprintf(line, sizeof(line), "mass erase: all of flash (%s) is erased%s%s", size,
			 safety ? "; it is saved in " : "", safety ? safety : "");
		step(ctx, line);
		touched = true;
		b.op = DIAG_OP_PROGRAM;
		cli_timing_begin(ctx, "erase");
		rc = board_link_mass_erase(b.link, &ctx->err);
		cli_timing_end(ctx, rc, b.p->flash.size);
		if (rc != 0)
			goto out;
	}
	if (pl.need_factory || o->factory_options) {
		touched = true;
		rc = fix_factory(ctx, &b);
		if (rc != 0)
			goto out;
		find_bricks(ctx, &b, &pl);
		if (pl.need_factory)
			rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "the option bytes still read back as "
					   "bricking after the factory values were written: %s", pl.bricks[0].what);
		if (rc != 0)
			goto out;
	}
	if (o->npos == 1) {
		touched = true;
		rc = restore_source(ctx, &b, &src);
	} else if (rc == 0) {
		rc = board_link_reset(b.link, BOARD_RESET_RUN, &ctx->err);
		if (rc == 0)
			json_object_set_new(ctx->doc, "summary", json_string(touched ?
				"rescued: the board answers again; restore a firmware with 'swdbackup restore'" :
				"nothing needed fixing; the board was left as it was"));
	}
	if (rc == 0 && o->npos == 1)
		json_object_set_new(ctx->doc, "rescued", json_true());
out:
	if (rc != 0 && touched) {
		snprintf(line, sizeof(line), "the board may be partly changed; %s%s", safety ?
			 "what could be read is in the safety backup " : "nothing of it was saved", safety ? safety : "");
		board_note(ctx, line);
	}
	free(safety);
	cli_source_release(&src);
	return board_close(&b, rc, &ctx->err);
}
