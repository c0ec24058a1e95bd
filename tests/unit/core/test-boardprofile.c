/* test-boardprofile.c - the Particle board profiles carry their part's facts without
 * repeating them, and say what their DFU bootloaders report; a part's DFU facts are the
 * ST system bootloader's; malformed board profiles fail with the place of the fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/boardprofile.h"
#include "core/profile.h"
#include "shipped.h"

/* Loads text as if it were a file in profiles/ (so its part is found beside it). */
static int load_text(const char *text, struct swd_profile **p, struct swd_error *err)
{
	swd_error_init(err);
	return swd_profile_load_text(text, strlen(text), CORE_PROFILES_DIR "/board.json", p, err);
}

static void test_photon(void **state)
{
	struct swd_profile *p = load_shipped("particle-photon"), *part = load_shipped("stm32f205rg");
	struct swd_dfu_facts f;

	(void)state;
	assert_string_equal(p->name, "particle-photon");
	assert_non_null(p->board);
	assert_string_equal(p->board->part, "stm32f205rg");
	/* loading hashes nothing; the hashes are those of the files, on demand */
	assert_string_equal(p->sha256_hex, "");
	assert_string_equal(p->board->part_sha256_hex, "");
	assert_int_equal(swd_profile_hash(p, NULL), 0);
	assert_int_equal(swd_profile_hash(part, NULL), 0);
	assert_string_equal(p->board->part_sha256_hex, part->sha256_hex);
	assert_string_not_equal(p->sha256_hex, part->sha256_hex);
	/* the chip facts are the part's */
	assert_int_equal(p->ids.dev_id, part->ids.dev_id);
	assert_int_equal(p->flash.size, part->flash.size);
	assert_int_equal(p->flash.nsectors, part->flash.nsectors);
	assert_string_equal(p->reference_manual, part->reference_manual);
	assert_ptr_equal(p->family, part->family);
	assert_int_equal(swd_profile_dfu(p, &f, NULL), 0);
	assert_string_equal(f.bootloader, "particle");
	assert_int_equal(f.vid, 0x2B04);
	assert_int_equal(f.pid, 0xD006);
	assert_int_equal(f.flash_alt, 0);
	assert_int_equal(f.nalts, 2);
	assert_string_equal(f.alts[1].name, "dct");
	assert_non_null(strstr(f.flash_layout, "03*016Ka"));
	assert_int_equal(f.user_address, 0x080A0000);
	assert_int_equal(f.user_size, 128 * 1024);
	swd_profile_free(p);
	swd_profile_free(part);
}

static void test_spark_core(void **state)
{
	struct swd_profile *p = load_shipped("spark-core");
	struct swd_dfu_facts f;

	(void)state;
	assert_string_equal(p->board->part, "stm32f103cb");
	assert_true(p->family->pages);
	assert_int_equal(swd_profile_dfu(p, &f, NULL), 0);
	assert_int_equal(f.vid, 0x1D50);
	assert_int_equal(f.pid, 0x607F);
	assert_int_equal(f.user_address, 0x08005000);
	assert_int_equal(f.user_address + f.user_size, p->flash.base + p->flash.size);
	assert_string_equal(f.alts[1].name, "spi-flash");
	swd_profile_free(p);
}

/* A part's DFU bootloader is the ST ROM's, with the layout that ROM reports; the F1's ROM
 * has no USB DFU. */
static void test_part_facts(void **state)
{
	struct swd_profile *f2 = load_shipped("stm32f205rg"), *f429 = load_shipped("stm32f429zi"), *f1 = load_shipped("stm32f103cb");
	struct swd_dfu_facts f;
	struct swd_error err;

	(void)state;
	assert_int_equal(swd_profile_dfu(f2, &f, NULL), 0);
	assert_string_equal(f.bootloader, "st");
	assert_int_equal(f.vid, 0x0483);
	assert_int_equal(f.pid, 0xDF11);
	assert_string_equal(f.flash_layout, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
	assert_int_equal(f.user_size, 1024 * 1024);
	assert_int_equal(swd_profile_dfu(f429, &f, NULL), 0);
	assert_string_equal(f.flash_layout, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg,"
	                                    "04*016Kg,01*064Kg,07*128Kg");
	swd_error_init(&err);
	assert_int_equal(swd_profile_dfu(f1, &f, &err), SWD_EINPUT);
	assert_non_null(strstr(err.msg, "'stm32f103cb' has no USB DFU bootloader"));
	swd_profile_free(f2);
	swd_profile_free(f429);
	swd_profile_free(f1);
}

#define BOARD(part, extra, layout, user)                                                \
	"{\"name\": \"b\", \"description\": \"d\", \"part\": \"" part "\", \"reference\": \"r\"," extra \
	" \"dfu\": {\"bootloader\": \"particle\", \"usb\": {\"vid\": \"0x2B04\", \"pid\": \"0xD006\"},\n" \
	" \"alts\": [{\"alt\": 0, \"name\": \"flash\", \"layout\": \"" layout "\"}],\n"          \
	" \"user\": " user "}}"
#define PHOTON_LAYOUT "@Internal Flash   /0x08000000/03*016Ka,01*016Kg,01*064Kg,07*128Kg"
#define USER "{\"address\": \"0x080A0000\", \"size\": 131072}"

static void test_invalid(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		{BOARD("stm32f205rg", "", PHOTON_LAYOUT, USER), 0, NULL},
		{BOARD("stm32f205rg", " \"flash\": {},", PHOTON_LAYOUT, USER), SWD_EPROFILE,
		 "unknown key 'flash'"},
		{BOARD("stm32f999", "", PHOTON_LAYOUT, USER), SWD_ENOPROFILE, "unknown profile 'stm32f999'"},
		{BOARD("../x", "", PHOTON_LAYOUT, USER), SWD_EPROFILE, "must be a profile name, not a path"},
		{BOARD("particle-photon", "", PHOTON_LAYOUT, USER), SWD_EPROFILE,
		 "cannot be the part of another board"},
		{BOARD("stm32f103cb", "", PHOTON_LAYOUT, USER), SWD_EPROFILE,
		 "is not within stm32f103cb's flash"},
		{BOARD("stm32f205rg", "", "@Internal Flash /0x08000000/03*016Kz", USER), SWD_EPROFILE,
		 "line 2, column 49: dfuse layout '"},
		{BOARD("stm32f205rg", "", PHOTON_LAYOUT, "{\"address\": \"0x08000000\", \"size\": 16}"),
		 SWD_EPROFILE, "the user region is not writable through the bootloader at 0x08000000"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct swd_profile *p = NULL;
		struct swd_error err;
		int rc = load_text(cases[i].text, &p, &err);

		if (rc != cases[i].code || (cases[i].msg != NULL && strstr(err.msg, cases[i].msg) == NULL))
			fail_msg("case %zu: got %d '%s'", i, rc, err.msg);
		assert_true((rc == 0) == (p != NULL));
		swd_profile_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_photon),
		cmocka_unit_test(test_spark_core),
		cmocka_unit_test(test_part_facts),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
