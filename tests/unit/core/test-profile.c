/* test-profile.c - every shipped profile loads and says what the reference manuals say;
 * every file in profiles-invalid/ fails with exactly the message in its .expected file;
 * lookup by name prefers the user's own profiles. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/jsonpos.h"
#include "core/profile.h"
#include "shipped.h"

static const char *const shipped[] = {"particle-photon", "spark-core", "stm32f103c8", "stm32f103cb", "stm32f205rg",
                                      "stm32f405rg", "stm32f407vg", "stm32f429zi",
                                      "stm32f429zg"};

/* Every *.json in profiles/ loads, is named after its file, and is one of those above;
 * a board profile carries its part's facts (test-boardprofile.c has the rest). */
static void test_all_shipped_load(void **state)
{
	struct dirent **names;
	int n = scandir(CORE_PROFILES_DIR, &names, NULL, alphasort);
	size_t loaded = 0;

	(void)state;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *fn = names[i]->d_name;
		size_t len = strlen(fn);

		if (len > 5 && strcmp(fn + len - 5, ".json") == 0) {
			struct swd_profile *p;
			char stem[256];

			snprintf(stem, sizeof(stem), "%.*s", (int)(len - 5), fn);
			p = load_shipped(stem);
			assert_string_equal(p->name, stem);
			assert_int_equal(p->openocd.adapter_khz, 4000);
			assert_true(p->openocd.connect_under_reset);
			assert_string_equal(p->openocd.interface, "interface/stlink.cfg");
			assert_int_equal(p->flash.base, 0x08000000);
			assert_int_equal(p->flash.size, p->ids.flash_size_kib * 1024u);
			assert_int_equal(p->regs.dbgmcu_idcode, 0xE0042000);
			assert_true(p->nram >= 1);
			assert_int_equal(p->ram[0].address, 0x20000000);
			assert_int_equal(swd_profile_hash(p, NULL), 0);
			assert_int_equal(strlen(p->sha256_hex), 64);
			assert_non_null(strstr(p->reference_manual, "RM00"));
			loaded++;
			swd_profile_free(p);
		}
		free(names[i]);
	}
	free(names);
	assert_int_equal(loaded, sizeof(shipped) / sizeof(shipped[0]));
}

static void test_f103(void **state)
{
	struct swd_profile *c8 = load_shipped("stm32f103c8"), *cb = load_shipped("stm32f103cb");

	(void)state;
	assert_int_equal(c8->flash.driver, SWD_FLASH_STM32F1X);
	assert_int_equal(c8->flash.size, 65536);
	assert_int_equal(c8->flash.nsectors, 64);
	assert_int_equal(c8->flash.sectors[63].address, 0x0800FC00);
	assert_int_equal(c8->flash.sectors[63].size, 1024);
	assert_int_equal(c8->flash.wrp_sectors_per_bit, 4);
	assert_int_equal(cb->flash.nsectors, 128);
	assert_int_equal(cb->flash.size, 131072);
	assert_int_equal(c8->ids.dev_id, 0x410);
	assert_string_equal(swd_profile_revision_name(c8, 0x2003), "Y");
	assert_null(swd_profile_revision_name(c8, 0x1234));
	assert_int_equal(swd_profile_dp_idcode_kind(c8, 0x1BA01477), 1);
	assert_int_equal(swd_profile_dp_idcode_kind(c8, 0x2BA01477), 2);
	assert_int_equal(swd_profile_dp_idcode_kind(c8, 0x12345678), 0);
	assert_int_equal(c8->ids.cpuid_partno, 0xC23);
	assert_int_equal(c8->regs.flash_size, 0x1FFFF7E0);
	assert_int_equal(c8->regs.unique_id, 0x1FFFF7E8);
	assert_int_equal(c8->regs.flash_interface, 0x40022000);
	assert_int_equal(c8->option_bytes.format, SWD_OB_STM32F1);
	assert_int_equal(c8->option_bytes.address, 0x1FFFF800);
	assert_int_equal(c8->option_bytes.size, 16);
	assert_false(c8->otp.present);
	assert_int_equal(c8->nram, 1);
	assert_int_equal(c8->ram[0].size, 20 * 1024);
	assert_string_equal(c8->openocd.target, "target/stm32f1x.cfg");
	assert_int_equal(c8->openocd.nvars, 3);
	assert_string_equal(c8->openocd.vars[0].name, "CHIPNAME");
	assert_string_equal(c8->openocd.vars[0].value, "stm32f1x");
	assert_string_equal(c8->openocd.vars[2].name, "FLASH_SIZE");
	assert_ptr_equal(swd_profile_sector_at(c8, 0x08000400), &c8->flash.sectors[1]);
	assert_null(swd_profile_sector_at(c8, 0x08010000));
	assert_null(swd_profile_sector_at(c8, 0x07FFFFFF));
	/* the whole die: 64 more pages after the 64 the register says */
	assert_int_equal(c8->flash.die_size, 131072);
	assert_non_null(strstr(c8->flash.die_size_source, "DS5319"));
	assert_int_equal(swd_profile_use_die(c8, NULL), 0);
	assert_int_equal(swd_profile_use_die(c8, NULL), 0);
	assert_true(c8->flash.whole_die);
	assert_int_equal(c8->flash.size, 131072);
	assert_int_equal(c8->flash.register_size, 65536);
	assert_int_equal(c8->flash.nsectors, 128);
	assert_int_equal(c8->flash.sectors[127].address, 0x0801FC00);
	assert_int_equal(c8->flash.sectors[127].index, 127);
	assert_ptr_equal(swd_profile_sector_at(c8, 0x08010000), &c8->flash.sectors[64]);
	assert_int_equal(swd_profile_use_die(cb, NULL), SWD_EINPUT);
	swd_profile_free(c8);
	swd_profile_free(cb);
}

static void test_f2_f4(void **state)
{
	struct swd_profile *f2 = load_shipped("stm32f205rg"), *f4 = load_shipped("stm32f407vg");
	struct swd_profile *f405 = load_shipped("stm32f405rg"), *f429 = load_shipped("stm32f429zi");
	const struct swd_sector *s;

	(void)state;
	assert_int_equal(f2->ids.dev_id, 0x411);
	assert_int_equal(f2->ids.cpuid_partno, 0xC23);
	assert_string_equal(swd_profile_revision_name(f2, 0x2000), "B");
	assert_int_equal(f2->flash.nsectors, 12);
	assert_int_equal(f2->flash.sectors[4].address, 0x08010000);
	assert_int_equal(f2->flash.sectors[4].size, 65536);
	assert_int_equal(f2->flash.sectors[11].address, 0x080E0000);
	assert_int_equal(f2->nram, 1);
	assert_int_equal(f2->ram[0].size, 128 * 1024);
	assert_true(f2->otp.present);
	assert_int_equal(f2->otp.address, 0x1FFF7800);
	assert_int_equal(f2->otp.size, 512);
	assert_int_equal(f2->otp.lock_address, 0x1FFF7A00);
	assert_int_equal(f2->regs.flash_size, 0x1FFF7A22);
	assert_int_equal(f2->regs.unique_id, 0x1FFF7A10);

	assert_int_equal(f4->ids.dev_id, 0x413);
	assert_int_equal(f405->ids.dev_id, 0x413);
	/* RM0090 rev 11 §38.6.1 (OpenOCD's table calls 0x1007 revision 1) */
	assert_string_equal(swd_profile_revision_name(f4, 0x1007), "2");
	assert_string_equal(swd_profile_revision_name(f4, 0x100F), "Y");
	assert_non_null(strstr(f4->ids.revisions_advisory, "advisory"));
	/* ES0182 §2.1.2: revision A of the F405/F407 reads the F2's DEV_ID with a Cortex-M4 */
	assert_int_equal(f4->ids.naliases, 1);
	assert_string_equal(swd_profile_alias(f4, 0x411, 0xC24)->revision, "A");
	assert_null(swd_profile_alias(f4, 0x411, 0xC23));
	assert_null(swd_profile_alias(f2, 0x411, 0xC24));
	assert_int_equal(f4->ids.cpuid_partno, 0xC24);
	assert_int_equal(f4->flash.size, 1024 * 1024);
	assert_int_equal(f4->option_bytes.format, SWD_OB_STM32F2X);
	assert_int_equal(f4->option_bytes.address, 0x40023C14);
	assert_false(f4->option_bytes.has_optcr1);
	assert_int_equal(f4->nram, 2);
	assert_non_null(swd_profile_ram_at(f4, 0x1000FFFC));
	assert_string_equal(swd_profile_ram_at(f4, 0x1000FFFC)->name, "ccm");
	/* RM0090 §2.3.1: the CCM is on the D-bus only; the core cannot fetch code from it */
	assert_false(swd_profile_ram_at(f4, 0x1000FFFC)->code);
	assert_true(swd_profile_ram_at(f4, 0x20000000)->code);
	assert_null(swd_profile_ram_at(f4, 0x20020000));
	assert_string_equal(f4->openocd.target, "target/stm32f4x.cfg");

	assert_int_equal(f429->ids.dev_id, 0x419);
	assert_int_equal(f429->flash.size, 2 * 1024 * 1024);
	assert_int_equal(f429->flash.nbanks, 2);
	assert_int_equal(f429->flash.nsectors, 24);
	s = &f429->flash.sectors[12];
	assert_int_equal(s->address, 0x08100000);
	assert_int_equal(s->size, 16384);
	assert_int_equal(s->bank, 1);
	assert_int_equal(s->index, 12);
	assert_int_equal(f429->flash.sectors[23].address, 0x081E0000);
	assert_true(f429->option_bytes.has_optcr1);
	assert_int_equal(f429->option_bytes.optcr1, 0x40023C18);
	assert_int_equal(f429->ram[0].size, 192 * 1024);
	swd_profile_free(f2);
	swd_profile_free(f4);
	swd_profile_free(f405);
	swd_profile_free(f429);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	/* the expected message is one line */
	if (buf != NULL && n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

/* Each invalid profile fails with the exact message (file, line, column, what). */
static void test_invalid_folder(void **state)
{
	char dir[512];
	struct dirent **names;
	int n, cases = 0;
	char cwd[4096];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/profiles-invalid", CORE_TEST_DIR);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	/* relative names, so the messages do not depend on where the tree lives */
	assert_int_equal(chdir(dir), 0);
	n = scandir(".", &names, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *fn = names[i]->d_name;
		size_t len = strlen(fn);

		if (len > 5 && strcmp(fn + len - 5, ".json") == 0) {
			struct swd_profile *p = (struct swd_profile *)1;
			struct swd_error err;
			char exp_path[512];
			char *expected;
			int rc;

			snprintf(exp_path, sizeof(exp_path), "%.*s.expected", (int)(len - 5), fn);
			expected = read_text(exp_path);
			if (expected == NULL)
				fail_msg("'%s' has no .expected file", fn);
			swd_error_init(&err);
			rc = swd_profile_load(fn, &p, &err);
			if (rc != SWD_EPROFILE || strcmp(err.msg, expected) != 0)
				fail_msg("%s: got %d \"%s\"\n expected \"%s\"", fn, rc, err.msg, expected);
			assert_null(p);
			free(expected);
			cases++;
		}
		free(names[i]);
	}
	free(names);
	assert_int_equal(chdir(cwd), 0);
	assert_true(cases >= 25);
}

/* The same text from memory gives the same positions; a duplicate key deep inside, a
 * NUL in a string, a non-object root. */
static void test_load_text_errors(void **state)
{
	static const char dup[] = "{\n  \"flash\": {\"size\": 1,\n    \"size\": 2}\n}\n";
	static const char nul[] = "{\"name\": \"a\\u0000b\"}";
	struct swd_profile *p;
	struct swd_error err;

	(void)state;
	swd_error_init(&err);
	assert_int_equal(swd_profile_load_text(dup, sizeof(dup) - 1, "mem", &p, &err), SWD_EPROFILE);
	assert_string_equal(err.msg, "'mem' line 3, column 10: duplicate object key near '\"size\"'");
	swd_error_init(&err);
	assert_int_equal(swd_profile_load_text(nul, sizeof(nul) - 1, "mem", &p, &err), SWD_EPROFILE);
	assert_non_null(strstr(err.msg, "'mem' line 1, column "));
	assert_non_null(strstr(err.msg, "\\u0000 is not allowed"));
	swd_error_init(&err);
	assert_int_equal(swd_profile_load_text("42", 2, "mem", &p, &err), SWD_EPROFILE);
	assert_non_null(strstr(err.msg, "'mem' line 1, column 2: '[' or '{' expected near '42'"));
	swd_error_init(&err);
	assert_int_equal(swd_profile_load("/nonexistent/x.json", &p, &err), SWD_ENOENT);
	assert_string_equal(err.msg, "cannot open '/nonexistent/x.json': no such file or directory");
}

/* The position index: nested objects and arrays, escaped keys, multi-byte characters. */
static void test_jsonpos(void **state)
{
	static const char text[] = "{\"a\": [1, {\"b\\\"c\": true}],\n"
	                           " \"\u00e9\\u00e9\": \"x\\\"y\",\n"
	                           "\t\"n\": [[], [null]]}";
	const struct swd_jsonpos_entry *e;
	struct swd_jsonpos idx;

	(void)state;
	assert_int_equal(swd_jsonpos_build(text, strlen(text), &idx), 0);
	e = swd_jsonpos_find(&idx, "");
	assert_non_null(e);
	assert_int_equal(e->line, 1);
	assert_int_equal(e->column, 1);
	e = swd_jsonpos_find(&idx, "a[1].b\"c");
	assert_non_null(e);
	assert_int_equal(e->line, 1);
	assert_int_equal(e->key_column, 12);
	assert_int_equal(e->column, 20);
	/* the key is "\u00e9" written raw and escaped: both decode to the same character */
	e = swd_jsonpos_find(&idx, "\xc3\xa9\xc3\xa9");
	assert_non_null(e);
	assert_int_equal(e->line, 2);
	assert_int_equal(e->key_column, 2);
	assert_int_equal(e->column, 13);
	e = swd_jsonpos_find(&idx, "n[1][0]");
	assert_non_null(e);
	assert_int_equal(e->line, 3);
	assert_int_equal(e->column, 13);
	assert_int_equal(swd_jsonpos_find(&idx, "n[1]")->column, 12);
	assert_null(swd_jsonpos_find(&idx, "n[2]"));
	swd_jsonpos_release(&idx);
	assert_int_equal(swd_jsonpos_build("{\"a\": ", 6, &idx), -1);
	assert_int_equal(idx.n, 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Lookup by name: the user's directory first, then the shipped ones; a path loads
 * directly; an unknown name is its own error; list shows shadowing and broken files. */
static void test_find_and_list(void **state)
{
	char tmp[] = "/tmp/swd-profiles-XXXXXX";
	char dir[256], path[512], *text;
	struct swd_profile *p;
	struct swd_profile_entry *e;
	size_t n, i;
	struct swd_error err;
	char **dirs;
	size_t ndirs;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	setenv("XDG_CONFIG_HOME", tmp, 1);
	unsetenv("SWDBACKUP_PROFILE_PATH");
	snprintf(dir, sizeof(dir), "%s/swdbackup", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/swdbackup/profiles", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);

	assert_int_equal(swd_profile_dirs(&dirs, &ndirs, NULL), 0);
	assert_true(ndirs >= 2);
	assert_string_equal(dirs[0], dir);
	assert_string_equal(dirs[ndirs - 1], CORE_BUILD_PROFILES_DIR);
	swd_profile_dirs_free(dirs, ndirs);

	/* shipped one found by name */
	swd_error_init(&err);
	assert_int_equal(swd_profile_find("stm32f407vg", &p, &err), 0);
	assert_string_equal(p->path, CORE_BUILD_PROFILES_DIR "/stm32f407vg.json");
	swd_profile_free(p);

	/* the user's copy with a different description wins */
	snprintf(path, sizeof(path), "%s/stm32f407vg.json", CORE_PROFILES_DIR);
	text = read_text(path);
	assert_non_null(text);
	{
		char *d = strstr(text, "STM32F407VG: ");
		assert_non_null(d);
		memcpy(d, "MY BOARD!!: ", 12);
	}
	snprintf(path, sizeof(path), "%s/stm32f407vg.json", dir);
	write_file(path, text);
	free(text);
	assert_int_equal(swd_profile_find("stm32f407vg", &p, &err), 0);
	assert_string_equal(p->path, path);
	assert_non_null(strstr(p->description, "MY BOARD!!: "));
	swd_profile_free(p);

	/* a user file whose name does not match its "name" */
	snprintf(path, sizeof(path), "%s/stm32f103c8.json", CORE_PROFILES_DIR);
	text = read_text(path);
	snprintf(path, sizeof(path), "%s/other.json", dir);
	write_file(path, text);
	free(text);
	swd_error_init(&err);
	assert_int_equal(swd_profile_find("other", &p, &err), SWD_EPROFILE);
	assert_non_null(strstr(err.msg, "other.json' line 2, column 11: profile name \"stm32f103c8\" does not match its file name 'other.json'"));
	/* but as a path it loads */
	assert_int_equal(swd_profile_find(path, &p, NULL), 0);
	swd_profile_free(p);

	/* broken user file */
	snprintf(path, sizeof(path), "%s/broken.json", dir);
	write_file(path, "{\"name\": 1}");

	swd_error_init(&err);
	assert_int_equal(swd_profile_find("stm32f999", &p, &err), SWD_ENOPROFILE);
	assert_string_equal(err.msg, "unknown profile 'stm32f999'; 'swdbackup profiles list' shows the known ones");
	assert_int_equal(swd_profile_find("../etc/passwd", &p, NULL), SWD_ENOENT);

	assert_int_equal(swd_profile_list(&e, &n, NULL), 0);
	{
		bool seen_shadowed = false, seen_broken = false, seen_other = false;
		size_t f407 = 0;

		for (i = 0; i < n; i++) {
			if (strcmp(e[i].name, "stm32f407vg") == 0) {
				f407++;
				if (e[i].shadowed) {
					seen_shadowed = true;
					assert_string_equal(e[i].path, CORE_BUILD_PROFILES_DIR "/stm32f407vg.json");
				} else {
					assert_non_null(strstr(e[i].description, "MY BOARD"));
				}
			}
			if (strcmp(e[i].name, "broken") == 0) {
				seen_broken = true;
				assert_int_equal(e[i].code, SWD_EPROFILE);
				assert_non_null(strstr(e[i].error, "broken.json' line 1, column 1: missing key 'description'"));
				assert_null(e[i].description);
			}
			if (strcmp(e[i].name, "other") == 0) {
				seen_other = true;
				assert_int_equal(e[i].code, SWD_EPROFILE);
			}
			if (i > 0)
				assert_true(strcmp(e[i - 1].name, e[i].name) <= 0);
		}
		assert_true(seen_shadowed && seen_broken && seen_other);
		assert_int_equal(f407, 2);
		assert_true(n >= 8);
	}
	swd_profile_entries_free(e, n);

	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	assert_int_equal(system(path), 0);
	unsetenv("XDG_CONFIG_HOME");
}

/* A name in other letter case and an order code as printed on the chip find the profile;
 * a misspelt name is told the closest one, a far one only where the list is. */
static void test_find_by_order_code_and_hint(void **state)
{
	struct swd_profile *p = NULL;
	struct swd_error err;

	(void)state;
	unsetenv("SWDBACKUP_PROFILE_PATH");
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	swd_error_init(&err);
	assert_int_equal(swd_profile_find("STM32F407VG", &p, &err), 0);
	assert_string_equal(p->name, "stm32f407vg");
	swd_profile_free(p);
	assert_int_equal(swd_profile_find("STM32F407VGT6", &p, &err), 0);
	assert_string_equal(p->name, "stm32f407vg");
	swd_profile_free(p);
	assert_int_equal(swd_profile_find("stm32f103c8t6tr", &p, &err), 0);
	assert_string_equal(p->name, "stm32f103c8");
	swd_profile_free(p);
	/* a longer part name that only starts with a profile's is not that profile */
	assert_int_equal(swd_profile_find("stm32f407vgx", &p, &err), SWD_ENOPROFILE);
	assert_null(p);

	swd_error_init(&err);
	assert_int_equal(swd_profile_find("stm32f4o7vg", &p, &err), SWD_ENOPROFILE);
	assert_string_equal(err.msg, "unknown profile 'stm32f4o7vg' (did you mean 'stm32f407vg'?); "
	                             "'swdbackup profiles list' shows the known ones");
	swd_error_init(&err);
	assert_int_equal(swd_profile_find("nrf52840", &p, &err), SWD_ENOPROFILE);
	assert_string_equal(err.msg, "unknown profile 'nrf52840'; 'swdbackup profiles list' shows the known ones");
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_shipped_load),
		cmocka_unit_test(test_f103),
		cmocka_unit_test(test_f2_f4),
		cmocka_unit_test(test_invalid_folder),
		cmocka_unit_test(test_load_text_errors),
		cmocka_unit_test(test_jsonpos),
		cmocka_unit_test(test_find_and_list),
		cmocka_unit_test(test_find_by_order_code_and_hint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
