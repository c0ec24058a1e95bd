/* reset.c - `swdbackup reset [--halt]`. */
#include "cli/board.h"

int cmd_reset(struct cli_ctx *ctx)
{
	struct cli_board b;
	int rc;

	rc = cli_board_profile(ctx, &b, false);
	if (rc != 0)
		goto out;
	rc = cli_board_connect(ctx, &b, DIAG_OP_RESET, false);
	if (rc != 0)
		goto out;
	rc = ocd_reset(b.s, ctx->opt.halt ? OCD_RESET_HALT : OCD_RESET_RUN, &ctx->err);
	if (rc != 0)
		goto out;
	if (ctx->opt.halt)
		ocd_keep_halted(b.s);
	json_object_set_new(ctx->doc, "halted", json_boolean(ctx->opt.halt));
	json_object_set_new(ctx->doc, "summary", json_string(ctx->opt.halt ? "reset; the core is halted at its reset vector"
							       : "reset; the target runs"));
out:
	return cli_board_close(ctx, &b, rc);
}
