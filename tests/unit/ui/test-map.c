/* test-map.c - ui: the flash map's grid, legend, regions and call-outs, in ASCII and with Unicode
 * blocks and colour, always within 80 columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/flashmap.h"
#include "ui/ui.h"

/* Renders the map of p's flash holding `code` bytes at the base and `data` bytes at
 * data_off, with sector `differ` changed in the reference (-1: none). Returns: new text. */
static char *render(const char *profile, size_t code, size_t data_off, size_t data, int differ,
		    const struct ui_map_style *st)
{
	struct swd_profile *p = NULL;
	struct swd_flashmap *m = NULL;
	uint8_t *b, *ref;
	json_t *j;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(swd_profile_load(profile, &p, NULL), 0);
	b = malloc(p->flash.size);
	ref = malloc(p->flash.size);
	memset(b, 0xff, p->flash.size);
	memset(b, 0x11, code);
	memset(b + data_off, 0x22, data);
	memcpy(ref, b, p->flash.size);
	if (differ >= 0)
		ref[p->flash.sectors[differ].address - p->flash.base] ^= 1;
	assert_int_equal(swd_flashmap_build(p, b, p->flash.size, NULL, 0, ref, NULL, &m, NULL), 0);
	j = swd_flashmap_json(m);
	f = open_memstream(&text, &len);
	ui_render_map(f, j, st);
	fclose(f);
	json_decref(j);
	swd_flashmap_free(m);
	swd_profile_free(p);
	free(b);
	free(ref);
	return text;
}

/* Columns of each line: code points outside escape sequences. */
static void assert_fits_80(const char *text)
{
	int col = 0;

	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s == '\n') {
			col = 0;
		} else if (*s == 0x1b) {
			while (*s && *s != 'm')
				s++;
		} else if ((*s & 0xc0) != 0x80) {
			col++;
			if (col > 80)
				fail_msg("line longer than 80 columns in:\n%s", text);
		}
	}
}

static void ascii_f4(void **state)
{
	const struct ui_map_style plain = { false, false };
	char *t;

	(void)state;
	t = render(CORE_PROFILES_DIR "/stm32f407vg.json", 40 * 1024, 0xE0000, 16 * 1024, 6, &plain);
	assert_fits_80(t);
	assert_non_null(strstr(t, "\nflash map: 12 sectors, one character = 16 KiB\n"));
	assert_non_null(strstr(t, "\n0x08000000 ##+............. XXXXXXXX........ ................ ........++++++++\n"));
	/* sectors 0-4 start one character apart, then 5 at 128 KiB, 6 at 256 KiB past a group gap */
	assert_non_null(strstr(t, "++++++++\n           |||||   |        |       |        |       |        |       |\n"
				  "  legend: X differs # full + partly used . erased\n"));
	assert_non_null(strstr(t, "\n  data       0x080e0000-0x080e3fff     16 KiB\n"));
	assert_non_null(strstr(t, "\n  differing sectors: 6\n"));
	assert_non_null(strstr(t, "\n  note: data at 0x080e0000-0x080e3fff, 16 KiB, after 856 KiB of erased flash:\n"
				  "        settings or EEPROM emulation?\n"));
	assert_null(strchr(t, 0x1b));
	for (const unsigned char *s = (const unsigned char *)t; *s; s++)
		assert_true(*s < 0x80);
	free(t);
}

/* 2 MiB in 16 KiB characters: two rows, each with its address. */
static void two_rows_f429(void **state)
{
	const struct ui_map_style plain = { false, false };
	char *t;

	(void)state;
	t = render(CORE_PROFILES_DIR "/stm32f429zi.json", 100, 0x1E0000, 4, -1, &plain);
	assert_fits_80(t);
	assert_non_null(strstr(t, "\n0x08000000 +..............."));
	assert_non_null(strstr(t, "\n0x08100000 ................ ................ ................ ........++++++++\n"));
	free(t);
}

/* Pages are one character each: no ruler. */
static void pages_without_ruler(void **state)
{
	const struct ui_map_style plain = { false, false };
	char *t;

	(void)state;
	t = render(CORE_PROFILES_DIR "/stm32f103c8.json", 3000, 0xFC00, 1024, 1, &plain);
	assert_fits_80(t);
	assert_non_null(strstr(t, "\nflash map: 64 pages, one character = 1 KiB\n"
				  "0x08000000 #X+............. ................ ................ ...............#\n"
				  "  legend: X differs # full + partly used . erased\n"));
	assert_null(strchr(t, '|'));
	free(t);
}

static void unicode_and_colour(void **state)
{
	const struct ui_map_style fancy = { true, true }, blocks = { true, false };
	char *t;

	(void)state;
	t = render(CORE_PROFILES_DIR "/stm32f407vg.json", 64 * 1024, 0xE0000, 16 * 1024, 11, &fancy);
	assert_fits_80(t);
	assert_non_null(strstr(t, "\033[32m\u2588\033[0m"));
	assert_non_null(strstr(t, "\033[1;31m\u2573\033[0m"));
	free(t);
	t = render(CORE_PROFILES_DIR "/stm32f407vg.json", 64 * 1024, 0xE0000, 16 * 1024, 11, &blocks);
	assert_fits_80(t);
	assert_null(strchr(t, 0x1b));
	assert_non_null(strstr(t, "\n0x08000000 \u2588\u2588\u2588\u2588\u00b7"));
	assert_non_null(strstr(t, "XXXXXXXX\n")); /* without colour a flag stays a letter */
	free(t);
}

static void no_map_prints_nothing(void **state)
{
	const struct ui_map_style plain = { false, false };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *empty = json_object();

	(void)state;
	ui_render_map(f, NULL, &plain);
	ui_render_map(f, empty, &plain); /* borrowed */
	json_decref(empty);
	fclose(f);
	assert_int_equal(len, 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascii_f4),
		cmocka_unit_test(two_rows_f429),
		cmocka_unit_test(pages_without_ruler),
		cmocka_unit_test(unicode_and_colour),
		cmocka_unit_test(no_map_prints_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
