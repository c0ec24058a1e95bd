/* test-image.c - .bin/.hex/.elf loading, refusals, vector-table checks, used extent and
 * the comparison outcomes (including the 23,552-byte image against a 64 KiB bank). */
#include <elf.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/image.h"

static struct swd_profile *f103, *f407;

static int setup(void **state)
{
	(void)state;
	if (swd_profile_load(CORE_PROFILES_DIR "/stm32f103c8.json", &f103, NULL) != 0 ||
	    swd_profile_load(CORE_PROFILES_DIR "/stm32f407vg.json", &f407, NULL) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swd_profile_free(f103);
	swd_profile_free(f407);
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A plausible firmware: vector table (SP, reset) then a counting pattern. */
static uint8_t *firmware(size_t len, uint32_t sp, uint32_t reset)
{
	uint8_t *b = malloc(len);

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 1);
	if (len >= 8) {
		put32(b, sp);
		put32(b + 4, reset);
	}
	return b;
}

static struct swd_image *load_ok(const void *buf, size_t len, const char *name,
                                 const struct swd_profile *p)
{
	struct swd_image *img = NULL;
	struct swd_error err;

	swd_error_init(&err);
	if (swd_image_load_mem(buf, len, name, SWD_IMAGE_AUTO, p, &img, &err) != 0)
		fail_msg("%s", err.msg);
	return img;
}

static int load_err(const void *buf, size_t len, const char *name, const struct swd_profile *p,
                    struct swd_error *err)
{
	struct swd_image *img = (struct swd_image *)1;
	int rc;

	swd_error_init(err);
	rc = swd_image_load_mem(buf, len, name, SWD_IMAGE_AUTO, p, &img, err);
	assert_null(img);
	return rc;
}

static void test_bin(void **state)
{
	uint8_t *fw = firmware(23552, 0x20005000, 0x08000101);
	struct swd_image *img = load_ok(fw, 23552, "app.bin", f103);
	struct swd_error err;
	uint8_t *big = calloc(1, 65537);

	(void)state;
	assert_int_equal(img->format, SWD_IMAGE_BIN);
	assert_int_equal(img->base, 0x08000000);
	assert_int_equal(img->size, 65536);
	assert_int_equal(img->lo, 0);
	assert_int_equal(img->hi, 23552);
	assert_int_equal(img->nbytes, 23552);
	assert_memory_equal(img->data, fw, 23552);
	assert_int_equal(img->data[23552], 0xFF);
	assert_true(swd_image_is_covered(img, 23551));
	assert_false(swd_image_is_covered(img, 23552));
	assert_int_equal(swd_image_check_vectors(img, f103, NULL), 0);
	swd_image_free(img);

	/* exactly flash-sized is fine, one byte more is not */
	img = load_ok(big, 65536, "full.bin", f103);
	swd_image_free(img);
	assert_int_equal(load_err(big, 65537, "big.bin", f103, &err), SWD_ETOOBIG);
	assert_string_equal(err.msg, "'big.bin' is 65,537 bytes; stm32f103c8 flash is 65,536 bytes");
	assert_int_equal(load_err("", 0, "empty.bin", f103, &err), SWD_EEMPTY);
	assert_string_equal(err.msg, "'empty.bin' is empty");
	free(big);
	free(fw);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/swd-image-XXXXXX.bin";
	uint8_t *fw = firmware(1000, 0x20001000, 0x08000009);
	struct swd_image *img = NULL;
	struct swd_error err;
	int fd = mkstemps(path, 4);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fw, 1000), 1000);
	close(fd);
	assert_int_equal(swd_image_load(path, SWD_IMAGE_AUTO, f103, &img, NULL), 0);
	assert_int_equal(img->hi, 1000);
	assert_memory_equal(img->data, fw, 1000);
	swd_image_free(img);
	truncate(path, 0);
	swd_error_init(&err);
	assert_int_equal(swd_image_load(path, SWD_IMAGE_AUTO, f103, &img, &err), SWD_EEMPTY);
	unlink(path);
	swd_error_init(&err);
	assert_int_equal(swd_image_load(path, SWD_IMAGE_AUTO, f103, &img, &err), SWD_ENOENT);
	assert_non_null(strstr(err.msg, "': no such file or directory"));
	free(fw);
}

/* Appends one Intel HEX record with a correct checksum. */
static void hex_rec(char **out, size_t *len, uint8_t type, uint16_t addr, const uint8_t *d,
                    uint8_t n)
{
	uint8_t sum = (uint8_t)(n + (addr >> 8) + addr + type);
	char line[600];
	int o = sprintf(line, ":%02X%04X%02X", n, addr, type);

	for (uint8_t i = 0; i < n; i++) {
		o += sprintf(line + o, "%02X", d[i]);
		sum = (uint8_t)(sum + d[i]);
	}
	o += sprintf(line + o, "%02X\r\n", (uint8_t)(0x100 - sum));
	*out = realloc(*out, *len + (size_t)o + 1);
	memcpy(*out + *len, line, (size_t)o + 1);
	*len += (size_t)o;
}

/* data at absolute address, in 16-byte records, with type-04 records as needed */
static void hex_data(char **out, size_t *len, uint32_t addr, const uint8_t *d, size_t n)
{
	uint32_t upper = 0xFFFFFFFF;

	for (size_t i = 0; i < n; i += 16) {
		uint32_t a = addr + (uint32_t)i;
		uint8_t cnt = (uint8_t)(n - i < 16 ? n - i : 16);

		if ((a >> 16) != upper) {
			uint8_t ela[2] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16)};

			upper = a >> 16;
			hex_rec(out, len, 4, 0, ela, 2);
		}
		hex_rec(out, len, 0, (uint16_t)a, d + i, cnt);
	}
}

static void test_hex(void **state)
{
	uint8_t *fw = firmware(70000, 0x20020000, 0x08000201);
	uint8_t start[4] = {0x08, 0x00, 0x02, 0x01};
	char *hex = NULL;
	size_t len = 0;
	struct swd_image *img;

	(void)state;
	/* two pieces with a gap, crossing a 64 KiB boundary, a start address record */
	hex_data(&hex, &len, 0x08000000, fw, 1024);
	hex_data(&hex, &len, 0x08004000, fw + 0x4000, 70000 - 0x4000);
	hex_rec(&hex, &len, 5, 0, start, 4);
	hex_rec(&hex, &len, 1, 0, NULL, 0);
	img = load_ok(hex, len, "app.hex", f407);
	assert_int_equal(img->format, SWD_IMAGE_HEX);
	assert_int_equal(img->lo, 0);
	assert_int_equal(img->hi, 70000);
	assert_int_equal(img->nbytes, 1024 + 70000 - 0x4000);
	assert_memory_equal(img->data, fw, 1024);
	assert_memory_equal(img->data + 0x4000, fw + 0x4000, 70000 - 0x4000);
	assert_int_equal(img->data[1024], 0xFF);
	assert_false(swd_image_is_covered(img, 1024));
	assert_false(swd_image_is_covered(img, 0x3FFF));
	assert_true(swd_image_is_covered(img, 0x4000));
	assert_int_equal(swd_image_check_vectors(img, f407, NULL), 0);
	swd_image_free(img);
	free(hex);
	free(fw);
}

/* Extended segment addressing (type 02) and lower-case hex digits are accepted. */
static void test_hex_segment(void **state)
{
	/* segment 0x0800:0000 is 0x00008000: outside flash; 0x0800 << 4 ... use linear
	 * 0x0800 via type 04 and check type 02 arithmetic separately with an error */
	static const char seg[] = ":020000020000FC\n:0400000001020304F2\n:00000001FF\n";
	struct swd_error err;

	(void)state;
	assert_int_equal(load_err(seg, strlen(seg), "seg.hex", f103, &err), SWD_EIMAGE);
	assert_string_equal(err.msg, "'seg.hex' line 2: data at 0x00000000 is outside the flash of "
	                             "stm32f103c8 [0x08000000, 0x08010000)");
	{
		static const char lower[] = ":020000040800f2\n:0400000001020304f2\n:00000001ff\n";
		struct swd_image *img = load_ok(lower, strlen(lower), "lower.hex", f103);

		assert_int_equal(img->nbytes, 4);
		assert_int_equal(img->data[3], 4);
		swd_image_free(img);
	}
}

static void test_hex_malformed(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		{":020000040800F2\n:0400000001020304F3\n:00000001FF\n", SWD_EIMAGE,
		 "'x.hex' line 2: checksum is 0xf3, expected 0xf2"},
		{":020000040800F2\n0400000001020304F2\n", SWD_EIMAGE,
		 "'x.hex' line 2: not an intel hex record (it must start with ':')"},
		{":020000040800F2\n:04000000010203G4F2\n", SWD_EIMAGE,
		 "'x.hex' line 2: 'G4' is not a hex byte"},
		{":020000040800F2\n:0500000001020304F1\n", SWD_EIMAGE,
		 "'x.hex' line 2: record says 5 data bytes but has 4"},
		{":020000040800F2\n:0400000001020304F\n", SWD_EIMAGE,
		 "'x.hex' line 2: malformed record length"},
		{":020000040800F2\n:0400000001020304F2\n", SWD_EIMAGE,
		 "'x.hex' has no end-of-file record; the file may be truncated"},
		{":020000040800F2\n:0400000001020304F2\n:00000001FF\n:0400000001020304F2\n",
		 SWD_EIMAGE, "'x.hex' line 4: data after the end-of-file record"},
		{":020000040800F2\n:0400000001020304F2\n:0400020001020304F0\n:00000001FF\n",
		 SWD_EIMAGE, "'x.hex' line 3: data at 0x08000002 overlaps earlier data"},
		{":020000040800F2\n:04FFFE0001020304F5\n:00000001FF\n", SWD_ETOOBIG,
		 "'x.hex' line 2: data up to 0x08010002 does not fit in the 65,536 bytes of "
		 "stm32f103c8 flash (ends at 0x08010000)"},
		{":020000040802F0\n:0400000001020304F2\n:00000001FF\n", SWD_EIMAGE,
		 "'x.hex' line 2: data at 0x08020000 is outside the flash of stm32f103c8 "
		 "[0x08000000, 0x08010000)"},
		{":00000001FF\n", SWD_EEMPTY, "'x.hex' contains no data for flash"},
		{":020000060800F0\n:00000001FF\n", SWD_EIMAGE,
		 "'x.hex' line 1: unknown record type 0x06"},
		{":030000040800F1\n", SWD_EIMAGE,
		 "'x.hex' line 1: record says 3 data bytes but has 2"},
	};
	struct swd_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load_err(cases[i].text, strlen(cases[i].text), "x.hex", f103, &err);

		if (rc != cases[i].code || strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu: got %d \"%s\"\n expected %d \"%s\"", i, rc, err.msg,
			         cases[i].code, cases[i].msg);
	}
}

struct elf_seg {
	uint32_t type, paddr, vaddr, filesz, memsz;
	const uint8_t *data;
};

/* A minimal 32-bit little-endian ARM executable with the given program headers. */
static uint8_t *make_elf(const struct elf_seg *segs, unsigned n, size_t *len, uint8_t cls,
                         uint16_t machine)
{
	size_t off = sizeof(Elf32_Ehdr) + n * sizeof(Elf32_Phdr), total = off;
	Elf32_Ehdr eh;
	uint8_t *b;

	for (unsigned i = 0; i < n; i++)
		total += segs[i].filesz;
	b = calloc(1, total);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = cls;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = machine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf32_Ehdr);
	eh.e_ehsize = sizeof(Elf32_Ehdr);
	eh.e_phentsize = sizeof(Elf32_Phdr);
	eh.e_phnum = (Elf32_Half)n;
	memcpy(b, &eh, sizeof(eh));
	for (unsigned i = 0; i < n; i++) {
		Elf32_Phdr ph;

		memset(&ph, 0, sizeof(ph));
		ph.p_type = segs[i].type;
		ph.p_offset = (Elf32_Off)off;
		ph.p_vaddr = segs[i].vaddr;
		ph.p_paddr = segs[i].paddr;
		ph.p_filesz = segs[i].filesz;
		ph.p_memsz = segs[i].memsz;
		memcpy(b + sizeof(Elf32_Ehdr) + i * sizeof(Elf32_Phdr), &ph, sizeof(ph));
		if (segs[i].filesz)
			memcpy(b + off, segs[i].data, segs[i].filesz);
		off += segs[i].filesz;
	}
	*len = total;
	return b;
}

/* Motorola S-records: a header, S3 data records (S1/S2 cannot reach STM32 flash), a count
 * and a start address. The records were made by an independent script. */
static void test_srec(void **state)
{
	static const char good[] =
		"S0060000617070B8\r\n"
		"S30D0800000000500020010200086F\r\n"
		"S3090800000801020304DC\r\n"
		"S5030002FA\r\n"
		"S70508000201EF\r\n";
	static const uint8_t want[12] = {0, 0x50, 0, 0x20, 0x01, 0x02, 0, 0x08, 1, 2, 3, 4};
	struct swd_image *img;
	struct swd_error err;

	(void)state;
	img = load_ok(good, strlen(good), "app.s37", f103);
	assert_int_equal(img->format, SWD_IMAGE_SREC);
	assert_int_equal(img->nbytes, 12);
	assert_int_equal(img->hi, 12);
	assert_memory_equal(img->data, want, 12);
	assert_int_equal(img->data[12], 0xFF);
	assert_int_equal(swd_image_check_vectors(img, f103, NULL), 0);
	swd_image_free(img);
	/* every extension, lower-case records */
	for (size_t k = 0; k < 5; k++) {
		static const char *names[] = {"a.srec", "a.S19", "a.s28", "a.mot", "a.s37"};
		char lower[sizeof(good)];

		for (size_t j = 0; j < sizeof(good); j++)
			lower[j] = (char)tolower((unsigned char)good[j]);
		img = load_ok(lower, strlen(lower), names[k], f103);
		assert_int_equal(img->format, SWD_IMAGE_SREC);
		assert_int_equal(img->nbytes, 12);
		swd_image_free(img);
	}
	/* a 24-bit address cannot reach the flash: the line is named */
	{
		static const char s2[] = "S0060000617070B8\nS206080010AABB7C\nS804080000F3\n";

		assert_int_equal(load_err(s2, strlen(s2), "a.s28", f103, &err), SWD_EIMAGE);
		assert_string_equal(err.msg, "'a.s28' line 2: data at 0x00080010 is outside the flash of "
		                             "stm32f103c8 [0x08000000, 0x08010000)");
	}
}

static void test_srec_malformed(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		{"S3090800000801020304DD\nS70508000201EF\n", SWD_EIMAGE,
		 "'x.srec' line 1: checksum is 0xdd, expected 0xdc"},
		{"S3090800000801020304DC\n:0400000001020304F2\n", SWD_EIMAGE,
		 "'x.srec' line 2: not an s-record (it must start with S0..S9)"},
		{"S30908000008010203G4DC\n", SWD_EIMAGE, "'x.srec' line 1: 'G4' is not a hex byte"},
		{"S30A0800000801020304DC\n", SWD_EIMAGE,
		 "'x.srec' line 1: record says 10 bytes follow the count but has 9"},
		{"S3090800000801020304D\n", SWD_EIMAGE, "'x.srec' line 1: malformed record length"},
		{"S0060000617070B8\nS4030000FC\n", SWD_EIMAGE, "'x.srec' line 2: record type S4 is reserved"},
		{"S3090800000801020304DC\n", SWD_EIMAGE,
		 "'x.srec' has no termination record (S7, S8 or S9); the file may be truncated"},
		{"S3090800000801020304DC\nS70508000201EF\nS3090800000801020304DC\n", SWD_EIMAGE,
		 "'x.srec' line 3: data after the termination record"},
		{"S3090800000801020304DC\nS5030003F9\nS70508000201EF\n", SWD_EIMAGE,
		 "'x.srec' line 2: count record says 3 data records, the file has 1"},
		{"S3090800000801020304DC\nS3090800000801020304DC\nS70508000201EF\n", SWD_EIMAGE,
		 "'x.srec' line 2: data at 0x08000008 overlaps earlier data"},
		{"S0060000617070B8\nS9030000FC\n", SWD_EEMPTY, "'x.srec' contains no data for flash"},
	};
	struct swd_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load_err(cases[i].text, strlen(cases[i].text), "x.srec", f103, &err),
		                 cases[i].code);
		assert_string_equal(err.msg, cases[i].msg);
	}
}

/* A name that says nothing is identified by content, not taken for raw binary. */
static void test_format_by_content(void **state)
{
	static const char srec[] = "S3090800000801020304DC\nS70508000201EF\n";
	static const char hex[] = ":020000040800F2\n:0400000001020304F2\n:00000001FF\n";
	uint8_t *fw = firmware(4096, 0x20005000, 0x08000201);
	struct swd_image *img;

	(void)state;
	img = load_ok(srec, strlen(srec), "firmware.img", f103);
	assert_int_equal(img->format, SWD_IMAGE_SREC);
	swd_image_free(img);
	img = load_ok(hex, strlen(hex), "firmware", f103);
	assert_int_equal(img->format, SWD_IMAGE_HEX);
	swd_image_free(img);
	img = load_ok(fw, 4096, "firmware.img", f103);
	assert_int_equal(img->format, SWD_IMAGE_BIN);
	assert_int_equal(img->nbytes, 4096);
	swd_image_free(img);
	free(fw);
}

static void test_elf(void **state)
{
	uint8_t *text = firmware(4096, 0x20005000, 0x080000C1);
	uint8_t data[64];
	struct elf_seg segs[] = {
		{PT_LOAD, 0x08000000, 0x08000000, 4096, 4096, text},
		/* .data: runs in RAM, loaded from flash right after .text */
		{PT_LOAD, 0x08001000, 0x20000000, 64, 64, data},
		/* .bss: nothing in the file */
		{PT_LOAD, 0x20000040, 0x20000040, 0, 512, NULL},
		{PT_NOTE, 0x30000000, 0x30000000, 0, 0, NULL},
	};
	struct swd_image *img;
	struct swd_error err;
	uint8_t *elf;
	size_t len;

	(void)state;
	memset(data, 0x5A, sizeof(data));
	elf = make_elf(segs, 4, &len, ELFCLASS32, EM_ARM);
	img = load_ok(elf, len, "app.elf", f103);
	assert_int_equal(img->format, SWD_IMAGE_ELF);
	assert_int_equal(img->hi, 4096 + 64);
	assert_int_equal(img->nbytes, 4096 + 64);
	assert_memory_equal(img->data, text, 4096);
	assert_memory_equal(img->data + 4096, data, 64);
	assert_int_equal(swd_image_check_vectors(img, f103, NULL), 0);
	swd_image_free(img);
	/* the magic decides when the extension does not */
	img = load_ok(elf, len, "firmware", f103);
	assert_int_equal(img->format, SWD_IMAGE_ELF);
	swd_image_free(img);
	free(elf);

	/* a segment loaded into RAM (not flash) is refused */
	segs[1].paddr = 0x20000000;
	elf = make_elf(segs, 2, &len, ELFCLASS32, EM_ARM);
	assert_int_equal(load_err(elf, len, "ram.elf", f103, &err), SWD_EIMAGE);
	assert_string_equal(err.msg, "'ram.elf' segment 1: data at 0x20000000 is outside the flash "
	                             "of stm32f103c8 [0x08000000, 0x08010000)");
	free(elf);

	/* overlapping segments */
	segs[1].paddr = 0x08000F00;
	elf = make_elf(segs, 2, &len, ELFCLASS32, EM_ARM);
	assert_int_equal(load_err(elf, len, "ovl.elf", f103, &err), SWD_EIMAGE);
	assert_string_equal(err.msg, "'ovl.elf' segment 1: data at 0x08000f00 overlaps earlier data");
	free(elf);

	elf = make_elf(segs, 1, &len, ELFCLASS64, EM_ARM);
	assert_int_equal(load_err(elf, len, "x.elf", f103, &err), SWD_EIMAGE);
	assert_string_equal(err.msg, "'x.elf' is not a 32-bit little-endian elf file");
	free(elf);
	elf = make_elf(segs, 1, &len, ELFCLASS32, EM_386);
	assert_int_equal(load_err(elf, len, "x.elf", f103, &err), SWD_EIMAGE);
	assert_string_equal(err.msg, "'x.elf' is an elf file for machine 3, not arm");
	free(elf);
	/* only bss: nothing for flash */
	elf = make_elf(segs + 2, 1, &len, ELFCLASS32, EM_ARM);
	assert_int_equal(load_err(elf, len, "bss.elf", f103, &err), SWD_EEMPTY);
	free(elf);
	/* truncated: segment data cut off */
	elf = make_elf(segs, 1, &len, ELFCLASS32, EM_ARM);
	assert_int_equal(load_err(elf, len - 100, "cut.elf", f103, &err), SWD_EIMAGE);
	assert_string_equal(err.msg, "'cut.elf' segment 0 lies beyond the end of the file");
	assert_int_equal(load_err(elf, 20, "cut.elf", f103, &err), SWD_EIMAGE);
	assert_string_equal(err.msg, "'cut.elf' is not an elf file");
	free(elf);
	free(text);
}

static int vectors(const struct swd_profile *p, uint32_t sp, uint32_t reset,
                   struct swd_error *err)
{
	uint8_t *fw = firmware(256, sp, reset);
	struct swd_image *img = load_ok(fw, 256, "v.bin", p);
	int rc;

	swd_error_init(err);
	rc = swd_image_check_vectors(img, p, err);
	swd_image_free(img);
	free(fw);
	return rc;
}

static void test_vectors(void **state)
{
	struct swd_error err;

	(void)state;
	/* SP at the very end of RAM is the normal case */
	assert_int_equal(vectors(f103, 0x20005000, 0x08000101, &err), 0);
	assert_int_equal(vectors(f103, 0x20000400, 0x0800FFFF, &err), 0);
	assert_int_equal(vectors(f103, 0x20005004, 0x08000101, &err), SWD_EVECTORS);
	assert_string_equal(err.msg, "'v.bin' cannot be for stm32f103c8: its initial stack pointer "
	                             "0x20005004 is outside the part's ram (sram 0x20000000-0x20005000)");
	/* an F4 image (SP at the top of 128 KiB) on an F103 */
	assert_int_equal(vectors(f103, 0x20020000, 0x08000101, &err), SWD_EVECTORS);
	assert_int_equal(vectors(f407, 0x20020000, 0x08000101, &err), 0);
	/* the stack in CCM is legitimate on the F407 */
	assert_int_equal(vectors(f407, 0x10010000, 0x08000101, &err), 0);
	assert_int_equal(vectors(f407, 0x10010004, 0x08000101, &err), SWD_EVECTORS);
	assert_string_equal(err.msg, "'v.bin' cannot be for stm32f407vg: its initial stack pointer "
	                             "0x10010004 is outside the part's ram (sram "
	                             "0x20000000-0x20020000, ccm 0x10000000-0x10010000)");
	assert_int_equal(vectors(f103, 0x20005000, 0x08000100, &err), SWD_EVECTORS);
	assert_string_equal(err.msg, "'v.bin' cannot be for stm32f103c8: its reset vector "
	                             "0x08000100 is even, not thumb code");
	/* a 128 KiB part's reset handler beyond 64 KiB */
	assert_int_equal(vectors(f103, 0x20005000, 0x08010001, &err), SWD_EVECTORS);
	assert_string_equal(err.msg, "'v.bin' cannot be for stm32f103c8: its reset vector "
	                             "0x08010001 is outside the part's flash (0x08000000-0x08010000)");
	/* an erased image */
	assert_int_equal(vectors(f103, 0xFFFFFFFF, 0xFFFFFFFF, &err), SWD_EVECTORS);

	/* an image that does not start at the flash base is not checked */
	{
		static const char hex[] = ":020000040800F2\n:0404000001020304EE\n:00000001FF\n";
		struct swd_image *img = load_ok(hex, strlen(hex), "late.hex", f103);

		assert_int_equal(img->lo, 0x400);
		assert_int_equal(swd_image_check_vectors(img, f103, NULL), 0);
		swd_image_free(img);
	}
}

/* A vector table as ST's startup files lay it out for a medium-density F103: 59 entries,
 * seven zero words, BootRAM's 0xF108F85F, then code. It fits an F103 and not an F407, whose
 * table runs to 98 entries; an F407 table of 98 handlers fits the F407. */
static void test_vector_table_length(void **state)
{
	uint8_t *fw = firmware(4096, 0x20005000, 0x08000131);
	struct swd_image *img;
	struct swd_error err;

	(void)state;
	for (uint32_t i = 2; i < 59; i++)
		put32(fw + i * 4, i % 5 ? 0x08000135 : 0);
	for (uint32_t i = 59; i < 66; i++)
		put32(fw + i * 4, 0);
	put32(fw + 66 * 4, 0xF108F85F);
	img = load_ok(fw, 4096, "f103.bin", f103);
	assert_int_equal(swd_image_check_vectors(img, f103, NULL), 0);
	swd_image_free(img);
	img = load_ok(fw, 4096, "f103.bin", f407);
	swd_error_init(&err);
	assert_int_equal(swd_image_check_vectors(img, f407, &err), SWD_EVECTORS);
	assert_string_equal(err.msg, "'f103.bin' cannot be for stm32f407vg: its vector table ends after 66 "
	                             "entries (entry 66 is 0xf108f85f, not a handler), the part's has 98");
	swd_image_free(img);
	for (uint32_t i = 59; i < 98; i++)
		put32(fw + i * 4, 0x08000201);
	img = load_ok(fw, 4096, "f407.bin", f407);
	assert_int_equal(swd_image_check_vectors(img, f407, NULL), 0);
	swd_image_free(img);
	free(fw);
}

static void test_used_extent(void **state)
{
	uint8_t buf[64];

	(void)state;
	memset(buf, 0xFF, sizeof(buf));
	assert_int_equal(swd_used_extent(buf, sizeof(buf)), 0);
	assert_int_equal(swd_used_extent(buf, 0), 0);
	buf[0] = 0;
	assert_int_equal(swd_used_extent(buf, sizeof(buf)), 1);
	buf[40] = 0xFE;
	assert_int_equal(swd_used_extent(buf, sizeof(buf)), 41);
	buf[63] = 0x00;
	assert_int_equal(swd_used_extent(buf, sizeof(buf)), 64);
}

static void test_compare(void **state)
{
	uint8_t *fw = firmware(23552, 0x20005000, 0x08000101);
	uint8_t *dev = malloc(65536);
	struct swd_image *img = load_ok(fw, 23552, "app.bin", f103);
	struct swd_compare c;
	char msg[200];

	(void)state;
	memset(dev, 0xFF, 65536);
	memcpy(dev, fw, 23552);
	assert_int_equal(swd_image_compare(img, dev, 65536, f103, false, &c), 0);
	assert_int_equal(c.outcome, SWD_CMP_MATCH_ERASED);
	assert_int_equal(c.covered_bytes, 23552);
	assert_int_equal(c.rest_bytes, 41984);
	assert_string_equal(swd_compare_describe(&c, msg, sizeof(msg)),
	                    "matches; the other 41,984 bytes are erased");

	/* something programmed after the image */
	memset(dev + 0xFC00, 0x00, 1024);
	assert_int_equal(swd_image_compare(img, dev, 65536, f103, false, &c), 0);
	assert_int_equal(c.outcome, SWD_CMP_MATCH_NOT_ERASED);
	assert_int_equal(c.rest_programmed, 1024);
	assert_int_equal(c.first_other, 0x0800FC00);
	assert_string_equal(swd_compare_describe(&c, msg, sizeof(msg)),
	                    "matches; 1,024 of the other 41,984 bytes are programmed, the first at "
	                    "0x0800fc00");

	/* differences in pages 1, 2 (two bytes) and 22 */
	memset(dev + 0xFC00, 0xFF, 1024);
	dev[0x400] ^= 1;
	dev[0x800] ^= 1;
	dev[0xBFF] ^= 1;
	dev[22 * 1024 + 5] ^= 0x80;
	assert_int_equal(swd_image_compare(img, dev, 65536, f103, false, &c), 0);
	assert_int_equal(c.outcome, SWD_CMP_MISMATCH);
	assert_int_equal(c.first_diff, 0x08000400);
	assert_int_equal(c.diff_bytes, 4);
	assert_int_equal(c.diff_sectors, 3);
	assert_string_equal(swd_compare_describe(&c, msg, sizeof(msg)),
	                    "mismatch: first difference at 0x08000400, 3 of 64 pages differ");
	swd_image_free(img);

	/* a whole-flash image (a bundle's flash.bin) */
	memcpy(dev, fw, 23552);
	memset(dev + 23552, 0xFF, 65536 - 23552);
	{
		uint8_t *full = malloc(65536);

		memcpy(full, dev, 65536);
		img = load_ok(full, 65536, "flash.bin", f103);
		assert_int_equal(swd_image_compare(img, dev, 65536, f103, true, &c), 0);
		assert_int_equal(c.outcome, SWD_CMP_IDENTICAL);
		assert_string_equal(swd_compare_describe(&c, msg, sizeof(msg)), "identical");
		dev[65535] = 0;
		assert_int_equal(swd_image_compare(img, dev, 65536, f103, true, &c), 0);
		assert_int_equal(c.outcome, SWD_CMP_MISMATCH);
		assert_string_equal(swd_compare_describe(&c, msg, sizeof(msg)),
		                    "mismatch: first difference at 0x0800ffff, 1 of 64 pages differs");
		assert_int_equal(swd_image_compare(img, dev, 1000, f103, true, &c), SWD_EINTERNAL);
		swd_image_free(img);
		free(full);
	}
	/* F4: sectors, with the 128 KiB sector 5 */
	{
		uint8_t *d4 = malloc(1024 * 1024);
		uint8_t *im = malloc(256 * 1024);

		memset(im, 0x11, 256 * 1024);
		memset(d4, 0xFF, 1024 * 1024);
		memcpy(d4, im, 256 * 1024);
		d4[0x20000 + 77] = 0;
		d4[0x30000] = 0;
		img = load_ok(im, 256 * 1024, "f4.bin", f407);
		assert_int_equal(swd_image_compare(img, d4, 1024 * 1024, f407, false, &c), 0);
		assert_string_equal(swd_compare_describe(&c, msg, sizeof(msg)),
		                    "mismatch: first difference at 0x0802004d, 1 of 12 sectors differs");
		swd_image_free(img);
		free(im);
		free(d4);
	}
	free(fw);
	free(dev);
}

static void test_format_count(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(swd_format_count(0, b, sizeof(b)), "0");
	assert_string_equal(swd_format_count(999, b, sizeof(b)), "999");
	assert_string_equal(swd_format_count(1000, b, sizeof(b)), "1,000");
	assert_string_equal(swd_format_count(41984, b, sizeof(b)), "41,984");
	assert_string_equal(swd_format_count(2097152, b, sizeof(b)), "2,097,152");
	assert_string_equal(swd_format_count(18446744073709551615u, b, sizeof(b)),
	                    "18,446,744,073,709,551,615");
	/* too small a buffer truncates but stays terminated */
	assert_string_equal(swd_format_count(41984, b, 4), "41,");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bin),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_hex_segment),
		cmocka_unit_test(test_hex_malformed),
		cmocka_unit_test(test_srec),
		cmocka_unit_test(test_srec_malformed),
		cmocka_unit_test(test_format_by_content),
		cmocka_unit_test(test_elf),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vector_table_length),
		cmocka_unit_test(test_used_extent),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_format_count),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
