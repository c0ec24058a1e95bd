/* test-report.c - the report's pieces that are pure: the exit-code contract of the errors
 * the commands return, and findings rendered as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "board/findings.h"
#include "core/err.h"

/* The README's table: what a user's script sees for each failure the commands report. */
static void test_exit_code_contract(void **state)
{
	static const struct { int code; int exit; } table[] = {
		{ 0, 0 },
		{ SWD_EVERIFY, 1 },
		{ SWD_EUSAGE, 2 }, { SWD_EEXIST, 2 }, { SWD_EUNSUPPORTED, 2 },
		{ SWD_ENOENT, 3 }, { SWD_ENOPROFILE, 3 }, { SWD_EPROFILE, 3 }, { SWD_EEMPTY, 3 },
		{ SWD_ETOOBIG, 3 }, { SWD_EBUNDLE, 3 }, { SWD_EINPUT, 3 },
		{ SWD_EOCDMISSING, 4 }, { SWD_EOCDDIED, 4 },
		{ SWD_EPROBENOTFOUND, 5 }, { SWD_EPROBEBUSY, 5 }, { SWD_EPROBEPERM, 5 },
		{ SWD_ETARGETNORESP, 6 }, { SWD_ETARGETFAILED, 6 },
		{ SWD_EPROTECTED, 7 },
		{ SWD_EWRONGTARGET, 8 }, { SWD_EVECTORS, 8 },
		{ SWD_EIO, 9 },
		{ SWD_EINTR, 130 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_int_equal(swd_exit_code(table[i].code), table[i].exit);
}

static void test_finding_json(void **state)
{
	char *ev[] = { "Error: init mode failed (unable to connect to the target)" };
	struct diag_finding f = {
		.id = DIAG_SWD_UNREACHABLE, .confidence = DIAG_CONF_HIGH,
		.cause = "the target does not answer", .fix = "use --connect-under-reset",
		.source = "stlink_usb.c", .detail = NULL, .evidence = ev, .n_evidence = 1,
	};
	json_t *o = board_finding_json(&f);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(o, "id")), "swd-unreachable");
	assert_string_equal(json_string_value(json_object_get(o, "confidence")), "high");
	assert_string_equal(json_string_value(json_object_get(o, "cause")), "the target does not answer");
	assert_true(json_is_null(json_object_get(o, "detail")));
	assert_int_equal(json_array_size(json_object_get(o, "evidence")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "evidence"), 0)), ev[0]);
	assert_string_equal(json_string_value(json_object_get(o, "source")), "stlink_usb.c");
	json_decref(o);
}

static void test_findings_not_repeated(void **state)
{
	json_t *arr = json_array();

	(void)state;
	board_findings_append_id(arr, DIAG_CLONE_IDCODE, "high", "a clone", "nothing", NULL);
	board_findings_append_id(arr, DIAG_CLONE_IDCODE, "high", "a clone again", "nothing", NULL);
	board_findings_append_id(arr, DIAG_FLASH_SIZE_MISMATCH, "medium", "size", NULL, "128 vs 64");
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "cause")), "a clone");
	assert_true(json_is_null(json_object_get(json_array_get(arr, 1), "fix")));
	json_decref(arr);
}

static void test_evidence_from_profile_null(void **state)
{
	struct diag_evidence ev;

	(void)state;
	diag_evidence_init(&ev);
	board_evidence_from_profile(&ev, NULL, true);
	assert_true(ev.strict);
	assert_null(ev.profile_name);
	assert_int_equal(ev.n_expected_idcodes, 0);
	diag_evidence_release(&ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_code_contract),
		cmocka_unit_test(test_finding_json),
		cmocka_unit_test(test_findings_not_repeated),
		cmocka_unit_test(test_evidence_from_profile_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
