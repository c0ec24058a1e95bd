/* fake_mcu.c - a scripted stand-in for the mcu contract (src/sim/mcu/mcu.h), so the
 * probe model can be tested on its own: an F103-like memory map with plain arrays, a
 * core that only halts and resets, and knobs the tests set to force statuses. */
#include "fake_mcu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcu {
	struct fake_mcu_state st;
};

static struct mcu *last;

struct fake_mcu_state *fake_mcu_state(mcu_t *m)
{
	return &(m ? m : last)->st;
}

const char *const *mcu_model_names(void)
{
	static const char *const names[] = {"fake103", "stm32f103c8", NULL};
	return names;
}

mcu_t *mcu_new(const struct mcu_config *cfg, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	mcu_t *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->st.faults = cfg->faults;
	m->st.volts = cfg->faults.unpowered ? 0.0 : 3.3;
	memset(m->st.flash, 0xFF, sizeof(m->st.flash));
	snprintf(m->st.path, sizeof(m->st.path), "%s", cfg->flash_path ? cfg->flash_path : "");
	FILE *f = m->st.path[0] ? fopen(m->st.path, "rb") : NULL;
	if (f) {
		if (fread(m->st.flash, 1, sizeof(m->st.flash), f) != sizeof(m->st.flash))
			memset(m->st.flash, 0xFF, sizeof(m->st.flash));
		fclose(f);
	}
	m->st.dhcsr = 0x02010000;
	last = m;
	return m;
}

int mcu_free(mcu_t *m)
{
	free(m);
	return 0;
}

int mcu_save(mcu_t *m)
{
	m->st.saves++;
	FILE *f = m->st.path[0] ? fopen(m->st.path, "wb") : NULL;
	if (f) {
		fwrite(m->st.flash, 1, sizeof(m->st.flash), f);
		fclose(f);
	}
	return 0;
}

double mcu_target_voltage(const mcu_t *m)
{
	return m->st.volts;
}

static void reset(mcu_t *m)
{
	uint32_t sp, pc;
	memcpy(&sp, m->st.flash, 4);
	memcpy(&pc, m->st.flash + 4, 4);
	m->st.regs[13] = m->st.regs[17] = sp;
	m->st.regs[15] = pc & ~1u;
	m->st.regs[16] = 0x01000000;
	m->st.resets++;
	bool halt = (m->st.demcr & 1) && (m->st.dhcsr & 1);
	m->st.dhcsr = (m->st.dhcsr & 0xF) | 0x02000000 | (halt ? 0x00030002 : 0);
	if (!halt)
		m->st.dhcsr &= ~2u;
}

void mcu_set_nrst(mcu_t *m, bool asserted)
{
	if (m->st.nrst && !asserted)
		reset(m);
	m->st.nrst = asserted;
}

enum mcu_status mcu_connect(mcu_t *m, uint32_t *dp_idcode)
{
	m->st.connects++;
	if (m->st.faults.unpowered || (m->st.faults.swd_disabled && !m->st.nrst))
		return MCU_NO_RESPONSE;
	*dp_idcode = m->st.faults.clone_idcode ? m->st.faults.clone_idcode : 0x1BA01477;
	return MCU_OK;
}

static uint8_t *region(mcu_t *m, uint32_t addr, size_t len)
{
	if (addr >= 0x08000000 && addr + len <= 0x08000000 + sizeof(m->st.flash))
		return m->st.flash + (addr - 0x08000000);
	if (addr >= 0x20000000 && addr + len <= 0x20000000 + sizeof(m->st.sram))
		return m->st.sram + (addr - 0x20000000);
	return NULL;
}

static int reg32(mcu_t *m, uint32_t addr, uint32_t *v, bool write)
{
	uint32_t fixed = 0;
	switch (addr) {
	case 0xE000ED00: fixed = 0x411FC231; break;
	case 0xE0002000: fixed = 0x260; break;
	case 0xE0001000: fixed = 0x40000000; break;
	case 0xE0042000: fixed = 0x20036410; break;
	case 0xE000EDF0:
		if (!write) {
			*v = m->st.dhcsr | 0x00010000;
			m->st.dhcsr &= ~0x02000000u;
		} else if ((*v >> 16) == 0xA05F) {
			uint32_t c = *v & 0xF;
			m->st.dhcsr = (m->st.dhcsr & 0xFFFF0000u) | c;
			if (c & 2)
				m->st.dhcsr |= 0x00020000;
			else
				m->st.dhcsr &= ~0x00020000u;
		}
		return 0;
	case 0xE000EDFC:
		if (write)
			m->st.demcr = *v;
		else
			*v = m->st.demcr;
		return 0;
	case 0xE000ED0C:
		if (write && *v == 0x05FA0004)
			reset(m);
		else if (!write)
			*v = 0xFA050000;
		return 0;
	default:
		if (addr >= 0xE0000000 || (addr >= 0x40000000 && addr < 0x60000000)) {
			if (!write)
				*v = 0;
			return 0;
		}
		return -1;
	}
	if (!write)
		*v = fixed;
	return 0;
}

static enum mcu_status forced(mcu_t *m)
{
	if (m->st.force_status) {
		enum mcu_status s = m->st.force_status;
		if (m->st.force_count && --m->st.force_count == 0)
			m->st.force_status = 0;
		return s;
	}
	return MCU_OK;
}

enum mcu_status mcu_read(mcu_t *m, uint32_t addr, void *buf, size_t len, unsigned width)
{
	m->st.reads++;
	m->st.last_addr = addr;
	m->st.last_len = len;
	m->st.last_width = width;
	enum mcu_status s = forced(m);
	if (s != MCU_OK)
		return s;
	if (addr == 0x1FFFF7E0 && len == 2) {
		uint16_t kib = sizeof(m->st.flash) / 1024;
		memcpy(buf, &kib, 2);
		return MCU_OK;
	}
	uint8_t *r = region(m, addr, len);
	if (r) {
		memcpy(buf, r, len);
		return MCU_OK;
	}
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v;
		if (reg32(m, addr + (uint32_t)i, &v, false) < 0)
			return MCU_FAULT;
		memcpy((uint8_t *)buf + i, &v, len - i < 4 ? len - i : 4);
	}
	return MCU_OK;
}

enum mcu_status mcu_write(mcu_t *m, uint32_t addr, const void *buf, size_t len, unsigned width)
{
	m->st.writes++;
	m->st.last_addr = addr;
	m->st.last_len = len;
	m->st.last_width = width;
	enum mcu_status s = forced(m);
	if (s != MCU_OK)
		return s;
	uint8_t *r = region(m, addr, len);
	if (r) {
		memcpy(r, buf, len);
		return MCU_OK;
	}
	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t v;
		memcpy(&v, (const uint8_t *)buf + i, 4);
		if (reg32(m, addr + (uint32_t)i, &v, true) < 0)
			return MCU_FAULT;
	}
	return MCU_OK;
}

enum mcu_status mcu_read_core_reg(mcu_t *m, unsigned regsel, uint32_t *val)
{
	if (!(m->st.dhcsr & 0x00020000))
		return MCU_FAULT;
	*val = regsel < 32 ? m->st.regs[regsel] : 0;
	return MCU_OK;
}

enum mcu_status mcu_write_core_reg(mcu_t *m, unsigned regsel, uint32_t val)
{
	if (!(m->st.dhcsr & 0x00020000))
		return MCU_FAULT;
	if (regsel < 32)
		m->st.regs[regsel] = val;
	return MCU_OK;
}

enum mcu_status mcu_system_reset(mcu_t *m)
{
	reset(m);
	return MCU_OK;
}

void mcu_advance(mcu_t *m, uint64_t now_ns)
{
	m->st.advances++;
	m->st.last_now = now_ns;
}
