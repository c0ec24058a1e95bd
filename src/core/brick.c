/* brick.c - option-byte states that brick a board (see brick.h).
 *
 * References:
 * - RM0008 rev 21 §4.2 (option bytes): USER bit 0 WDG_SW (0 = hardware watchdog), bit 1
 *   nRST_STOP, bit 2 nRST_STDBY (0 = reset on entering the mode); factory values: RDP
 *   0xA5, USER/Data0/Data1/WRP0-3 0xFF, each stored with its complement.
 * - RM0090 rev 19 §3.6.1 and §3.9.10 (FLASH_OPTCR), RM0033 rev 8 §2.8.1: OPTCR bit 5
 *   WDG_SW, bit 6 nRST_STOP, bit 7 nRST_STDBY, bits 3:2 BOR_LEV (00 level 3, 01 level 2,
 *   10 level 1, 11 off); factory OPTCR 0x0FFFAAED, OPTCR1 0x0FFF0000 on F42x.
 * - BOR thresholds, falling edge, typical (DS8626 table 22, DS6329): level 3 2.70 V,
 *   level 2 2.40 V, level 1 2.10 V.
 */
#include "core/brick.h"

#include <stdio.h>
#include <string.h>

#include "core/bytes.h"

#define F4_FACTORY_OPTCR 0x0FFFAAEDu
#define F4_FACTORY_OPTCR1 0x0FFF0000u

const char *swd_brick_name(enum swd_brick_kind kind)
{
	switch (kind) {
	case SWD_BRICK_RDP1: return "rdp1";
	case SWD_BRICK_RDP2: return "rdp2";
	case SWD_BRICK_WRP: return "write-protection";
	case SWD_BRICK_HW_WATCHDOG: return "hw-watchdog";
	case SWD_BRICK_RST_STOP: return "reset-on-stop";
	case SWD_BRICK_RST_STDBY: return "reset-on-standby";
	case SWD_BRICK_BOR: return "brown-out-level";
	case SWD_BRICK_OPT_ERROR: return "option-byte-error";
	}
	return "unknown";
}

static void add(struct swd_brick *out, size_t *n, enum swd_brick_kind kind, enum swd_brick_fix fix,
                const char *fmt, double a, double b)
{
	if (*n >= SWD_BRICKS_MAX)
		return;
	out[*n].kind = kind;
	out[*n].fix = fix;
	snprintf(out[*n].what, sizeof(out[*n].what), fmt, a, b);
	(*n)++;
}

size_t swd_bricks_find(const struct swd_profile *p, const struct swd_protection *pr,
                       double volts, struct swd_brick out[SWD_BRICKS_MAX])
{
	bool f1 = p->option_bytes.format == SWD_OB_STM32F1;
	unsigned wdg = f1 ? 0 : 5, stop = f1 ? 1 : 6, stdby = f1 ? 2 : 7;
	size_t n = 0;

	if (pr->rdp_level == 2)
		add(out, &n, SWD_BRICK_RDP2, SWD_FIX_NONE, "readout protection level 2: the debug port "
		    "is disabled for good and no tool can reach the flash", 0, 0);
	else if (pr->rdp_level == 1)
		add(out, &n, SWD_BRICK_RDP1, SWD_FIX_UNLOCK, "readout protection level 1: flash cannot "
		    "be read or written through the debug port; lifting it erases all of flash", 0, 0);
	if (f1 && pr->complement_error)
		add(out, &n, SWD_BRICK_OPT_ERROR, SWD_FIX_FACTORY, "an option byte and its complement "
		    "disagree (OPTERR): the chip loads its safest settings, readout protection included",
		    0, 0);
	if (pr->nwrp)
		add(out, &n, SWD_BRICK_WRP, SWD_FIX_FACTORY, f1 ? "write protection on %.0f of %.0f "
		    "pages: those cannot be erased or programmed" : "write protection on %.0f of %.0f "
		    "sectors: those cannot be erased or programmed", (double)pr->nwrp,
		    (double)p->flash.nsectors);
	if (!(pr->user & (1u << wdg)))
		add(out, &n, SWD_BRICK_HW_WATCHDOG, SWD_FIX_FACTORY, "hardware watchdog (WDG_SW = 0): "
		    "the watchdog runs from every reset and resets the chip under long flash work "
		    "unless the firmware feeds it", 0, 0);
	if (!(pr->user & (1u << stop)))
		add(out, &n, SWD_BRICK_RST_STOP, SWD_FIX_FACTORY, "nRST_STOP = 0: a firmware that "
		    "enters Stop mode resets the chip, in a loop", 0, 0);
	if (!(pr->user & (1u << stdby)))
		add(out, &n, SWD_BRICK_RST_STDBY, SWD_FIX_FACTORY, "nRST_STDBY = 0: a firmware that "
		    "enters Standby resets the chip, in a loop", 0, 0);
	if (!f1 && volts > 0) {
		static const double level[4] = { 2.70, 2.40, 2.10, 0 };
		double th = level[(pr->user >> 2) & 3];

		if (th > 0 && volts < th + 0.1)
			add(out, &n, SWD_BRICK_BOR, SWD_FIX_FACTORY, "the brown-out reset level (%.2f V) "
			    "is at or above the supply (%.2f V): the chip resets or stays in reset",
			    th, volts);
	}
	return n;
}

int swd_optbytes_factory(const struct swd_profile *p, const uint8_t *cur, size_t len,
                         uint8_t *out, struct swd_error *err)
{
	if (len != p->option_bytes.size)
		return swd_error_set(err, SWD_EINPUT, "option bytes are %zu bytes; %s has %u", len,
		                     p->name, p->option_bytes.size);
	if (p->option_bytes.format == SWD_OB_STM32F1) {
		for (size_t i = 0; i + 1 < len; i += 2) {
			out[i] = 0xFF;
			out[i + 1] = 0x00;
		}
		out[0] = cur[0];
		out[1] = cur[1];
		return 0;
	}
	swd_le32_put(out, (F4_FACTORY_OPTCR & ~0xFF00u) | (swd_le32(cur) & 0xFF00u));
	if (len >= 8)
		swd_le32_put(out + 4, p->option_bytes.has_optcr1 ? F4_FACTORY_OPTCR1 : swd_le32(cur + 4));
	return 0;
}
