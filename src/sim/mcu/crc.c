/* crc.c - the CRC calculation unit of the simulated parts.
 *
 * RM0008 §4 "CRC calculation unit" (F1), RM0033 §3 (F2), RM0090 §4 (F4): the same
 * block at 0x40023000 on all three (RM0008 Table 3, RM0090 Table 1 memory maps).
 *   0x00 CRC_DR   write: feeds a 32-bit word, MSB first, through CRC-32 with polynomial
 *                 0x04C11DB7 and no bit reversal; read: the running CRC. Reset value
 *                 0xFFFFFFFF.
 *   0x04 CRC_IDR  8-bit scratch byte, untouched by CR.RESET. Reset value 0x00.
 *   0x08 CRC_CR   bit 0 RESET (write 1: DR back to 0xFFFFFFFF; reads 0).
 * The unit only answers with its AHB clock on: RCC_AHBENR bit 6 CRCEN on F1 (RM0008
 * §7.3.6, offset 0x14), RCC_AHB1ENR bit 12 CRCEN on F2/F4 (RM0090 §6.3.10, offset 0x30;
 * RM0033 §5.3.10). With the clock gated, writes are lost and reads give 0.
 *
 * Timing: "CRC computation done in 4 AHB clock cycles (HCLK)"; a core access to DR
 * before the last computation finished stalls the bus until it has (see stall()).
 *
 * Must not: know about the debugger's transport; the bus (mcu.c) routes accesses here.
 */
#include "sim/mcu/mcu_int.h"

#define CRC_DR 0x00u
#define CRC_IDR 0x04u
#define CRC_CR 0x08u
#define CRC_CR_RESET (1u << 0)
#define CRC_POLY 0x04C11DB7u
#define CRC_CYCLES 4u

static uint32_t periph_le32(const mcu_t *m, uint32_t addr)
{
	const uint8_t *p = m->periph + (addr - MCU_PERIPH_BASE);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bool clock_on(const mcu_t *m)
{
	if (m->md->family == MCU_FAMILY_F1)
		return periph_le32(m, 0x40021000u + 0x14) & (1u << 6);
	return periph_le32(m, 0x40023800u + 0x30) & (1u << 12);
}

void mcu_crc_reset(mcu_t *m)
{
	m->crc.dr = 0xFFFFFFFFu;
	m->crc.idr = 0;
	m->crc.ready_ns = 0;
}

static uint32_t crc_step(uint32_t crc, uint32_t word)
{
	crc ^= word;
	for (int i = 0; i < 32; i++)
		crc = (crc & 0x80000000u) ? (crc << 1) ^ CRC_POLY : crc << 1;
	return crc;
}

static uint64_t cycles_ns(const mcu_t *m, uint64_t cycles)
{
	return (cycles * 1000000000ull + m->core_hz - 1) / m->core_hz;
}

/* Holds the core until the unit is free. The core's blocks are charged whole on entry,
 * so an access is taken to arrive at the start of its block and the core only waits
 * for what the unit needs beyond the block's own cycles: a loop then runs at the
 * slower of its instructions and the unit's four cycles per word, as on silicon.
 * Returns when the access reaches the unit (realistic timing and core accesses only;
 * 0 otherwise). */
static uint64_t stall(mcu_t *m, enum mcu_initiator by)
{
	if (by != MCU_BY_CORE || !m->budget || m->cfg.timing != MCU_TIMING_REALISTIC)
		return 0;
	uint64_t now = mcu_target_now(m);
	uint64_t arrive = now - cycles_ns(m, m->cycles - m->block_start);
	if (arrive < m->crc.ready_ns)
		arrive = m->crc.ready_ns;
	if (arrive > now)
		m->cycles += (arrive - now) * m->core_hz / 1000000000ull + 1;
	return arrive;
}

static bool is_regs(uint32_t addr)
{
	return addr >= MCU_CRC_BASE && addr < MCU_CRC_BASE + 0x400;
}

bool mcu_crc_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val,
                  enum mcu_initiator by)
{
	uint32_t v;

	if (!is_regs(addr))
		return false;
	if (!clock_on(m))
		v = 0;
	else if ((addr & 0x3FCu) == CRC_DR) {
		stall(m, by);
		v = m->crc.dr;
	} else if ((addr & 0x3FCu) == CRC_IDR) {
		v = m->crc.idr;
	} else {
		v = 0; /* CR.RESET reads 0; the rest of the block is reserved */
	}
	*val = width == 4 ? v : (v >> ((addr & 3) * 8)) & (width == 2 ? 0xFFFFu : 0xFFu);
	return true;
}

bool mcu_crc_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val,
                   enum mcu_initiator by)
{
	uint64_t arrive;

	if (!is_regs(addr))
		return false;
	if (!clock_on(m))
		return true;
	switch (addr & 0x3FFu) {
	case CRC_DR:
		/* the F1/F2/F4 unit takes whole words only; a narrower store still
		 * reaches it as one word with the other lanes zero */
		arrive = stall(m, by);
		if (width < 4)
			val &= (1u << (8 * width)) - 1;
		m->crc.dr = crc_step(m->crc.dr, val);
		if (arrive)
			m->crc.ready_ns = arrive + cycles_ns(m, CRC_CYCLES);
		break;
	case CRC_IDR:
		m->crc.idr = (uint8_t)val;
		break;
	case CRC_CR:
		if (val & CRC_CR_RESET)
			m->crc.dr = 0xFFFFFFFFu;
		break;
	default:
		break;
	}
	return true;
}
