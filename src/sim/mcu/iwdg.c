/* iwdg.c - the independent watchdog, as far as it bricks a board.
 *
 * References: RM0090 rev 19 §19 and RM0008 rev 21 §19 "Independent watchdog (IWDG)":
 * IWDG_KR/PR/RLR/SR at 0x40003000; 0xCCCC starts it, 0xAAAA reloads the counter from RLR,
 * 0x5555 opens PR and RLR; after reset PR = 0 (/4) and RLR = 0xFFF, so it fires 4096 x 4
 * LSI periods after a reload (LSI 32 kHz on F2/F4, 40 kHz on F1: 512 ms and 410 ms). With
 * the hardware watchdog option (WDG_SW = 0: F1 user option bit 0, §4.2; F2/F4 OPTCR bit 5,
 * RM0090 §3.9.10) it runs from every reset and cannot be stopped. DBG_IWDG_STOP (F1
 * DBGMCU_CR bit 8, F2/F4 DBGMCU_APB1_FZ bit 12, RM0008 §31.16.3 / RM0090 §38.16.4) freezes
 * its counter while the core is halted; OpenOCD's target configs set it at examine.
 *
 * It counts on the target's clock, so it fires only with --timing realistic: with timing
 * none no time passes for the target between two debugger commands.
 */
#include "sim/mcu/mcu_int.h"

#define IWDG_BASE 0x40003000u
#define KR_START 0xCCCCu
#define KR_RELOAD 0xAAAAu
#define KR_ACCESS 0x5555u

static bool is_f1(const mcu_t *m)
{
	return m->md->family == MCU_FAMILY_F1;
}

static uint64_t period_ns(const mcu_t *m)
{
	uint64_t lsi = is_f1(m) ? 40000 : 32000;
	uint64_t ticks = (uint64_t)(4u << (m->iwdg.pr > 6 ? 6 : m->iwdg.pr)) * (m->iwdg.rlr + 1);
	return ticks * 1000000000ull / lsi;
}

static bool hardware_option(const mcu_t *m)
{
	return is_f1(m) ? !(m->obr & (1u << 2)) : !(m->opt.optcr & (1u << 5));
}

static bool frozen(const mcu_t *m)
{
	bool stop = is_f1(m) ? m->dbgmcu_cr & (1u << 8) : m->dbgmcu_apb1_fz & (1u << 12);
	return m->halted && stop;
}

void mcu_iwdg_reset(mcu_t *m)
{
	m->iwdg.running = hardware_option(m);
	m->iwdg.access = false;
	m->iwdg.pr = 0;
	m->iwdg.rlr = 0xFFF;
	m->iwdg.left_ns = period_ns(m);
	m->iwdg.last_ns = mcu_target_now(m);
}

bool mcu_iwdg_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val)
{
	uint32_t v;

	if (addr < IWDG_BASE || addr >= IWDG_BASE + 0x10)
		return false;
	switch (addr & ~3u) {
	case IWDG_BASE + 0x04: v = m->iwdg.pr; break;
	case IWDG_BASE + 0x08: v = m->iwdg.rlr; break;
	default: v = 0; break; /* KR is write-only; SR: no update pending */
	}
	*val = width == 4 ? v : (v >> ((addr & 3) * 8)) & (width == 2 ? 0xFFFFu : 0xFFu);
	return true;
}

bool mcu_iwdg_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val)
{
	(void)width;
	if (addr < IWDG_BASE || addr >= IWDG_BASE + 0x10)
		return false;
	switch (addr & ~3u) {
	case IWDG_BASE:
		val &= 0xFFFF;
		if (val == KR_START) {
			m->iwdg.running = true;
			m->iwdg.left_ns = period_ns(m);
		} else if (val == KR_RELOAD) {
			m->iwdg.left_ns = period_ns(m);
		}
		m->iwdg.access = val == KR_ACCESS;
		break;
	case IWDG_BASE + 0x04:
		if (m->iwdg.access)
			m->iwdg.pr = val & 7;
		break;
	case IWDG_BASE + 0x08:
		if (m->iwdg.access)
			m->iwdg.rlr = val & 0xFFF;
		break;
	default:
		break;
	}
	return true;
}

bool mcu_iwdg_tick(mcu_t *m)
{
	uint64_t now = mcu_target_now(m);
	/* the first tick after power-on starts the count: the board's clock starts then */
	uint64_t elapsed = m->iwdg.last_ns && now > m->iwdg.last_ns ? now - m->iwdg.last_ns : 0;

	m->iwdg.last_ns = now;
	if (!m->iwdg.running || frozen(m) || m->nrst || elapsed == 0)
		return false;
	if (elapsed < m->iwdg.left_ns) {
		m->iwdg.left_ns -= elapsed;
		return false;
	}
	mcu_do_system_reset(m); /* restarts the counter (mcu_iwdg_reset) */
	return true;
}
