/* test-optbytes.c - RDP level and WRP decoding for the F1 option bytes and F2/F4 OPTCR, and
 * the encoding the flash drivers take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/bytes.h"
#include "core/optbytes.h"


static struct swd_profile *f103, *f407, *f429;

static int setup(void **state)
{
	(void)state;
	if (swd_profile_load(CORE_PROFILES_DIR "/stm32f103c8.json", &f103, NULL) != 0 ||
	    swd_profile_load(CORE_PROFILES_DIR "/stm32f407vg.json", &f407, NULL) != 0 ||
	    swd_profile_load(CORE_PROFILES_DIR "/stm32f429zi.json", &f429, NULL) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swd_profile_free(f103);
	swd_profile_free(f407);
	swd_profile_free(f429);
	return 0;
}

/* F1 area: each byte followed by its complement. */
static void f1_area(uint8_t out[16], uint8_t rdp, uint8_t user, uint32_t wrp)
{
	uint8_t v[8] = {rdp, user, 0xFF, 0xFF, (uint8_t)wrp, (uint8_t)(wrp >> 8),
	                (uint8_t)(wrp >> 16), (uint8_t)(wrp >> 24)};

	for (int i = 0; i < 8; i++) {
		out[2 * i] = v[i];
		out[2 * i + 1] = (uint8_t)~v[i];
	}
}

static void test_f1(void **state)
{
	struct swd_protection pr;
	struct swd_error err;
	uint8_t ob[16];

	(void)state;
	/* factory: 0x5AA5 RDP, nothing protected */
	f1_area(ob, 0xA5, 0xFF, 0xFFFFFFFF);
	assert_int_equal(ob[0], 0xA5);
	assert_int_equal(ob[1], 0x5A);
	assert_int_equal(swd_optbytes_decode(f103, ob, 16, &pr, NULL), 0);
	assert_int_equal(pr.rdp_level, 0);
	assert_int_equal(pr.rdp_raw, 0xA5);
	assert_int_equal(pr.user, 0xFF);
	assert_false(pr.complement_error);
	assert_int_equal(pr.nwrp, 0);
	swd_protection_release(&pr);

	/* level 1 (any other value), WRP bit 0 and bit 15 cleared: pages 0-3 and 60-63 */
	f1_area(ob, 0x00, 0xFF, 0xFFFF7FFE);
	assert_int_equal(swd_optbytes_decode(f103, ob, 16, &pr, NULL), 0);
	assert_int_equal(pr.rdp_level, 1);
	assert_int_equal(pr.nwrp, 8);
	assert_int_equal(pr.wrp[0], 0);
	assert_int_equal(pr.wrp[3], 3);
	assert_int_equal(pr.wrp[4], 60);
	assert_int_equal(pr.wrp[7], 63);
	swd_protection_release(&pr);

	/* a damaged complement is reported */
	f1_area(ob, 0xA5, 0xFF, 0xFFFFFFFF);
	ob[9] = 0xFF;
	assert_int_equal(swd_optbytes_decode(f103, ob, 16, &pr, NULL), 0);
	assert_true(pr.complement_error);
	swd_protection_release(&pr);

	swd_error_init(&err);
	assert_int_equal(swd_optbytes_decode(f103, ob, 8, &pr, &err), SWD_EINPUT);
	assert_string_equal(err.msg, "option bytes are 8 bytes; stm32f103c8 has 16");
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void test_f4(void **state)
{
	struct swd_protection pr;
	uint8_t ob[8];

	(void)state;
	le32(ob, 0x0FFFAAED); /* factory */
	assert_int_equal(swd_optbytes_decode(f407, ob, 4, &pr, NULL), 0);
	assert_int_equal(pr.rdp_level, 0);
	assert_int_equal(pr.rdp_raw, 0xAA);
	assert_int_equal(pr.user, 0xED);
	assert_int_equal(pr.nwrp, 0);
	swd_protection_release(&pr);

	le32(ob, 0x0FFECCED); /* level 2, sector 0 */
	assert_int_equal(swd_optbytes_decode(f407, ob, 4, &pr, NULL), 0);
	assert_int_equal(pr.rdp_level, 2);
	assert_int_equal(pr.nwrp, 1);
	assert_int_equal(pr.wrp[0], 0);
	swd_protection_release(&pr);

	le32(ob, 0x07FF00ED); /* level 1 (0x00), sector 11 */
	assert_int_equal(swd_optbytes_decode(f407, ob, 4, &pr, NULL), 0);
	assert_int_equal(pr.rdp_level, 1);
	assert_int_equal(pr.nwrp, 1);
	assert_int_equal(pr.wrp[0], 11);
	swd_protection_release(&pr);

	/* F429: OPTCR1 protects bank 2 (sectors 12-23) */
	le32(ob, 0x0FFFAAED);
	le32(ob + 4, 0x0FFC0000);
	assert_int_equal(swd_optbytes_decode(f429, ob, 8, &pr, NULL), 0);
	assert_int_equal(pr.nwrp, 2);
	assert_int_equal(pr.wrp[0], 12);
	assert_int_equal(pr.wrp[1], 13);
	assert_false(pr.pcrop);
	swd_protection_release(&pr);

	/* SPRMOD: the same bits are active-high PCROP */
	le32(ob, 0x80000000 | 0x0001AAED);
	le32(ob + 4, 0x00000000);
	assert_int_equal(swd_optbytes_decode(f429, ob, 8, &pr, NULL), 0);
	assert_true(pr.pcrop);
	assert_int_equal(pr.nwrp, 1);
	assert_int_equal(pr.wrp[0], 0);
	swd_protection_release(&pr);
	assert_int_equal(swd_optbytes_decode(f429, ob, 4, &pr, NULL), SWD_EINPUT);
}

/* The encoding side: what the flash drivers' commands take, and when a write is needed or
 * has taken. Values from RM0008 2.5 (F1) and RM0090 3.7.7 (OPTCR/OPTCR1). */
static void test_encode(void **state)
{
	struct swd_optbytes_fields f;
	uint8_t ob[16], other[16], cr[8];

	(void)state;
	/* F1: USER 0xFA keeps bits 2:0 (nRST_STDBY set, nRST_STOP clear, WDG_SW clear) */
	f1_area(ob, 0xA5, 0xFA, 0xFFFFFFF0);
	ob[4] = 0x12, ob[5] = 0xED, ob[6] = 0x34, ob[7] = 0xCB;
	swd_optbytes_encode(f103, ob, &f);
	assert_int_equal(f.user, 0x2);
	assert_int_equal(f.data, 0x3412);
	assert_int_equal(f.nwrp, 0xFFFFFFF0);
	assert_int_equal(f.nblocks, 16); /* 64 pages, 4 per WRP bit */
	assert_true(f103->family->pages);
	assert_string_equal(f103->family->driver, "stm32f1x");
	assert_string_equal(f103->family->units, "pages");

	/* F1: a USER bit above 2 is not written, so a write has taken without it, but the
	 * bytes still differ */
	memcpy(other, ob, 16);
	other[2] = 0xFE;
	other[3] = 0x01;
	assert_false(swd_optbytes_same(f103, ob, other));
	assert_true(swd_optbytes_applied(f103, ob, ob));
	other[2] = 0xF2;
	assert_true(swd_optbytes_applied(f103, ob, other));
	other[8] = 0xF1;
	assert_false(swd_optbytes_applied(f103, ob, other));

	/* F4 (no OPTCR1): user_options are OPTCR 7:2; nWRP 27:16 */
	swd_le32_put(cr, 0x0FFEAAEDu);
	swd_optbytes_encode(f407, cr, &f);
	assert_int_equal(f.user, 0xEC);
	assert_int_equal(f.nwrp & 0xFFF, 0xFFE); /* sector 0 protected */
	assert_int_equal(f.nblocks, 12);
	assert_false(f.sprmod);
	assert_string_equal(f407->family->unit, "sector");
	/* OPTLOCK and OPTSTRT are control bits: the same option bytes */
	swd_le32_put(other, 0x0FFEAAEEu);
	assert_true(swd_optbytes_same(f407, cr, other));
	assert_true(swd_optbytes_applied(f407, cr, other));
	swd_le32_put(other, 0x0FFFAAEDu);
	assert_false(swd_optbytes_same(f407, cr, other));
	assert_false(swd_optbytes_applied(f407, cr, other));

	/* F429: OPTCR 31:28 (SPRMOD, DB1M) ride in user_options 11:8; OPTCR1 nWRP is 12-23 */
	swd_le32_put(cr, 0x8FFFAAEDu);
	swd_le32_put(cr + 4, 0x0FFE0000u);
	swd_optbytes_encode(f429, cr, &f);
	assert_int_equal(f.user, 0x8EC);
	assert_int_equal(f.nwrp, 0xFFEFFF);
	assert_int_equal(f.nblocks, 24);
	assert_true(f.sprmod);
	memcpy(other, cr, 8);
	other[4] = 0x55; /* OPTCR1 bits a write does not set */
	assert_true(swd_optbytes_applied(f429, cr, other));
	assert_false(swd_optbytes_same(f429, cr, other));
}

/* RM0090 table 7: with DB1M the second bank's sectors (OpenOCD's 8-15) are protected by
 * OPTCR1 nWRP bits 0-7 (sectors 12-19), not by OPTCR bits 8-11. */
static void test_f429zg_db1m(void **state)
{
	struct swd_profile *zg = NULL;
	struct swd_protection pr;
	uint8_t ob[8];

	(void)state;
	assert_int_equal(swd_profile_load(CORE_PROFILES_DIR "/stm32f429zg.json", &zg, NULL), 0);
	assert_true(zg->flash.option_layout.present);
	assert_int_equal(zg->flash.nsectors, 12);
	swd_profile_use_option_layout(zg);
	swd_profile_use_option_layout(zg);
	assert_int_equal(zg->flash.nsectors, 16);
	assert_int_equal(zg->flash.nbanks, 2);
	assert_int_equal(zg->flash.sectors[8].address, 0x08080000);
	assert_int_equal(zg->flash.sectors[8].size, 16384);
	assert_int_equal(zg->flash.sectors[8].index, 8);
	assert_int_equal(zg->flash.sectors[15].address, 0x080E0000);
	assert_int_equal(zg->flash.sectors[15].wrp_bit, 19);
	le32(ob, 0x4FFFAAED);       /* DB1M, nothing protected in OPTCR */
	le32(ob + 4, 0x0FFE0000);   /* OPTCR1 nWRP bit 0: sector 12 */
	assert_int_equal(swd_optbytes_decode(zg, ob, 8, &pr, NULL), 0);
	assert_int_equal(pr.nwrp, 1);
	assert_int_equal(pr.wrp[0], 8);
	swd_protection_release(&pr);
	swd_profile_free(zg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_f1),
		cmocka_unit_test(test_f4),
		cmocka_unit_test(test_f429zg_db1m),
		cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
