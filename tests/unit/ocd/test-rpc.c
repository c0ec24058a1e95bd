/* test-rpc.c - TCL RPC framing and reply parsing (ocd/rpc.c), no network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "ocd/rpc.h"
#include "ocd/tcl.h"

struct frames {
	char *f[16];
	size_t len[16];
	size_t n;
};

static void collect(void *ud, const char *frame, size_t len)
{
	struct frames *fr = ud;

	assert_true(fr->n < 16);
	fr->f[fr->n] = malloc(len + 1);
	memcpy(fr->f[fr->n], frame, len);
	fr->f[fr->n][len] = '\0';
	fr->len[fr->n] = len;
	fr->n++;
}

static void frames_free(struct frames *fr)
{
	for (size_t i = 0; i < fr->n; i++)
		free(fr->f[i]);
	fr->n = 0;
}

/* A realistic stream: notifications before a result, an empty result, a result with
 * newlines and braces, and a trailing partial frame. */
static const char stream[] =
	"type target_event event resume-start\r\n\x1a"
	"type target_state state running\r\n\x1a"
	"\x1a"
	"0 {0x08000000: 20005000 08000101 \n}\x1a"
	"-4 {timed out while waiting for target halted\n}\x1a"
	"partial";

static void check_frames(struct frames *fr)
{
	assert_int_equal(fr->n, 5);
	assert_string_equal(fr->f[0], "type target_event event resume-start\r\n");
	assert_string_equal(fr->f[1], "type target_state state running\r\n");
	assert_int_equal(fr->len[2], 0);
	assert_string_equal(fr->f[3], "0 {0x08000000: 20005000 08000101 \n}");
	assert_string_equal(fr->f[4], "-4 {timed out while waiting for target halted\n}");
	assert_true(rpc_frame_is_notification(fr->f[0], fr->len[0]));
	assert_true(rpc_frame_is_notification(fr->f[1], fr->len[1]));
	assert_false(rpc_frame_is_notification(fr->f[2], fr->len[2]));
	assert_false(rpc_frame_is_notification(fr->f[3], fr->len[3]));
}

static void test_feed_whole(void **state)
{
	struct rpc_framer f;
	struct frames fr = { 0 };

	(void)state;
	rpc_framer_init(&f, 0);
	assert_int_equal(rpc_framer_feed(&f, stream, sizeof(stream) - 1, collect, &fr), 0);
	check_frames(&fr);
	assert_int_equal(f.len, strlen("partial"));
	frames_free(&fr);
	/* The rest of the partial frame completes it. */
	assert_int_equal(rpc_framer_feed(&f, " frame\x1a", 7, collect, &fr), 0);
	assert_int_equal(fr.n, 1);
	assert_string_equal(fr.f[0], "partial frame");
	frames_free(&fr);
	rpc_framer_release(&f);
}

/* Push parser rule: the stream split at every byte, in two and in one-byte pieces. */
static void test_feed_split_everywhere(void **state)
{
	size_t n = sizeof(stream) - 1;

	(void)state;
	for (size_t cut = 0; cut <= n; cut++) {
		struct rpc_framer f;
		struct frames fr = { 0 };

		rpc_framer_init(&f, 0);
		assert_int_equal(rpc_framer_feed(&f, stream, cut, collect, &fr), 0);
		assert_int_equal(rpc_framer_feed(&f, stream + cut, n - cut, collect, &fr), 0);
		check_frames(&fr);
		assert_int_equal(f.len, strlen("partial"));
		assert_memory_equal(f.buf, "partial", f.len);
		frames_free(&fr);
		rpc_framer_release(&f);
	}
	{
		struct rpc_framer f;
		struct frames fr = { 0 };

		rpc_framer_init(&f, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(rpc_framer_feed(&f, stream + i, 1, collect, &fr), 0);
		check_frames(&fr);
		frames_free(&fr);
		rpc_framer_release(&f);
	}
}

static void test_feed_too_long(void **state)
{
	struct rpc_framer f;
	struct frames fr = { 0 };

	(void)state;
	rpc_framer_init(&f, 8);
	assert_int_equal(rpc_framer_feed(&f, "12345", 5, collect, &fr), 0);
	assert_int_equal(rpc_framer_feed(&f, "6789", 4, collect, &fr), SWD_EOCDPROTO);
	assert_int_equal(fr.n, 0);
	rpc_framer_release(&f);
}

static void test_parse_catch_reply(void **state)
{
	int code = 99;
	char *text = NULL;
	size_t len = 0;
	const char *r;

	(void)state;
	r = "0 {0x20005000 0x8000101}";
	assert_int_equal(rpc_parse_catch_reply(r, strlen(r), &code, &text, &len), 0);
	assert_int_equal(code, 0);
	assert_string_equal(text, "0x20005000 0x8000101");
	free(text);

	r = "-4 {}";
	assert_int_equal(rpc_parse_catch_reply(r, strlen(r), &code, &text, &len), 0);
	assert_int_equal(code, -4);
	assert_int_equal(len, 0);
	free(text);

	r = "1 {invalid command name \"nosuch\"}";
	assert_int_equal(rpc_parse_catch_reply(r, strlen(r), &code, &text, &len), 0);
	assert_int_equal(code, 1);
	assert_string_equal(text, "invalid command name \"nosuch\"");
	free(text);

	/* Frames that are not "CODE TEXT". */
	static const char *const bad[] = { "", "0", "x {}", "0 {} extra", "0 {unbalanced",
	                                   "line too long\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = (char *)"sentinel";
		assert_int_equal(rpc_parse_catch_reply(bad[i], strlen(bad[i]), &code, &text, &len),
		                 SWD_EOCDPROTO);
		assert_null(text);
	}
}

static void test_catch_script(void **state)
{
	char *s;
	struct tcl_list l;

	(void)state;
	s = rpc_catch_script("reset halt");
	assert_string_equal(s, "list [catch {reset halt} swd_r] $swd_r");
	free(s);
	s = rpc_catch_script("mdw 0x08000000");
	assert_string_equal(s, "list [catch {mdw 0x08000000} swd_r] $swd_r");
	free(s);
	/* An unbalanced brace inside the command (a quoted file name) must not break the
	 * wrapper: the whole command becomes one backslash-escaped word. */
	s = rpc_catch_script("flash read_bank 0 a\\{b 0 16");
	assert_non_null(s);
	assert_int_equal(strncmp(s, "list [catch ", 12), 0);
	{
		const char *w = s + 12, *end = strstr(w, " swd_r] $swd_r");

		assert_non_null(end);
		assert_int_equal(tcl_list_parse(w, (size_t)(end - w), &l), 0);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.items[0], "flash read_bank 0 a\\{b 0 16");
		tcl_list_release(&l);
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_whole),
		cmocka_unit_test(test_feed_split_everywhere),
		cmocka_unit_test(test_feed_too_long),
		cmocka_unit_test(test_parse_catch_reply),
		cmocka_unit_test(test_catch_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
