/* unlock.c - `swdbackup unlock`: readout protection level 1 back to 0, with consent. The
 * chip erases all of flash as it does so (RM0008 §2.3.4, RM0090 §3.7.3); what it held
 * cannot be saved first, since a protected flash cannot be read. Level 2 is never touched
 * and cannot be undone. */
#include <stdio.h>

#include "board/board.h"
#include "cli/consent.h"
#include "cli/rescue.h"

/* Reads the option bytes again (they changed) into b->prot. */
int cli_reread_protection(struct cli_ctx *ctx, struct board *b)
{
	swd_protection_release(&b->prot);
	b->prot_ready = false;
	return board_protection(b, &ctx->err);
}

/* Lifts RDP level 1: the driver's unlock, then a reset that loads the new option bytes, and
 * a check that the level is 0. Shared with rescue --unlock. */
int cli_unlock_rdp1(struct cli_ctx *ctx, struct board *b)
{
	int rc;

	b->op = DIAG_OP_PROGRAM;
	ui_status(&ctx->ui, "lifting readout protection; the chip erases its flash");
	rc = board_link_unlock(b->link, &ctx->err);
	if (rc == 0)
		rc = board_link_reset(b->link, BOARD_RESET_HALT, &ctx->err);
	if (rc == 0)
		rc = cli_reread_protection(ctx, b);
	if (rc == 0 && b->prot.rdp_level != 0)
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "readout protection is still level %d after "
				   "the unlock; power-cycle the board and run unlock again", b->prot.rdp_level);
	return rc;
}

int cmd_unlock(struct cli_ctx *ctx)
{
	struct board b;
	char what[400], size[32];
	int rc;

	rc = board_profile(&b, ctx, false, &ctx->err);
	if (rc == 0)
		rc = cli_consent_possible(ctx, "unlock");
	if (rc == 0)
		rc = board_connect(&b, DIAG_OP_IDENTIFY, true, &ctx->err);
	if (rc == 0)
		rc = board_protection(&b, &ctx->err);
	if (rc != 0)
		goto out;
	json_object_set_new(ctx->doc, "rdp_before", json_integer(b.prot.rdp_level));
	if (b.prot.rdp_level == 0) {
		json_object_set_new(ctx->doc, "unlocked", json_false());
		json_object_set_new(ctx->doc, "summary", json_string("not read-protected (RDP level 0); nothing to do"));
		goto out;
	}
	if (b.prot.rdp_level == 2) {
		rc = swd_error_set(&ctx->err, SWD_EPROTECTED, "readout protection level 2 is permanent: the chip "
				   "no longer lets a debugger in, and nothing can lift it");
		goto out;
	}
	ui_fmt_size(size, sizeof(size), b.p->flash.size);
	snprintf(what, sizeof(what), "This lifts readout protection from the %s. The chip erases all of its "
		 "flash (%s) as it does; none of it can be saved first, because a protected flash cannot be read.",
		 b.p->name, size);
	rc = cli_consent(ctx, "unlocked", what);
	if (rc == 0)
		rc = cli_unlock_rdp1(ctx, &b);
	if (rc == 0) {
		json_object_set_new(ctx->doc, "unlocked", json_true());
		json_object_set_new(ctx->doc, "rdp_after", json_integer(b.prot.rdp_level));
		json_object_set_new(ctx->doc, "summary", json_string("readout protection lifted (RDP level 0); "
								     "the flash is erased"));
	}
out:
	return board_close(&b, rc, &ctx->err);
}
