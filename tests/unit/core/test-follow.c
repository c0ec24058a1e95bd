/* test-follow.c - a file followed while another writer appends to it: the bytes and digests
 * handed out when the writer filled exactly the length asked for, in any number of steps,
 * also when the file appears only after following began; nothing handed out (the caller
 * reads the file whole instead) when it grows past that length, stays short, the writer
 * failed, or nothing was followed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/follow.h"

#define LEN (64u * 1024u + 3u)

static char path[] = "/tmp/swd-test-follow-XXXXXX";
static uint8_t data[LEN + 16];

/* Appends data[from, to) to the file, as the writer would. */
static void append(size_t from, size_t to)
{
	FILE *f = fopen(path, "ab");

	assert_non_null(f);
	assert_int_equal(fwrite(data + from, 1, to - from, f), to - from);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* The writer fills the file in uneven steps, polled between them: the bytes and the digests
 * of the whole file come out. */
static void test_followed_in_steps(void **state)
{
	struct swd_follow f;
	struct swd_followed out = { 0 };
	struct swd_digests want;
	size_t at = 0, step = 1;

	(void)state;
	swd_follow_init(&f);
	swd_follow_start(&f, path, LEN);
	swd_follow_poll(&f); /* not there yet: nothing happens */
	assert_int_equal(f.have, 0);
	while (at < LEN) {
		size_t to = at + step < LEN ? at + step : LEN;

		append(at, to);
		swd_follow_poll(&f);
		assert_int_equal(f.have, to);
		at = to;
		step = step * 3 + 1;
	}
	swd_follow_end(&f, true, &out);
	assert_non_null(out.data);
	assert_int_equal(out.len, LEN);
	assert_memory_equal(out.data, data, LEN);
	assert_int_equal(swd_digest_buffer(data, LEN, &want, NULL), 0);
	assert_string_equal(out.d.sha256_hex, want.sha256_hex);
	assert_string_equal(out.d.md5_hex, want.md5_hex);
	assert_null(f.path);
	assert_int_equal(f.fd, -1);
	free(out.data);
}

/* Never polled while the writer ran: the end reads it all. */
static void test_read_at_end(void **state)
{
	struct swd_follow f;
	struct swd_followed out = { 0 };

	(void)state;
	swd_follow_start(&f, path, LEN);
	append(0, LEN);
	swd_follow_end(&f, true, &out);
	assert_non_null(out.data);
	assert_memory_equal(out.data, data, LEN);
	free(out.data);
}

/* More than was asked for: the following stops for good, nothing comes out. */
static void test_grows_past_length(void **state)
{
	struct swd_follow f;
	struct swd_followed out = { 0 };

	(void)state;
	swd_follow_start(&f, path, LEN);
	append(0, LEN / 2);
	swd_follow_poll(&f);
	append(LEN / 2, LEN + 1);
	swd_follow_poll(&f);
	assert_false(f.hashing);
	swd_follow_end(&f, true, &out);
	assert_null(out.data);
}

/* Short of the length, or the writer failed: nothing comes out. */
static void test_short_or_failed(void **state)
{
	struct swd_follow f;
	struct swd_followed out = { 0 };

	(void)state;
	swd_follow_start(&f, path, LEN);
	append(0, LEN - 1);
	swd_follow_end(&f, true, &out);
	assert_null(out.data);

	unlink(path);
	swd_follow_start(&f, path, LEN);
	append(0, LEN);
	swd_follow_poll(&f);
	swd_follow_end(&f, false, &out);
	assert_null(out.data);
}

/* Nothing followed, or nothing asked for: polls and the end are harmless and give nothing. */
static void test_nothing_followed(void **state)
{
	struct swd_follow f;
	struct swd_followed out = { 0 };

	(void)state;
	swd_follow_init(&f);
	swd_follow_poll(&f);
	swd_follow_end(&f, true, &out);
	assert_null(out.data);

	swd_follow_start(&f, path, 0);
	append(0, 0);
	swd_follow_end(&f, true, &out);
	assert_null(out.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_followed_in_steps, setup),
		cmocka_unit_test_setup(test_read_at_end, setup),
		cmocka_unit_test_setup(test_grows_past_length, setup),
		cmocka_unit_test_setup(test_short_or_failed, setup),
		cmocka_unit_test_setup(test_nothing_followed, setup),
	};
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
