/* optbytes.c - readout and write protection from raw option bytes.
 *
 * F1 (RM0008, "option byte description"): eight halfwords at 0x1FFFF800, each a byte and
 * its complement: RDP, USER, Data0, Data1, WRP0..WRP3. RDP 0xA5 is level 0, anything else
 * level 1. WRP bits are active low, one per group of pages (4 pages on medium density),
 * the last bit covering every remaining page on larger parts.
 *
 * F2/F4 (RM0033/RM0090, FLASH_OPTCR/OPTCR1): RDP in OPTCR[15:8] (0xAA level 0, 0xCC level
 * 2, else 1); nWRP in OPTCR[27:16] for sectors 0-11 and OPTCR1[27:16] for sectors 12-23,
 * active low; on F42x/43x SPRMOD (OPTCR bit 31) = 1 turns those bits into active-high PCROP. */
#include "core/optbytes.h"

#include <stdlib.h>
#include <string.h>

void swd_protection_release(struct swd_protection *pr)
{
	if (pr == NULL)
		return;
	free(pr->wrp);
	pr->wrp = NULL;
	pr->nwrp = 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int swd_optbytes_decode(const struct swd_profile *p, const uint8_t *raw, size_t len,
                        struct swd_protection *out, struct swd_error *err)
{
	size_t n = p->flash.nsectors;

	memset(out, 0, sizeof(*out));
	if (len != p->option_bytes.size)
		return swd_error_set(err, SWD_EINPUT,
		                     "option bytes are %zu bytes; %s has %u", len, p->name,
		                     p->option_bytes.size);
	out->wrp = calloc(n ? n : 1, sizeof(*out->wrp));
	if (out->wrp == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");

	if (p->option_bytes.format == SWD_OB_STM32F1) {
		uint32_t wrp = 0;
		unsigned block = p->flash.wrp_sectors_per_bit ? p->flash.wrp_sectors_per_bit : 1;

		for (size_t i = 0; i < 8; i++)
			if ((uint8_t)(raw[2 * i] ^ raw[2 * i + 1]) != 0xFF)
				out->complement_error = true;
		out->rdp_raw = raw[0];
		out->rdp_level = raw[0] == 0xA5 ? 0 : 1;
		out->user = raw[2];
		for (size_t i = 0; i < 4; i++)
			wrp |= (uint32_t)raw[8 + 2 * i] << (8 * i);
		for (size_t k = 0; k < n; k++) {
			size_t bit = k / block;

			if (bit > 31)
				bit = 31;
			if (((wrp >> bit) & 1) == 0)
				out->wrp[out->nwrp++] = (unsigned)k;
		}
		return 0;
	}

	{
		uint32_t optcr = le32(raw), optcr1 = len >= 8 ? le32(raw + 4) : 0xFFFFFFFF;
		uint8_t rdp = (uint8_t)(optcr >> 8);

		out->rdp_raw = rdp;
		out->rdp_level = rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
		out->user = (uint8_t)optcr;
		out->pcrop = p->option_bytes.has_optcr1 && (optcr >> 31) != 0;
		for (size_t k = 0; k < n && k < 24; k++) {
			unsigned wb = p->flash.sectors[k].wrp_bit;
			uint32_t reg = wb < 12 ? optcr : optcr1;
			bool bit = (reg >> (16 + wb % 12)) & 1;

			if (out->pcrop ? bit : !bit)
				out->wrp[out->nwrp++] = (unsigned)k;
		}
	}
	return 0;
}
