/* consent.c - asking before anything is erased or unlocked (see consent.h). */
#include "cli/consent.h"

int cli_consent_possible(struct cli_ctx *ctx, const char *verb)
{
	if (ctx->opt.yes || ui_can_ask())
		return 0;
	return swd_error_set(&ctx->err, SWD_EUSAGE, "%s destroys what the flash holds and asks first; "
			     "without a terminal to ask on, give --yes; nothing was changed", verb);
}

int cli_consent(struct cli_ctx *ctx, const char *verb, const char *what)
{
	json_object_set_new(ctx->doc, "consent", json_string(ctx->opt.yes ? "--yes" : "prompt"));
	if (ctx->opt.yes) {
		ui_status(&ctx->ui, "%s", what);
		return 0;
	}
	if (ui_can_ask() && ui_confirm(&ctx->ui, what))
		return 0;
	json_object_set_new(ctx->doc, "consent", json_null());
	return swd_error_set(&ctx->err, SWD_EUSAGE, "not confirmed; nothing was %s", verb);
}
