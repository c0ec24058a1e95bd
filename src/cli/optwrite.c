/* optwrite.c - restore --option-bytes on F1 and F2/F4 (see optwrite.h). */
#include "cli/optwrite.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/optbytes.h"

/* OPTCR bits 1:0 are OPTLOCK and OPTSTRT (control, not option bytes); RM0090 3.7.7. */
#define OPTCR_CONTROL 0x3u
/* What `stm32f2x options_write BANK USER` accepts on parts without extra options: BOR_LEV
 * and the USER bits, OPTCR 7:2 (stm32f2x.c, options_mask ~0xfc). */
#define OPTCR_USER 0xfcu
#define OPTCR_NWRP_SHIFT 16
/* F42x/43x: SPRMOD selects PCROP instead of WRP for the nWRP bits (RM0090 3.7.7). */
#define OPTCR_SPRMOD 0x80000000u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int cli_optbytes_check(struct cli_ctx *ctx, struct cli_board *b, const uint8_t *want, size_t len,
		       bool *needed)
{
	const struct swd_profile *p = b->p;
	struct swd_protection wp;
	int rc;

	*needed = false;
	if (!b->ob_len || len != b->ob_len)
		return swd_error_set(&ctx->err, SWD_EINPUT, "the bundle's option bytes are %zu bytes; this device's are %zu",
				     len, b->ob_len);
	if (p->option_bytes.format == SWD_OB_STM32F2X) {
		if (((le32(want) ^ le32(b->ob_raw)) & ~OPTCR_CONTROL) == 0 &&
		    (len < 8 || memcmp(want + 4, b->ob_raw + 4, len - 4) == 0))
			return 0;
	} else if (memcmp(want, b->ob_raw, len) == 0) {
		return 0;
	}
	*needed = true;
	memset(&wp, 0, sizeof(wp));
	rc = swd_optbytes_decode(p, want, len, &wp, &ctx->err);
	if (rc != 0)
		return rc;
	if (wp.rdp_level != b->prot.rdp_level)
		rc = swd_error_set(&ctx->err, SWD_EINPUT, "the bundle's option bytes set readout protection level %d "
				   "(the device has %d); swdbackup never changes readout protection; nothing was written",
				   wp.rdp_level, b->prot.rdp_level);
	else if (p->option_bytes.format == SWD_OB_STM32F2X && (wp.pcrop || b->prot.pcrop ||
								((le32(want) ^ le32(b->ob_raw)) & OPTCR_SPRMOD)))
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
static int f1_settle(struct cli_ctx *ctx, struct cli_board *b, int rc)
{
	if (rc == 0)
		rc = ocd_reset(b->s, OCD_RESET_HALT, &ctx->err);
	return rc;
}

/* WRP vectors: a 0 bit protects its block (F1: `per` pages; F2/F4: one sector), and
 * `flash protect` counts blocks. Runs of blocks that change the same way go in one
 * command; on F1 (`settle`) each is followed by a reset halt (see f1_settle). */
static int protect_runs(struct cli_ctx *ctx, struct cli_board *b, uint32_t wcur, uint32_t wnext,
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
		rc = ocd_flash_protect(b->s, 0, i, j, want_on, &ctx->err);
		if (settle)
			rc = f1_settle(ctx, b, rc);
		i = j + 1;
	}
	return rc;
}

static int f1_write(struct cli_ctx *ctx, struct cli_board *b, const uint8_t *want)
{
	const struct swd_profile *p = b->p;
	const uint8_t *cur = b->ob_raw;
	uint32_t wcur = cur[8] | cur[10] << 8 | cur[12] << 16 | (uint32_t)cur[14] << 24;
	uint32_t wnext = want[8] | want[10] << 8 | want[12] << 16 | (uint32_t)want[14] << 24;
	unsigned per = p->flash.wrp_sectors_per_bit ? p->flash.wrp_sectors_per_bit : 1;
	unsigned nblocks = (unsigned)((p->flash.nsectors + per - 1) / per);
	uint8_t now[16];
	int rc = 0;

	if (nblocks > 32)
		nblocks = 32;
	if ((want[2] ^ cur[2]) & 0x7 || want[4] != cur[4] || want[6] != cur[6]) {
		struct ocd_f1_user u = { want[2] & 1, want[2] & 2, want[2] & 4,
					 (uint16_t)(want[4] | want[6] << 8) };

		rc = f1_settle(ctx, b, ocd_f1_options_write(b->s, 0, &u, &ctx->err));
	}
	if (rc == 0)
		rc = protect_runs(ctx, b, wcur, wnext, nblocks, true);
	if (rc == 0)
		rc = ocd_read_memory(b->s, p->option_bytes.address, 16, 8, now, &ctx->err);
	if (rc == 0) {
		/* compare what was asked for: RDP, the three USER bits, the data bytes, WRP */
		bool same = now[0] == want[0] && !((now[2] ^ want[2]) & 0x7) && now[4] == want[4] &&
			    now[6] == want[6] && ((now[8] | now[10] << 8 | now[12] << 16 | (uint32_t)now[14] << 24) ^ wnext) == 0;

		if (!same)
			rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "option bytes read back differ from the bundle's "
					   "(user 0x%02x, data 0x%02x%02x, wrp 0x%02x%02x%02x%02x)", now[2], now[6], now[4],
					   now[14], now[12], now[10], now[8]);
	}
	return rc;
}

int cli_optbytes_write(struct cli_ctx *ctx, struct cli_board *b, const uint8_t *want, size_t len)
{
	const struct swd_profile *p = b->p;
	uint32_t cur = le32(b->ob_raw), next = le32(want), now = 0;
	int rc = 0;

	b->op = DIAG_OP_OPTION_BYTES;
	if (p->option_bytes.format == SWD_OB_STM32F1)
		return f1_write(ctx, b, want);
	bool two = p->option_bytes.has_optcr1 && len >= 8;
	uint32_t cur1 = two ? le32(b->ob_raw + 4) : 0xffffffffu, next1 = two ? le32(want + 4) : 0xffffffffu, now1 = 0;
	/* The driver's user_options: OPTCR 7:2, and on parts with OPTCR1 also OPTCR 31:28 as
	 * bits 11:8 (stm32x_read_options in stm32f2x.c). */
	uint32_t ucur = (cur & OPTCR_USER) | (two ? (cur >> 20) & 0xf00 : 0);
	uint32_t unext = (next & OPTCR_USER) | (two ? (next >> 20) & 0xf00 : 0);
	/* nWRP as one vector: sectors 0-11 in OPTCR 27:16, 12-23 in OPTCR1 27:16. */
	uint32_t wcur = ((cur >> OPTCR_NWRP_SHIFT) & 0xfff) | (((cur1 >> OPTCR_NWRP_SHIFT) & 0xfff) << 12);
	uint32_t wnext = ((next >> OPTCR_NWRP_SHIFT) & 0xfff) | (((next1 >> OPTCR_NWRP_SHIFT) & 0xfff) << 12);
	unsigned nsec = p->flash.nsectors < (two ? 24u : 12u) ? (unsigned)p->flash.nsectors : (two ? 24u : 12u);

	if (ucur != unext)
		rc = ocd_f2_options_write(b->s, 0, unext, &ctx->err);
	if (rc == 0)
		rc = protect_runs(ctx, b, wcur, wnext, nsec, false);
	if (rc == 0)
		rc = ocd_read_memory(b->s, p->option_bytes.address, 32, 1, &now, &ctx->err);
	if (rc == 0 && two)
		rc = ocd_read_memory(b->s, p->option_bytes.optcr1, 32, 1, &now1, &ctx->err);
	if (rc == 0 && (((now ^ next) & ~OPTCR_CONTROL) || (two && ((now1 ^ next1) & 0x0fff0000u))))
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "option bytes read back as 0x%08" PRIx32 "/0x%08" PRIx32
				   " instead of 0x%08" PRIx32 "/0x%08" PRIx32, now & ~OPTCR_CONTROL, now1,
				   next & ~OPTCR_CONTROL, next1);
	return rc;
}
