/* test-dfuse.c - DfuSe layout strings as bootloaders really report them (the ST system
 * bootloader of the F2/F4, Particle's Photon and Spark Core bootloaders, a GD32 ROM), the
 * questions asked of them, and malformed strings refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/dfuse.h"

static void parse_ok(const char *s, struct swd_dfuse_layout *l)
{
	struct swd_error err;

	swd_error_init(&err);
	if (swd_dfuse_layout_parse(s, l, &err) != 0)
		fail_msg("%s", err.msg);
}

static void test_st_rom_f2(void **state)
{
	struct swd_dfuse_layout l;
	uint32_t lo, hi, start, size, bad = 0;

	(void)state;
	parse_ok("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", &l);
	assert_string_equal(l.name, "Internal Flash");
	assert_int_equal(l.nruns, 3);
	assert_int_equal(l.runs[0].address, 0x08000000);
	assert_int_equal(l.runs[0].count, 4);
	assert_int_equal(l.runs[0].size, 16384);
	assert_int_equal(l.runs[0].type, SWD_DFUSE_READ | SWD_DFUSE_ERASE | SWD_DFUSE_WRITE);
	assert_int_equal(l.runs[1].address, 0x08010000);
	assert_int_equal(l.runs[2].address, 0x08020000);
	assert_int_equal(l.runs[2].size, 131072);
	swd_dfuse_layout_span(&l, &lo, &hi);
	assert_int_equal(lo, 0x08000000);
	assert_int_equal(hi, 0x08100000);
	assert_true(swd_dfuse_layout_allows(&l, 0x08000000, 0x100000, SWD_DFUSE_READ, NULL));
	assert_false(swd_dfuse_layout_allows(&l, 0x08000000, 0x100001, SWD_DFUSE_READ, &bad));
	assert_int_equal(bad, 0x08100000);
	assert_true(swd_dfuse_layout_sector(&l, 0x08030004, &start, &size));
	assert_int_equal(start, 0x08020000);
	assert_int_equal(size, 131072);
	assert_false(swd_dfuse_layout_sector(&l, 0x07FFFFFF, &start, &size));
	swd_dfuse_layout_release(&l);
}

/* The Photon's bootloader marks its own sectors read-only ('a'). */
static void test_photon(void **state)
{
	struct swd_dfuse_layout l;
	uint32_t bad = 0;

	(void)state;
	parse_ok("@Internal Flash   /0x08000000/03*016Ka,01*016Kg,01*064Kg,07*128Kg", &l);
	assert_int_equal(l.nruns, 4);
	assert_int_equal(l.runs[0].type, SWD_DFUSE_READ);
	assert_true(swd_dfuse_layout_allows(&l, 0x08000000, 0x100000, SWD_DFUSE_READ, NULL));
	assert_false(swd_dfuse_layout_allows(&l, 0x08000000, 0x100000, SWD_DFUSE_WRITE, &bad));
	assert_int_equal(bad, 0x08000000);
	assert_true(swd_dfuse_layout_allows(&l, 0x0800C000, 0xF4000, SWD_DFUSE_WRITE, NULL));
	swd_dfuse_layout_release(&l);
	parse_ok("@DCT Flash   /0x00000000/01*016Kg", &l);
	assert_string_equal(l.name, "DCT Flash");
	assert_int_equal(l.runs[0].address, 0);
	assert_int_equal(l.runs[0].size, 16384);
	swd_dfuse_layout_release(&l);
}

static void test_spark_core_and_others(void **state)
{
	struct swd_dfuse_layout l;
	uint32_t lo, hi;

	(void)state;
	parse_ok("@Internal Flash  /0x08000000/20*001Ka,108*001Kg", &l);
	swd_dfuse_layout_span(&l, &lo, &hi);
	assert_int_equal(hi, 0x08020000);
	assert_true(swd_dfuse_layout_allows(&l, 0x08005000, 0x1B000, SWD_DFUSE_WRITE, NULL));
	assert_false(swd_dfuse_layout_allows(&l, 0x08004C00, 0x800, SWD_DFUSE_WRITE, NULL));
	swd_dfuse_layout_release(&l);
	parse_ok("@SPI Flash : SST25x/0x00000000/512*04Kg", &l);
	assert_string_equal(l.name, "SPI Flash : SST25x");
	assert_int_equal(l.runs[0].count, 512);
	assert_int_equal(l.runs[0].size, 4096);
	swd_dfuse_layout_release(&l);
	/* bytes (a blank unit), and two blocks in one string */
	parse_ok("@Option Bytes  /0x1FFFF800/01*016 g", &l);
	assert_int_equal(l.runs[0].size, 16);
	swd_dfuse_layout_release(&l);
	parse_ok("@Option Bytes  /0x1FFFC000/01*016 e/0x1FFEC000/01*016 e", &l);
	assert_int_equal(l.nruns, 2);
	assert_int_equal(l.runs[1].address, 0x1FFEC000);
	assert_int_equal(l.runs[1].type, SWD_DFUSE_READ | SWD_DFUSE_WRITE);
	swd_dfuse_layout_release(&l);
	parse_ok("@Device Feature/0xFFFF0000/01*004 e", &l);
	assert_string_equal(l.name, "Device Feature");
	swd_dfuse_layout_release(&l);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"Internal Flash", "@Internal Flash /08000000/04*016Kg", "@X /0x08000000/04016Kg",
		"@X /0x08000000/04*016Kz", "@X /0x08000000/", "@X /0x08000000/04*016Kg,",
		"@X /0x123456789/01*016Kg", "@X /0xFFFFF000/02*004Kg",
		"@X /0x00000000/01*4096Mg", /* a sector of 4 GiB does not fit in 32 bits */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct swd_dfuse_layout l;
		struct swd_error err;

		swd_error_init(&err);
		if (swd_dfuse_layout_parse(bad[i], &l, &err) != SWD_EINPUT)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(err.msg, "dfuse layout '"));
		assert_null(l.runs);
	}
}

/* What the ST ROM reports is what format writes, and it parses back to the same runs. */
static void test_format_round_trip(void **state)
{
	const char *rom = "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg";
	struct swd_dfuse_layout l;
	char buf[128], tiny[8];

	(void)state;
	parse_ok(rom, &l);
	assert_int_equal(swd_dfuse_layout_format(buf, sizeof(buf), l.name, l.runs, l.nruns),
	                 strlen(rom));
	assert_string_equal(buf, rom);
	assert_int_equal(swd_dfuse_layout_format(tiny, sizeof(tiny), l.name, l.runs, l.nruns),
	                 strlen(rom));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	swd_dfuse_layout_release(&l);
	parse_ok("@Option Bytes  /0x1FFFF800/01*016 g", &l);
	swd_dfuse_layout_format(buf, sizeof(buf), l.name, l.runs, l.nruns);
	assert_string_equal(buf, "@Option Bytes  /0x1FFFF800/01*016 g");
	swd_dfuse_layout_release(&l);
	/* 65536 KiB does not fit the 16-bit size: a 64 MiB sector is written in MiB */
	parse_ok("@Big /0x60000000/01*65535Kg,01*064Mg", &l);
	swd_dfuse_layout_format(buf, sizeof(buf), l.name, l.runs, l.nruns);
	assert_string_equal(buf, "@Big  /0x60000000/01*65535Kg,01*064Mg");
	swd_dfuse_layout_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_st_rom_f2),
		cmocka_unit_test(test_photon),
		cmocka_unit_test(test_spark_core_and_others),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_format_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
