/* image.c - firmware images laid out over a profile's flash.
 *
 * Every format ends up in the same shape: a flash-sized buffer (0xFF where the image says
 * nothing) plus a bitmap of the bytes it sets, so .hex and .elf images with gaps compare
 * correctly against a device and overlapping records are caught. */
#include "core/image.h"
#include "core/bytes.h"
#include "core/digest.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct loader {
	struct swd_image *img;
	const struct swd_profile *p;
	const char *name;
	struct swd_error *err;
	uint64_t bin_at;     /* where raw binary starts */
};

static inline bool bit_get(const uint8_t *bm, uint32_t i)
{
	return (bm[i >> 3] >> (i & 7)) & 1;
}

static inline void bit_set(uint8_t *bm, uint32_t i)
{
	bm[i >> 3] |= (uint8_t)(1u << (i & 7));
}

bool swd_image_is_covered(const struct swd_image *img, uint32_t offset)
{
	return offset < img->size && bit_get(img->covered, offset);
}

char *swd_format_count(uint64_t n, char *buf, size_t len)
{
	char digits[24], out[32];
	int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	size_t o = 0;

	/* group in full, then cut: a short buffer keeps the leading digits */
	for (int i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	if (len > 0)
		snprintf(buf, len, "%s", out);
	return buf;
}

/* Places len bytes at absolute address addr. `where` says which record or segment, for
 * messages ("line 12", "segment 2"). */
static int place(struct loader *l, const char *where, uint64_t addr, const uint8_t *src,
                 size_t len)
{
	struct swd_image *img = l->img;
	uint64_t end = addr + len;
	uint64_t fend = (uint64_t)img->base + img->size;
	char n1[32];

	if (len == 0)
		return 0;
	if (addr < img->base || addr >= fend)
		return swd_error_set(l->err, SWD_EIMAGE,
		                     "'%s' %s: data at 0x%08llx is outside the flash of %s "
		                     "[0x%08x, 0x%08llx)",
		                     l->name, where, (unsigned long long)addr, l->p->name, img->base,
		                     (unsigned long long)fend);
	if (end > fend)
		return swd_error_set(l->err, SWD_ETOOBIG,
		                     "'%s' %s: data up to 0x%08llx does not fit in the %s bytes of "
		                     "%s flash (ends at 0x%08llx)",
		                     l->name, where, (unsigned long long)end,
		                     swd_format_count(img->size, n1, sizeof(n1)), l->p->name,
		                     (unsigned long long)fend);
	for (size_t i = 0; i < len; i++) {
		uint32_t off = (uint32_t)(addr - img->base) + (uint32_t)i;

		if (bit_get(img->covered, off))
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' %s: data at 0x%08llx overlaps earlier data", l->name,
			                     where, (unsigned long long)(addr + i));
		bit_set(img->covered, off);
		img->data[off] = src[i];
	}
	if (img->nbytes == 0 || addr - img->base < img->lo)
		img->lo = (uint32_t)(addr - img->base);
	if (img->nbytes == 0 || end - img->base > img->hi)
		img->hi = (uint32_t)(end - img->base);
	img->nbytes += (uint32_t)len;
	return 0;
}

static int load_bin(struct loader *l, const uint8_t *buf, size_t len)
{
	char n1[32], n2[32];

	if (len > l->img->size)
		return swd_error_set(l->err, SWD_ETOOBIG,
		                     "'%s' is %s bytes; %s flash is %s bytes", l->name,
		                     swd_format_count(len, n1, sizeof(n1)), l->p->name,
		                     swd_format_count(l->img->size, n2, sizeof(n2)));
	return place(l, "offset 0", l->bin_at, buf, len);
}

/* The next line of a text image: [*start, *end) without its line ending or trailing
 * blanks. Returns false at the end of buf. */
static bool next_line(const uint8_t *buf, size_t len, size_t *pos, size_t *start, size_t *end)
{
	if (*pos >= len)
		return false;
	*start = *pos;
	while (*pos < len && buf[*pos] != '\n')
		(*pos)++;
	*end = *pos;
	if (*pos < len)
		(*pos)++; /* the newline */
	while (*end > *start && (buf[*end - 1] == '\r' || buf[*end - 1] == ' ' || buf[*end - 1] == '\t'))
		(*end)--;
	return true;
}

/* Decodes the hex digits of buf[from, to) of record `line` into rec (at most cap bytes).
 * Returns 0 or SWD_EIMAGE naming the line. */
static int hex_bytes(struct loader *l, unsigned line, const uint8_t *buf, size_t from, size_t to,
                     uint8_t *rec, size_t cap, size_t *n)
{
	*n = 0;
	if ((to - from) % 2 != 0 || (to - from) / 2 > cap)
		return swd_error_set(l->err, SWD_EIMAGE, "'%s' line %u: malformed record length",
		                     l->name, line);
	for (size_t i = from; i < to; i += 2) {
		int hi = swd_hex_digit(buf[i]), lo = swd_hex_digit(buf[i + 1]);

		if (hi < 0 || lo < 0)
			return swd_error_set(l->err, SWD_EIMAGE, "'%s' line %u: '%c%c' is not a hex byte",
			                     l->name, line, buf[i], buf[i + 1]);
		rec[(*n)++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Intel HEX: types 00 data, 01 end of file, 02 extended segment address, 03 start segment
 * address, 04 extended linear address, 05 start linear address. */
static int load_hex(struct loader *l, const uint8_t *buf, size_t len)
{
	uint32_t upper = 0; /* from type 02 (<<4) or 04 (<<16) */
	bool eof = false;
	size_t pos = 0;
	unsigned line = 0;
	int rc;

	size_t start, end;

	while (next_line(buf, len, &pos, &start, &end)) {
		uint8_t rec[256 + 5];
		size_t n = 0;
		char where[48];
		uint8_t sum = 0, count, type;
		uint16_t offset;

		line++;
		if (end == start)
			continue;
		snprintf(where, sizeof(where), "line %u", line);
		if (eof)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: data after the end-of-file record", l->name,
			                     line);
		if (buf[start] != ':')
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: not an intel hex record (it must start with ':')",
			                     l->name, line);
		if (end - start - 1 < 10)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: malformed record length", l->name, line);
		if ((rc = hex_bytes(l, line, buf, start + 1, end, rec, sizeof(rec), &n)) < 0)
			return rc;
		count = rec[0];
		if (n != (size_t)count + 5)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: record says %u data bytes but has %zu", l->name,
			                     line, count, n >= 5 ? n - 5 : 0);
		for (size_t i = 0; i < n - 1; i++)
			sum = (uint8_t)(sum + rec[i]);
		if ((uint8_t)(sum + rec[n - 1]) != 0)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: checksum is 0x%02x, expected 0x%02x", l->name,
			                     line, rec[n - 1], (uint8_t)(0x100 - sum));
		offset = (uint16_t)(rec[1] << 8 | rec[2]);
		type = rec[3];
		switch (type) {
		case 0x00:
			rc = place(l, where, (uint64_t)upper + offset, rec + 4, count);
			if (rc < 0)
				return rc;
			break;
		case 0x01:
			eof = true;
			break;
		case 0x02:
		case 0x04:
			if (count != 2)
				return swd_error_set(l->err, SWD_EIMAGE,
				                     "'%s' line %u: address record must have 2 data bytes",
				                     l->name, line);
			upper = (uint32_t)(rec[4] << 8 | rec[5]) << (type == 0x02 ? 4 : 16);
			break;
		case 0x03:
		case 0x05:
			/* start address: where a loader would jump; not flash contents */
			break;
		default:
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: unknown record type 0x%02x", l->name, line,
			                     type);
		}
	}
	if (!eof && l->img->nbytes > 0)
		return swd_error_set(l->err, SWD_EIMAGE,
		                     "'%s' has no end-of-file record; the file may be truncated",
		                     l->name);
	return 0;
}

/* Motorola S-records: S0 header, S1/S2/S3 data with a 16/24/32-bit address, S5/S6 count of
 * the data records so far, S7/S8/S9 end with a start address. The count byte covers the
 * address, data and checksum; the checksum is the ones' complement of the sum of the count,
 * address and data bytes. */
static int load_srec(struct loader *l, const uint8_t *buf, size_t len)
{
	static const unsigned addr_len[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};
	bool end = false;
	size_t pos = 0;
	unsigned line = 0;
	uint32_t ndata = 0;
	int rc;

	size_t start, stop;

	while (next_line(buf, len, &pos, &start, &stop)) {
		uint8_t rec[256];
		size_t n = 0;
		char where[48];
		uint8_t sum = 0;
		unsigned type, alen;
		uint32_t addr = 0;

		line++;
		if (stop == start)
			continue;
		snprintf(where, sizeof(where), "line %u", line);
		if (end)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: data after the termination record", l->name, line);
		if (stop - start < 2 || (buf[start] != 'S' && buf[start] != 's') ||
		    buf[start + 1] < '0' || buf[start + 1] > '9')
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: not an s-record (it must start with S0..S9)",
			                     l->name, line);
		type = (unsigned)(buf[start + 1] - '0');
		alen = addr_len[type];
		if (alen == 0)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: record type S4 is reserved", l->name, line);
		if ((rc = hex_bytes(l, line, buf, start + 2, stop, rec, sizeof(rec), &n)) < 0)
			return rc;
		if (n < 2 + alen || rec[0] != n - 1)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: record says %u bytes follow the count but has %zu",
			                     l->name, line, n ? rec[0] : 0, n ? n - 1 : 0);
		for (size_t i = 0; i < n - 1; i++)
			sum = (uint8_t)(sum + rec[i]);
		sum = (uint8_t)(0xFF - sum);
		if (sum != rec[n - 1])
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' line %u: checksum is 0x%02x, expected 0x%02x", l->name,
			                     line, rec[n - 1], sum);
		for (unsigned i = 0; i < alen; i++)
			addr = addr << 8 | rec[1 + i];
		switch (type) {
		case 1:
		case 2:
		case 3:
			rc = place(l, where, addr, rec + 1 + alen, n - 2 - alen);
			if (rc < 0)
				return rc;
			ndata++;
			break;
		case 5:
		case 6:
			/* the count is modulo 2^16 or 2^24 */
			if (addr != (ndata & (type == 5 ? 0xFFFFu : 0xFFFFFFu)))
				return swd_error_set(l->err, SWD_EIMAGE,
				                     "'%s' line %u: count record says %u data records, the file has %u",
				                     l->name, line, addr, ndata);
			break;
		case 7:
		case 8:
		case 9:
			/* the start address: where a loader would jump, not flash contents */
			end = true;
			break;
		default:
			break; /* S0: a header, usually the file name */
		}
	}
	if (!end && l->img->nbytes > 0)
		return swd_error_set(l->err, SWD_EIMAGE,
		                     "'%s' has no termination record (S7, S8 or S9); the file may be truncated",
		                     l->name);
	return 0;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* 32-bit little-endian ARM ELF: PT_LOAD segments at their physical (load) addresses. */
static int load_elf(struct loader *l, const uint8_t *buf, size_t len)
{
	uint32_t phoff;
	uint16_t phentsize, phnum, machine;

	if (len < sizeof(Elf32_Ehdr) || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return swd_error_set(l->err, SWD_EIMAGE, "'%s' is not an elf file", l->name);
	if (buf[EI_CLASS] != ELFCLASS32 || buf[EI_DATA] != ELFDATA2LSB)
		return swd_error_set(l->err, SWD_EIMAGE,
		                     "'%s' is not a 32-bit little-endian elf file", l->name);
	machine = le16(buf + offsetof(Elf32_Ehdr, e_machine));
	if (machine != EM_ARM)
		return swd_error_set(l->err, SWD_EIMAGE,
		                     "'%s' is an elf file for machine %u, not arm", l->name, machine);
	phoff = swd_le32(buf + offsetof(Elf32_Ehdr, e_phoff));
	phentsize = le16(buf + offsetof(Elf32_Ehdr, e_phentsize));
	phnum = le16(buf + offsetof(Elf32_Ehdr, e_phnum));
	if (phnum == 0)
		return swd_error_set(l->err, SWD_EEMPTY, "'%s' has no program headers", l->name);
	if (phentsize < sizeof(Elf32_Phdr) || phoff > len ||
	    (uint64_t)phnum * phentsize > len - phoff)
		return swd_error_set(l->err, SWD_EIMAGE, "'%s' has a truncated program header table",
		                     l->name);
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = buf + phoff + (size_t)i * phentsize;
		uint32_t type = swd_le32(ph + offsetof(Elf32_Phdr, p_type));
		uint32_t off = swd_le32(ph + offsetof(Elf32_Phdr, p_offset));
		uint32_t paddr = swd_le32(ph + offsetof(Elf32_Phdr, p_paddr));
		uint32_t filesz = swd_le32(ph + offsetof(Elf32_Phdr, p_filesz));
		char where[32];
		int rc;

		if (type != PT_LOAD || filesz == 0)
			continue;
		if (off > len || filesz > len - off)
			return swd_error_set(l->err, SWD_EIMAGE,
			                     "'%s' segment %u lies beyond the end of the file", l->name, i);
		snprintf(where, sizeof(where), "segment %u", i);
		if ((rc = place(l, where, paddr, buf + off, filesz)) < 0)
			return rc;
	}
	return 0;
}

static enum swd_image_format guess(const char *name, const uint8_t *buf, size_t len)
{
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');

	if (dot != NULL && (slash == NULL || dot > slash)) {
		if (strcasecmp(dot, ".bin") == 0)
			return SWD_IMAGE_BIN;
		if (strcasecmp(dot, ".hex") == 0 || strcasecmp(dot, ".ihex") == 0 ||
		    strcasecmp(dot, ".ihx") == 0)
			return SWD_IMAGE_HEX;
		if (strcasecmp(dot, ".elf") == 0 || strcasecmp(dot, ".axf") == 0 ||
		    strcasecmp(dot, ".out") == 0)
			return SWD_IMAGE_ELF;
		if (strcasecmp(dot, ".srec") == 0 || strcasecmp(dot, ".s19") == 0 ||
		    strcasecmp(dot, ".s28") == 0 || strcasecmp(dot, ".s37") == 0 ||
		    strcasecmp(dot, ".mot") == 0 || strcasecmp(dot, ".s") == 0 || strcasecmp(dot, ".sx") == 0)
			return SWD_IMAGE_SREC;
	}
	/* any other name: by content. A text record format starts with its marker and a hex
	 * digit, which a vector table (a stack pointer 0x2xxxxxxx, little endian) never does. */
	if (len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0)
		return SWD_IMAGE_ELF;
	if (len >= 3 && buf[0] == ':' && swd_hex_digit(buf[1]) >= 0 && swd_hex_digit(buf[2]) >= 0)
		return SWD_IMAGE_HEX;
	if (len >= 4 && buf[0] == 'S' && buf[1] >= '0' && buf[1] <= '9' && swd_hex_digit(buf[2]) >= 0 &&
	    swd_hex_digit(buf[3]) >= 0)
		return SWD_IMAGE_SREC;
	return SWD_IMAGE_BIN;
}

void swd_image_free(struct swd_image *img)
{
	if (img == NULL)
		return;
	free(img->path);
	free(img->data);
	free(img->covered);
	free(img);
}

static int load_mem_at(const void *buf, size_t len, const char *name, enum swd_image_format fmt,
                       uint64_t bin_at, const struct swd_profile *p, struct swd_image **out,
                       struct swd_error *err)
{
	struct swd_image *img = calloc(1, sizeof(*img));
	struct loader l = {img, p, name, err, bin_at};
	int rc;

	*out = NULL;
	if (img == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	img->format = fmt == SWD_IMAGE_AUTO ? guess(name, buf, len) : fmt;
	img->base = p->flash.base;
	img->size = p->flash.size;
	img->path = strdup(name);
	img->data = malloc(img->size);
	img->covered = calloc((img->size + 7) / 8, 1);
	if (img->path == NULL || img->data == NULL || img->covered == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	memset(img->data, 0xFF, img->size);
	if (len == 0) {
		rc = swd_error_set(err, SWD_EEMPTY, "'%s' is empty", name);
		goto out;
	}
	switch (img->format) {
	case SWD_IMAGE_HEX:
		rc = load_hex(&l, buf, len);
		break;
	case SWD_IMAGE_ELF:
		rc = load_elf(&l, buf, len);
		break;
	case SWD_IMAGE_SREC:
		rc = load_srec(&l, buf, len);
		break;
	default:
		rc = load_bin(&l, buf, len);
		break;
	}
	if (rc == 0 && img->nbytes == 0)
		rc = swd_error_set(err, SWD_EEMPTY, "'%s' contains no data for flash", name);
	if (rc < 0)
		goto out;
	*out = img;
	img = NULL;
out:
	swd_image_free(img);
	return rc;
}

int swd_image_load_mem(const void *buf, size_t len, const char *name, enum swd_image_format fmt,
                       const struct swd_profile *p, struct swd_image **out,
                       struct swd_error *err)
{
	return load_mem_at(buf, len, name, fmt, p->flash.base, p, out, err);
}

static int load_file_at(const char *path, enum swd_image_format fmt, uint64_t bin_at,
                        const struct swd_profile *p, struct swd_image **out, struct swd_error *err)
{
	struct stat st;
	void *map = NULL;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
		                     swd_errno_text(errno));
	if (fstat(fd, &st) != 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", path, swd_errno_text(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = swd_error_set(err, SWD_EIMAGE, "'%s' is a directory, not an image", path);
		goto out;
	}
	if (st.st_size == 0) {
		rc = load_mem_at("", 0, path, fmt, bin_at, p, out, err);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", path, swd_errno_text(errno));
		goto out;
	}
	rc = load_mem_at(map, (size_t)st.st_size, path, fmt, bin_at, p, out, err);
out:
	if (map != NULL)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return rc;
}

int swd_image_load(const char *path, enum swd_image_format fmt, const struct swd_profile *p,
                   struct swd_image **out, struct swd_error *err)
{
	return load_file_at(path, fmt, p->flash.base, p, out, err);
}

int swd_image_load_bin_at(const char *path, uint32_t address, const struct swd_profile *p,
                          struct swd_image **out, struct swd_error *err)
{
	return load_file_at(path, SWD_IMAGE_BIN, address, p, out, err);
}

/* How many words the vector table has: 16 for the Cortex-M system exceptions, then one per
 * maskable interrupt channel of the part. */
static const struct {
	uint16_t dev_id;
	uint16_t words;
} vector_words[] = {
	{ 0x410, 16 + 43 }, /* RM0008, medium-density STM32F10x: 43 channels, the last USBWakeup */
	{ 0x411, 16 + 81 }, /* RM0033, STM32F20x/21x: 81 channels, the last HASH_RNG */
	{ 0x413, 16 + 82 }, /* RM0090, STM32F405/407/415/417: 82 channels, the last FPU */
	{ 0x419, 16 + 91 }, /* RM0090, STM32F42x/43x: 91 channels, the last DMA2D */
};

/* A handler address this part can hold: odd (thumb) code in its flash or RAM, or 0 for a
 * reserved or unused entry. */
static bool plausible_handler(const struct swd_profile *p, uint32_t v)
{
	uint32_t a = v & ~1u;

	if (v == 0)
		return true;
	if ((v & 1) == 0)
		return false;
	if (a >= p->flash.base && a - p->flash.base < p->flash.size)
		return true;
	for (size_t i = 0; i < p->nram; i++)
		if (a >= p->ram[i].address && a - p->ram[i].address < p->ram[i].size)
			return true;
	return false;
}

/* A table of handlers that stops well short of the part's length was made for a part with
 * fewer interrupts (an F103 image on an F407: its code starts where the F407's entries go
 * on). Fewer than the 16 system entries is not a table at all, and not judged. */
static int check_table_length(const struct swd_image *img, const struct swd_profile *p,
                              struct swd_error *err)
{
	uint32_t words = 0, i;

	for (size_t k = 0; k < sizeof(vector_words) / sizeof(vector_words[0]); k++)
		if (vector_words[k].dev_id == p->ids.dev_id)
			words = vector_words[k].words;
	for (i = 2; i < words; i++) {
		if (!swd_image_is_covered(img, i * 4) || !swd_image_is_covered(img, i * 4 + 3))
			return 0;
		if (!plausible_handler(p, swd_le32(img->data + i * 4)))
			break;
	}
	if (i < 16 || i >= words)
		return 0;
	return swd_error_set(err, SWD_EVECTORS,
	                     "'%s' cannot be for %s: its vector table ends after %u entries (entry %u "
	                     "is 0x%08x, not a handler), the part's has %u",
	                     img->path, p->name, i, i, swd_le32(img->data + i * 4), words);
}

int swd_image_check_vectors(const struct swd_image *img, const struct swd_profile *p,
                            struct swd_error *err)
{
	uint32_t sp, reset, pc;
	bool sp_ok = false;
	char rams[256] = "";
	size_t o = 0;

	for (uint32_t i = 0; i < 8; i++)
		if (!swd_image_is_covered(img, i))
			return 0;
	sp = swd_le32(img->data);
	reset = swd_le32(img->data + 4);
	for (size_t i = 0; i < p->nram; i++) {
		const struct swd_ram_region *r = &p->ram[i];

		/* a full descending stack starts at the end of its region */
		if (sp >= r->address && (uint64_t)sp <= (uint64_t)r->address + r->size)
			sp_ok = true;
		if (o < sizeof(rams))
			o += (size_t)snprintf(rams + o, sizeof(rams) - o, "%s%s 0x%08x-0x%08llx",
			                      i ? ", " : "", r->name, r->address,
			                      (unsigned long long)r->address + r->size);
	}
	if (!sp_ok)
		return swd_error_set(err, SWD_EVECTORS,
		                     "'%s' cannot be for %s: its initial stack pointer 0x%08x is "
		                     "outside the part's ram (%s)",
		                     img->path, p->name, sp, rams);
	if ((reset & 1) == 0)
		return swd_error_set(err, SWD_EVECTORS,
		                     "'%s' cannot be for %s: its reset vector 0x%08x is even, not "
		                     "thumb code",
		                     img->path, p->name, reset);
	pc = reset & ~1u;
	if (pc < p->flash.base || pc - p->flash.base >= p->flash.size)
		return swd_error_set(err, SWD_EVECTORS,
		                     "'%s' cannot be for %s: its reset vector 0x%08x is outside the "
		                     "part's flash (0x%08x-0x%08llx)",
		                     img->path, p->name, reset, p->flash.base,
		                     (unsigned long long)p->flash.base + p->flash.size);
	return check_table_length(img, p, err);
}

size_t swd_used_extent(const uint8_t *buf, size_t len)
{
	while (len > 0 && buf[len - 1] == 0xFF)
		len--;
	return len;
}

int swd_image_compare(const struct swd_image *img, const uint8_t *device, size_t device_len,
                      const struct swd_profile *p, bool whole, struct swd_compare *out)
{
	size_t sec = 0;
	bool sec_differs = false;

	memset(out, 0, sizeof(*out));
	if (device_len != img->size || img->size != p->flash.size)
		return SWD_EINTERNAL;
	out->nsectors = (unsigned)p->flash.nsectors;
	out->pages = p->family->pages;
	for (uint32_t i = 0; i < img->size; i++) {
		uint32_t addr = img->base + i;

		while (sec < p->flash.nsectors &&
		       addr - p->flash.sectors[sec].address >= p->flash.sectors[sec].size) {
			sec++;
			sec_differs = false;
		}
		if (whole || bit_get(img->covered, i)) {
			out->covered_bytes++;
			if (img->data[i] != device[i]) {
				if (out->diff_bytes == 0)
					out->first_diff = addr;
				out->diff_bytes++;
				if (!sec_differs) {
					sec_differs = true;
					out->diff_sectors++;
				}
			}
		} else {
			out->rest_bytes++;
			if (device[i] != 0xFF) {
				if (out->rest_programmed == 0)
					out->first_other = addr;
				out->rest_programmed++;
			}
		}
	}
	if (out->diff_bytes > 0)
		out->outcome = SWD_CMP_MISMATCH;
	else if (out->rest_bytes == 0)
		out->outcome = SWD_CMP_IDENTICAL;
	else if (out->rest_programmed == 0)
		out->outcome = SWD_CMP_MATCH_ERASED;
	else
		out->outcome = SWD_CMP_MATCH_NOT_ERASED;
	return 0;
}

char *swd_compare_describe(const struct swd_compare *c, char *buf, size_t len)
{
	char a[32], b[32];
	const char *unit = c->pages ? "page" : "sector";

	switch (c->outcome) {
	case SWD_CMP_IDENTICAL:
		snprintf(buf, len, "identical");
		break;
	case SWD_CMP_MATCH_ERASED:
		snprintf(buf, len, "matches; the other %s bytes are erased",
		         swd_format_count(c->rest_bytes, a, sizeof(a)));
		break;
	case SWD_CMP_MATCH_NOT_ERASED:
		snprintf(buf, len, "matches; %s of the other %s bytes are programmed, the first at 0x%08x",
		         swd_format_count(c->rest_programmed, a, sizeof(a)),
		         swd_format_count(c->rest_bytes, b, sizeof(b)), c->first_other);
		break;
	case SWD_CMP_MISMATCH:
		snprintf(buf, len, "mismatch: first difference at 0x%08x, %u of %u %ss %s",
		         c->first_diff, c->diff_sectors, c->nsectors, unit,
		         c->diff_sectors == 1 ? "differs" : "differ");
		break;
	}
	return buf;
}
