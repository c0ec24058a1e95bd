/* "did you mean": distances and when a candidate is offered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/suggest.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(swd_edit_distance("", ""), 0);
	assert_int_equal(swd_edit_distance("backup", "backup"), 0);
	assert_int_equal(swd_edit_distance("BackUp", "backup"), 0);
	assert_int_equal(swd_edit_distance("bakcup", "backup"), 1);   /* adjacent swap */
	assert_int_equal(swd_edit_distance("backp", "backup"), 1);
	assert_int_equal(swd_edit_distance("backupp", "backup"), 1);
	assert_int_equal(swd_edit_distance("verify", "restore"), 6);
	assert_int_equal(swd_edit_distance("", "abc"), 3);
	/* longer than the table: never close */
	assert_true(swd_edit_distance("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a") > 100);
}

static void test_suggest(void **state)
{
	const char *cmds[] = { "backup", "restore", "verify", "reset", "rescue" };
	const char *parts[] = { "stm32f405rg", "stm32f407vg", "stm32f429zi" };

	(void)state;
	assert_string_equal(swd_suggest("bakcup", cmds, 5), "backup");
	assert_string_equal(swd_suggest("rset", cmds, 5), "reset");
	assert_string_equal(swd_suggest("VERIFY", cmds, 5), "verify");
	assert_string_equal(swd_suggest("stm32f4o7vg", parts, 3), "stm32f407vg");
	/* the first of equals */
	assert_string_equal(swd_suggest("resXue", cmds, 5), "rescue");
	assert_null(swd_suggest("flash", cmds, 5));
	assert_null(swd_suggest("stm32f999zz", parts, 3));
	assert_null(swd_suggest("x", cmds, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
