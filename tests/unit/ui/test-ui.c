/* test-ui.c - number and progress formatting, TTY-only bar, JSON and text reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/ui.h"

static void test_size_and_duration(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(ui_fmt_size(b, sizeof(b), 512), "512 B");
	assert_string_equal(ui_fmt_size(b, sizeof(b), 1536), "1.5 KiB");
	assert_string_equal(ui_fmt_size(b, sizeof(b), 1048576), "1.0 MiB");
	assert_string_equal(ui_fmt_size(b, sizeof(b), 2097152), "2.0 MiB");
	assert_string_equal(ui_fmt_duration(b, sizeof(b), 0), "0:00");
	assert_string_equal(ui_fmt_duration(b, sizeof(b), 125), "2:05");
	assert_string_equal(ui_fmt_duration(b, sizeof(b), 3725), "1:02:05");
}

static void test_progress_line(void **state)
{
	char b[200];

	(void)state;
	ui_fmt_progress(b, sizeof(b), "reading flash", 524288, 1048576, 0.5, 10);
	assert_string_equal(b, "reading flash [#####.....] 512.0 KiB / 1.0 MiB  1.0 MiB/s  0:01 left");
	ui_fmt_progress(b, sizeof(b), "reading flash", 0, 1048576, 0.0, 4);
	assert_string_equal(b, "reading flash [....] 0 B / 1.0 MiB  --  --:-- left");
	ui_fmt_progress(b, sizeof(b), "writing", 65536, 65536, 2.0, 4);
	assert_string_equal(b, "writing [####] 64.0 KiB / 64.0 KiB  32.0 KiB/s  0:00 left");
	/* done beyond total is clamped, never more than 100% */
	ui_fmt_progress(b, sizeof(b), "x", 10, 5, 1.0, 2);
	assert_string_equal(b, "x [##] 5 B / 5 B  5 B/s  0:00 left");
}

static void test_bar_only_when_allowed(void **state)
{
	char *ebuf = NULL, *obuf = NULL;
	size_t elen = 0, olen = 0;
	FILE *e = open_memstream(&ebuf, &elen), *o = open_memstream(&obuf, &olen);
	struct ui ui;

	(void)state;
	ui_init_streams(&ui, o, e, false, 0, false);
	ui_progress(&ui, "reading flash", 10, 100);
	ui_progress(&ui, "reading flash", 100, 100);
	fflush(e);
	assert_int_equal(elen, 0);

	ui_init_streams(&ui, o, e, false, 0, true);
	ui_progress(&ui, "reading flash", 10, 100);
	ui_progress(&ui, "reading flash", 100, 100);
	fflush(e);
	assert_non_null(strstr(ebuf, "\rreading flash ["));
	assert_non_null(strstr(ebuf, "100 B / 100 B"));
	assert_int_equal(ebuf[elen - 1], '\n');
	fflush(o);
	assert_int_equal(olen, 0); /* progress never goes to stdout */
	fclose(e);
	fclose(o);
	free(ebuf);
	free(obuf);
}

static void test_status_quiet_in_json(void **state)
{
	char *ebuf = NULL;
	size_t elen = 0;
	FILE *e = open_memstream(&ebuf, &elen);
	struct ui ui;

	(void)state;
	ui_init_streams(&ui, stdout, e, true, 0, false);
	ui_status(&ui, "reading %d bytes", 5);
	fflush(e);
	assert_int_equal(elen, 0);
	ui_error(&ui, "cannot open '%s': no such file", "a b");
	fflush(e);
	assert_string_equal(ebuf, "swdbackup: cannot open 'a b': no such file\n");
	fclose(e);
	free(ebuf);
}

static void test_json_report_is_one_document(void **state)
{
	char *obuf = NULL;
	size_t olen = 0;
	FILE *o = open_memstream(&obuf, &olen);
	json_t *doc = json_pack("{s:s, s:b, s:[]}", "command", "verify", "ok", 0, "findings");
	json_error_t je;
	json_t *back;
	struct ui ui;

	(void)state;
	ui_init_streams(&ui, o, stderr, true, 0, false);
	assert_int_equal(ui_report(&ui, doc), 0);
	fclose(o);
	back = json_loads(obuf, 0, &je);
	assert_non_null(back);
	assert_true(json_equal(back, doc));
	assert_int_equal(obuf[olen - 1], '\n');
	json_decref(back);
	json_decref(doc);
	free(obuf);
}

static char *render(json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ui_render_text(f, doc);
	fclose(f);
	return buf;
}

static void test_text_verify_and_findings(void **state)
{
	json_t *doc = json_pack("{s:s, s:s, s:{s:i,s:s,s:s}, s:[{s:s,s:s,s:s,s:s,s:[s]}]}",
				"command", "verify",
				"summary", "matches; the other 41,984 bytes are erased",
				"image", "bytes", 23552, "sha256", "ab", "md5", "cd",
				"findings", "id", "verify-padding-only", "confidence", "high",
				"cause", "the device holds the image", "fix", "line one\nline two",
				"evidence", "some line");
	char *t = render(doc);

	(void)state;
	assert_non_null(strstr(t, "image         23,552 bytes\n  sha256      ab\n  md5         cd\n"));
	assert_non_null(strstr(t, "matches; the other 41,984 bytes are erased\n"));
	assert_non_null(strstr(t, "  verify-padding-only (high confidence)\n"));
	assert_non_null(strstr(t, "    fix:   line one\n           line two\n"));
	assert_non_null(strstr(t, "    saw:   some line\n"));
	free(t);
	json_decref(doc);
}

static void test_text_erased_and_facts(void **state)
{
	json_t *doc = json_pack("{s:s, s:i, s:[{s:s,s:s,s:s,s:s,s:[]}]}", "command", "info", "used_extent", 0,
				"findings", "id", "unknown", "confidence", "low", "cause", "c",
				"detail", "OpenOCD exited with status 137", "evidence");
	char *t = render(doc);

	(void)state;
	assert_non_null(strstr(t, "firmware ends: flash is erased (nothing programmed)\n"));
	assert_non_null(strstr(t, "    facts: OpenOCD exited with status 137\n"));
	assert_null(strstr(t, "fix:"));
	free(t);
	json_decref(doc);
}

static void test_text_backup(void **state)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:s, s:[{s:s,s:s,s:i,s:i,s:s,s:s}], s:{s:i,s:[i,i],s:s}}",
				"command", "backup", "flash_base", "0x08000000", "used_extent", 23552,
				"bundle", "/tmp/b dir",
				"regions", "name", "flash", "address", "0x08000000", "size", 65536, "used", 23552,
				"sha256", "s", "md5", "m",
				"protection", "rdp_level", 0, "wrp", 0, 1, "wrp_unit", "page");
	char *t = render(doc);

	(void)state;
	assert_non_null(strstr(t, "firmware ends: 0x08005c00 (23,552 bytes used of flash)\n"));
	assert_non_null(strstr(t, "flash         65,536 bytes at 0x08000000, used 23,552 bytes\n"));
	assert_non_null(strstr(t, "readout:      RDP level 0 (not protected)\n"));
	assert_non_null(strstr(t, "write:        pages protected: 0 1\n"));
	assert_non_null(strstr(t, "bundle:       /tmp/b dir\n"));
	free(t);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_and_duration),
		cmocka_unit_test(test_progress_line),
		cmocka_unit_test(test_bar_only_when_allowed),
		cmocka_unit_test(test_status_quiet_in_json),
		cmocka_unit_test(test_json_report_is_one_document),
		cmocka_unit_test(test_text_verify_and_findings),
		cmocka_unit_test(test_text_backup),
		cmocka_unit_test(test_text_erased_and_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
