/* test-err.c - the error list: unique values, exit codes of the contract, first error wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "core/err.h"

static void test_values_unique_and_negative(void **state)
{
	static const int codes[] = {
#define X_(name, value, exit_code, text) SWD_##name,
		SWD_ERRNO_MAP(X_)
#undef X_
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_true(codes[i] < 0);
		for (size_t k = 0; k < i; k++)
			assert_int_not_equal(codes[i], codes[k]);
		assert_string_not_equal(swd_err_name(codes[i]), "UNKNOWN");
	}
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(swd_exit_code(0), 0);
	assert_int_equal(swd_exit_code(SWD_EVERIFY), 1);
	assert_int_equal(swd_exit_code(SWD_EUSAGE), 2);
	assert_int_equal(swd_exit_code(SWD_EPROFILE), 3);
	assert_int_equal(swd_exit_code(SWD_ETOOBIG), 3);
	assert_int_equal(swd_exit_code(SWD_EEMPTY), 3);
	assert_int_equal(swd_exit_code(SWD_ECHECKSUM), 3);
	assert_int_equal(swd_exit_code(SWD_EOCDMISSING), 4);
	assert_int_equal(swd_exit_code(SWD_EOCDDIED), 4);
	assert_int_equal(swd_exit_code(SWD_EPROBENOTFOUND), 5);
	assert_int_equal(swd_exit_code(SWD_EPROBEBUSY), 5);
	assert_int_equal(swd_exit_code(SWD_EPROBEPERM), 5);
	assert_int_equal(swd_exit_code(SWD_ETARGETNORESP), 6);
	assert_int_equal(swd_exit_code(SWD_EPROTECTED), 7);
	assert_int_equal(swd_exit_code(SWD_EWRONGTARGET), 8);
	assert_int_equal(swd_exit_code(SWD_EVECTORS), 8);
	assert_int_equal(swd_exit_code(SWD_EIO), 9);
	assert_int_equal(swd_exit_code(SWD_EINTR), 130);
	assert_int_equal(swd_exit_code(-99999), 9);
	assert_string_equal(swd_err_name(SWD_EIO), "EIO");
	assert_string_equal(swd_strerror(SWD_EINTR), "interrupted");
	assert_string_equal(swd_err_name(-99999), "UNKNOWN");
}

static void test_first_error_wins(void **state)
{
	struct swd_error err;

	(void)state;
	swd_error_init(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(swd_error_set(&err, SWD_ENOENT, "cannot open '%s': %s", "f4.bin",
	                               "no such file or directory"),
	                 SWD_ENOENT);
	assert_int_equal(swd_error_set(&err, SWD_EIO, "cleanup failed"), SWD_EIO);
	assert_int_equal(err.code, SWD_ENOENT);
	assert_string_equal(err.msg, "cannot open 'f4.bin': no such file or directory");
	/* NULL is allowed and still returns the code */
	assert_int_equal(swd_error_set(NULL, SWD_EIO, "x"), SWD_EIO);
	assert_int_equal(swd_err_from_errno(ENOENT), SWD_ENOENT);
	assert_int_equal(swd_err_from_errno(EEXIST), SWD_EEXIST);
	assert_int_equal(swd_err_from_errno(EACCES), SWD_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_unique_and_negative),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_first_error_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
