/* models.c - the device table of the simulated boards.
 *
 * Every value is the silicon's, taken from ST's reference manuals (cited per entry) and
 * ARM's Cortex-M3/M4 TRMs for the CPUID/MVFR values; nothing here is read from
 * swdbackup's profiles/, so an end-to-end test compares two independent sources.
 */
#include <string.h>

#include "sim/mcu/mcu_int.h"

/* RM0008 rev 21: DBGMCU_IDCODE §31.6.1 (DEV_ID 0x410 medium density, REV_ID 0x2003 =
 * revision Y), flash size register 0x1FFFF7E0 §30.1, 96-bit unique ID 0x1FFFF7E8 §30.2,
 * 1 KiB pages §3.3.3, option bytes at 0x1FFFF800 §4, FPEC at 0x40022000 §3.4.
 * SW-DP IDCODE 0x1BA01477 §31.8.3; Cortex-M3 r1p1 CPUID 0x411FC231.
 * STM32F103x8/xB datasheet DS5319: 20 KiB SRAM; the x8 (64 KiB) and xB (128 KiB) are one
 * medium-density die (DEV_ID 0x410), and most x8 chips carry the full 128 KiB behind a
 * size register that says 64 (OpenOCD 0.12's board/stm32f103c8_blue_pill.cfg sets
 * FLASH_SIZE 0x20000 for them): a 128 KiB board file for the x8 model is such a chip. */
#define F103(nm, kib)                                                                   \
	{                                                                               \
		.name = nm, .manual = "RM0008", .family = MCU_FAMILY_F1,                \
		.dp_idcode = 0x1BA01477, .cpuid = 0x411FC231, .fpu = false,             \
		.dbgmcu_idcode = 0x20036410, .flash_size = (kib) * 1024u,               \
		.die_flash_size = 128 * 1024u,                                          \
		.flash_size_addr = 0x1FFFF7E0, .uid_addr = 0x1FFFF7E8,                  \
		.sram_size = 20 * 1024, .ccm_size = 0, .page_size = 1024,               \
		.wrp_pages_per_bit = 4, .sys_base = 0x1FFFF000, .sys_size = 0x800,      \
		.opt_addr = 0x1FFFF800, .opt2_addr = 0, .otp = false,                   \
		.bkpsram_size = 0, .bkp_regs = 10,                                      \
		.hsi_hz = 8000000, .dual_bank = false,                                  \
	}

/* RM0090 rev 19: DEV_ID 0x413 (the F405/F407 die), REV_ID 0x1007 (revision 2 in RM0090 rev 11
 * §38.6.1; OpenOCD calls it 1); Cortex-M4
 * r0p1 with FPv4-SP (CPUID 0x410FC241, MVFR0 0x10110021, MVFR1 0x11000011); 128 KiB SRAM
 * + 64 KiB CCM at 0x10000000. */
#define F40X(nm)                                                                        \
	{                                                                               \
		.name = nm, .manual = "RM0090", .family = MCU_FAMILY_F2F4,              \
		.dp_idcode = 0x2BA01477, .cpuid = 0x410FC241, .fpu = true,              \
		.dbgmcu_idcode = 0x10076413, .flash_size = 1024 * 1024,                 \
		.flash_size_addr = 0x1FFF7A22, .uid_addr = 0x1FFF7A10,                  \
		.sram_size = 128 * 1024, .ccm_size = 64 * 1024, .page_size = 0,         \
		.wrp_pages_per_bit = 0, .sys_base = 0x1FFF0000, .sys_size = 0x7A30,     \
		.opt_addr = 0x1FFFC000, .opt2_addr = 0, .otp = true,                    \
		.bkpsram_size = 4096, .bkp_regs = 20,                                   \
		.hsi_hz = 16000000, .dual_bank = false,                                 \
	}

/* F2/F4 common: SW-DP IDCODE 0x2BA01477 (RM0033 §32.8.3, RM0090 §38.8.3), DBGMCU at
 * 0xE0042000, flash size register 0x1FFF7A22 and unique ID 0x1FFF7A10 (RM0033 §29,
 * RM0090 §39), OTP 0x1FFF7800 + lock bytes 0x1FFF7A00 (RM0033 §2.3.6, RM0090 §3.8),
 * option bytes at 0x1FFFC000 (RM0090 §3.6), flash interface 0x40023C00; 4 KiB backup SRAM
 * and 20 RTC backup registers (RM0033 §4.1.2, RM0090 §5.1.2; see backup.c). F103 medium
 * density: 10 BKP data registers (RM0008 §6.4.1). */
static const struct mcu_model models[] = {
	F103("stm32f103c8", 64),
	F103("stm32f103cb", 128),
	/* RM0033 rev 8: DEV_ID 0x411, REV_ID 0x2000 = revision B; Cortex-M3 r2p0 CPUID
	 * 0x412FC230; 128 KiB SRAM (112 + 16), no CCM; 12 sectors 4x16/64/7x128 KiB. */
	{
		.name = "stm32f205rg", .manual = "RM0033", .family = MCU_FAMILY_F2F4,
		.dp_idcode = 0x2BA01477, .cpuid = 0x412FC230, .fpu = false,
		.dbgmcu_idcode = 0x20006411, .flash_size = 1024 * 1024,
		.flash_size_addr = 0x1FFF7A22, .uid_addr = 0x1FFF7A10,
		.sram_size = 128 * 1024, .ccm_size = 0, .page_size = 0,
		.wrp_pages_per_bit = 0, .sys_base = 0x1FFF0000, .sys_size = 0x7A30,
		.opt_addr = 0x1FFFC000, .opt2_addr = 0, .otp = true,
		.bkpsram_size = 4096, .bkp_regs = 20,
		.hsi_hz = 16000000, .dual_bank = false,
	},
	F40X("stm32f405rg"),
	F40X("stm32f407vg"),
	/* RM0090 rev 19: DEV_ID 0x419, REV_ID 0x2001 = revision 3; 2 MiB in two banks of
	 * 12 sectors (sectors 12-23 at 0x08100000, SNB bit 4 selects bank 2), OPTCR1 with
	 * nWRP for sectors 12-23, bank-2 option bytes at 0x1FFEC000; 192 KiB SRAM
	 * (112 + 16 + 64) + 64 KiB CCM. */
	{
		.name = "stm32f429zi", .manual = "RM0090", .family = MCU_FAMILY_F2F4,
		.dp_idcode = 0x2BA01477, .cpuid = 0x410FC241, .fpu = true,
		.dbgmcu_idcode = 0x20016419, .flash_size = 2048 * 1024,
		.flash_size_addr = 0x1FFF7A22, .uid_addr = 0x1FFF7A10,
		.sram_size = 192 * 1024, .ccm_size = 64 * 1024, .page_size = 0,
		.wrp_pages_per_bit = 0, .sys_base = 0x1FFF0000, .sys_size = 0x7A30,
		.opt_addr = 0x1FFFC000, .opt2_addr = 0x1FFEC000, .otp = true,
		.bkpsram_size = 4096, .bkp_regs = 20,
		.hsi_hz = 16000000, .dual_bank = true,
	},
	/* RM0090 rev 19: the same F42x die with 1 MiB: one bank of 12 sectors, or with the
	 * DB1M option bit (OPTCR bit 30, §3.9.10) two banks of 512 KiB, sectors 0-7 and
	 * 12-19 at 0x08080000 (§3.5 table 7); OPTCR1 and the bank-2 option bytes as on the
	 * 2 MiB part. */
	{
		.name = "stm32f429zg", .manual = "RM0090", .family = MCU_FAMILY_F2F4,
		.dp_idcode = 0x2BA01477, .cpuid = 0x410FC241, .fpu = true,
		.dbgmcu_idcode = 0x20016419, .flash_size = 1024 * 1024,
		.flash_size_addr = 0x1FFF7A22, .uid_addr = 0x1FFF7A10,
		.sram_size = 192 * 1024, .ccm_size = 64 * 1024, .page_size = 0,
		.wrp_pages_per_bit = 0, .sys_base = 0x1FFF0000, .sys_size = 0x7A30,
		.opt_addr = 0x1FFFC000, .opt2_addr = 0x1FFEC000, .otp = true,
		.bkpsram_size = 4096, .bkp_regs = 20,
		.hsi_hz = 16000000, .dual_bank = false, .db1m = true,
	},
};

static const char *const names[] = {
	"stm32f103c8", "stm32f103cb", "stm32f205rg", "stm32f405rg", "stm32f407vg",
	"stm32f429zi", "stm32f429zg", NULL,
};

const char *const *mcu_model_names(void)
{
	return names;
}

const struct mcu_model *mcu_model_find(const char *name)
{
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (name && strcmp(models[i].name, name) == 0)
			return &models[i];
	return NULL;
}

/* F2/F4 sectors (RM0033 §2.3.1 table 3, RM0090 §3.3 tables 5-7), numbered as FLASH_CR.SNB
 * counts them: bank 1 holds sectors 0-11, bank 2 sectors 12-23. A bank is 4 x 16 KiB,
 * 1 x 64 KiB, then 128 KiB sectors to its end: seven in a 1 MiB bank, three in the 512 KiB
 * banks of a 1 MiB F42x with DB1M set (RM0090 table 7). */
bool mcu_two_banks(const mcu_t *m)
{
	return m->md->dual_bank || (m->md->db1m && (m->opt.optcr & MCU_F4_OPTCR_DB1M));
}

bool mcu_sector_range(const mcu_t *m, unsigned sector, uint32_t *off, uint32_t *size)
{
	bool two = mcu_two_banks(m);
	uint32_t bank = two ? m->flash_bytes / 2 : m->flash_bytes;
	uint32_t base = 0;
	unsigned n = sector;

	if (n >= 12) {
		if (!two)
			return false;
		base = bank;
		n -= 12;
	}
	if (n < 4) {
		*off = n * 0x4000;
		*size = 0x4000;
	} else if (n == 4) {
		*off = 0x10000;
		*size = 0x10000;
	} else {
		*off = 0x20000 * (n - 4);
		*size = 0x20000;
	}
	if (*off >= bank)
		return false;
	*off += base;
	return true;
}

int mcu_sector_of(const mcu_t *m, uint32_t off)
{
	for (unsigned s = 0; s < MCU_F4_SECTOR_IDS; s++) {
		uint32_t o, sz;
		if (mcu_sector_range(m, s, &o, &sz) && off >= o && off < o + sz)
			return (int)s;
	}
	return -1;
}
