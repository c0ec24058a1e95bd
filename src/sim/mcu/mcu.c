/* mcu.c - the board: creation and persistence, the bus shared by debugger and core,
 * the debug registers (DHCSR, DEMCR, DCRSR/DCRDR, AIRCR, FPB, DWT, DBGMCU), reset and
 * NRST, and the board-level faults.
 *
 * Must not: know about sockets or the ST-LINK protocol (see mcu.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/mcu/mcu_int.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DEMCR 0xE000EDFCu
#define CPUID 0xE000ED00u
#define AIRCR 0xE000ED0Cu
#define DFSR 0xE000ED30u
#define MVFR0 0xE000EF40u
#define MVFR1 0xE000EF44u
#define FP_CTRL 0xE0002000u
#define FP_COMP0 0xE0002008u
#define DWT_CTRL 0xE0001000u
#define DWT_COMP0 0xE0001020u
#define DWT_DEVARCH 0xE0001FBCu
#define DBGMCU_IDCODE 0xE0042000u
#define DBGMCU_CR 0xE0042004u
#define DBGMCU_APB1_FZ 0xE0042008u
#define DBGMCU_APB2_FZ 0xE004200Cu

#define C_DEBUGEN (1u << 0)
#define C_HALT (1u << 1)
#define C_STEP (1u << 2)
#define C_MASKINTS (1u << 3)
#define S_REGRDY (1u << 16)
#define S_HALT (1u << 17)
#define S_SLEEP (1u << 18)
#define S_LOCKUP (1u << 19)
#define S_RETIRE_ST (1u << 24)
#define S_RESET_ST (1u << 25)
#define VC_CORERESET (1u << 0)

static void periph_reset(mcu_t *m);
static uint32_t periph_read(mcu_t *m, uint32_t addr, unsigned width);
static uint32_t rcc_base(const mcu_t *m);
static void update_clock(mcu_t *m);

static uint64_t host_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_next(mcu_t *m)
{
	/* xorshift64*: deterministic for a given --seed, so a flaky run can be replayed */
	uint64_t x = m->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static uint32_t get_le(const uint8_t *p, unsigned width)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void put_le(uint8_t *p, unsigned width, uint32_t v)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t mcu_target_now(const mcu_t *m)
{
	if (m->cfg.timing != MCU_TIMING_REALISTIC)
		return 0;
	if (m->budget) /* inside a core slice: the core's own clock */
		return m->core_ns + m->cycles * 1000000000ull / m->core_hz;
	return m->now_ns > m->core_ns ? m->now_ns : m->core_ns;
}

void mcu_mark_code_dirty(mcu_t *m, uint32_t addr, uint32_t len)
{
	/* flash is tracked by offset (it is mapped twice: at 0 and at 0x08000000) */
	int k = 1;
	if (addr < m->flash_bytes) {
		k = 0;
	} else if (addr >= MCU_FLASH_BASE && addr - MCU_FLASH_BASE < m->flash_bytes) {
		k = 0;
		addr -= MCU_FLASH_BASE;
	}
	if (!m->dirty[k].set) {
		m->dirty[k].lo = addr;
		m->dirty[k].hi = addr + len;
		m->dirty[k].set = true;
		return;
	}
	if (addr < m->dirty[k].lo)
		m->dirty[k].lo = addr;
	if (addr + len > m->dirty[k].hi)
		m->dirty[k].hi = addr + len;
}

/* --- memory map ------------------------------------------------------------------ */

/* Plain memories: returns a host pointer for [addr, addr+len) when it lies in one of
 * them, else NULL. */
static uint8_t *plain_mem(mcu_t *m, uint32_t addr, uint32_t len, bool *is_flash)
{
	const struct mcu_model *md = m->md;
	*is_flash = false;
	if (addr >= MCU_FLASH_BASE && addr - MCU_FLASH_BASE < m->flash_bytes &&
	    len <= m->flash_bytes - (addr - MCU_FLASH_BASE)) {
		*is_flash = true;
		return m->flash + (addr - MCU_FLASH_BASE);
	}
	if (addr < m->flash_bytes && len <= m->flash_bytes - addr) {
		*is_flash = true; /* boot from main flash: aliased at 0 */
		return m->flash + addr;
	}
	if (addr >= MCU_SRAM_BASE && addr - MCU_SRAM_BASE < md->sram_size &&
	    len <= md->sram_size - (addr - MCU_SRAM_BASE))
		return m->sram + (addr - MCU_SRAM_BASE);
	if (md->ccm_size && addr >= MCU_CCM_BASE && addr - MCU_CCM_BASE < md->ccm_size &&
	    len <= md->ccm_size - (addr - MCU_CCM_BASE))
		return m->ccm + (addr - MCU_CCM_BASE);
	return NULL;
}

static uint32_t dhcsr_value(mcu_t *m, bool clear_sticky)
{
	uint32_t v = m->dhcsr_ctrl | S_REGRDY;
	if (m->halted)
		v |= S_HALT | C_HALT;
	if (m->lockup && !m->halted)
		v |= S_LOCKUP;
	if (m->sleeping && !m->halted)
		v |= S_SLEEP;
	if (m->reset_st || m->nrst)
		v |= S_RESET_ST;
	if (m->retire_st)
		v |= S_RETIRE_ST;
	if (clear_sticky) {
		m->reset_st = false;
		m->retire_st = false;
	}
	return v;
}

void mcu_halt_now(mcu_t *m)
{
	m->halted = true;
	m->lockup = false;
	m->sleeping = false;
	m->firmware_running = false;
	m->dhcsr_ctrl |= C_HALT;
}

static void start_running(mcu_t *m, bool from_reset)
{
	uint32_t pc = mcu_core_pc(m);
	m->halted = false;
	m->dhcsr_ctrl &= ~C_HALT;
	/* leaving reset runs the firmware; a resume runs firmware only when the PC is in
	 * flash (a debugger algorithm runs from SRAM) */
	m->firmware_running = from_reset || pc < m->flash_bytes ||
	                      (pc >= MCU_FLASH_BASE && pc - MCU_FLASH_BASE < m->flash_bytes);
	/* Both faults are the firmware's doing: an erased chip (reset vector 0xFFFFFFFF) has
	 * none, so a mass erase cures them as it does on a real board. */
	bool has_firmware = m->flash_bytes >= 8 && get_le(m->flash + 4, 4) != 0xFFFFFFFFu;
	if (m->firmware_running && has_firmware && m->faults.swd_disabled && !m->nrst)
		m->swd_dead = true;
	/* low-power: the firmware goes straight to a sleep mode that gates debug halts */
	if (m->firmware_running && has_firmware && m->faults.low_power)
		m->sleeping = true;
}

static void dhcsr_write(mcu_t *m, uint32_t v)
{
	if ((v >> 16) != 0xA05F)
		return; /* DBGKEY missing: the write is ignored */
	uint32_t ctrl = v & (C_DEBUGEN | C_HALT | C_STEP | C_MASKINTS);
	if (!(ctrl & C_DEBUGEN)) {
		m->dhcsr_ctrl = 0;
		if (m->halted && !m->nrst)
			start_running(m, false);
		return;
	}
	if (ctrl & C_HALT) {
		if (m->halted) {
			m->dhcsr_ctrl = ctrl;
			return;
		}
		if (m->faults.low_power && m->firmware_running && !m->nrst) {
			/* the firmware sleeps in a low-power mode that gates the debug
			 * halt: the request is lost */
			m->dhcsr_ctrl = ctrl & ~C_HALT;
			return;
		}
		m->dhcsr_ctrl = ctrl;
		if (!m->nrst) {
			mcu_halt_now(m);
			m->dfsr |= MCU_DFSR_HALTED;
		}
		return;
	}
	m->dhcsr_ctrl = ctrl;
	if (!m->halted || m->nrst)
		return;
	if (ctrl & C_STEP) {
		if (mcu_core_step(m) && !m->lockup)
			m->dfsr |= MCU_DFSR_HALTED;
		m->dhcsr_ctrl |= C_HALT;
		return;
	}
	start_running(m, false);
}

void mcu_do_system_reset(mcu_t *m)
{
	mcu_fpec_reset(m);
	periph_reset(m);
	mcu_iwdg_reset(m);
	/* SCS (NVIC, SCB) is reset with the system; the debug registers, FPB/DWT and
	 * DBGMCU are only reset at power-on */
	memset(m->ppb + 0xE000, 0, 0x1000);
	mcu_core_reset(m);
	m->reset_st = true;
	m->lockup = false;
	m->sleeping = false;
	m->pending_reset = false;
	if (m->nrst) {
		m->halted = false;
		m->firmware_running = false;
		return;
	}
	if ((m->dhcsr_ctrl & C_DEBUGEN) && ((m->demcr & VC_CORERESET) || (m->dhcsr_ctrl & C_HALT))) {
		mcu_halt_now(m);
		m->dfsr |= (m->demcr & VC_CORERESET) ? MCU_DFSR_VCATCH : MCU_DFSR_HALTED;
		return;
	}
	start_running(m, true);
}

static enum mcu_status ppb_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val,
                                enum mcu_initiator by)
{
	uint32_t a = addr & ~3u;
	uint32_t v;
	switch (a) {
	case CPUID: v = m->md->cpuid; break;
	case DHCSR: v = dhcsr_value(m, by == MCU_BY_DEBUGGER); break;
	case DCRSR: v = 0; break;
	case DCRDR: v = m->dcrdr; break;
	case DEMCR: v = m->demcr; break;
	case DFSR: v = m->dfsr; break;
	case AIRCR: v = 0xFA050000u | (get_le(m->ppb + (AIRCR - MCU_PPB_BASE), 4) & 0x700); break;
	case MVFR0: v = m->md->fpu ? 0x10110021u : 0; break;
	case MVFR1: v = m->md->fpu ? 0x11000011u : 0; break;
	case FP_CTRL: v = 0x260u | (get_le(m->ppb + (FP_CTRL - MCU_PPB_BASE), 4) & 1); break;
	case DWT_CTRL: v = 0x40000000u; break;
	case DWT_DEVARCH: v = 0; break;
	case DBGMCU_IDCODE: v = m->cfg.dbgmcu_idcode ? m->cfg.dbgmcu_idcode : m->md->dbgmcu_idcode; break;
	case DBGMCU_CR: v = m->dbgmcu_cr; break;
	case DBGMCU_APB1_FZ:
		v = m->md->family == MCU_FAMILY_F2F4 ? m->dbgmcu_apb1_fz : 0;
		break;
	case DBGMCU_APB2_FZ:
		v = m->md->family == MCU_FAMILY_F2F4 ? m->dbgmcu_apb2_fz : 0;
		break;
	default: v = get_le(m->ppb + (a - MCU_PPB_BASE), 4); break;
	}
	unsigned sh = (addr & 3) * 8;
	*val = width == 4 ? v : (v >> sh) & (width == 2 ? 0xFFFFu : 0xFFu);
	return MCU_OK;
}

static enum mcu_status ppb_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val,
                                 enum mcu_initiator by)
{
	uint32_t a = addr & ~3u;
	if (width != 4) {
		/* sub-word writes to the debug registers are rare; merge into storage */
		uint32_t old;
		ppb_read(m, a, 4, &old, MCU_BY_CORE);
		unsigned sh = (addr & 3) * 8;
		uint32_t mask = (width == 2 ? 0xFFFFu : 0xFFu) << sh;
		val = (old & ~mask) | ((val << sh) & mask);
	}
	switch (a) {
	case DHCSR:
		if (by == MCU_BY_DEBUGGER)
			dhcsr_write(m, val);
		break;
	case DCRSR: {
		uint32_t sel = val & 0x7F;
		if (val & (1u << 16))
			mcu_write_core_reg(m, sel, m->dcrdr);
		else
			mcu_read_core_reg(m, sel, &m->dcrdr);
		break;
	}
	case DCRDR: m->dcrdr = val; break;
	case DEMCR: m->demcr = val & 0x010F07F1u; break;
	case DFSR: m->dfsr &= ~val; break; /* write one to clear */
	case AIRCR:
		put_le(m->ppb + (AIRCR - MCU_PPB_BASE), 4, val & 0x700);
		if ((val >> 16) != 0x05FA || !(val & 0x5))
			break;
		if (by == MCU_BY_CORE) {
			m->pending_reset = true;
			uc_emu_stop(m->uc);
		} else if (!(m->faults.low_power && m->firmware_running && !m->nrst)) {
			mcu_do_system_reset(m);
		}
		break;
	case CPUID: case MVFR0: case MVFR1: case DWT_CTRL: case DWT_DEVARCH:
	case DBGMCU_IDCODE:
		break;
	case FP_CTRL:
		if (val & 2)
			put_le(m->ppb + (FP_CTRL - MCU_PPB_BASE), 4, val & 1);
		break;
	case DBGMCU_CR: m->dbgmcu_cr = val; break;
	case DBGMCU_APB1_FZ: m->dbgmcu_apb1_fz = val; break;
	case DBGMCU_APB2_FZ: m->dbgmcu_apb2_fz = val; break;
	default: put_le(m->ppb + (a - MCU_PPB_BASE), 4, val); break;
	}
	return MCU_OK;
}

/* FPB (ARMv7-M FPB version 1, as on the Cortex-M3/M4): with FP_CTRL.ENABLE set, each
 * enabled code comparator FP_COMPn (n < 6, the NUM_CODE that FP_CTRL reports) whose
 * REPLACE field is not 00 asks for a breakpoint on the lower (01), the upper (10) or
 * both (11) halfwords of the word COMP[28:2] names. */
unsigned mcu_fpb_breakpoints(const mcu_t *m, uint32_t *addrs, unsigned max)
{
	unsigned n = 0;
	if (!(get_le(m->ppb + (FP_CTRL - MCU_PPB_BASE), 4) & 1))
		return 0;
	for (unsigned i = 0; i < MCU_FPB_CODE_COMPS; i++) {
		uint32_t comp = get_le(m->ppb + (FP_COMP0 + 4 * i - MCU_PPB_BASE), 4);
		uint32_t word = comp & 0x1FFFFFFCu;
		unsigned replace = comp >> 30;
		if (!(comp & 1))
			continue;
		if ((replace & 1) && n < max)
			addrs[n++] = word;
		if ((replace & 2) && n < max)
			addrs[n++] = word + 2;
	}
	return n;
}

/* DWT data watchpoints: comparator n (n < 4, the NUMCOMP DWT_CTRL reports) with
 * FUNCTION 5 (read), 6 (write) or 7 (either) matches accesses to the 2^MASK bytes
 * around COMP, as OpenOCD programs them. Other functions (PC samples, trace) are not
 * modelled. */
unsigned mcu_dwt_watchpoints(const mcu_t *m, struct mcu_watch *w, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < MCU_DWT_COMPS && n < max; i++) {
		const uint8_t *regs = m->ppb + (DWT_COMP0 + 16 * i - MCU_PPB_BASE);
		uint32_t comp = get_le(regs, 4);
		uint32_t mask = get_le(regs + 4, 4) & 0x1F;
		uint32_t function = get_le(regs + 8, 4) & 0xF;
		if (function < 5 || function > 7)
			continue;
		uint32_t size = mask >= 31 ? 0x80000000u : 1u << mask;
		w[n].lo = comp & ~(size - 1);
		w[n].size = size;
		w[n].read = function != 6;
		w[n].write = function != 5;
		n++;
	}
	return n;
}

static bool in_sys(const mcu_t *m, uint32_t addr)
{
	const struct mcu_model *md = m->md;
	if (addr >= md->sys_base && addr - md->sys_base < md->sys_size)
		return true;
	if (addr >= md->opt_addr && addr - md->opt_addr < 16)
		return true;
	return md->opt2_addr && addr >= md->opt2_addr && addr - md->opt2_addr < 16;
}

/* Cortex-M3/M4 bit-band (PM0056 §2.2.5, PM0214 §2.2.5): each word of the alias regions
 * 0x22000000 and 0x42000000 is one bit of SRAM or of the peripherals. Returns the byte
 * address behind an alias address and the bit number, or false when addr is none. */
static bool bitband(const mcu_t *m, uint32_t addr, uint32_t *byte, unsigned *bit)
{
	uint32_t base;
	uint32_t span;
	if (addr >= 0x22000000u && addr < 0x24000000u) {
		base = MCU_SRAM_BASE;
		span = m->md->sram_size;
	} else if (addr >= 0x42000000u && addr < 0x44000000u) {
		base = MCU_PERIPH_BASE;
		span = m->periph_size;
	} else {
		return false;
	}
	uint32_t off = (addr & 0x01FFFFFFu) >> 5;
	if (off >= span)
		return false;
	*byte = base + off;
	*bit = (addr >> 2) & 7;
	return true;
}

static enum mcu_status bitband_read(mcu_t *m, uint32_t byte, unsigned bit, uint32_t *val,
                                    enum mcu_initiator by)
{
	uint32_t b;
	enum mcu_status st = mcu_bus_read(m, byte, 1, &b, by);
	*val = (b >> bit) & 1;
	return st;
}

static enum mcu_status bitband_write(mcu_t *m, uint32_t byte, unsigned bit, uint32_t val,
                                     enum mcu_initiator by)
{
	uint32_t b;
	enum mcu_status st = mcu_bus_read(m, byte, 1, &b, by);
	if (st != MCU_OK)
		return st;
	b = (val & 1) ? (b | (1u << bit)) : (b & ~(1u << bit));
	return mcu_bus_write(m, byte, 1, b, by);
}

enum mcu_status mcu_bus_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val,
                             enum mcu_initiator by)
{
	bool is_flash;
	uint8_t *p = plain_mem(m, addr, width, &is_flash);
	if (p) {
		if (is_flash && m->rdp_active && by == MCU_BY_DEBUGGER)
			return MCU_FAULT;
		*val = get_le(p, width);
		return MCU_OK;
	}
	if (in_sys(m, addr)) {
		/* F1 with readout protection also hides the option area from the debugger */
		if (m->rdp_active && by == MCU_BY_DEBUGGER && m->md->family == MCU_FAMILY_F1 &&
		    addr >= m->md->opt_addr)
			return MCU_FAULT;
		return mcu_sys_read(m, addr, width, val) ? MCU_OK : MCU_FAULT;
	}
	if (addr >= MCU_PERIPH_BASE && addr - MCU_PERIPH_BASE < m->periph_size) {
		if (mcu_fpec_is_regs(m, addr)) {
			uint32_t v = mcu_fpec_read(m, (addr & 0x3FF) & ~3u);
			unsigned sh = (addr & 3) * 8;
			*val = width == 4 ? v : (v >> sh) & (width == 2 ? 0xFFFFu : 0xFFu);
			return MCU_OK;
		}
		if (!mcu_backup_read(m, addr, width, val) && !mcu_iwdg_read(m, addr, width, val) &&
		    !mcu_crc_read(m, addr, width, val, by))
			*val = periph_read(m, addr, width);
		return MCU_OK;
	}
	if (addr >= MCU_PPB_BASE && addr - MCU_PPB_BASE < MCU_PPB_SIZE)
		return ppb_read(m, addr, width, val, by);
	uint32_t byte;
	unsigned bit;
	if (bitband(m, addr, &byte, &bit))
		return bitband_read(m, byte, bit, val, by);
	return MCU_FAULT;
}

enum mcu_status mcu_bus_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val,
                              enum mcu_initiator by)
{
	bool is_flash;
	uint8_t *p = plain_mem(m, addr, width, &is_flash);
	if (p) {
		if (is_flash) {
			uint32_t off = addr >= MCU_FLASH_BASE ? addr - MCU_FLASH_BASE : addr;
			return mcu_flash_store(m, off, width, val);
		}
		put_le(p, width, val);
		mcu_mark_code_dirty(m, addr, width);
		return MCU_OK;
	}
	if (in_sys(m, addr))
		return mcu_sys_store(m, addr, width, val);
	if (addr >= MCU_PERIPH_BASE && addr - MCU_PERIPH_BASE < m->periph_size) {
		if (mcu_fpec_is_regs(m, addr)) {
			uint32_t off = (addr & 0x3FF) & ~3u;
			if (width != 4) {
				unsigned sh = (addr & 3) * 8;
				val <<= sh;
			}
			mcu_fpec_write(m, off, val);
			return MCU_OK;
		}
		if (mcu_backup_write(m, addr, width, val) || mcu_iwdg_write(m, addr, width, val) ||
		    mcu_crc_write(m, addr, width, val, by))
			return MCU_OK;
		put_le(m->periph + (addr - MCU_PERIPH_BASE), width, val);
		if ((addr & ~0xFu) == rcc_base(m))
			update_clock(m);
		return MCU_OK;
	}
	if (addr >= MCU_PPB_BASE && addr - MCU_PPB_BASE < MCU_PPB_SIZE)
		return ppb_write(m, addr, width, val, by);
	uint32_t byte;
	unsigned bit;
	if (bitband(m, addr, &byte, &bit))
		return bitband_write(m, byte, bit, val, by);
	return MCU_FAULT;
}

/* --- reset and clock control ------------------------------------------------------ */

/* RCC (RM0008 §7.3, RM0033/RM0090 §5-6.3): only what sets the core clock is modelled.
 * Ready flags follow their enable bits at once and SWS follows SW, so firmware and
 * OpenOCD's reset-init never wait on an oscillator. HSE is taken as an 8 MHz crystal. */
#define HSE_HZ 8000000u

static uint32_t rcc_base(const mcu_t *m)
{
	return m->md->family == MCU_FAMILY_F1 ? 0x40021000u : 0x40023800u;
}

static uint32_t periph_word(const mcu_t *m, uint32_t addr)
{
	return get_le(m->periph + (addr - MCU_PERIPH_BASE), 4);
}

static void periph_reset(mcu_t *m)
{
	memset(m->periph, 0, m->periph_size);
	mcu_crc_reset(m);
	uint32_t rcc = rcc_base(m);
	put_le(m->periph + (rcc - MCU_PERIPH_BASE), 4, 0x00000083u); /* HSION, HSIRDY */
	if (m->md->family == MCU_FAMILY_F2F4)
		put_le(m->periph + (rcc + 4 - MCU_PERIPH_BASE), 4, 0x24003010u); /* PLLCFGR */
	m->core_hz = m->md->hsi_hz;
}

static uint32_t ahb_div(uint32_t cfgr)
{
	static const uint32_t div[8] = { 2, 4, 8, 16, 64, 128, 256, 512 };
	uint32_t hpre = (cfgr >> 4) & 0xF;
	return hpre & 8 ? div[hpre & 7] : 1;
}

static void update_clock(mcu_t *m)
{
	uint32_t rcc = rcc_base(m);
	uint32_t cr = periph_word(m, rcc);
	uint64_t hz = m->md->hsi_hz;
	if (m->md->family == MCU_FAMILY_F1) {
		uint32_t cfgr = periph_word(m, rcc + 4);
		uint32_t sw = cfgr & 3;
		if (sw == 1) {
			hz = HSE_HZ;
		} else if (sw == 2 && (cr & (1u << 24))) {
			uint64_t in = (cfgr & (1u << 16)) ? HSE_HZ / ((cfgr & (1u << 17)) ? 2 : 1)
			                                   : m->md->hsi_hz / 2;
			uint32_t mul = ((cfgr >> 18) & 0xF) + 2;
			hz = in * (mul > 16 ? 16 : mul);
		}
		hz /= ahb_div(cfgr);
	} else {
		uint32_t pll = periph_word(m, rcc + 4);
		uint32_t cfgr = periph_word(m, rcc + 8);
		uint32_t sw = cfgr & 3;
		if (sw == 1) {
			hz = HSE_HZ;
		} else if (sw == 2 && (cr & (1u << 24))) {
			uint64_t in = (pll & (1u << 22)) ? HSE_HZ : m->md->hsi_hz;
			uint32_t pllm = pll & 0x3F;
			uint32_t plln = (pll >> 6) & 0x1FF;
			uint32_t pllp = 2 * (((pll >> 16) & 3) + 1);
			if (pllm >= 2 && plln >= 2)
				hz = in / pllm * plln / pllp;
		}
		hz /= ahb_div(cfgr);
	}
	if (hz < 1000000 || hz > 240000000)
		hz = m->md->hsi_hz; /* a setting the part would not run at */
	m->core_hz = (uint32_t)hz;
}

static uint32_t periph_read(mcu_t *m, uint32_t addr, unsigned width)
{
	uint32_t rcc = rcc_base(m);
	uint32_t a = addr & ~3u;
	uint32_t v = periph_word(m, a);
	uint32_t cfgr = rcc + (m->md->family == MCU_FAMILY_F1 ? 4 : 8);
	if (a == rcc)
		v = (v & ~((1u << 1) | (1u << 17) | (1u << 25))) | ((v & 1u) << 1) |
		    ((v & (1u << 16)) << 1) | ((v & (1u << 24)) << 1);
	else if (a == cfgr)
		v = (v & ~0xCu) | ((v & 3u) << 2);
	unsigned sh = (addr & 3) * 8;
	return width == 4 ? v : (v >> sh) & (width == 2 ? 0xFFFFu : 0xFFu);
}

/* --- creation and persistence ------------------------------------------------------ */

/* "cannot open 'x': no such file or directory": strerror's text, lowercased as the house
 * style wants for messages */
static void sys_err(char *err, size_t errlen, const char *what, const char *path, int e)
{
	char reason[128];
	snprintf(reason, sizeof(reason), "%s", strerror(e));
	if (reason[0] >= 'A' && reason[0] <= 'Z')
		reason[0] = (char)(reason[0] - 'A' + 'a');
	snprintf(err, errlen, "cannot %s '%s': %s", what, path, reason);
}

static char *path_with(const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", path, suffix);
	return s;
}

static void uid_from_path(uint8_t uid[12], const char *path)
{
	/* FNV-1a over the path, stretched to 96 bits: each board file its own chip */
	uint64_t h = 0xcbf29ce484222325ull;
	for (const char *c = path; *c; c++) {
		h ^= (uint8_t)*c;
		h *= 0x100000001b3ull;
	}
	for (int i = 0; i < 12; i++) {
		h ^= h >> 29;
		h *= 0xbf58476d1ce4e5b9ull;
		uid[i] = (uint8_t)(h >> 56);
	}
}

static int open_flash(mcu_t *m, char *err, size_t errlen)
{
	const char *path = m->flash_path;
	uint32_t size = m->md->flash_size;
	m->flash_fd = open(path, O_RDWR | O_CLOEXEC);
	if (m->flash_fd < 0 && errno == ENOENT) {
		m->flash_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		m->flash_created = m->flash_fd >= 0;
	}
	if (m->flash_fd < 0) {
		int e = errno;
		sys_err(err, errlen, "open", path, e);
		return -e;
	}
	struct stat st;
	if (fstat(m->flash_fd, &st) < 0) {
		int e = errno;
		sys_err(err, errlen, "stat", path, e);
		return -e;
	}
	bool fresh = st.st_size == 0;
	/* A board file the size of the whole die is a chip whose flash goes beyond what its
	 * size register says (mcu_model.die_flash_size). */
	if (!fresh && m->md->die_flash_size && st.st_size == (off_t)m->md->die_flash_size)
		size = m->md->die_flash_size;
	if (!fresh && st.st_size != (off_t)size) {
		if (m->md->die_flash_size)
			snprintf(err, errlen, "'%s' is %lld bytes; %s flash is %u (or %u for the whole "
			         "die)", path, (long long)st.st_size, m->md->name, size,
			         m->md->die_flash_size);
		else
			snprintf(err, errlen, "'%s' is %lld bytes; %s flash is %u", path,
			         (long long)st.st_size, m->md->name, size);
		return -EINVAL;
	}
	m->flash_bytes = size;
	if (fresh && ftruncate(m->flash_fd, size) < 0) {
		int e = errno;
		sys_err(err, errlen, "size", path, e);
		return -e;
	}
	m->flash = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->flash_fd, 0);
	if (m->flash == MAP_FAILED) {
		int e = errno;
		m->flash = NULL;
		sys_err(err, errlen, "map", path, e);
		return -e;
	}
	if (fresh)
		memset(m->flash, 0xFF, size); /* a new chip comes erased */
	return 0;
}

mcu_t *mcu_new(const struct mcu_config *cfg, char *err, size_t errlen)
{
	const struct mcu_model *md = mcu_model_find(cfg->model);
	if (!md) {
		snprintf(err, errlen, "unknown model '%s'; see --list-models",
		         cfg->model ? cfg->model : "");
		return NULL;
	}
	if (!cfg->flash_path) {
		snprintf(err, errlen, "no flash file given for '%s'", md->name);
		return NULL;
	}
	mcu_t *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->md = md;
	m->cfg = *cfg;
	m->faults = cfg->faults;
	m->flash_fd = -1;
	m->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ull;
	m->flash_path = strdup(cfg->flash_path);
	m->opt_path = path_with(cfg->flash_path, ".opt");
	m->otp_path = path_with(cfg->flash_path, ".otp");
	m->bkp_path = path_with(cfg->flash_path, ".bkp");
	m->periph_size = md->family == MCU_FAMILY_F1 ? 0x24000 : 0x80000;
	m->sram = calloc(1, md->sram_size);
	m->ccm = md->ccm_size ? calloc(1, md->ccm_size) : NULL;
	m->sysrom = calloc(1, md->sys_size);
	m->periph = calloc(1, m->periph_size);
	m->ppb = calloc(1, MCU_PPB_SIZE);
	m->cfg.model = md->name;
	m->cfg.flash_path = m->flash_path;
	m->cfg.uid = NULL;
	if (!m->flash_path || !m->opt_path || !m->otp_path || !m->bkp_path || !m->sram ||
	    (md->ccm_size && !m->ccm) || !m->sysrom || !m->periph || !m->ppb) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (cfg->uid)
		memcpy(m->uid, cfg->uid, 12);
	else
		uid_from_path(m->uid, cfg->flash_path);
	m->core_hz = md->hsi_hz;

	/* the side files first, so a bad one leaves no new flash file behind */
	mcu_options_default(m);
	int rc = mcu_options_load(m);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "'%s' is not a %s option byte file; remove it to start "
		         "from factory options", m->opt_path, md->name);
		goto fail;
	} else if (rc < 0) {
		sys_err(err, errlen, "read", m->opt_path, -rc);
		goto fail;
	}
	memset(m->otp, 0xFF, sizeof(m->otp));
	rc = md->otp ? mcu_otp_load(m) : 0;
	if (rc == -EINVAL) {
		snprintf(err, errlen, "'%s' is not a %s OTP file (%u bytes expected)",
		         m->otp_path, md->name, MCU_OTP_SIZE + MCU_OTP_LOCKS);
		goto fail;
	} else if (rc < 0) {
		sys_err(err, errlen, "read", m->otp_path, -rc);
		goto fail;
	}
	rc = mcu_backup_init(m);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "'%s' is not a %s backup-domain file (%u bytes expected)",
		         m->bkp_path, md->name, md->bkpsram_size + 4 * md->bkp_regs);
		goto fail;
	} else if (rc < 0) {
		sys_err(err, errlen, "read", m->bkp_path, -rc);
		goto fail;
	}
	mcu_options_apply_faults(m);
	if (open_flash(m, err, errlen) < 0)
		goto fail;
	if (mcu_core_init(m, err, errlen) < 0)
		goto fail;
	/* power-on: the debug domain starts cleared, then the chip leaves reset and runs
	 * whatever the flash holds */
	mcu_do_system_reset(m);
	return m;
fail:
	if (m->flash_created)
		unlink(m->flash_path); /* bad input changes nothing */
	m->opt_dirty = false;
	m->otp_dirty = false;
	m->bkp_dirty = false;
	mcu_free(m);
	return NULL;
}

int mcu_save(mcu_t *m)
{
	int rc = 0;
	if (!m)
		return 0;
	if (m->flash && msync(m->flash, m->flash_bytes, MS_ASYNC) < 0)
		rc = -errno;
	if (m->opt_dirty) {
		int r = mcu_options_save(m);
		if (r < 0 && rc == 0)
			rc = r;
	}
	if (m->otp_dirty) {
		int r = mcu_otp_save(m);
		if (r < 0 && rc == 0)
			rc = r;
	}
	if (m->bkp_dirty) {
		int r = mcu_backup_save(m);
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

int mcu_free(mcu_t *m)
{
	if (!m)
		return 0;
	int rc = mcu_save(m);
	mcu_core_free(m);
	if (m->flash)
		munmap(m->flash, m->flash_bytes);
	if (m->flash_fd >= 0)
		close(m->flash_fd);
	free(m->flash_path);
	free(m->opt_path);
	free(m->otp_path);
	free(m->bkp_path);
	mcu_backup_free(m);
	free(m->sram);
	free(m->ccm);
	free(m->sysrom);
	free(m->periph);
	free(m->ppb);
	free(m);
	return rc;
}

int mcu_power_off(mcu_t *m)
{
	int rc = mcu_save(m);
	m->faults.unpowered = true;
	/* The core never runs again, so the translations of code that was then overwritten
	 * are never flushed the usual way; unicorn 2.0's uc_close() would leak the code
	 * bitmaps it keeps for them. */
	mcu_core_flush_all(m);
	return rc;
}

/* --- probe-side view ---------------------------------------------------------------- */

double mcu_target_voltage(const mcu_t *m)
{
	if (m->faults.unpowered)
		return 0.0;
	return m->faults.vdd > 0 ? m->faults.vdd : 3.3;
}

static bool link_dead(const mcu_t *m)
{
	return m->faults.unpowered || m->rdp_level2 || (m->swd_dead && !m->nrst);
}

void mcu_set_nrst(mcu_t *m, bool asserted)
{
	if (m->faults.unpowered)
		return;
	if (asserted) {
		/* the whole chip sits in reset: the SWD pins are back to their reset
		 * function and the core does nothing */
		m->nrst = true;
		m->swd_dead = false;
		m->halted = false;
		m->lockup = false;
		m->sleeping = false;
		m->firmware_running = false;
		return;
	}
	if (!m->nrst)
		return;
	m->nrst = false;
	mcu_do_system_reset(m);
}

enum mcu_status mcu_connect(mcu_t *m, uint32_t *dp_idcode)
{
	if (link_dead(m))
		return MCU_NO_RESPONSE;
	*dp_idcode = m->faults.clone_idcode ? m->faults.clone_idcode : m->md->dp_idcode;
	return MCU_OK;
}

/* flaky=RATE: each memory transfer (one ST-LINK memory command) answers WAIT with
 * probability RATE - RATE^2 and FAULT with RATE^2, so a low rate is nearly all WAITs,
 * which OpenOCD retries, while a high rate also brings faults that fail the command.
 * The debug registers are not memory and never flake. */
static enum mcu_status flaky(mcu_t *m, uint32_t addr)
{
	double r = m->faults.flaky;
	if (r <= 0.0 || addr >= MCU_PPB_BASE)
		return MCU_OK;
	double u = (double)(rng_next(m) >> 11) / 9007199254740992.0;
	if (u < r * r)
		return MCU_FAULT;
	return u < r ? MCU_WAIT : MCU_OK;
}

enum mcu_status mcu_read(mcu_t *m, uint32_t addr, void *buf, size_t len, unsigned width)
{
	if (link_dead(m))
		return MCU_NO_RESPONSE;
	enum mcu_status st = flaky(m, addr);
	if (st != MCU_OK)
		return st;
	uint8_t *out = buf;
	bool is_flash;
	uint8_t *p = plain_mem(m, addr, (uint32_t)len, &is_flash);
	if (p && len) {
		if (is_flash && m->rdp_active)
			return MCU_FAULT;
		memcpy(out, p, len);
		return MCU_OK;
	}
	for (size_t i = 0; i < len; i += width) {
		uint32_t v;
		st = mcu_bus_read(m, addr + (uint32_t)i, width, &v, MCU_BY_DEBUGGER);
		if (st != MCU_OK)
			return st;
		put_le(out + i, width, v);
	}
	return MCU_OK;
}

enum mcu_status mcu_write(mcu_t *m, uint32_t addr, const void *buf, size_t len,
                          unsigned width)
{
	if (link_dead(m))
		return MCU_NO_RESPONSE;
	enum mcu_status st = flaky(m, addr);
	if (st != MCU_OK)
		return st;
	const uint8_t *in = buf;
	bool is_flash;
	uint8_t *p = plain_mem(m, addr, (uint32_t)len, &is_flash);
	if (p && !is_flash && len) {
		memcpy(p, in, len);
		mcu_mark_code_dirty(m, addr, (uint32_t)len);
		return MCU_OK;
	}
	for (size_t i = 0; i < len; i += width) {
		st = mcu_bus_write(m, addr + (uint32_t)i, width, get_le(in + i, width),
		                   MCU_BY_DEBUGGER);
		if (st != MCU_OK)
			return st;
	}
	return MCU_OK;
}

enum mcu_status mcu_system_reset(mcu_t *m)
{
	if (link_dead(m))
		return MCU_NO_RESPONSE;
	if (m->faults.low_power && m->firmware_running && !m->nrst)
		return MCU_OK; /* the reset request is lost with the sleeping firmware */
	mcu_do_system_reset(m);
	return MCU_OK;
}

static void advance_core(mcu_t *m, uint64_t now_ns);

void mcu_advance(mcu_t *m, uint64_t now_ns)
{
	advance_core(m, now_ns);
	/* whether the core ran or not: a halted core stops it only with DBG_IWDG_STOP */
	if (!m->faults.unpowered)
		mcu_iwdg_tick(m);
}

static void advance_core(mcu_t *m, uint64_t now_ns)
{
	if (!m->clock_started) {
		m->core_ns = now_ns;
		m->clock_started = true;
	}
	if (now_ns > m->now_ns)
		m->now_ns = now_ns;
	if (m->faults.unpowered)
		return;
	bool can_run = !m->halted && !m->nrst && !m->lockup && !m->sleeping;
	if (m->cfg.timing != MCU_TIMING_REALISTIC) {
		if (can_run)
			mcu_core_run(m, UINT64_MAX, 200000);
		return;
	}
	if (!can_run) {
		if (m->core_ns < m->now_ns)
			m->core_ns = m->now_ns;
		return;
	}
	/* never let the core fall more than 50 ms behind: past that, time is lost rather
	 * than replayed in one long burst that would stall the server */
	uint64_t lag_max = 50000000;
	if (m->now_ns > m->core_ns + lag_max)
		m->core_ns = m->now_ns - lag_max;
	if (m->now_ns <= m->core_ns)
		return;
	uint64_t budget = (m->now_ns - m->core_ns) * m->core_hz / 1000000000ull;
	if (budget)
		mcu_core_run(m, budget, 20000000);
}

uint64_t mcu_host_ns(void)
{
	return host_ns();
}
