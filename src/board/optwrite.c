/* optwrite.c - restore --option-bytes on F1 and F2/F4 (see optwrite.h). */
#include "board/optwrite.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/optbytes.h"

int board_optbytes_check(struct cli_ctx *ctx, struct board *b, const uint8_t *want, size_t len,
		       bool *needed)
{
	const struct swd_profile *p = b->p;
	struct swd_optbytes_fields fw, fc;
	struct swd_protection wp;
	int rc;

	*needed = false;
	if (!b->ob_len || len != b->ob_len)
		return swd_error_set(&ctx->err, SWD_EINPUT, "the bundle's option bytes are %zu bytes; this device's are %zu",
				     len, b->ob_len);
	if (swd_optbytes_same(p, want, b->ob_raw))
		return 0;
	*needed = true;
	memset(&wp, 0, sizeof(wp));
	swd_optbytes_encode(p, want, &fw);
	swd_optbytes_encode(p, b->ob_raw, &fc);
	rc = swd_optbytes_decode(p, want, len, &wp, &ctx->err);
	if (rc != 0)
		return rc;
	if (wp.rdp_level != b->prot.rdp_level)
		rc = swd_error_set(&ctx->err, SWD_EINPUT, "the bundle's option bytes set readout protection level %d "
				   "(the device has %d); swdbackup never changes readout protection; nothing was written",
				   wp.rdp_level, b->prot.rdp_level);
	else if (!p->family->pages && (wp.pcrop || b->prot.pcrop || fw.sprmod != fc.sprmod))
		rc = swd_error_set(&ctx->err, SWD_EINPUT, "the bundle's or the device's option bytes select PCROP "
				   "(SPRMOD) and writing those is not supported yet; nothing was written: restore without "
				   "--option-bytes");
	swd_protection_release(&wp);
	return rc;
}

/* F1 (RM0008 2.5, PM0075): RDP, USER, DATA0, DATA1, WRP0..3 at even offsets, each followed
 * by its complement. The driver (stm32f1x.c) rebuilds all of them from FLASH_OBR/WRPR, the
 * values loaded at the last reset, every time it writes; so each change is followed by a
 * reset halt, or the next command would write the old values back. */
static int f1_settle(struct cli_ctx *ctx, struct board *b, int rc)
{
	if (rc == 0)
		rc = board_link_reset(b->link, BOARD_RESET_HALT, &ctx->err);
	return rc;
}

/* WRP vectors: a 0 bit protects its block (F1: `per` pages; F2/F4: one sector), and
 * `flash protect` counts blocks. Runs of blocks that change the same way go in one
 * command; on F1 (`settle`) each is followed by a reset halt (see f1_settle). */
static int protect_runs(struct cli_ctx *ctx, struct board *b, uint32_t wcur, uint32_t wnext,
			unsigned nblocks, bool settle)
{
	int rc = 0;

	for (unsigned i = 0; rc == 0 && i < nblocks;) {
		bool want_on = !((wnext >> i) & 1), is_on = !((wcur >> i) & 1);
		unsigned j = i;

		if (want_on == is_on) {
			i++;
			continue;
		}
		while (j + 1 < nblocks && !((wnext >> (j + 1)) & 1) == want_on && !((wcur >> (j + 1)) & 1) == is_on)
			j++;
		rc = board_link_protect(b->link, i, j, want_on, &ctx->err);
		if (settle)
			rc = f1_settle(ctx, b, rc);
		i = j + 1;
	}
	return rc;
}

static int f1_write(struct cli_ctx *ctx, struct board *b, const uint8_t *want)
{
	const struct swd_profile *p = b->p;
	struct swd_optbytes_fields cur, next;
	uint8_t now[16];
	int rc = 0;

	swd_optbytes_encode(p, b->ob_raw, &cur);
	swd_optbytes_encode(p, want, &next);
	if (cur.user != next.user || cur.data != next.data) {
		struct board_f1_user u = { next.user & 1, next.user & 2, next.user & 4, next.data };

		rc = f1_settle(ctx, b, board_link_f1_options_write(b->link, &u, &ctx->err));
	}
	if (rc == 0)
		rc = protect_runs(ctx, b, cur.nwrp, next.nwrp, next.nblocks, true);
	if (rc == 0)
		rc = board_link_read_memory(b->link, p->option_bytes.address, 16, 8, now, &ctx->err);
	if (rc == 0 && !swd_optbytes_applied(p, want, now))
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "option bytes read back differ from the bundle's "
				   "(user 0x%02x, data 0x%02x%02x, wrp 0x%02x%02x%02x%02x)", now[2], now[6], now[4],
				   now[14], now[12], now[10], now[8]);
	return rc;
}

int board_optbytes_write(struct cli_ctx *ctx, struct board *b, const uint8_t *want, size_t len)
{
	const struct swd_profile *p = b->p;
	struct swd_optbytes_fields cur, next;
	uint32_t now[2] = { 0, 0 };
	uint8_t got[8];
	int rc = 0;

	(void)len;
	b->op = DIAG_OP_OPTION_BYTES;
	if (p->family->pages)
		return f1_write(ctx, b, want);
	swd_optbytes_encode(p, b->ob_raw, &cur);
	swd_optbytes_encode(p, want, &next);
	if (cur.user != next.user)
		rc = board_link_f2_options_write(b->link, next.user, &ctx->err);
	if (rc == 0)
		rc = protect_runs(ctx, b, cur.nwrp, next.nwrp, next.nblocks, false);
	if (rc == 0)
		rc = board_link_read_memory(b->link, p->option_bytes.address, 32, 1, &now[0], &ctx->err);
	if (rc == 0 && p->option_bytes.has_optcr1)
		rc = board_link_read_memory(b->link, p->option_bytes.optcr1, 32, 1, &now[1], &ctx->err);
	swd_le32_put(got, now[0]);
	swd_le32_put(got + 4, now[1]);
	if (rc == 0 && !swd_optbytes_applied(p, want, got))
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "option bytes read back as 0x%08" PRIx32 "/0x%08" PRIx32
				   " instead of 0x%08" PRIx32 "/0x%08" PRIx32, now[0] & ~SWD_OPTCR_CONTROL, now[1],
				   swd_le32(want) & ~SWD_OPTCR_CONTROL, p->option_bytes.has_optcr1 ? swd_le32(want + 4) : 0xffffffffu);
	return rc;
}
