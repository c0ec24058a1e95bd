/* core.c - the Cortex-M3/M4 core, run by unicorn.
 *
 * Flash, SRAM and CCM are host memory mapped into unicorn (uc_mem_map_ptr), so code and
 * data reads run at full speed; flash is mapped read-only and every store to it is
 * caught by a write-protection hook and handed to the flash controller. System memory,
 * peripherals, the private peripheral bus and the bit-band aliases are MMIO regions
 * served by the same bus as the debugger. A block hook counts cycles (a halfword of code
 * plus two per block) so the core can be given bounded slices.
 *
 * Exceptions and interrupts are not modelled: a fault (bad fetch, bus error, undefined
 * instruction, SVC, exception return) locks the core up at once, which is where a
 * Cortex-M running garbage or an erased vector table ends anyway (HardFault through a
 * garbage vector); BKPT and the FPB code comparators (hardware breakpoints) halt it
 * in debug state as on silicon, and so do the DWT data comparators (watchpoints), right
 * after the matching access; WFI/WFE sleep for good.
 */
#include <stdio.h>
#include <string.h>

#include "sim/mcu/mcu_int.h"

#define EXCP_BKPT 7 /* qemu's ARM exception number for BKPT */

struct mmio_ctx {
	mcu_t *m;
	uint32_t base;
};

/* unicorn hands MMIO callbacks one opaque pointer; the contexts live here, one per
 * board (each board has its own unicorn instance) */
#define MAX_MMIO 8
struct core_extra {
	struct mmio_ctx ctx[MAX_MMIO];
	unsigned n;
	bool stop_asked;
	/* FPB breakpoints: a code hook exists only while some are set, so a core without
	 * breakpoints runs without a callback per instruction */
	uint32_t bp[2 * MCU_FPB_CODE_COMPS];
	unsigned nbp;
	uc_hook bp_hook;
	bool bp_hooked;
	/* stepping while the code hook exists: unicorn 2.0.1 then runs past the instruction
	 * count given to uc_emu_start (seen with a block hook present too), so the hook
	 * counts the instructions itself */
	bool stepping;
	unsigned step_seen;
	/* DWT watchpoints: a data-access hook notes the match, and the code hook halts the
	 * core before the next instruction, as the comparator's debug event does */
	struct mcu_watch wp[MCU_DWT_COMPS];
	unsigned nwp;
	uc_hook wp_hook;
	bool wp_hooked;
	bool wp_hit;
};

static struct core_extra *extra(mcu_t *m)
{
	return (struct core_extra *)m->core_extra;
}

static void stop(mcu_t *m)
{
	extra(m)->stop_asked = true;
	uc_emu_stop(m->uc);
}

static uint64_t mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	(void)uc;
	struct mmio_ctx *c = user;
	mcu_t *m = c->m;
	uint32_t addr = c->base + (uint32_t)offset;
	uint32_t v = 0;
	if (size == 1 || size == 2 || size == 4) {
		if (addr % size == 0) {
			if (mcu_bus_read(m, addr, size, &v, MCU_BY_CORE) == MCU_OK)
				return v;
		} else {
			bool ok = true;
			for (unsigned i = 0; i < size && ok; i++) {
				uint32_t b;
				ok = mcu_bus_read(m, addr + i, 1, &b, MCU_BY_CORE) == MCU_OK;
				v |= b << (8 * i);
			}
			if (ok)
				return v;
		}
	}
	m->core_fault = true; /* bus error */
	stop(m);
	return 0;
}

static void mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value,
                       void *user)
{
	(void)uc;
	struct mmio_ctx *c = user;
	mcu_t *m = c->m;
	uint32_t addr = c->base + (uint32_t)offset;
	bool ok = false;
	if ((size == 1 || size == 2 || size == 4) && addr % size == 0)
		ok = mcu_bus_write(m, addr, size, (uint32_t)value, MCU_BY_CORE) == MCU_OK;
	if (!ok) {
		m->core_fault = true;
		stop(m);
	}
}

/* A core store to flash (mapped read-only). The controller decides what the array
 * holds afterwards; unicorn then lands the raw store anyway, so whenever the two
 * differ the wanted bytes are put back at the start of the next block (or at the end
 * of the slice). Stopping the emulation from inside a store hook would make unicorn
 * replay the block, so this hook never stops it. */
static bool flash_store_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                             int64_t value, void *user)
{
	(void)uc;
	(void)type;
	mcu_t *m = user;
	uint32_t addr = (uint32_t)address;
	uint32_t off = addr >= MCU_FLASH_BASE ? addr - MCU_FLASH_BASE : addr;
	if (off >= m->flash_bytes || size <= 0 || size > 8 ||
	    off + (uint32_t)size > m->flash_bytes)
		return false;
	if (size <= 4) {
		mcu_flash_store(m, off, (unsigned)size, (uint32_t)value);
	} else {
		mcu_flash_store(m, off, 4, (uint32_t)value);
		mcu_flash_store(m, off + 4, 4, (uint32_t)((uint64_t)value >> 32));
	}
	bool differs = false;
	for (int i = 0; i < size; i++)
		if (m->flash[off + (uint32_t)i] != (uint8_t)((uint64_t)value >> (8 * i)))
			differs = true;
	if (differs && m->nfix < sizeof(m->fix) / sizeof(m->fix[0])) {
		m->fix[m->nfix].addr = off;
		m->fix[m->nfix].len = (unsigned)size;
		memcpy(m->fix[m->nfix].bytes, m->flash + off, (size_t)size);
		m->nfix++;
	}
	return true;
}

static void apply_fixups(mcu_t *m)
{
	for (unsigned i = 0; i < m->nfix; i++)
		memcpy(m->flash + m->fix[i].addr, m->fix[i].bytes, m->fix[i].len);
	/* translated code may have seen the raw store */
	for (unsigned i = 0; i < m->nfix; i++)
		mcu_mark_code_dirty(m, m->fix[i].addr, m->fix[i].len);
	m->nfix = 0;
}

static void block_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	(void)uc;
	(void)address;
	mcu_t *m = user;
	if (m->nfix)
		apply_fixups(m);
	/* about one cycle per halfword of Thumb code plus two for the branch that entered
	 * the block (pipeline refill, RM0090 PM0214 §3.3 timings): close enough for the
	 * loops of loads, ALU operations and branches the flash loaders and CRC are */
	m->block_start = m->cycles;
	m->cycles += size / 2 + 2;
	if (m->cycles >= m->budget) {
		stop(m);
		return;
	}
	if ((++m->block_tick & 1023) == 0 && mcu_host_ns() > m->slice_deadline_host)
		stop(m);
}

/* An FPB match halts the core before the instruction executes, with DFSR.BKPT, as
 * the comparator does on silicon. */
static void bp_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	(void)uc;
	(void)size;
	mcu_t *m = user;
	struct core_extra *x = extra(m);
	if (x->wp_hit) {
		x->wp_hit = false;
		m->core_watch = true;
		stop(m);
		return;
	}
	if (x->stepping) {
		/* a step executes the instruction at PC even when a comparator matches it
		 * (OpenOCD steps off a breakpoint this way) and stops before the next one */
		if (x->step_seen++ > 0)
			stop(m);
		return;
	}
	for (unsigned i = 0; i < x->nbp; i++) {
		if (x->bp[i] == (uint32_t)address) {
			m->core_bkpt = true;
			stop(m);
			return;
		}
	}
}

static void watch_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                       int64_t value, void *user)
{
	(void)uc;
	(void)value;
	mcu_t *m = user;
	struct core_extra *x = extra(m);
	bool write = type == UC_MEM_WRITE;
	uint64_t lo = (uint32_t)address, hi = lo + (uint64_t)(size > 0 ? size : 1);
	for (unsigned i = 0; i < x->nwp; i++) {
		const struct mcu_watch *w = &x->wp[i];
		if ((write ? w->write : w->read) && lo < (uint64_t)w->lo + w->size && w->lo < hi)
			x->wp_hit = true;
	}
}

/* Adds or removes a hook; either flushes the translations, which unicorn made with or
 * without the callback. */
static bool set_hook(mcu_t *m, bool want, bool *hooked, uc_hook *h, int type, void *cb)
{
	if (want == *hooked)
		return true;
	uc_err e = want ? uc_hook_add(m->uc, h, type, cb, m, 1, 0) : uc_hook_del(m->uc, *h);
	if (e != UC_ERR_OK)
		return false;
	*hooked = want;
	uc_ctl(m->uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
	return true;
}

/* Takes the FPB and DWT comparators as the debugger left them. The hooks exist only
 * while some are set, so a core without them runs without a callback per instruction. */
static bool sync_breakpoints(mcu_t *m)
{
	struct core_extra *x = extra(m);
	x->nbp = mcu_fpb_breakpoints(m, x->bp, sizeof(x->bp) / sizeof(x->bp[0]));
	x->nwp = mcu_dwt_watchpoints(m, x->wp, MCU_DWT_COMPS);
	x->wp_hit = false;
	return set_hook(m, x->nbp || x->nwp, &x->bp_hooked, &x->bp_hook, UC_HOOK_CODE,
	                (void *)bp_hook) &&
	       set_hook(m, x->nwp > 0, &x->wp_hooked, &x->wp_hook,
	                UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)watch_hook);
}

static void intr_hook(uc_engine *uc, uint32_t intno, void *user)
{
	(void)uc;
	mcu_t *m = user;
	if (intno == EXCP_BKPT)
		m->core_bkpt = true;
	else
		m->core_fault = true;
	stop(m);
}

static uc_err map_mmio(mcu_t *m, uint32_t base, uint32_t size)
{
	struct core_extra *x = extra(m);
	if (x->n == MAX_MMIO)
		return UC_ERR_NOMEM;
	struct mmio_ctx *c = &x->ctx[x->n++];
	c->m = m;
	c->base = base;
	return uc_mmio_map(m->uc, base, size, mmio_read, c, mmio_write, c);
}

static uint32_t page_up(uint32_t v)
{
	return (v + 0x3FF) & ~0x3FFu;
}

int mcu_core_init(mcu_t *m, char *err, size_t errlen)
{
	const struct mcu_model *md = m->md;
	uc_err e;
	m->core_extra = calloc(1, sizeof(struct core_extra));
	if (!m->core_extra) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &m->uc);
	if (e != UC_ERR_OK)
		goto fail;
	e = uc_ctl_set_cpu_model(m->uc, md->fpu ? UC_CPU_ARM_CORTEX_M4 : UC_CPU_ARM_CORTEX_M3);
	if (e != UC_ERR_OK)
		goto fail;
	e = uc_mem_map_ptr(m->uc, 0, m->flash_bytes, UC_PROT_READ | UC_PROT_EXEC, m->flash);
	if (e == UC_ERR_OK)
		e = uc_mem_map_ptr(m->uc, MCU_FLASH_BASE, m->flash_bytes,
		                   UC_PROT_READ | UC_PROT_EXEC, m->flash);
	if (e == UC_ERR_OK) {
		m->flash_mapped = true;
		e = uc_mem_map_ptr(m->uc, MCU_SRAM_BASE, md->sram_size, UC_PROT_ALL, m->sram);
	}
	if (e == UC_ERR_OK && md->ccm_size)
		/* CCM is data-only on silicon: fetching from it faults */
		e = uc_mem_map_ptr(m->uc, MCU_CCM_BASE, md->ccm_size,
		                   UC_PROT_READ | UC_PROT_WRITE, m->ccm);
	if (e == UC_ERR_OK) {
		uint32_t sb = md->sys_base & ~0x3FFu;
		uint32_t se = md->sys_base + md->sys_size;
		if (md->family == MCU_FAMILY_F1)
			se = md->opt_addr + 16; /* F1 option bytes follow the ROM */
		e = map_mmio(m, sb, page_up(se) - sb);
	}
	if (e == UC_ERR_OK && md->family == MCU_FAMILY_F2F4)
		e = map_mmio(m, md->opt_addr, 0x400);
	if (e == UC_ERR_OK && md->opt2_addr)
		e = map_mmio(m, md->opt2_addr, 0x400);
	if (e == UC_ERR_OK)
		e = map_mmio(m, MCU_PERIPH_BASE, m->periph_size);
	if (e == UC_ERR_OK)
		e = map_mmio(m, MCU_PPB_BASE, MCU_PPB_SIZE);
	/* bit-band aliases of SRAM and of the peripherals */
	if (e == UC_ERR_OK)
		e = map_mmio(m, 0x22000000u, md->sram_size * 32);
	if (e == UC_ERR_OK)
		e = map_mmio(m, 0x42000000u, m->periph_size * 32);
	if (e == UC_ERR_OK)
		e = uc_hook_add(m->uc, &m->hooks[0], UC_HOOK_MEM_WRITE_PROT, flash_store_hook,
		                m, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(m->uc, &m->hooks[1], UC_HOOK_BLOCK, block_hook, m, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(m->uc, &m->hooks[2], UC_HOOK_INTR, intr_hook, m, 1, 0);
	if (e != UC_ERR_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot start the %s core emulator: %s", md->name, uc_strerror(e));
	return -1;
}

void mcu_core_free(mcu_t *m)
{
	if (m->uc)
		uc_close(m->uc);
	m->uc = NULL;
	free(m->core_extra);
	m->core_extra = NULL;
}

static uint32_t rd(mcu_t *m, int reg)
{
	uint32_t v = 0;
	uc_reg_read(m->uc, reg, &v);
	return v;
}

static void wr(mcu_t *m, int reg, uint32_t v)
{
	uc_reg_write(m->uc, reg, &v);
}

uint32_t mcu_core_pc(mcu_t *m)
{
	return rd(m, UC_ARM_REG_PC);
}

void mcu_core_reset(mcu_t *m)
{
	/* boot from main flash: SP and PC from the first two words of the vector table */
	uint32_t sp = (uint32_t)(m->flash[0] | m->flash[1] << 8 | m->flash[2] << 16 |
	                         (uint32_t)m->flash[3] << 24);
	uint32_t pc = (uint32_t)(m->flash[4] | m->flash[5] << 8 | m->flash[6] << 16 |
	                         (uint32_t)m->flash[7] << 24);
	wr(m, UC_ARM_REG_CONTROL, 0);
	wr(m, UC_ARM_REG_PRIMASK, 0);
	wr(m, UC_ARM_REG_FAULTMASK, 0);
	wr(m, UC_ARM_REG_BASEPRI, 0);
	wr(m, UC_ARM_REG_PSP, 0);
	wr(m, UC_ARM_REG_MSP, sp);
	wr(m, UC_ARM_REG_LR, 0xFFFFFFFFu);
	wr(m, UC_ARM_REG_XPSR, 0x01000000u);
	/* unicorn takes the Thumb state from bit 0 of a PC write */
	wr(m, UC_ARM_REG_PC, pc | 1u);
	/* a vector without the Thumb bit faults on the first instruction (INVSTATE) */
	m->reset_invstate = !(pc & 1);
	m->nfix = 0;
}

void mcu_core_flush_all(mcu_t *m)
{
	if (m->uc)
		uc_ctl(m->uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
	m->dirty[0].set = false;
	m->dirty[1].set = false;
}

void mcu_core_flush_tb(mcu_t *m)
{
	if (m->dirty[0].set) {
		uc_ctl_remove_cache(m->uc, m->dirty[0].lo, m->dirty[0].hi);
		uc_ctl_remove_cache(m->uc, MCU_FLASH_BASE + m->dirty[0].lo,
		                    MCU_FLASH_BASE + m->dirty[0].hi);
	}
	if (m->dirty[1].set)
		uc_ctl_remove_cache(m->uc, m->dirty[1].lo, m->dirty[1].hi);
	m->dirty[0].set = false;
	m->dirty[1].set = false;
}

static void lock_up(mcu_t *m)
{
	m->lockup = true;
	/* the architected lockup address */
	wr(m, UC_ARM_REG_PC, 0xEFFFFFFFu);
}

/* Readout protection level 1 with a debugger attached: code running from SRAM (a
 * debugger algorithm such as the CRC) gets bus errors from flash (RM0090 §3.7.3,
 * RM0008 §2.3.4), while the firmware itself runs from flash normally. Flash is
 * unmapped from the core for the former. */
static bool sync_flash_mapping(mcu_t *m)
{
	bool want = !(m->rdp_active && !m->firmware_running);
	if (want == m->flash_mapped)
		return true;
	uint32_t size = m->flash_bytes;
	uc_err e;
	if (want) {
		e = uc_mem_map_ptr(m->uc, 0, size, UC_PROT_READ | UC_PROT_EXEC, m->flash);
		if (e == UC_ERR_OK)
			e = uc_mem_map_ptr(m->uc, MCU_FLASH_BASE, size, UC_PROT_READ | UC_PROT_EXEC,
			                   m->flash);
	} else {
		e = uc_mem_unmap(m->uc, 0, size);
		if (e == UC_ERR_OK)
			e = uc_mem_unmap(m->uc, MCU_FLASH_BASE, size);
	}
	if (e != UC_ERR_OK)
		return false;
	m->flash_mapped = want;
	return true;
}

/* unicorn stops on the YIELD and WFE hints as if they were undefined, with the PC already
 * past them (a real undefined instruction leaves the PC on itself). On a Cortex-M YIELD
 * is a NOP and WFE waits for an event, which nothing in the board sends. Returns true
 * when the instruction before PC is such a hint and the one at PC is not an UDF. */
static bool hint_at_pc(mcu_t *m)
{
	uint32_t pc = rd(m, UC_ARM_REG_PC) & ~1u;
	uint8_t b[4];
	uint8_t c[2] = { 0, 0 };
	if (pc < 2 || uc_mem_read(m->uc, pc - 2, b, 4) != UC_ERR_OK)
		return false;
	if (pc >= 4)
		uc_mem_read(m->uc, pc - 4, c, 2); /* stays 0 where nothing is mapped */
	uint16_t before2 = (uint16_t)(b[0] | b[1] << 8);
	uint16_t first4 = (uint16_t)(c[0] | c[1] << 8);
	uint16_t at = (uint16_t)(b[2] | b[3] << 8);
	if ((at & 0xFF00) == 0xDE00 || (at & 0xFFF0) == 0xF7F0)
		return false; /* UDF at PC: a real fault */
	unsigned hint;
	if ((before2 & 0xFF0F) == 0xBF00 && (before2 & 0xF0) != 0)
		hint = (before2 >> 4) & 0xF; /* 16-bit hint (an IT has a non-zero mask) */
	else if (first4 == 0xF3AF && (before2 & 0xFF00) == 0x8000)
		hint = before2 & 0xFF;
	else
		return false;
	if (hint != 1 && hint != 2)
		return false;
	if (hint == 2)
		m->sleeping = true; /* WFE */
	return true;
}

/* Runs one slice. Ends halted (BKPT), locked up (fault), sleeping (WFI/WFE) or still
 * running when the budget or host time ran out. */
void mcu_core_run(mcu_t *m, uint64_t budget, uint64_t host_ns_limit)
{
	if (m->reset_invstate) {
		m->reset_invstate = false;
		lock_up(m);
		return;
	}
	if (!sync_flash_mapping(m) || !sync_breakpoints(m)) {
		lock_up(m);
		return;
	}
	mcu_core_flush_tb(m);
	extra(m)->stepping = false;
	m->cycles = 0;
	m->budget = budget ? budget : 1;
	m->block_tick = 0;
	m->slice_deadline_host = mcu_host_ns() + host_ns_limit;
	m->core_fault = false;
	m->core_bkpt = false;
	m->core_watch = false;
	extra(m)->stop_asked = false;
	uint32_t pc = rd(m, UC_ARM_REG_PC);
	uc_err e = uc_emu_start(m->uc, pc | 1, 0xFFFFFFFFu, 0, 0);
	apply_fixups(m);
	if (m->cfg.timing == MCU_TIMING_REALISTIC)
		m->core_ns += m->cycles * 1000000000ull / m->core_hz;
	if (m->cycles)
		m->retire_st = true;
	m->budget = 0;
	if (m->pending_reset) {
		mcu_do_system_reset(m);
		return;
	}
	if (m->core_bkpt || m->core_watch) {
		mcu_halt_now(m);
		m->dfsr |= m->core_bkpt ? MCU_DFSR_BKPT : MCU_DFSR_DWTTRAP;
		return;
	}
	if (e == UC_ERR_INSN_INVALID && !m->core_fault && hint_at_pc(m))
		return;
	if (e != UC_ERR_OK || m->core_fault) {
		lock_up(m);
		return;
	}
	if (!extra(m)->stop_asked)
		m->sleeping = true; /* unicorn returned on its own: WFI */
}

bool mcu_core_step(mcu_t *m)
{
	if (m->reset_invstate) {
		m->reset_invstate = false;
		lock_up(m);
		return false;
	}
	if (!sync_flash_mapping(m)) {
		lock_up(m);
		return false;
	}
	mcu_core_flush_tb(m);
	struct core_extra *x = extra(m);
	x->stepping = x->bp_hooked;
	x->step_seen = 0;
	x->wp_hit = false;
	m->cycles = 0;
	m->budget = UINT64_MAX;
	m->slice_deadline_host = mcu_host_ns() + 1000000000ull;
	m->core_fault = false;
	m->core_bkpt = false;
	uint32_t pc = rd(m, UC_ARM_REG_PC);
	uc_err e = uc_emu_start(m->uc, pc | 1, 0xFFFFFFFFu, 0, x->stepping ? 0 : 1);
	x->stepping = false;
	apply_fixups(m);
	m->budget = 0;
	if (m->pending_reset) {
		mcu_do_system_reset(m);
		return true;
	}
	if (e != UC_ERR_OK || m->core_fault) {
		lock_up(m);
		return false;
	}
	return true;
}

/* --- core registers through DCRSR.REGSEL ------------------------------------------ */

static int regsel_to_uc(unsigned regsel)
{
	if (regsel <= 12)
		return UC_ARM_REG_R0 + (int)regsel;
	switch (regsel) {
	case 0x0D: return UC_ARM_REG_SP;
	case 0x0E: return UC_ARM_REG_LR;
	case 0x0F: return UC_ARM_REG_PC;
	case 0x10: return UC_ARM_REG_XPSR;
	case 0x11: return UC_ARM_REG_MSP;
	case 0x12: return UC_ARM_REG_PSP;
	case 0x21: return UC_ARM_REG_FPSCR;
	default: break;
	}
	if (regsel >= 0x40 && regsel <= 0x5F)
		return UC_ARM_REG_S0 + (int)(regsel - 0x40);
	return -1;
}

static bool regs_reachable(mcu_t *m)
{
	return !m->faults.unpowered && !m->rdp_level2 && !(m->swd_dead && !m->nrst);
}

/* DCRSR transfers need a reachable, halted core, and the FP registers need an FPU. */
static enum mcu_status core_reg_access(mcu_t *m, unsigned regsel)
{
	if (!regs_reachable(m))
		return MCU_NO_RESPONSE;
	if (!m->halted)
		return MCU_FAULT;
	if ((regsel == 0x21 || regsel >= 0x40) && !m->md->fpu)
		return MCU_FAULT;
	return MCU_OK;
}

enum mcu_status mcu_read_core_reg(mcu_t *m, unsigned regsel, uint32_t *val)
{
	enum mcu_status st = core_reg_access(m, regsel);
	if (st != MCU_OK)
		return st;
	if (regsel == 0x14) {
		*val = (rd(m, UC_ARM_REG_CONTROL) & 0xFF) << 24 |
		       (rd(m, UC_ARM_REG_FAULTMASK) & 0xFF) << 16 |
		       (rd(m, UC_ARM_REG_BASEPRI) & 0xFF) << 8 | (rd(m, UC_ARM_REG_PRIMASK) & 0xFF);
		return MCU_OK;
	}
	int r = regsel_to_uc(regsel);
	if (r < 0)
		return MCU_FAULT;
	*val = rd(m, r);
	if (regsel == 0x10 && m->reset_invstate)
		*val &= ~0x01000000u; /* the vector had no Thumb bit: EPSR.T reads 0 */
	return MCU_OK;
}

enum mcu_status mcu_write_core_reg(mcu_t *m, unsigned regsel, uint32_t val)
{
	enum mcu_status st = core_reg_access(m, regsel);
	if (st != MCU_OK)
		return st;
	if (regsel == 0x14) {
		wr(m, UC_ARM_REG_CONTROL, (val >> 24) & 0xFF);
		wr(m, UC_ARM_REG_FAULTMASK, (val >> 16) & 0xFF);
		wr(m, UC_ARM_REG_BASEPRI, (val >> 8) & 0xFF);
		wr(m, UC_ARM_REG_PRIMASK, val & 0xFF);
		return MCU_OK;
	}
	int r = regsel_to_uc(regsel);
	if (r < 0)
		return MCU_FAULT;
	if (regsel == 0x0F) {
		m->reset_invstate = false;
		val |= 1u; /* keeps unicorn in Thumb state; the PC itself reads even */
	}
	wr(m, r, val);
	return MCU_OK;
}
