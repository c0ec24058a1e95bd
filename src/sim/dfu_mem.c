/* dfu_mem.c - the memories behind the DFU alt settings (see dfu_mem.h).
 *
 * The bootloader's code programs the flash through the same controller registers a
 * debugger uses (RM0008 §3.3 for the F1 FPEC, RM0033 §2.3 and RM0090 §3.5-3.6 for the
 * F2/F4 flash interface), so this file drives the board through mcu_read/mcu_write and
 * the board's own model decides what protection allows. The durations are the typical
 * datasheet figures, kept here (not taken from the board model, which the DFU path runs
 * without timing) so the device can report them as bwPollTimeout.
 */
#include "sim/dfu_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/mcu/flash_regs.h"

#define MS 1000000ull
#define US 1000ull

#define FLASH_BASE 0x08000000u

#define F1_SR_ERRORS (F1_SR_PGERR | F1_SR_WRPRTERR)
#define F4_SR_ERRORS (F4_SR_WRPERR | F4_SR_PGAERR | F4_SR_PGPERR | F4_SR_PGSERR)

/* F2/F4 at 2.7-3.6 V, where the ROM programs 32 bits at a time: DS8626 (STM32F405/407)
 * table 40, typical values at x32 parallelism; taken as the same for the F205.
 * F1: DS5319 (STM32F103x8/xB) table 29, typical tPROG (16 bits) and tERASE/tME.
 * SPI: SST25VF016B datasheet, 4 KiB sector erase 18 ms typ, AAI word program 10 us. */
static const uint64_t f4_program_word_ns = 16 * US;
static const uint64_t f4_erase_16k_ns = 250 * MS;
static const uint64_t f4_erase_64k_ns = 550 * MS;
static const uint64_t f4_erase_128k_ns = 1000 * MS;
static const uint64_t f4_mass_erase_ns = 8000 * MS;
static const uint64_t f1_program_half_ns = 52500;
static const uint64_t f1_page_erase_ns = 20 * MS;
static const uint64_t f1_mass_erase_ns = 20 * MS;
static const uint64_t spi_sector_erase_ns = 18 * MS;
static const uint64_t spi_program_word_ns = 10 * US;

/* ---- layout strings ------------------------------------------------------------- */

int dfu_alt_parse(struct dfu_alt *alt)
{
	const char *p = strchr(alt->layout, '/');
	char *end;

	if (!p)
		return -1;
	alt->base = (uint32_t)strtoul(p + 1, &end, 16);
	if (*end != '/')
		return -1;
	p = end + 1;
	alt->nseg = 0;
	alt->size = 0;
	while (*p) {
		if (alt->nseg == DFU_MAX_SEGMENTS)
			return -1;
		struct dfu_segment *s = &alt->seg[alt->nseg++];
		s->count = (uint32_t)strtoul(p, &end, 10);
		if (*end != '*')
			return -1;
		s->size = (uint32_t)strtoul(end + 1, &end, 10);
		if (*end == 'K')
			s->size *= 1024, end++;
		else if (*end == 'M')
			s->size *= 1024 * 1024, end++;
		else if (*end == ' ')
			end++;
		if (*end < 'a' || *end > 'g')
			return -1;
		s->type = (unsigned)(*end - 'a' + 1);
		alt->size += s->count * s->size;
		p = end + 1;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return alt->nseg ? 0 : -1;
}

bool dfu_alt_page(const struct dfu_alt *alt, uint32_t addr, uint32_t *start, uint32_t *size,
                  unsigned *type, unsigned *index)
{
	uint32_t at = alt->base;
	unsigned n = 0;

	if (addr < alt->base)
		return false;
	for (unsigned i = 0; i < alt->nseg; i++) {
		const struct dfu_segment *s = &alt->seg[i];
		if (addr - at < s->count * s->size) {
			uint32_t k = (addr - at) / s->size;
			*start = at + k * s->size;
			*size = s->size;
			*type = s->type;
			*index = n + k;
			return true;
		}
		at += s->count * s->size;
		n += s->count;
	}
	return false;
}

/* ---- the board ------------------------------------------------------------------ */

static uint32_t rd32(struct dfu_mem *m, uint32_t addr)
{
	uint32_t v = 0;
	mcu_read(m->mcu, addr, &v, 4, 4);
	return v;
}

static bool wr32(struct dfu_mem *m, uint32_t addr, uint32_t v)
{
	return mcu_write(m->mcu, addr, &v, 4, 4) == MCU_OK;
}

static void unlock(struct dfu_mem *m)
{
	uint32_t keyr = m->f1 ? F1_KEYR : F4_KEYR;
	uint32_t cr = m->f1 ? F1_CR : F4_CR;
	uint32_t lock = m->f1 ? F1_CR_LOCK : F4_CR_LOCK;

	if (rd32(m, cr) & lock) {
		wr32(m, keyr, KEY1);
		wr32(m, keyr, KEY2);
	}
	/* clear old flags (they are cleared by writing 1) */
	wr32(m, m->f1 ? F1_SR : F4_SR, m->f1 ? (F1_SR_ERRORS | F1_SR_EOP)
	                                     : (F4_SR_ERRORS | F4_SR_OPERR | F4_SR_EOP));
}

static void lock_again(struct dfu_mem *m)
{
	wr32(m, m->f1 ? F1_CR : F4_CR, m->f1 ? F1_CR_LOCK : F4_CR_LOCK);
}

/* The controller's error flags after an operation (0: none). */
static uint32_t errors(struct dfu_mem *m)
{
	return rd32(m, m->f1 ? F1_SR : F4_SR) & (m->f1 ? F1_SR_ERRORS : F4_SR_ERRORS);
}

int dfu_mem_init(struct dfu_mem *m, mcu_t *mcu, bool f1, uint32_t flash_size,
                 uint32_t uid_addr, const char *spi_path, size_t spi_len, char *err,
                 size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->mcu = mcu;
	m->f1 = f1;
	m->flash_size = flash_size;
	m->uid_addr = uid_addr;
	m->spi_fd = -1;
	if (!spi_path)
		return 0;
	m->spi_path = strdup(spi_path);
	int fd = open(spi_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	if (!m->spi_path || fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", spi_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	bool fresh = st.st_size == 0;
	if (!fresh && (size_t)st.st_size != spi_len) {
		snprintf(err, errlen, "'%s' is %lld bytes; the SPI flash is %zu", spi_path,
		         (long long)st.st_size, spi_len);
		close(fd);
		return -1;
	}
	if (fresh && ftruncate(fd, (off_t)spi_len) < 0) {
		snprintf(err, errlen, "cannot size '%s': %s", spi_path, strerror(errno));
		close(fd);
		return -1;
	}
	void *p = mmap(NULL, spi_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map '%s': %s", spi_path, strerror(errno));
		close(fd);
		return -1;
	}
	m->spi = p;
	m->spi_len = spi_len;
	m->spi_fd = fd;
	if (fresh)
		memset(m->spi, 0xFF, spi_len); /* a new chip comes erased */
	return 0;
}

void dfu_mem_release(struct dfu_mem *m)
{
	if (m->spi) {
		msync(m->spi, m->spi_len, MS_SYNC);
		munmap(m->spi, m->spi_len);
	}
	if (m->spi_fd >= 0)
		close(m->spi_fd);
	free(m->spi_path);
	memset(m, 0, sizeof(*m));
	m->spi_fd = -1;
}

bool dfu_mem_protected(struct dfu_mem *m)
{
	if (m->f1)
		return rd32(m, F1_OBR) & F1_OBR_RDPRT;
	return ((rd32(m, F4_OPTCR) >> 8) & 0xFF) != 0xAA;
}

bool dfu_mem_uid(struct dfu_mem *m, uint8_t uid[12])
{
	return mcu_read(m->mcu, m->uid_addr, uid, 12, 4) == MCU_OK;
}

int dfu_mem_read(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t addr, uint8_t *buf,
                 size_t len)
{
	if (addr < alt->base || len > alt->size || addr - alt->base > alt->size - len)
		return DFU_ERR_ADDRESS;
	uint32_t off = addr - alt->base;
	switch (alt->store) {
	case DFU_STORE_SPI:
		memcpy(buf, m->spi + off, len);
		return DFU_OK;
	case DFU_STORE_FEATURE:
		memset(buf, 0, len);
		return DFU_OK;
	case DFU_STORE_FLASH:
	case DFU_STORE_DCT:
	case DFU_STORE_OPTION:
	case DFU_STORE_OTP:
		break;
	}
	/* AN2606/AN3156: with readout protection the bootloader reads nothing, whatever the
	 * memory. */
	if (dfu_mem_protected(m))
		return DFU_ERR_VENDOR;
	if (mcu_read(m->mcu, alt->bus_base + off, buf, len, 1) != MCU_OK)
		return DFU_ERR_VENDOR;
	return DFU_OK;
}

/* F2/F4 sector of a flash offset: 4 x 16 KiB, 64 KiB, then 128 KiB per bank (RM0033
 * table 3, RM0090 tables 5-6); FLASH_CR.SNB numbers bank 2 from 12 with bit 4 set. */
static unsigned f4_snb(uint32_t off, uint32_t flash_size, uint32_t *size)
{
	unsigned bank2 = flash_size > 0x100000 && off >= flash_size / 2;
	unsigned s;

	if (bank2)
		off -= flash_size / 2;
	if (off < 0x10000)
		s = off / 0x4000, *size = 0x4000;
	else if (off < 0x20000)
		s = 4, *size = 0x10000;
	else
		s = 4 + off / 0x20000, *size = 0x20000;
	return bank2 ? (s | 0x10) : s;
}

static int flash_erase_at(struct dfu_mem *m, uint32_t bus, uint32_t flash_size, uint64_t *ns)
{
	uint32_t off = bus - FLASH_BASE, size;

	unlock(m);
	if (m->f1) {
		wr32(m, F1_CR, F1_CR_PER);
		wr32(m, F1_AR, bus);
		wr32(m, F1_CR, F1_CR_PER | F1_CR_STRT);
		*ns = f1_page_erase_ns;
	} else {
		unsigned snb = f4_snb(off, flash_size, &size);
		wr32(m, F4_CR, F4_CR_PSIZE_X32 | F4_CR_SER | (snb << 3));
		wr32(m, F4_CR, F4_CR_PSIZE_X32 | F4_CR_SER | (snb << 3) | F4_CR_STRT);
		*ns = size == 0x4000 ? f4_erase_16k_ns : size == 0x10000 ? f4_erase_64k_ns
		                                                         : f4_erase_128k_ns;
	}
	/* AN2662 §4.5.3: erasing a write-protected sector reports no error (the
	 * controller's WRPERR is cleared by the next operation) */
	lock_again(m);
	return DFU_OK;
}

int dfu_mem_erase(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t addr, uint64_t *ns)
{
	uint32_t start, size;
	unsigned type, index;

	*ns = 0;
	if (!dfu_alt_page(alt, addr, &start, &size, &type, &index) || !(type & DFU_PAGE_ERASE))
		return DFU_ERR_TARGET;
	if (alt->store == DFU_STORE_SPI) {
		memset(m->spi + (start - alt->base), 0xFF, size);
		*ns = spi_sector_erase_ns;
		return DFU_OK;
	}
	if (alt->store == DFU_STORE_DCT)
		return DFU_OK;
	if (alt->store != DFU_STORE_FLASH)
		return DFU_ERR_TARGET;
	if (dfu_mem_protected(m))
		return DFU_ERR_VENDOR;
	return flash_erase_at(m, alt->bus_base + (start - alt->base), m->flash_size, ns);
}

int dfu_mem_mass_erase(struct dfu_mem *m, uint64_t *ns)
{
	*ns = 0;
	if (dfu_mem_protected(m))
		return DFU_ERR_VENDOR;
	unlock(m);
	if (m->f1) {
		wr32(m, F1_CR, F1_CR_MER);
		wr32(m, F1_CR, F1_CR_MER | F1_CR_STRT);
		*ns = f1_mass_erase_ns;
	} else {
		uint32_t cr = F4_CR_PSIZE_X32 | F4_CR_MER | (m->flash_size > 0x100000 ? F4_CR_MER1 : 0);
		wr32(m, F4_CR, cr);
		wr32(m, F4_CR, cr | F4_CR_STRT);
		*ns = f4_mass_erase_ns * (m->flash_size > 0x100000 ? 2 : 1);
	}
	uint32_t e = errors(m);
	lock_again(m);
	return e ? DFU_ERR_ERASE : DFU_OK;
}

static int flash_program(struct dfu_mem *m, uint32_t bus, const uint8_t *data, size_t len,
                         uint64_t *ns)
{
	unsigned w = m->f1 ? 2 : 4;
	uint32_t e = 0, first = bus & ~(w - 1), end = bus + (uint32_t)len;
	size_t units = 0;

	unlock(m);
	wr32(m, m->f1 ? F1_CR : F4_CR, m->f1 ? F1_CR_PG : (F4_CR_PSIZE_X32 | F4_CR_PG));
	/* The controller programs whole units: bytes of a unit outside the data keep what
	 * the flash holds (0xFF where erased). */
	for (uint32_t a = first; a < end && !e; a += w, units++) {
		uint8_t unit[4];
		mcu_read(m->mcu, a, unit, w, 1);
		for (unsigned k = 0; k < w; k++)
			if (a + k >= bus && a + k < end)
				unit[k] = data[a + k - bus];
		if (mcu_write(m->mcu, a, unit, w, w) != MCU_OK)
			e = 1;
		else
			e = errors(m);
	}
	lock_again(m);
	*ns = units * (m->f1 ? f1_program_half_ns : f4_program_word_ns);
	return e ? DFU_ERR_PROG : DFU_OK;
}

/* The Photon's DCT alt: the sector is read, changed, erased and programmed back. */
static int dct_program(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t off,
                       const uint8_t *data, size_t len, uint64_t *ns)
{
	uint8_t *sector = malloc(alt->size);
	uint64_t t1 = 0, t2 = 0;
	int rc;

	if (!sector)
		return DFU_ERR_WRITE;
	if (mcu_read(m->mcu, alt->bus_base, sector, alt->size, 1) != MCU_OK) {
		free(sector);
		return DFU_ERR_VENDOR;
	}
	memcpy(sector + off, data, len);
	rc = flash_erase_at(m, alt->bus_base, m->flash_size, &t1);
	if (rc == DFU_OK)
		rc = flash_program(m, alt->bus_base, sector, alt->size, &t2);
	free(sector);
	*ns = t1 + t2;
	return rc;
}

/* The ST ROM's write to the option byte alt (F2/F4): RDP and the user byte at +0 and +1,
 * nWRP at +8 and +9 (RM0090 §3.6.1), committed through FLASH_OPTCR; the chip resets to
 * load them. The programming time is not in the datasheets: 100 ms is assumed. */
static int option_write(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t addr,
                        const uint8_t *data, size_t len, uint64_t *ns)
{
	if (m->f1 || addr != alt->base || len < 10)
		return DFU_ERR_TARGET;
	uint32_t optcr = (uint32_t)data[9] << 24 | (uint32_t)data[8] << 16 |
	                 (uint32_t)data[1] << 8 | (data[0] & ~3u);
	wr32(m, F4_OPTKEYR, OPTKEY1_F4);
	wr32(m, F4_OPTKEYR, OPTKEY2_F4);
	wr32(m, F4_OPTCR, optcr);
	wr32(m, F4_OPTCR, optcr | F4_OPTCR_OPTSTRT);
	wr32(m, F4_OPTCR, optcr | F4_OPTCR_OPTLOCK);
	mcu_system_reset(m->mcu);
	*ns = 100 * MS;
	return DFU_OK;
}

int dfu_mem_program(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t addr,
                    const uint8_t *data, size_t len, uint64_t *ns)
{
	*ns = 0;
	if (addr < alt->base || len > alt->size || addr - alt->base > alt->size - len)
		return DFU_ERR_ADDRESS;
	/* every page touched must be writeable (the Particle bootloaders keep their own
	 * sectors read-only) */
	for (uint32_t a = addr; a < addr + len;) {
		uint32_t start, size;
		unsigned type, index;
		if (!dfu_alt_page(alt, a, &start, &size, &type, &index) ||
		    !(type & DFU_PAGE_WRITE))
			return DFU_ERR_TARGET;
		a = start + size;
	}
	uint32_t off = addr - alt->base;
	if (alt->store == DFU_STORE_SPI) {
		for (size_t i = 0; i < len; i++)
			m->spi[off + i] &= data[i]; /* NOR flash: programming only clears bits */
		*ns = (len + 1) / 2 * spi_program_word_ns;
		return DFU_OK;
	}
	if (alt->store != DFU_STORE_FLASH && alt->store != DFU_STORE_DCT &&
	    alt->store != DFU_STORE_OPTION)
		return DFU_ERR_TARGET;
	if (dfu_mem_protected(m))
		return DFU_ERR_VENDOR;
	if (alt->store == DFU_STORE_OPTION)
		return option_write(m, alt, addr, data, len, ns);
	if (alt->store == DFU_STORE_DCT)
		return dct_program(m, alt, off, data, len, ns);
	return flash_program(m, alt->bus_base + off, data, len, ns);
}

int dfu_mem_unprotect(struct dfu_mem *m, uint64_t *ns)
{
	if (m->f1) {
		/* RM0008 §3.4.7: erase the option bytes (with RDP set, that erases the main
		 * flash), then write the RDP key 0xA5 */
		unlock(m);
		wr32(m, F1_OPTKEYR, KEY1);
		wr32(m, F1_OPTKEYR, KEY2);
		wr32(m, F1_CR, F1_CR_OPTER | F1_CR_OPTWRE);
		wr32(m, F1_CR, F1_CR_OPTER | F1_CR_OPTWRE | F1_CR_STRT);
		wr32(m, F1_CR, F1_CR_OPTPG | F1_CR_OPTWRE);
		uint16_t rdp = 0x00A5;
		mcu_write(m->mcu, F1_OPT_RDP, &rdp, 2, 2);
		lock_again(m);
		*ns = f1_page_erase_ns + f1_mass_erase_ns;
	} else {
		/* RM0090 §3.7.3: level 1 -> 0 by writing 0xAA to RDP; the flash is erased */
		wr32(m, F4_OPTKEYR, OPTKEY1_F4);
		wr32(m, F4_OPTKEYR, OPTKEY2_F4);
		uint32_t optcr = rd32(m, F4_OPTCR);
		optcr = (optcr & ~0xFF00u & ~F4_OPTCR_OPTLOCK) | 0xAA00u;
		wr32(m, F4_OPTCR, optcr);
		wr32(m, F4_OPTCR, optcr | F4_OPTCR_OPTSTRT);
		wr32(m, F4_OPTCR, optcr | F4_OPTCR_OPTLOCK);
		*ns = f4_mass_erase_ns * (m->flash_size > 0x100000 ? 2 : 1);
	}
	/* the bootloader resets the chip: protection is latched again from the options */
	mcu_system_reset(m->mcu);
	return dfu_mem_protected(m) ? DFU_ERR_VENDOR : DFU_OK;
}
