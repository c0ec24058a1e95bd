/* optbytes.c - option bytes both ways: protection from raw bytes, and raw bytes as the
 * flash drivers' commands take them.
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

#include "core/bytes.h"

/* What `stm32f2x options_write BANK USER` accepts on parts without extra options: BOR_LEV
 * and the USER bits, OPTCR 7:2 (stm32f2x.c, options_mask ~0xfc). */
#define OPTCR_USER 0xfcu
#define OPTCR_NWRP_SHIFT 16
#define OPTCR_NWRP_MASK 0x0fff0000u
/* F42x/43x: SPRMOD selects PCROP instead of WRP for the nWRP bits (RM0090 3.7.7). */
#define OPTCR_SPRMOD 0x80000000u
/* F1: the USER bits a write sets, WDG_SW, nRST_STOP, nRST_STDBY (RM0008 2.5). */
#define F1_USER_BITS 0x7u

void swd_protection_release(struct swd_protection *pr)
{
	if (pr == NULL)
		return;
	free(pr->wrp);
	pr->wrp = NULL;
	pr->nwrp = 0;
}

/* F1 WRP0..3 as one active-low vector. */
static uint32_t f1_wrp(const uint8_t *raw)
{
	return (uint32_t)raw[8] | (uint32_t)raw[10] << 8 | (uint32_t)raw[12] << 16 |
	       (uint32_t)raw[14] << 24;
}

void swd_optbytes_f1_decode(const struct swd_profile *p, const uint8_t *raw,
                            struct swd_protection *out)
{
	uint32_t wrp = f1_wrp(raw);
	unsigned block = p->flash.wrp_sectors_per_bit ? p->flash.wrp_sectors_per_bit : 1;

	for (size_t i = 0; i < 8; i++)
		if ((uint8_t)(raw[2 * i] ^ raw[2 * i + 1]) != 0xFF)
			out->complement_error = true;
	out->rdp_raw = raw[0];
	out->rdp_level = raw[0] == 0xA5 ? 0 : 1;
	out->user = raw[2];
	for (size_t k = 0; k < p->flash.nsectors; k++) {
		size_t bit = k / block;

		if (bit > 31)
			bit = 31;
		if (((wrp >> bit) & 1) == 0)
			out->wrp[out->nwrp++] = (unsigned)k;
	}
}

/* OPTCR1 when the part has it (and raw holds it), else all ones. */
static uint32_t optcr1(const struct swd_profile *p, const uint8_t *raw)
{
	return p->option_bytes.size >= 8 ? swd_le32(raw + 4) : 0xFFFFFFFFu;
}

void swd_optbytes_f2x_decode(const struct swd_profile *p, const uint8_t *raw,
                             struct swd_protection *out)
{
	uint32_t cr = swd_le32(raw), cr1 = optcr1(p, raw);
	uint8_t rdp = (uint8_t)(cr >> 8);

	out->rdp_raw = rdp;
	out->rdp_level = rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
	out->user = (uint8_t)cr;
	out->pcrop = p->option_bytes.has_optcr1 && (cr >> 31) != 0;
	for (size_t k = 0; k < p->flash.nsectors && k < 24; k++) {
		unsigned wb = p->flash.sectors[k].wrp_bit;
		uint32_t reg = wb < 12 ? cr : cr1;
		bool bit = (reg >> (16 + wb % 12)) & 1;

		if (out->pcrop ? bit : !bit)
			out->wrp[out->nwrp++] = (unsigned)k;
	}
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
	p->family->ob_decode(p, raw, out);
	return 0;
}

void swd_optbytes_f1_encode(const struct swd_profile *p, const uint8_t *raw,
                            struct swd_optbytes_fields *out)
{
	unsigned per = p->flash.wrp_sectors_per_bit ? p->flash.wrp_sectors_per_bit : 1;

	memset(out, 0, sizeof(*out));
	out->user = raw[2] & F1_USER_BITS;
	out->data = (uint16_t)(raw[4] | raw[6] << 8);
	out->nwrp = f1_wrp(raw);
	out->nblocks = (unsigned)((p->flash.nsectors + per - 1) / per);
	if (out->nblocks > 32)
		out->nblocks = 32;
}

void swd_optbytes_f2x_encode(const struct swd_profile *p, const uint8_t *raw,
                             struct swd_optbytes_fields *out)
{
	bool two = p->option_bytes.has_optcr1 && p->option_bytes.size >= 8;
	uint32_t cr = swd_le32(raw), cr1 = two ? swd_le32(raw + 4) : 0xFFFFFFFFu;
	unsigned max = two ? 24u : 12u;

	memset(out, 0, sizeof(*out));
	out->user = (cr & OPTCR_USER) | (two ? (cr >> 20) & 0xf00 : 0);
	/* nWRP as one vector: sectors 0-11 in OPTCR 27:16, 12-23 in OPTCR1 27:16 */
	out->nwrp = ((cr >> OPTCR_NWRP_SHIFT) & 0xfff) | (((cr1 >> OPTCR_NWRP_SHIFT) & 0xfff) << 12);
	out->nblocks = p->flash.nsectors < max ? (unsigned)p->flash.nsectors : max;
	out->sprmod = (cr & OPTCR_SPRMOD) != 0;
}

void swd_optbytes_encode(const struct swd_profile *p, const uint8_t *raw,
                         struct swd_optbytes_fields *out)
{
	p->family->ob_encode(p, raw, out);
}

bool swd_optbytes_f1_same(const struct swd_profile *p, const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, p->option_bytes.size) == 0;
}

bool swd_optbytes_f2x_same(const struct swd_profile *p, const uint8_t *a, const uint8_t *b)
{
	size_t len = p->option_bytes.size;

	return ((swd_le32(a) ^ swd_le32(b)) & ~SWD_OPTCR_CONTROL) == 0 &&
	       (len < 8 || memcmp(a + 4, b + 4, len - 4) == 0);
}

bool swd_optbytes_same(const struct swd_profile *p, const uint8_t *a, const uint8_t *b)
{
	return p->family->ob_same(p, a, b);
}

bool swd_optbytes_f1_applied(const struct swd_profile *p, const uint8_t *want,
                             const uint8_t *now)
{
	(void)p;
	return now[0] == want[0] && !((now[2] ^ want[2]) & F1_USER_BITS) && now[4] == want[4] &&
	       now[6] == want[6] && f1_wrp(now) == f1_wrp(want);
}

bool swd_optbytes_f2x_applied(const struct swd_profile *p, const uint8_t *want,
                              const uint8_t *now)
{
	bool two = p->option_bytes.has_optcr1 && p->option_bytes.size >= 8;

	return ((swd_le32(now) ^ swd_le32(want)) & ~SWD_OPTCR_CONTROL) == 0 &&
	       (!two || ((swd_le32(now + 4) ^ swd_le32(want + 4)) & OPTCR_NWRP_MASK) == 0);
}

bool swd_optbytes_applied(const struct swd_profile *p, const uint8_t *want, const uint8_t *now)
{
	return p->family->ob_applied(p, want, now);
}
