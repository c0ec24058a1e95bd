/* reset.c - `swdbackup reset [--halt]`. */
#include "board/board.h"

int cmd_reset(struct cli_ctx *ctx)
{
	struct board b;
	int rc;

	rc = board_profile(&b, ctx, false, &ctx->err);
	if (rc != 0)
		goto out;
	rc = board_connect(&b, DIAG_OP_RESET, false, &ctx->err);
	if (rc != 0)
		goto out;
	rc = board_link_reset(b.link, ctx->opt.halt ? BOARD_RESET_HALT : BOARD_RESET_RUN, &ctx->err);
	if (rc != 0)
		goto out;
	if (ctx->opt.halt)
		board_link_keep_halted(b.link);
	json_object_set_new(ctx->doc, "halted", json_boolean(ctx->opt.halt));
	json_object_set_new(ctx->doc, "summary", json_string(ctx->opt.halt ? "reset; the core is halted at its reset vector"
							       : "reset; the target runs"));
out:
	return board_close(&b, rc, &ctx->err);
}
