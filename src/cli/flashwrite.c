/* flashwrite.c - the routine or OpenOCD's driver for restore's writes (see flashwrite.h). */
#include "cli/flashwrite.h"

#include <stdio.h>
#include <string.h>

#include "ocd/fastflash.h"

/* Why the x32 routine may not be used here, or NULL when it may. */
static const char *x32_refusal(const struct cli_board *b, const struct ocd_program_args *a,
			       char *buf, size_t n)
{
	const struct swd_profile *p = b->p;

	if (!p->flash.x32_min_mv)
		return "the profile allows no x32 writes";
	if (p->flash.option_layout.active)
		return "the option bytes select the dual-bank layout";
	if (!b->probe.has_voltage) {
		snprintf(buf, n, "the probe reported no target voltage (x32 needs %.2f V)", p->flash.x32_min_mv / 1000.0);
		return buf;
	}
	if (b->probe.target_voltage * 1000.0 < p->flash.x32_min_mv) {
		snprintf(buf, n, "the target voltage %.2f V is below the %.2f V x32 needs", b->probe.target_voltage,
			 p->flash.x32_min_mv / 1000.0);
		return buf;
	}
	if (a->len % 4 || a->offset % 4)
		return "the image is not whole words";
	return NULL;
}

static void record(struct cli_ctx *ctx, const char *method, const char *why)
{
	json_object_set_new(ctx->doc, "flash_writer", json_pack("{s:s,s:s?}", "method", method, "why", why));
}

int cli_flash_program(struct cli_ctx *ctx, struct cli_board *b, const struct ocd_program_args *a)
{
	struct ocd_checksum_area wa;
	struct ocd_fast_state st;
	struct swd_error e = { 0 };
	char buf[160], why[SWD_ERROR_MSG_MAX + 40];
	const char *no = x32_refusal(b, a, buf, sizeof(buf));
	int rc;

	if (!no && ocd_checksum_area(b->p, &wa, &e) != 0)
		no = e.msg;
	if (!no) {
		ui_status(&ctx->ui, "writing at psize x32 by swdbackup's flash routine (target voltage %.2f V)",
			  b->probe.target_voltage);
		rc = ocd_fast_program(b->s, &wa, a, OCD_PSIZE_X32, &st, &e);
		if (rc == 0) {
			record(ctx, "x32 routine", NULL);
			return 0;
		}
		if (rc != SWD_ETARGETFAILED || st.flags)
			return swd_error_set(&ctx->err, rc, "%s", e.msg);
		snprintf(why, sizeof(why), "the x32 routine failed: %s", e.msg);
		no = why;
	}
	ui_status(&ctx->ui, "writing with openocd's %s driver: %s", b->p->family->driver, no);
	record(ctx, "openocd driver", no);
	return ocd_program(b->s, a, &ctx->err);
}
