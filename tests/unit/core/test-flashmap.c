/* test-flashmap.c - cells, regions, call-outs and the JSON shape of the flash map, on the
 * shipped F1 and F4 layouts and on a synthetic part with more pages than cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/flashmap.h"
#include "core/manifest.h"
#include "core/mapsvg.h"

#include "two-profiles.h"

static uint8_t *erased(size_t n)
{
	uint8_t *b = malloc(n);

	assert_non_null(b);
	memset(b, 0xff, n);
	return b;
}

static void fill(uint8_t *b, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[off + i] = (uint8_t)(i % 251); /* never 0xff */
}

/* F4: 40 KiB of code from the base, 16 KiB of settings at the start of sector 11. */
static void f4_code_and_settings(void **state)
{
	uint8_t *b = erased(f407->flash.size);
	struct swd_flashmap *m = NULL;
	char line[200];

	(void)state;
	fill(b, 0, 40 * 1024);
	fill(b, 0xE0000, 16 * 1024);
	assert_int_equal(swd_flashmap_build(f407, b, f407->flash.size, NULL, 0, NULL, NULL, &m, NULL), 0);
	assert_string_equal(m->unit, "sector");
	assert_int_equal(m->ncells, 12);
	assert_int_equal(m->cells[0].state, SWD_CELL_FULL);
	assert_int_equal(m->cells[1].state, SWD_CELL_FULL);
	assert_int_equal(m->cells[2].state, SWD_CELL_PARTIAL);
	assert_int_equal(m->cells[3].state, SWD_CELL_ERASED);
	assert_int_equal(m->cells[11].state, SWD_CELL_PARTIAL);

	assert_int_equal(m->nregions, 4); /* code, erased, data, the erased rest of sector 11 */
	assert_int_equal(m->regions[0].kind, SWD_REGION_CODE);
	assert_int_equal(m->regions[0].address, 0x08000000);
	assert_int_equal(m->regions[0].size, 40 * 1024);
	assert_int_equal(m->regions[1].kind, SWD_REGION_ERASED);
	assert_int_equal(m->regions[1].address, 0x0800A000);
	assert_int_equal(m->regions[1].size, 0xE0000 - 40 * 1024);
	assert_int_equal(m->regions[2].kind, SWD_REGION_DATA);
	assert_int_equal(m->regions[2].address, 0x080E0000);
	assert_int_equal(m->regions[2].size, 16 * 1024);

	assert_null(swd_flashmap_callout(m, 0, line, sizeof(line)));
	assert_non_null(swd_flashmap_callout(m, 2, line, sizeof(line)));
	assert_string_equal(line, "data at 0x080e0000-0x080e3fff, 16 KiB, after 856 KiB of erased flash: "
				  "settings or EEPROM emulation?");
	swd_flashmap_free(m);
	free(b);
}

/* Regions tile the whole flash with no overlap, whatever the contents. */
static void regions_tile_the_flash(void **state)
{
	static const struct { size_t off, n; } cases[][3] = {
		{ { 0, 0 } },
		{ { 0, 1 } },
		{ { 65535, 1 } },
		{ { 100, 5000 }, { 30000, 3 }, { 64000, 1536 } },
		{ { 0, 65536 } },
	};
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t *b = erased(f103->flash.size);
		struct swd_flashmap *m = NULL;
		uint32_t at = f103->flash.base;

		for (size_t k = 0; k < 3; k++)
			fill(b, cases[c][k].off, cases[c][k].n);
		assert_int_equal(swd_flashmap_build(f103, b, f103->flash.size, NULL, 0, NULL, NULL, &m, NULL), 0);
		assert_int_equal(m->ncells, 64);
		assert_string_equal(m->unit, "page");
		for (size_t i = 0; i < m->nregions; i++) {
			assert_int_equal(m->regions[i].address, at);
			assert_true(m->regions[i].size > 0);
			if (i > 0)
				assert_true(m->regions[i].kind != m->regions[i - 1].kind);
			at += m->regions[i].size;
		}
		assert_int_equal(at, f103->flash.base + f103->flash.size);
		swd_flashmap_free(m);
		free(b);
	}
}

static void all_erased_is_one_region(void **state)
{
	uint8_t *b = erased(f103->flash.size);
	struct swd_flashmap *m = NULL;

	(void)state;
	assert_int_equal(swd_flashmap_build(f103, b, f103->flash.size, NULL, 0, NULL, NULL, &m, NULL), 0);
	assert_int_equal(m->nregions, 1);
	assert_int_equal(m->regions[0].kind, SWD_REGION_ERASED);
	for (size_t i = 0; i < m->ncells; i++)
		assert_int_equal(m->cells[i].state, SWD_CELL_ERASED);
	swd_flashmap_free(m);
	free(b);
}

/* F1 WRP indices are pages; 0xFF inside a page keeps it full, an erased end makes it partial. */
static void wrp_and_partial(void **state)
{
	uint8_t *b = erased(f103->flash.size);
	struct swd_flashmap *m = NULL;
	const unsigned wrp[] = { 0, 1, 2, 3 };

	(void)state;
	fill(b, 0, 3 * 1024 - 2);
	b[1500] = 0xff;
	assert_int_equal(swd_flashmap_build(f103, b, f103->flash.size, wrp, 4, NULL, NULL, &m, NULL), 0);
	assert_int_equal(m->cells[0].state, SWD_CELL_FULL);
	assert_int_equal(m->cells[1].state, SWD_CELL_FULL);
	assert_int_equal(m->cells[2].state, SWD_CELL_PARTIAL);
	for (size_t i = 0; i < m->ncells; i++)
		assert_int_equal(m->cells[i].wrp, i < 4);
	assert_int_equal(m->nregions, 2);
	assert_int_equal(m->regions[0].size, 3 * 1024 - 2);
	swd_flashmap_free(m);
	free(b);
}

/* Verify: exactly the sectors holding a differing byte are marked. */
static void verify_marks_differing_cells(void **state)
{
	uint8_t *dev = erased(f407->flash.size), *ref;
	struct swd_flashmap *m = NULL;

	(void)state;
	fill(dev, 0, 200 * 1024);
	ref = malloc(f407->flash.size);
	memcpy(ref, dev, f407->flash.size);
	ref[0x4000 + 5] ^= 1;     /* sector 1 */
	ref[0x40000] ^= 0x80;     /* sector 6, first byte (erased on the device) */
	assert_int_equal(swd_flashmap_build(f407, dev, f407->flash.size, NULL, 0, ref, NULL, &m, NULL), 0);
	assert_int_equal(m->ndiffer, 2);
	for (size_t i = 0; i < m->ncells; i++)
		assert_int_equal(m->cells[i].differs, i == 1 || i == 6);
	swd_flashmap_free(m);

	/* an image that does not cover those bytes does not differ there */
	{
		uint8_t *covered = calloc(f407->flash.size / 8, 1);

		memset(covered, 0xff, 0x4000 / 8); /* sector 0 only */
		assert_int_equal(swd_flashmap_build(f407, dev, f407->flash.size, NULL, 0, ref, covered, &m, NULL), 0);
		assert_int_equal(m->ndiffer, 0);
		swd_flashmap_free(m);
		free(covered);
	}
	free(ref);
	free(dev);
}

/* Restore: the cells the write spans are written, the rest untouched. */
static void restore_marks_written(void **state)
{
	uint8_t *img = erased(f407->flash.size);
	struct swd_flashmap *m = NULL;

	(void)state;
	fill(img, 0, 20 * 1024);
	assert_int_equal(swd_flashmap_build(f407, img, f407->flash.size, NULL, 0, NULL, NULL, &m, NULL), 0);
	assert_int_equal(swd_flashmap_restrict(m, 0, 20 * 1024, NULL), 0);
	assert_true(m->cells[0].written && m->cells[1].written);
	assert_false(m->cells[2].written);
	assert_int_equal(m->cells[2].state, SWD_CELL_UNTOUCHED);
	assert_int_equal(m->nregions, 3);
	assert_int_equal(m->regions[0].kind, SWD_REGION_CODE);
	assert_int_equal(m->regions[1].kind, SWD_REGION_ERASED); /* the rest of sector 1 */
	assert_int_equal(m->regions[1].size, 12 * 1024);
	assert_int_equal(m->regions[2].kind, SWD_REGION_UNTOUCHED);
	assert_int_equal(m->regions[2].address, 0x08008000);
	swd_flashmap_free(m);

	/* a store written alone is data, with no gap claimed before it */
	memset(img, 0xff, f407->flash.size);
	fill(img, 0xE0000, 100);
	assert_int_equal(swd_flashmap_build(f407, img, f407->flash.size, NULL, 0, NULL, NULL, &m, NULL), 0);
	assert_int_equal(swd_flashmap_restrict(m, 0xE0000, 0xE0000 + 100, NULL), 0);
	assert_int_equal(m->regions[0].kind, SWD_REGION_UNTOUCHED);
	assert_int_equal(m->regions[1].kind, SWD_REGION_DATA);
	assert_int_equal(m->regions[1].gap_before, 0);
	swd_flashmap_free(m);
	free(img);
}

/* 512 pages of 2 KiB: 128 blocks of 4 pages; WRP of one page marks its block. */
static void many_pages_become_blocks(void **state)
{
	struct swd_profile p;
	struct swd_sector secs[512];
	struct swd_flashmap *m = NULL;
	uint8_t *b;
	const unsigned wrp[] = { 9 };

	(void)state;
	memset(&p, 0, sizeof(p));
	for (unsigned i = 0; i < 512; i++)
		secs[i] = (struct swd_sector){ .address = 0x08000000 + i * 2048, .size = 2048, .index = i };
	p.flash.driver = SWD_FLASH_STM32F1X;
	p.flash.base = 0x08000000;
	p.flash.size = 512 * 2048;
	p.flash.sectors = secs;
	p.flash.nsectors = 512;
	b = erased(p.flash.size);
	fill(b, 8192 * 5 + 10, 1);
	assert_int_equal(swd_flashmap_build(&p, b, p.flash.size, wrp, 1, NULL, NULL, &m, NULL), 0);
	assert_string_equal(m->unit, "block");
	assert_int_equal(m->ncells, 128);
	assert_int_equal(m->cells[1].size, 8192);
	assert_true(m->cells[2].wrp);
	assert_false(m->cells[1].wrp);
	assert_int_equal(m->cells[5].state, SWD_CELL_PARTIAL);
	assert_int_equal(m->regions[1].address, 0x08000000 + 8192 * 5 + 10);
	assert_int_equal(m->regions[1].size, 1);
	swd_flashmap_free(m);
	free(b);
}

static void wrong_length_is_refused(void **state)
{
	uint8_t b[16];
	struct swd_flashmap *m = (void *)1;
	struct swd_error err;

	(void)state;
	swd_error_init(&err);
	assert_int_equal(swd_flashmap_build(f103, b, sizeof(b), NULL, 0, NULL, NULL, &m, &err), SWD_EINTERNAL);
	assert_null(m);
}

static void json_shape(void **state)
{
	uint8_t *b = erased(f407->flash.size);
	struct swd_flashmap *m = NULL;
	json_t *j, *r;

	(void)state;
	fill(b, 0, 1024);
	fill(b, 0xE0000, 4);
	assert_int_equal(swd_flashmap_build(f407, b, f407->flash.size, NULL, 0, NULL, NULL, &m, NULL), 0);
	j = swd_flashmap_json(m);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "unit")), "sector");
	assert_int_equal(json_array_size(json_object_get(j, "cells")), 12);
	assert_int_equal(json_array_size(json_object_get(j, "callouts")), 1);
	r = json_array_get(json_object_get(j, "regions"), 2);
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "data");
	assert_string_equal(json_string_value(json_object_get(r, "address")), "0x080e0000");
	assert_int_equal(json_integer_value(json_object_get(r, "size")), 4);
	json_decref(j);
	j = swd_flashmap_regions_json(m);
	assert_int_equal(json_object_size(j), 2);
	json_decref(j);
	swd_flashmap_free(m);
	free(b);
}

/* The manifest keeps the regions and reads them back strictly. */
static void manifest_round_trip(void **state)
{
	uint8_t *b = erased(f407->flash.size);
	struct swd_flashmap *m = NULL;
	struct swd_manifest man, back;
	struct swd_manifest_region reg = { "flash", "flash.bin", 0x08000000, 1048576, { 0 }, { 0 }, 1024 };
	struct swd_error err;
	char *text, *bad;

	(void)state;
	memset(reg.sha256, 'a', 64);
	memset(reg.md5, 'b', 32);
	fill(b, 0, 1024);
	fill(b, 0xE0000, 4);
	assert_int_equal(swd_flashmap_build(f407, b, f407->flash.size, NULL, 0, NULL, NULL, &m, NULL), 0);
	memset(&man, 0, sizeof(man));
	man.format = SWD_MANIFEST_FORMAT;
	man.profile_name = "stm32f407vg";
	man.protection.rdp_level = 0;
	man.map = m;
	text = swd_manifest_dump(&man, &reg, 1, "2026-12-06T00:00:00Z");
	assert_non_null(text);
	assert_int_equal(swd_manifest_parse(text, strlen(text), "manifest.json", &back, NULL), 0);
	assert_non_null(back.map);
	assert_string_equal(back.map->unit, "sector");
	assert_int_equal(back.map->nregions, m->nregions);
	for (size_t i = 0; i < m->nregions; i++) {
		assert_int_equal(back.map->regions[i].kind, m->regions[i].kind);
		assert_int_equal(back.map->regions[i].address, m->regions[i].address);
		assert_int_equal(back.map->regions[i].size, m->regions[i].size);
	}
	swd_manifest_release(&back);

	/* an unknown kind is refused with its place */
	bad = strdup(text);
	memcpy(strstr(bad, "\"data\""), "\"dada\"", 6);
	swd_error_init(&err);
	assert_int_equal(swd_manifest_parse(bad, strlen(bad), "manifest.json", &back, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "map.regions[2].kind"));
	swd_manifest_release(&back);
	free(bad);
	free(text);
	swd_flashmap_free(m);
	free(b);
}

static void svg_text(void **state)
{
	uint8_t *b = erased(f407->flash.size);
	struct swd_flashmap *m = NULL;
	const unsigned wrp[] = { 11 };
	char *svg;

	(void)state;
	fill(b, 0, 40 * 1024);
	fill(b, 0xE0000, 16 * 1024);
	assert_int_equal(swd_flashmap_build(f407, b, f407->flash.size, wrp, 1, NULL, NULL, &m, NULL), 0);
	svg = swd_flashmap_svg(m, "a<b & \"c\"");
	assert_non_null(svg);
	assert_non_null(strstr(svg, ">a&lt;b &amp; &quot;c&quot;</text>"));
	assert_non_null(strstr(svg, ">0x080e0000-0x080e3fff</text>"));
	assert_non_null(strstr(svg, ">0x0800a000-0x080dffff</text>"));
	assert_non_null(strstr(svg, "after 856 KiB of erased flash"));
	assert_non_null(strstr(svg, ">write-protected (1)</text>"));
	/* one box per sector */
	{
		size_t boxes = 0;

		for (const char *s = svg; (s = strstr(s, "height=\"40\" fill=")); s++)
			boxes++;
		assert_int_equal(boxes, 12);
	}
	assert_true(strlen(svg) < 8192);
	assert_string_equal(svg + strlen(svg) - 7, "</svg>\n");
	free(svg);
	swd_flashmap_free(m);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(f4_code_and_settings),
		cmocka_unit_test(regions_tile_the_flash),
		cmocka_unit_test(all_erased_is_one_region),
		cmocka_unit_test(wrp_and_partial),
		cmocka_unit_test(verify_marks_differing_cells),
		cmocka_unit_test(restore_marks_written),
		cmocka_unit_test(many_pages_become_blocks),
		cmocka_unit_test(wrong_length_is_refused),
		cmocka_unit_test(json_shape),
		cmocka_unit_test(manifest_round_trip),
		cmocka_unit_test(svg_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
