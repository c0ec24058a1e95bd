/* flash.c - the flash controllers, option bytes and OTP of the simulated parts.
 *
 * F1: FPEC at 0x40022000 (RM0008 §3 "Embedded Flash memory" and PM0075): KEYR/OPTKEYR
 * unlock sequences, LOCK, PG halfword programming (PGERR when the target halfword is
 * not erased unless the value is 0), PER/MER/STRT erases, OPTER/OPTPG on the option
 * area at 0x1FFFF800, SR BSY/PGERR/WRPRTERR/EOP, OBR/WRPR loaded at reset.
 * F2/F4: flash interface at 0x40023C00 (RM0033 §2.4, RM0090 §3.9): SER/SNB/MER/MER1
 * erases, programming by PSIZE, PGAERR/PGPERR/PGSERR/WRPERR/OPERR, OPTCR as a staging
 * register over the programmed option bytes (OPTSTRT commits), OPTCR1 on F42x, OTP.
 *
 * Readout protection takes effect at reset (mcu_options_latch); regressing from level 1
 * erases the main flash at once, as the option erase / OPTSTRT does on silicon.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/mcu/flash_regs.h"
#include "sim/mcu/mcu_int.h"

#define MS 1000000ull
#define US 1000ull

static bool is_f1(const mcu_t *m)
{
	return m->md->family == MCU_FAMILY_F1;
}

static bool timing(const mcu_t *m)
{
	return m->cfg.timing == MCU_TIMING_REALISTIC;
}

/* Starts (or queues behind the current one, as the stalled bus does) an operation of
 * the given duration on the target's clock. */
static void busy_for(mcu_t *m, uint64_t ns)
{
	if (!timing(m))
		return;
	uint64_t now = mcu_target_now(m);
	uint64_t start = m->fpec.busy_until > now ? m->fpec.busy_until : now;
	m->fpec.busy_until = start + ns;
}

bool mcu_fpec_busy(const mcu_t *m)
{
	return timing(m) && mcu_target_now(m) < m->fpec.busy_until;
}

bool mcu_fpec_is_regs(const mcu_t *m, uint32_t addr)
{
	uint32_t base = is_f1(m) ? MCU_F1_FLASH_REGS : MCU_F4_FLASH_REGS;
	return addr >= base && addr < base + 0x400;
}

static void flash_changed(mcu_t *m, uint32_t off, uint32_t len)
{
	mcu_mark_code_dirty(m, off, len);
}

static void erase_range(mcu_t *m, uint32_t off, uint32_t len)
{
	memset(m->flash + off, 0xFF, len);
	flash_changed(m, off, len);
}

/* --- option bytes ------------------------------------------------------------------ */

static uint16_t f1_opt_hw(uint8_t v)
{
	return (uint16_t)(v | ((uint8_t)~v << 8));
}

static uint8_t f1_opt_byte(uint16_t hw)
{
	return (uint8_t)hw; /* an erased halfword reads its value byte as 0xFF */
}

void mcu_options_default(mcu_t *m)
{
	/* factory state: RDP level 0, all user bits 1, nothing write protected */
	for (int i = 0; i < 8; i++)
		m->opt.f1[i] = f1_opt_hw(0xFF);
	m->opt.f1[0] = f1_opt_hw(0xA5);
	m->opt.optcr = F4_OPTCR_FACTORY & ~F4_OPTCR_OPTLOCK;
	m->opt.optcr1 = F4_OPTCR1_FACTORY;
}

static uint32_t f4_opt_mask(const mcu_t *m)
{
	return 0x0FFFFFFCu | (m->md->dual_bank || m->md->db1m ? 0xC0000010u : 0);
}

void mcu_options_apply_faults(mcu_t *m)
{
	const struct mcu_faults *f = &m->faults;
	/* Faults describe the chip as it comes out of the box for this run; they are
	 * written to FILE.opt only if OpenOCD later changes the options. */
	if (f->rdp1) {
		if (is_f1(m))
			m->opt.f1[0] = f1_opt_hw(0x00);
		else
			m->opt.optcr = (m->opt.optcr & ~0xFF00u) | 0x5500u;
	}
	if (f->hw_watchdog) {
		if (is_f1(m))
			m->opt.f1[1] = f1_opt_hw(f1_opt_byte(m->opt.f1[1]) & (uint8_t)~1u);
		else
			m->opt.optcr &= ~(1u << 5);
	}
	if (f->wrp_set) {
		if (is_f1(m)) {
			for (int i = 0; i < 4; i++) {
				uint8_t cur = f1_opt_byte(m->opt.f1[4 + i]);
				m->opt.f1[4 + i] = f1_opt_hw(cur & (uint8_t)~(f->wrp[0] >> (8 * i)));
			}
		} else {
			m->opt.optcr &= ~((f->wrp[0] & 0xFFFu) << 16);
			m->opt.optcr1 &= ~(((f->wrp[0] >> 12) & 0xFFFu) << 16);
		}
	}
}

static uint8_t f4_rdp(uint32_t optcr)
{
	return (uint8_t)(optcr >> 8);
}

void mcu_options_latch(mcu_t *m)
{
	if (is_f1(m)) {
		uint32_t obr = 0;
		bool opterr = false;
		for (int i = 0; i < 8; i++) {
			uint16_t hw = m->opt.f1[i];
			if (hw != 0xFFFF && (uint8_t)(hw >> 8) != (uint8_t)~hw)
				opterr = true;
		}
		uint8_t rdp = f1_opt_byte(m->opt.f1[0]);
		m->rdp_active = rdp != 0xA5;
		obr |= opterr ? 1u : 0;
		obr |= m->rdp_active ? 2u : 0;
		obr |= (uint32_t)f1_opt_byte(m->opt.f1[1]) << 2;
		obr |= (uint32_t)f1_opt_byte(m->opt.f1[2]) << 10;
		obr |= (uint32_t)f1_opt_byte(m->opt.f1[3]) << 18;
		m->obr = obr;
		m->wrpr = 0;
		for (int i = 0; i < 4; i++)
			m->wrpr |= (uint32_t)f1_opt_byte(m->opt.f1[4 + i]) << (8 * i);
	} else {
		m->rdp_active = f4_rdp(m->opt.optcr) != 0xAA;
		/* level 2 disables the debug port for good (RM0090 §3.7.3): the board file
		 * is bricked until its FILE.opt is removed */
		m->rdp_level2 = f4_rdp(m->opt.optcr) == 0xCC;
	}
}

static void options_changed(mcu_t *m)
{
	m->opt_dirty = true;
	mcu_options_save(m); /* a failure is retried by mcu_save() */
}

int mcu_file_write_atomic(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path) + 5;
	char *tmp = malloc(n);
	int rc = 0;
	int fd = -1;
	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (write(fd, data, len) != (ssize_t)len) {
		rc = errno ? -errno : -EIO;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		rc = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int mcu_file_read_exact(const char *path, void *data, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : -errno;
	ssize_t r = read(fd, data, len);
	int e = errno;
	char extra;
	ssize_t more = r < 0 ? 0 : read(fd, &extra, 1);
	close(fd);
	if (r < 0)
		return -e;
	if (r != (ssize_t)len || more != 0)
		return -EINVAL;
	return 0;
}

int mcu_options_save(mcu_t *m)
{
	uint8_t buf[16];
	size_t len;
	if (is_f1(m)) {
		for (int i = 0; i < 8; i++) {
			buf[2 * i] = (uint8_t)m->opt.f1[i];
			buf[2 * i + 1] = (uint8_t)(m->opt.f1[i] >> 8);
		}
		len = 16;
	} else {
		for (int i = 0; i < 4; i++) {
			buf[i] = (uint8_t)(m->opt.optcr >> (8 * i));
			buf[4 + i] = (uint8_t)(m->opt.optcr1 >> (8 * i));
		}
		len = 8;
	}
	int rc = mcu_file_write_atomic(m->opt_path, buf, len);
	if (rc == 0)
		m->opt_dirty = false;
	return rc;
}

int mcu_options_load(mcu_t *m)
{
	uint8_t buf[16];
	size_t len = is_f1(m) ? 16 : 8;
	int rc = mcu_file_read_exact(m->opt_path, buf, len);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	if (is_f1(m)) {
		for (int i = 0; i < 8; i++)
			m->opt.f1[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
	} else {
		m->opt.optcr = 0;
		m->opt.optcr1 = 0;
		for (int i = 0; i < 4; i++) {
			m->opt.optcr |= (uint32_t)buf[i] << (8 * i);
			m->opt.optcr1 |= (uint32_t)buf[4 + i] << (8 * i);
		}
	}
	return 0;
}

int mcu_otp_save(mcu_t *m)
{
	int rc = mcu_file_write_atomic(m->otp_path, m->otp, sizeof(m->otp));
	if (rc == 0)
		m->otp_dirty = false;
	return rc;
}

int mcu_otp_load(mcu_t *m)
{
	int rc = mcu_file_read_exact(m->otp_path, m->otp, sizeof(m->otp));
	return rc > 0 ? 0 : rc;
}

/* --- timing (DS5319 table 28; DS8626 table 40) --------------- */

static uint64_t f1_page_erase_ns(void) { return 25 * MS; }
static uint64_t f1_mass_erase_ns(void) { return 30 * MS; }
static uint64_t f1_program_ns(void) { return 52500; }

static unsigned f4_psize(const mcu_t *m)
{
	return (m->fpec.cr >> 8) & 3;
}

/* Sector erase: DS8626 table 40 typ per parallelism (x8/x16/x32, x64 as x32) scaled by
 * 0.911, the ratio of the measured OpenOCD erase of a whole F407 (15.3 s at x8) to the
 * sum of the typ figures (16.8 s). OpenOCD leaves PSIZE at x8. */
static uint64_t f4_sector_erase_ns(const mcu_t *m, uint32_t size)
{
	static const uint64_t t16k[4] = { 400 * MS, 300 * MS, 250 * MS, 250 * MS };
	static const uint64_t t64k[4] = { 1200 * MS, 700 * MS, 550 * MS, 550 * MS };
	static const uint64_t t128k[4] = { 2000 * MS, 1300 * MS, 1000 * MS, 1000 * MS };
	unsigned p = f4_psize(m);
	uint64_t typ = size == 0x4000 ? t16k[p] : size == 0x10000 ? t64k[p] : t128k[p];
	return typ * 911 / 1000;
}

static uint64_t f4_mass_erase_ns(const mcu_t *m, unsigned banks)
{
	static const uint64_t t[4] = { 16000 * MS, 11000 * MS, 8000 * MS, 8000 * MS };
	return t[f4_psize(m)] * banks;
}

static uint64_t f4_program_ns(void) { return 16 * US; }
/* Option byte programming time is not in the datasheet tables; 100 ms is an assumed
 * figure well inside OpenOCD's 33 s poll budget. */
static uint64_t f4_option_ns(void) { return 100 * MS; }

/* The two-word unlock sequences (KEYR and OPTKEYR on both families): 1 when val
 * completes the sequence, 0 when it is its first word, -1 when it breaks it (the stage
 * starts over). */
static int key_step(int *stage, uint32_t val, uint32_t key1, uint32_t key2)
{
	if (*stage == 0 && val == key1) {
		*stage = 1;
		return 0;
	}
	bool done = *stage == 1 && val == key2;
	*stage = 0;
	return done ? 1 : -1;
}

/* KEYR: the right sequence clears LOCK; a wrong word locks the controller until the
 * next reset, as on silicon. */
static void keyr_write(struct mcu_fpec *f, uint32_t val, uint32_t lock_bit)
{
	if (f->key_dead || !(f->cr & lock_bit))
		return; /* already unlocked: OpenOCD sends the keys again; harmless */
	int r = key_step(&f->key_stage, val, KEY1, KEY2);
	if (r > 0)
		f->cr &= ~lock_bit;
	else if (r < 0)
		f->key_dead = true;
}

/* --- F1 FPEC ---------------------------------------------------------------------- */

static bool f1_page_protected(const mcu_t *m, uint32_t off)
{
	uint32_t page = off / m->md->page_size;
	uint32_t bit = page / m->md->wrp_pages_per_bit;
	if (bit > 31)
		bit = 31; /* on large parts WRP bit 31 covers the rest of the flash */
	return !(m->wrpr & (1u << bit));
}

static void f1_start(mcu_t *m, uint32_t cr)
{
	struct mcu_fpec *f = &m->fpec;
	if (cr & F1_CR_PER) {
		uint32_t addr = f->ar;
		uint32_t off = addr >= MCU_FLASH_BASE ? addr - MCU_FLASH_BASE : addr;
		if (off >= m->flash_bytes)
			return;
		off &= ~(m->md->page_size - 1);
		if (m->rdp_active || f1_page_protected(m, off)) {
			f->sr |= F1_SR_WRPRTERR;
			return;
		}
		erase_range(m, off, m->md->page_size);
		f->sr |= F1_SR_EOP;
		busy_for(m, f1_page_erase_ns());
	} else if (cr & F1_CR_MER) {
		if (m->wrpr != 0xFFFFFFFFu) {
			f->sr |= F1_SR_WRPRTERR;
			return;
		}
		erase_range(m, 0, m->flash_bytes);
		f->sr |= F1_SR_EOP;
		busy_for(m, f1_mass_erase_ns());
	} else if (cr & F1_CR_OPTER) {
		if (!(f->cr & F1_CR_OPTWRE))
			return;
		uint64_t t = f1_page_erase_ns();
		/* leaving readout protection costs the whole main flash */
		if (f1_opt_byte(m->opt.f1[0]) != 0xA5) {
			erase_range(m, 0, m->flash_bytes);
			t += f1_mass_erase_ns();
		}
		for (int i = 0; i < 8; i++)
			m->opt.f1[i] = 0xFFFF;
		options_changed(m);
		f->sr |= F1_SR_EOP;
		busy_for(m, t);
	}
}

static uint32_t f1_read(mcu_t *m, uint32_t off)
{
	struct mcu_fpec *f = &m->fpec;
	bool busy = mcu_fpec_busy(m);
	if (!busy)
		f->cr &= ~F1_CR_STRT;
	switch (off) {
	case 0x00: return f->acr;
	case 0x0C: return (f->sr & ~F1_SR_BSY) | (busy ? F1_SR_BSY : 0);
	case 0x10: return f->cr;
	case 0x14: return f->ar;
	case 0x1C: return m->obr;
	case 0x20: return m->wrpr;
	default: return 0;
	}
}

static void f1_write(mcu_t *m, uint32_t off, uint32_t val)
{
	struct mcu_fpec *f = &m->fpec;
	switch (off) {
	case 0x00:
		f->acr = val & 0x3F;
		break;
	case 0x04:
		keyr_write(f, val, F1_CR_LOCK);
		break;
	case 0x08:
		if (!(f->cr & F1_CR_LOCK) && key_step(&f->optkey_stage, val, KEY1, KEY2) > 0)
			f->cr |= F1_CR_OPTWRE;
		break;
	case 0x0C:
		f->sr &= ~(val & (F1_SR_PGERR | F1_SR_WRPRTERR | F1_SR_EOP));
		break;
	case 0x10: {
		if (f->cr & F1_CR_LOCK)
			break;
		if (mcu_fpec_busy(m))
			break;
		uint32_t cr = val & (F1_CR_PG | F1_CR_PER | F1_CR_MER | F1_CR_OPTPG |
		                     F1_CR_OPTER | F1_CR_STRT | F1_CR_LOCK | (1u << 10) |
		                     (1u << 12));
		/* OPTWRE is cleared by writing 0 and can only be set by the option keys */
		if ((val & F1_CR_OPTWRE) && (f->cr & F1_CR_OPTWRE))
			cr |= F1_CR_OPTWRE;
		if (cr & F1_CR_LOCK) {
			cr &= ~F1_CR_OPTWRE;
			f->key_stage = 0;
		}
		bool start = (cr & F1_CR_STRT) && !(f->cr & F1_CR_STRT);
		f->cr = cr;
		if (start)
			f1_start(m, cr);
		break;
	}
	case 0x14:
		if (!mcu_fpec_busy(m))
			f->ar = val;
		break;
	default:
		break;
	}
}

static enum mcu_status f1_program_hw(mcu_t *m, uint32_t off, uint16_t hw)
{
	struct mcu_fpec *f = &m->fpec;
	if (m->rdp_active || f1_page_protected(m, off)) {
		f->sr |= F1_SR_WRPRTERR;
		return MCU_OK;
	}
	uint16_t old = (uint16_t)(m->flash[off] | m->flash[off + 1] << 8);
	if (old != 0xFFFF && hw != 0) {
		f->sr |= F1_SR_PGERR;
		return MCU_OK;
	}
	m->flash[off] = (uint8_t)hw;
	m->flash[off + 1] = (uint8_t)(hw >> 8);
	flash_changed(m, off, 2);
	f->sr |= F1_SR_EOP;
	busy_for(m, f1_program_ns());
	return MCU_OK;
}

/* --- F2/F4 flash interface --------------------------------------------------------- */

static bool f4_sector_protected(const mcu_t *m, unsigned sector)
{
	if (sector < 12)
		return !(m->opt.optcr & (1u << (16 + sector)));
	return !(m->opt.optcr1 & (1u << (16 + sector - 12)));
}

/* The flash-error fault: its flag instead of the operation, in its sector. The programming
 * flags (PGAERR, PGPERR, PGSERR) come from program operations only. */
static bool injected_error(mcu_t *m, int sector, bool erase)
{
	if (!m->faults.flash_error || sector != (int)m->faults.flash_error_sector)
		return false;
	if (erase && !(m->faults.flash_error & (F4_SR_OPERR | F4_SR_WRPERR)))
		return false;
	m->fpec.sr |= m->faults.flash_error;
	return true;
}

static void f4_start(mcu_t *m, uint32_t cr)
{
	struct mcu_fpec *f = &m->fpec;
	if (cr & F4_CR_SER) {
		unsigned snb = (cr >> 3) & (mcu_two_banks(m) ? 0x1F : 0x0F);
		unsigned sector = (snb & 0x0F) + (snb & 0x10 ? 12 : 0);
		uint32_t off, size;
		if ((snb & 0x0F) >= 12 || !mcu_sector_range(m, sector, &off, &size)) {
			f->sr |= F4_SR_PGSERR;
			return;
		}
		if (m->rdp_active || f4_sector_protected(m, sector)) {
			f->sr |= F4_SR_WRPERR;
			return;
		}
		if (injected_error(m, (int)sector, true))
			return;
		erase_range(m, off, size);
		f->sr |= F4_SR_EOP;
		busy_for(m, f4_sector_erase_ns(m, size));
	} else if (cr & (F4_CR_MER | F4_CR_MER1)) {
		bool b1 = cr & F4_CR_MER;
		bool b2 = mcu_two_banks(m) && (cr & F4_CR_MER1);
		unsigned banks = (b1 ? 1 : 0) + (b2 ? 1 : 0);
		if (!banks)
			return;
		for (unsigned s = 0; s < MCU_F4_SECTOR_IDS; s++) {
			bool in_b1 = s < 12;
			uint32_t o, sz;
			if (mcu_sector_range(m, s, &o, &sz) && ((in_b1 && b1) || (!in_b1 && b2)) &&
			    (m->rdp_active || f4_sector_protected(m, s))) {
				f->sr |= F4_SR_WRPERR;
				return;
			}
		}
		uint32_t half = mcu_two_banks(m) ? m->flash_bytes / 2 : m->flash_bytes;
		if (b1)
			erase_range(m, 0, half);
		if (b2)
			erase_range(m, half, half);
		f->sr |= F4_SR_EOP;
		busy_for(m, f4_mass_erase_ns(m, banks));
	}
}

static void f4_option_start(mcu_t *m)
{
	struct mcu_fpec *f = &m->fpec;
	uint32_t mask = f4_opt_mask(m);
	uint32_t old = m->opt.optcr;
	uint32_t next = (f->optcr & mask) | (old & ~mask);
	uint64_t t = f4_option_ns();
	if (f4_rdp(old) == 0xCC)
		return; /* level 2 is final */
	if (f4_rdp(old) != 0xAA && f4_rdp(next) == 0xAA) {
		/* level 1 -> 0 erases the main flash before the options change */
		erase_range(m, 0, m->flash_bytes);
		t += f4_mass_erase_ns(m, mcu_two_banks(m) ? 2 : 1);
	}
	m->opt.optcr = next;
	if (m->md->opt2_addr)
		m->opt.optcr1 = f->optcr1 & 0x0FFF0000u;
	options_changed(m);
	busy_for(m, t);
}

static uint32_t f4_read(mcu_t *m, uint32_t off)
{
	struct mcu_fpec *f = &m->fpec;
	bool busy = mcu_fpec_busy(m);
	if (!busy)
		f->cr &= ~F4_CR_STRT;
	switch (off) {
	case 0x00: return f->acr;
	case 0x0C: return (f->sr & 0xFFu) | (busy ? F4_SR_BSY : 0);
	case 0x10: return f->cr;
	case 0x14: return f->optcr | (busy ? F4_OPTCR_OPTSTRT : 0);
	case 0x18: return m->md->opt2_addr ? f->optcr1 : 0;
	default: return 0;
	}
}

static void f4_write(mcu_t *m, uint32_t off, uint32_t val)
{
	struct mcu_fpec *f = &m->fpec;
	switch (off) {
	case 0x00:
		f->acr = val & 0x1F0F;
		/* latency written by reset-init before the PLL: the core clock follows */
		break;
	case 0x04:
		keyr_write(f, val, F4_CR_LOCK);
		break;
	case 0x08:
		if ((f->optcr & F4_OPTCR_OPTLOCK) &&
		    key_step(&f->optkey_stage, val, OPTKEY1_F4, OPTKEY2_F4) > 0)
			f->optcr &= ~F4_OPTCR_OPTLOCK;
		break;
	case 0x0C:
		f->sr &= ~(val & 0xF3u);
		break;
	case 0x10: {
		if (f->cr & F4_CR_LOCK)
			break;
		if (mcu_fpec_busy(m))
			break;
		uint32_t snbmask = mcu_two_banks(m) ? 0xF8u : 0x78u;
		uint32_t cr = val & (F4_CR_PG | F4_CR_SER | F4_CR_MER | snbmask | 0x300u |
		                     F4_CR_MER1 | F4_CR_STRT | (3u << 24) | F4_CR_LOCK);
		bool start = (cr & F4_CR_STRT) && !(f->cr & F4_CR_STRT);
		f->cr = cr;
		if (cr & F4_CR_LOCK)
			f->key_stage = 0;
		if (start)
			f4_start(m, cr);
		break;
	}
	case 0x14:
		if (f->optcr & F4_OPTCR_OPTLOCK)
			break;
		f->optcr = val & ~F4_OPTCR_OPTSTRT;
		if ((val & F4_OPTCR_OPTSTRT) && !mcu_fpec_busy(m))
			f4_option_start(m);
		break;
	case 0x18:
		if (m->md->opt2_addr && !(f->optcr & F4_OPTCR_OPTLOCK))
			f->optcr1 = val & 0x0FFF0000u;
		break;
	default:
		break;
	}
}

/* A program operation of PSIZE width on F2/F4: returns false (with the error bit set)
 * when the controller refuses it. */
static bool f4_program_ok(mcu_t *m, uint32_t addr, unsigned width)
{
	struct mcu_fpec *f = &m->fpec;
	if ((f->cr & F4_CR_LOCK) || !(f->cr & F4_CR_PG)) {
		f->sr |= F4_SR_PGSERR;
		return false;
	}
	unsigned psize = 1u << f4_psize(m);
	if (width != psize) {
		f->sr |= F4_SR_PGPERR;
		return false;
	}
	if (addr % width) {
		f->sr |= F4_SR_PGAERR;
		return false;
	}
	return true;
}

/* --- entry points ------------------------------------------------------------------ */

void mcu_fpec_reset(mcu_t *m)
{
	struct mcu_fpec *f = &m->fpec;
	memset(f, 0, sizeof(*f));
	mcu_options_latch(m);
	if (is_f1(m)) {
		f->acr = 0x30;
		f->cr = F1_CR_LOCK;
	} else {
		f->cr = F4_CR_LOCK;
		f->optcr = (m->opt.optcr & f4_opt_mask(m)) | F4_OPTCR_OPTLOCK;
		f->optcr1 = m->opt.optcr1;
	}
}

uint32_t mcu_fpec_read(mcu_t *m, uint32_t off)
{
	return is_f1(m) ? f1_read(m, off) : f4_read(m, off);
}

void mcu_fpec_write(mcu_t *m, uint32_t off, uint32_t val)
{
	if (is_f1(m))
		f1_write(m, off, val);
	else
		f4_write(m, off, val);
}

enum mcu_status mcu_flash_store(mcu_t *m, uint32_t off, unsigned width, uint32_t val)
{
	struct mcu_fpec *f = &m->fpec;
	if (is_f1(m)) {
		if ((f->cr & F1_CR_LOCK) || !(f->cr & F1_CR_PG))
			return MCU_OK; /* not programming: the store is dropped */
		if (width == 1 || (off & 1)) {
			f->sr |= F1_SR_PGERR; /* the FPEC programs halfwords only */
			return MCU_OK;
		}
		f1_program_hw(m, off, (uint16_t)val);
		if (width == 4)
			f1_program_hw(m, off + 2, (uint16_t)(val >> 16));
		return MCU_OK;
	}
	if (!f4_program_ok(m, off, width))
		return MCU_OK;
	int sector = mcu_sector_of(m, off);
	if (m->rdp_active || sector < 0 || f4_sector_protected(m, (unsigned)sector)) {
		f->sr |= F4_SR_WRPERR;
		return MCU_OK;
	}
	if (injected_error(m, sector, false))
		return MCU_OK;
	/* programming can only clear bits */
	for (unsigned i = 0; i < width; i++)
		m->flash[off + i] &= (uint8_t)(val >> (8 * i));
	flash_changed(m, off, width);
	f->sr |= F4_SR_EOP;
	busy_for(m, f4_program_ns());
	return MCU_OK;
}

static uint8_t sys_byte(mcu_t *m, uint32_t addr)
{
	const struct mcu_model *md = m->md;
	if (addr >= md->flash_size_addr && addr < md->flash_size_addr + 2)
		return (uint8_t)((md->flash_size / 1024) >> (8 * (addr - md->flash_size_addr)));
	if (addr >= md->uid_addr && addr < md->uid_addr + 12)
		return m->uid[addr - md->uid_addr];
	if (addr >= md->opt_addr && addr < md->opt_addr + 16) {
		uint32_t o = addr - md->opt_addr;
		if (is_f1(m))
			return (uint8_t)(m->opt.f1[o / 2] >> (8 * (o & 1)));
		/* RM0090 §3.6.1: RDP and user byte at +0, nWRP at +8 */
		if (o < 2)
			return (uint8_t)(m->opt.optcr >> (8 * o));
		if (o == 8 || o == 9)
			return (uint8_t)(m->opt.optcr >> (16 + 8 * (o - 8)));
		return 0xFF;
	}
	if (md->opt2_addr && addr >= md->opt2_addr && addr < md->opt2_addr + 16) {
		uint32_t o = addr - md->opt2_addr;
		if (o == 8 || o == 9)
			return (uint8_t)(m->opt.optcr1 >> (16 + 8 * (o - 8)));
		return 0xFF;
	}
	if (md->otp && addr >= 0x1FFF7800 && addr < 0x1FFF7800 + sizeof(m->otp))
		return m->otp[addr - 0x1FFF7800];
	if (addr >= md->sys_base && addr < md->sys_base + md->sys_size)
		return m->sysrom[addr - md->sys_base];
	return 0xFF;
}

bool mcu_sys_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)sys_byte(m, addr + i) << (8 * i);
	*val = v;
	return true;
}

static enum mcu_status f1_option_store(mcu_t *m, uint32_t addr, unsigned width, uint32_t val)
{
	struct mcu_fpec *f = &m->fpec;
	if ((f->cr & F1_CR_LOCK) || !(f->cr & F1_CR_OPTPG) || !(f->cr & F1_CR_OPTWRE))
		return MCU_OK;
	if (width == 1 || (addr & 1)) {
		f->sr |= F1_SR_PGERR;
		return MCU_OK;
	}
	for (unsigned k = 0; k < width; k += 2) {
		unsigned idx = (addr + k - m->md->opt_addr) / 2;
		if (idx >= 8)
			break;
		uint8_t b = (uint8_t)(val >> (8 * k));
		if (m->opt.f1[idx] != 0xFFFF) {
			f->sr |= F1_SR_PGERR;
			continue;
		}
		m->opt.f1[idx] = f1_opt_hw(b); /* the complement byte is made by hardware */
		f->sr |= F1_SR_EOP;
		busy_for(m, f1_program_ns());
	}
	options_changed(m);
	return MCU_OK;
}

static enum mcu_status f4_otp_store(mcu_t *m, uint32_t addr, unsigned width, uint32_t val)
{
	struct mcu_fpec *f = &m->fpec;
	uint32_t o = addr - 0x1FFF7800;
	if (!f4_program_ok(m, addr, width))
		return MCU_OK;
	if (o < MCU_OTP_SIZE && m->otp[MCU_OTP_SIZE + o / 32] == 0x00) {
		f->sr |= F4_SR_WRPERR; /* block locked by its lock byte */
		return MCU_OK;
	}
	for (unsigned i = 0; i < width && o + i < sizeof(m->otp); i++)
		m->otp[o + i] &= (uint8_t)(val >> (8 * i));
	m->otp_dirty = true;
	mcu_otp_save(m);
	f->sr |= F4_SR_EOP;
	busy_for(m, f4_program_ns());
	return MCU_OK;
}

enum mcu_status mcu_sys_store(mcu_t *m, uint32_t addr, unsigned width, uint32_t val)
{
	const struct mcu_model *md = m->md;
	if (is_f1(m) && addr >= md->opt_addr && addr < md->opt_addr + 16)
		return f1_option_store(m, addr, width, val);
	if (md->otp && addr >= 0x1FFF7800 && addr < 0x1FFF7800 + sizeof(m->otp))
		return f4_otp_store(m, addr, width, val);
	return MCU_OK; /* ROM and read-only info words ignore writes */
}
