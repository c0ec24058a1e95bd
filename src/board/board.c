/* board.c - a board's lifetime, its profile, and its identity checked against the
 * profile (board.h). */
#include "board/board-priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

void board_init(struct board *b, struct cli_ctx *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	diag_evidence_init(&b->ev);
	b->ev_ready = true;
}

void board_release(struct board *b)
{
	if (b->link) {
		struct swd_error serr;

		swd_error_init(&serr);
		board_link_stop(b->link, &serr);
		board_link_free(b->link);
		b->link = NULL;
		cli_signals_install();
	}
	if (b->sim_started)
		board_sim_stop(&b->sim);
	b->sim_started = false;
	if (b->loop_ready) {
		uv_run(&b->loop, UV_RUN_DEFAULT);
		uv_loop_close(&b->loop);
	}
	b->loop_ready = false;
	if (b->prot_ready)
		swd_protection_release(&b->prot);
	b->prot_ready = false;
	if (b->ev_ready)
		diag_evidence_release(&b->ev);
	b->ev_ready = false;
	swd_profile_free(b->p);
	b->p = NULL;
}

const char *board_revision(const struct board *b)
{
	const struct swd_id_alias *a = swd_profile_alias(b->p, b->id.dbgmcu_idcode & 0xfff,
							  (b->id.cpuid >> 4) & 0xfff);

	if (a && (b->id.dbgmcu_idcode & 0xfff) != b->p->ids.dev_id)
		return a->revision;
	return swd_profile_revision_name(b->p, (uint16_t)(b->id.dbgmcu_idcode >> 16));
}

char *board_hex32(char buf[16], uint32_t v)
{
	snprintf(buf, 16, "0x%08" PRIx32, v);
	return buf;
}

int board_profile(struct board *b, struct cli_ctx *ctx, bool source, struct swd_error *err)
{
	const struct cli_probe *pr = &ctx->opt.probe;
	int rc;

	board_init(b, ctx);
	if (!ctx->opt.profile)
		return swd_error_set(err, SWD_EUSAGE, "'%s' needs --profile (see 'swdbackup profiles')",
				     ctx->command);
	if (ctx->opt.interface && strcmp(ctx->opt.interface, "stlink") != 0 &&
	    (pr->kind == CLI_PROBE_SIM || pr->kind == CLI_PROBE_SIM_FILE || pr->kind == CLI_PROBE_TCP))
		return swd_error_set(err, SWD_EUSAGE, "--interface %s is for USB probes; '--probe %s' is an ST-LINK over TCP",
				     ctx->opt.interface, ctx->opt.probe_spec);
	rc = swd_profile_find(ctx->opt.profile, &b->p, err);
	if (rc != 0)
		return rc;
	if (source && ctx->opt.npos != 1)
		return swd_error_set(err, SWD_EUSAGE, ctx->opt.npos ? "'%s' takes one SOURCE" :
				     "'%s' needs a SOURCE (a bundle directory or an image)", ctx->command);
	if (!source && ctx->opt.npos > 0)
		return swd_error_set(err, SWD_EUSAGE, "unexpected argument '%s'", ctx->opt.pos[0]);
	return 0;
}

void board_note(struct cli_ctx *ctx, const char *note)
{
	json_t *notes = json_object_get(ctx->doc, "notes");

	if (!notes) {
		notes = json_array();
		json_object_set_new(ctx->doc, "notes", notes);
	}
	json_array_append_new(notes, json_string(note));
	ui_status(&ctx->ui, "note: %s", note);
}

/* A dev id that the profile accepts as an alias of its part is said. */
static void note_alias(struct board *b)
{
	const struct swd_profile *p = b->p;
	const struct swd_id_alias *a = swd_profile_alias(p, b->id.dbgmcu_idcode & 0xfff, (b->id.cpuid >> 4) & 0xfff);
	char msg[256];

	if (!a || (b->id.dbgmcu_idcode & 0xfff) == p->ids.dev_id)
		return;
	snprintf(msg, sizeof(msg), "dev id 0x%03x with this core is %s silicon of revision %s (%s); accepted",
		 a->dev_id, p->name, a->revision, a->source);
	board_note(b->ctx, msg);
}

/* The option bit decides how the flash driver numbers and sizes the sectors. */
static void use_option_layout(struct board *b)
{
	const struct swd_profile *p = b->p;
	struct swd_error lerr;
	uint32_t v = 0;
	char msg[256];

	swd_error_init(&lerr);
	if (board_link_read_memory(b->link, p->flash.option_layout.reg, 32, 1, &v, &lerr) != 0 ||
	    (v & p->flash.option_layout.bits) != p->flash.option_layout.bits)
		return;
	swd_profile_use_option_layout(b->p);
	snprintf(msg, sizeof(msg), "the option bytes select the %s layout: %u banks, %zu sectors",
		 p->flash.option_layout.name, p->flash.nbanks, p->flash.nsectors);
	board_note(b->ctx, msg);
}

int board_check_identity(struct board *b, struct swd_error *err)
{
	const struct swd_profile *p = b->p;
	char msg[256];
	int rc;

	b->ev.has_dev_id = true;
	b->ev.dev_id = b->id.dbgmcu_idcode;
	b->ev.has_cpuid = true;
	b->ev.cpuid = b->id.cpuid;
	b->ev.has_flash_size_reg = true;
	b->ev.flash_size_reg_kib = b->id.flash_size_kib;
	if (b->id.has_dp_idcode) {
		b->ev.has_dp_idcode = true;
		b->ev.dp_idcode = b->id.dp_idcode;
	}
	if ((rc = board__check_part(p, b->id.dbgmcu_idcode, b->id.cpuid, err)) != 0)
		return rc;
	note_alias(b);
	if (b->id.has_dp_idcode && !b->clone && swd_profile_dp_idcode_kind(p, b->id.dp_idcode) == SWD_DP_CLONE) {
		if (b->ctx->opt.strict)
			return swd_error_set(err, SWD_EWRONGTARGET,
					     "DP IDCODE 0x%08" PRIx32 " is a known clone's, not a genuine %s; refused (--strict)",
					     b->id.dp_idcode, p->name);
		b->clone = true;
		board_hex32(b->clone_idcode, b->id.dp_idcode);
	}
	if (p->flash.whole_die && !board_has_die(b)) {
		char n[32];

		b->explained = true;
		return swd_error_set(err, SWD_EWRONGTARGET, "the source holds the whole %s KiB die of "
				     "the %s; this chip has only the %u KiB its size register says: nothing was "
				     "written; use a bundle of this chip", swd_format_count(p->flash.die_size / 1024,
				     n, sizeof(n)), p->name, b->id.flash_size_kib);
	}
	if (p->flash.option_layout.present && !p->flash.option_layout.active)
		use_option_layout(b);
	if (b->id.flash_size_kib != p->ids.flash_size_kib) {
		snprintf(msg, sizeof(msg), "the flash size register says %u KiB, the profile '%s' %u KiB; "
			 "using the profile's size", b->id.flash_size_kib, p->name, p->flash.size / 1024);
		board_note(b->ctx, msg);
	}
	return 0;
}

bool board_has_die(struct board *b)
{
	const struct swd_profile *p = b->p;
	struct swd_error lerr;
	size_t n = 0;
	uint32_t w;
	bool ok;

	if (!p->flash.die_size)
		return false;
	/* What the tool says about a read that finds nothing is not evidence of a fault. */
	board__feed_log(b);
	swd_error_init(&lerr);
	ok = board_link_read_memory(b->link, p->flash.base + p->flash.die_size - 4, 32, 1, &w, &lerr) == 0 &&
	     board_link_read_memory(b->link, p->flash.base + p->flash.register_size, 32, 1, &w, &lerr) == 0;
	board_link_log(b->link, &n);
	b->fed = n;
	return ok;
}
