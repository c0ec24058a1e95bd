/* optwrite.c - restore --option-bytes on F2/F4 parts without OPTCR1 (see optwrite.h). */
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
	else if (p->option_bytes.format != SWD_OB_STM32F2X || p->option_bytes.has_optcr1)
		rc = swd_error_set(&ctx->err, SWD_EINPUT, "the bundle's option bytes differ from the device's and "
				   "writing option bytes of %s is not supported yet; nothing was written: restore without "
				   "--option-bytes", p->name);
	swd_protection_release(&wp);
	return rc;
}

static int command(struct cli_ctx *ctx, struct cli_board *b, const char *script)
{
	char *text = NULL;
	int code = 0, rc;

	rc = ocd_command(b->s, script, &code, &text, &ctx->err);
	if (rc == 0 && (code != 0 || (text && (strstr(text, "failed") || strstr(text, "invalid"))))) {
		size_t n = text ? strlen(text) : 0;

		while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
			text[--n] = '\0';
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "openocd command '%s' failed (%d): %s", script, code,
				   text && *text ? text : "no message");
	}
	free(text);
	return rc;
}

int cli_optbytes_write(struct cli_ctx *ctx, struct cli_board *b, const uint8_t *want, size_t len)
{
	const struct swd_profile *p = b->p;
	uint32_t cur = le32(b->ob_raw), next = le32(want), now = 0;
	char script[96];
	int rc = 0;

	(void)len;
	b->op = DIAG_OP_OPTION_BYTES;
	if ((cur ^ next) & OPTCR_USER) {
		snprintf(script, sizeof(script), "stm32f2x options_write 0 0x%02" PRIx32, next & OPTCR_USER);
		rc = command(ctx, b, script);
	}
	/* nWRP: a 0 bit protects its sector. Runs of sectors that change the same way go in
	 * one `flash protect`. */
	for (unsigned i = 0; rc == 0 && i < p->flash.nsectors && i < 12;) {
		bool want_on = !((next >> (OPTCR_NWRP_SHIFT + i)) & 1);
		bool is_on = !((cur >> (OPTCR_NWRP_SHIFT + i)) & 1);
		unsigned j = i;

		if (want_on == is_on) {
			i++;
			continue;
		}
		while (j + 1 < p->flash.nsectors && j + 1 < 12 &&
		       !((next >> (OPTCR_NWRP_SHIFT + j + 1)) & 1) == want_on &&
		       !((cur >> (OPTCR_NWRP_SHIFT + j + 1)) & 1) == is_on)
			j++;
		snprintf(script, sizeof(script), "flash protect 0 %u %u %s", i, j, want_on ? "on" : "off");
		rc = command(ctx, b, script);
		i = j + 1;
	}
	if (rc == 0)
		rc = ocd_read_memory(b->s, p->option_bytes.address, 32, 1, &now, &ctx->err);
	if (rc == 0 && ((now ^ next) & ~OPTCR_CONTROL))
		rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "option bytes read back as 0x%08" PRIx32 " instead of 0x%08" PRIx32,
				   now & ~OPTCR_CONTROL, next & ~OPTCR_CONTROL);
	return rc;
}
