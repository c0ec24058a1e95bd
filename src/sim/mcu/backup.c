/* backup.c - the battery-backed domain: backup SRAM, backup data registers, and the gates
 * in front of them.
 *
 * References:
 * - RM0090 rev 19 §5.1.2 "Battery backup domain" and RM0033 rev 8 §4.1.2: after reset the
 *   backup domain (RTC registers, RTC backup registers, backup SRAM) is write-protected;
 *   access needs PWREN (RCC_APB1ENR bit 28, §6.3.13 / §5.3.13), DBP (PWR_CR bit 8,
 *   §5.4.1 / §4.4.1), and for the backup SRAM its clock BKPSRAMEN (RCC_AHB1ENR bit 18,
 *   §6.3.10 / §5.3.10). Backup SRAM: 4 KiB at 0x40024000 (memory map, §2.3). RTC_BKP0R to
 *   RTC_BKP19R at 0x40002850-0x4000289C (§26.6.20 / §22.6.20); RTC_WPR does not guard them.
 * - RM0008 rev 21 §5.1.2 "Battery backup domain" and §6 "Backup registers (BKP)": access
 *   needs PWREN and BKPEN (RCC_APB1ENR bits 28 and 27, §7.3.8) and DBP (PWR_CR bit 8,
 *   §5.4.1) for writes. BKP_DR1 to BKP_DR10 (medium density) at 0x40006C04-0x40006C28,
 *   16 data bits in a 32-bit slot (§6.4.1).
 * - A peripheral whose clock is off reads 0 and ignores writes; that is what the gates do.
 *
 * The domain survives system resets and power cycles (VBAT): it lives in FILE.bkp beside
 * the board file, backup SRAM first, then each register as a little-endian word, and is
 * never touched by a flash erase.
 */
#include <errno.h>
#include <string.h>

#include "sim/mcu/mcu_int.h"

#define PWR_CR 0x40007000u
#define PWR_CR_DBP (1u << 8)
#define BKPSRAM_BASE 0x40024000u
#define F4_BKP0R 0x40002850u
#define F1_BKP_DR1 0x40006C04u

static bool is_f1(const mcu_t *m)
{
	return m->md->family == MCU_FAMILY_F1;
}

static size_t bkp_len(const mcu_t *m)
{
	return m->md->bkpsram_size + 4u * m->md->bkp_regs;
}

static uint32_t word_at(const mcu_t *m, uint32_t addr)
{
	const uint8_t *p = m->periph + (addr - MCU_PERIPH_BASE);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t rcc(const mcu_t *m, uint32_t f1_off, uint32_t f4_off)
{
	return word_at(m, is_f1(m) ? 0x40021000u + f1_off : 0x40023800u + f4_off);
}

static bool pwr_clock(const mcu_t *m)
{
	return rcc(m, 0x1C, 0x40) & (1u << 28);
}

static bool dbp(const mcu_t *m)
{
	return word_at(m, PWR_CR) & PWR_CR_DBP;
}

/* Where addr falls in m->bkp, and whether reads and writes may pass now. */
static bool locate(const mcu_t *m, uint32_t addr, unsigned width, size_t *off, bool *readable,
                   bool *writable)
{
	const struct mcu_model *md = m->md;

	if (md->bkpsram_size && addr >= BKPSRAM_BASE && addr - BKPSRAM_BASE < md->bkpsram_size &&
	    width <= md->bkpsram_size - (addr - BKPSRAM_BASE)) {
		*off = addr - BKPSRAM_BASE;
		*readable = rcc(m, 0, 0x30) & (1u << 18);
		*writable = *readable && dbp(m);
		return true;
	}
	if (!md->bkp_regs)
		return false;
	if (is_f1(m)) {
		if (addr < F1_BKP_DR1 || addr - F1_BKP_DR1 >= 4u * md->bkp_regs)
			return false;
		*off = md->bkpsram_size + (addr - F1_BKP_DR1);
		*readable = rcc(m, 0x1C, 0) & (1u << 27);
	} else {
		if (addr < F4_BKP0R || addr - F4_BKP0R >= 4u * md->bkp_regs)
			return false;
		*off = md->bkpsram_size + (addr - F4_BKP0R);
		*readable = true;
	}
	*writable = *readable && dbp(m);
	return true;
}

bool mcu_backup_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val)
{
	size_t off;
	bool rd, wr;

	if (!m->bkp || !locate(m, addr, width, &off, &rd, &wr))
		return false;
	*val = 0;
	if (rd)
		for (unsigned i = 0; i < width; i++)
			*val |= (uint32_t)m->bkp[off + i] << (8 * i);
	return true;
}

bool mcu_backup_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val)
{
	size_t off;
	bool rd, wr;

	if ((addr & ~3u) == PWR_CR) {
		/* PWR's registers take writes only with its clock on. */
		if (pwr_clock(m)) {
			uint8_t *p = m->periph + (addr - MCU_PERIPH_BASE);
			for (unsigned i = 0; i < width; i++)
				p[i] = (uint8_t)(val >> (8 * i));
		}
		return true;
	}
	if (!m->bkp || !locate(m, addr, width, &off, &rd, &wr))
		return false;
	if (!wr)
		return true;
	for (unsigned i = 0; i < width; i++) {
		size_t o = off + i;
		/* F1 data registers hold 16 bits; the upper half of the slot reads 0. */
		uint8_t b = is_f1(m) && o >= m->md->bkpsram_size &&
		            ((o - m->md->bkpsram_size) & 3) >= 2 ? 0 : (uint8_t)(val >> (8 * i));
		if (m->bkp[o] != b) {
			m->bkp[o] = b;
			m->bkp_dirty = true;
		}
	}
	return true;
}

int mcu_backup_save(mcu_t *m)
{
	int rc;

	if (!m->bkp || !m->bkp_dirty)
		return 0;
	rc = mcu_file_write_atomic(m->bkp_path, m->bkp, bkp_len(m));
	if (rc == 0)
		m->bkp_dirty = false;
	return rc;
}

int mcu_backup_init(mcu_t *m)
{
	size_t n = bkp_len(m);
	int rc;

	if (n == 0)
		return 0;
	m->bkp = calloc(1, n);
	if (!m->bkp)
		return -ENOMEM;
	rc = mcu_file_read_exact(m->bkp_path, m->bkp, n);
	return rc > 0 ? 0 : rc; /* no file yet: a fresh battery, all zero */
}

void mcu_backup_free(mcu_t *m)
{
	free(m->bkp);
	m->bkp = NULL;
}
