/* test-brick.c - the option-byte states that brick a board, and the factory values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/brick.h"

#include "two-profiles.h"

static bool has(const struct swd_brick *b, size_t n, enum swd_brick_kind k, enum swd_brick_fix fix)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].kind == k)
			return b[i].fix == fix;
	return false;
}

static void decode(const struct swd_profile *p, const uint8_t *raw, struct swd_protection *pr)
{
	assert_int_equal(swd_optbytes_decode(p, raw, p->option_bytes.size, pr, NULL), 0);
}

/* RM0008 §4.2: the factory area; a healthy board has no bricks. */
static void test_f1_factory_is_clean(void **state)
{
	static const uint8_t want[16] = { 0xA5, 0x5A, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00,
	                                  0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00 };
	uint8_t cur[16], out[16];
	struct swd_protection pr;
	struct swd_brick b[SWD_BRICKS_MAX];

	(void)state;
	/* USER 0xF8: hardware watchdog, reset on Stop and on Standby; WRP0 0x00: pages 0-31 */
	memcpy(cur, want, sizeof(cur));
	cur[2] = 0xF8;
	cur[3] = 0x07;
	cur[8] = 0x00;
	cur[9] = 0xFF;
	assert_int_equal(swd_optbytes_factory(f103, cur, 16, out, NULL), 0);
	assert_memory_equal(out, want, 16);
	decode(f103, cur, &pr);
	size_t n = swd_bricks_find(f103, &pr, 3.3, b);
	assert_int_equal(n, 4);
	assert_true(has(b, n, SWD_BRICK_WRP, SWD_FIX_FACTORY));
	assert_true(has(b, n, SWD_BRICK_HW_WATCHDOG, SWD_FIX_FACTORY));
	assert_true(has(b, n, SWD_BRICK_RST_STOP, SWD_FIX_FACTORY));
	assert_true(has(b, n, SWD_BRICK_RST_STDBY, SWD_FIX_FACTORY));
	assert_non_null(strstr(b[0].what, "write protection on 32 of 64 pages"));
	swd_protection_release(&pr);
	decode(f103, want, &pr);
	assert_int_equal(swd_bricks_find(f103, &pr, 3.3, b), 0);
	swd_protection_release(&pr);
}

/* The factory values keep the readout protection they are given: unlocking is its own step. */
static void test_f1_factory_keeps_rdp(void **state)
{
	uint8_t cur[16], out[16];
	struct swd_protection pr;
	struct swd_brick b[SWD_BRICKS_MAX];

	(void)state;
	memset(cur, 0xFF, sizeof(cur));
	for (int i = 1; i < 16; i += 2)
		cur[i] = 0x00;
	cur[0] = 0x00;
	cur[1] = 0xFF; /* RDP 0x00: level 1 */
	assert_int_equal(swd_optbytes_factory(f103, cur, 16, out, NULL), 0);
	assert_int_equal(out[0], 0x00);
	assert_int_equal(out[1], 0xFF);
	decode(f103, cur, &pr);
	assert_int_equal(swd_bricks_find(f103, &pr, 3.3, b), 1);
	assert_int_equal(b[0].kind, SWD_BRICK_RDP1);
	assert_int_equal(b[0].fix, SWD_FIX_UNLOCK);
	swd_protection_release(&pr);
	/* a byte that disagrees with its complement */
	cur[0] = 0xA5;
	cur[1] = 0x5A;
	cur[5] = 0x12;
	decode(f103, cur, &pr);
	assert_int_equal(swd_bricks_find(f103, &pr, 3.3, b), 1);
	assert_int_equal(b[0].kind, SWD_BRICK_OPT_ERROR);
	swd_protection_release(&pr);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* RM0090: OPTCR factory 0x0FFFAAED; BOR level 3 (2.70 V) on a 2.8 V supply bricks, on
 * 3.3 V it does not; level 2 RDP has no fix. */
static void test_f4(void **state)
{
	uint8_t cur[8] = { 0 }, out[8];
	struct swd_protection pr;
	struct swd_brick b[SWD_BRICKS_MAX];
	size_t n;

	(void)state;
	assert_int_equal(f407->option_bytes.size, 4);
	put32(cur, 0x0FFEAAC1); /* sector 0 protected, BOR level 3, hardware watchdog */
	assert_int_equal(swd_optbytes_factory(f407, cur, 4, out, NULL), 0);
	assert_memory_equal(out, "\xed\xaa\xff\x0f", 4);
	decode(f407, cur, &pr);
	n = swd_bricks_find(f407, &pr, 2.8, b);
	assert_true(has(b, n, SWD_BRICK_BOR, SWD_FIX_FACTORY));
	assert_true(has(b, n, SWD_BRICK_WRP, SWD_FIX_FACTORY));
	assert_true(has(b, n, SWD_BRICK_HW_WATCHDOG, SWD_FIX_FACTORY));
	assert_false(has(b, n, SWD_BRICK_RST_STOP, SWD_FIX_FACTORY));
	assert_int_equal(swd_bricks_find(f407, &pr, 3.3, b), n - 1);
	assert_int_equal(swd_bricks_find(f407, &pr, 0, b), n - 1); /* voltage unknown */
	swd_protection_release(&pr);
	put32(cur, 0x0FFFCCED);
	assert_int_equal(swd_optbytes_factory(f407, cur, 4, out, NULL), 0);
	assert_memory_equal(out, "\xed\xcc\xff\x0f", 4);
	decode(f407, cur, &pr);
	assert_int_equal(swd_bricks_find(f407, &pr, 3.3, b), 1);
	assert_int_equal(b[0].kind, SWD_BRICK_RDP2);
	assert_int_equal(b[0].fix, SWD_FIX_NONE);
	swd_protection_release(&pr);
	assert_int_equal(swd_optbytes_factory(f407, cur, 8, out, NULL), SWD_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_f1_factory_is_clean),
		cmocka_unit_test(test_f1_factory_keeps_rdp),
		cmocka_unit_test(test_f4),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
