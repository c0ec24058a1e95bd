/* test-digest.c - SHA-256 and MD5 against published test vectors, buffers, streams, files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/digest.h"

static void test_vectors(void **state)
{
	struct swd_digests d;

	(void)state;
	assert_int_equal(swd_digest_buffer("abc", 3, &d, NULL), 0);
	assert_string_equal(d.sha256_hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(d.md5_hex, "900150983cd24fb0d6963f7d28e17f72");
	assert_int_equal(swd_digest_buffer("", 0, &d, NULL), 0);
	assert_string_equal(d.sha256_hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(d.md5_hex, "d41d8cd98f00b204e9800998ecf8427e");
	assert_int_equal(d.sha256[0], 0xe3);
	assert_int_equal(d.md5[15], 0x7e);
}

/* One million 'a' (FIPS 180-2 / RFC 1321 test suites), fed in uneven pieces. */
static void test_streaming(void **state)
{
	struct swd_digests d;
	swd_hasher_t *h;
	char chunk[997];
	size_t left = 1000000;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	h = swd_hasher_new(NULL);
	assert_non_null(h);
	while (left > 0) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

		assert_int_equal(swd_hasher_update(h, chunk, n, NULL), 0);
		left -= n;
	}
	assert_int_equal(swd_hasher_final(h, &d, NULL), 0);
	swd_hasher_free(h);
	assert_string_equal(d.sha256_hex,
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_string_equal(d.md5_hex, "7707d6ae4e027c70eea2a935c2296f21");
}

static void test_file(void **state)
{
	char path[] = "/tmp/swd-digest-XXXXXX";
	struct swd_digests d;
	struct swd_error err;
	int fd = mkstemp(path);
	char *buf = malloc(1000000);

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(buf);
	memset(buf, 'a', 1000000);
	assert_int_equal(write(fd, buf, 1000000), 1000000);
	close(fd);
	free(buf);
	assert_int_equal(swd_digest_file(path, &d, NULL), 0);
	assert_string_equal(d.sha256_hex,
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_string_equal(d.md5_hex, "7707d6ae4e027c70eea2a935c2296f21");
	unlink(path);

	swd_error_init(&err);
	assert_int_equal(swd_digest_file(path, &d, &err), SWD_ENOENT);
	assert_non_null(strstr(err.msg, "cannot open '/tmp/swd-digest-"));
	assert_non_null(strstr(err.msg, "': no such file or directory"));
}

static void test_hex(void **state)
{
	const uint8_t in[] = {0x00, 0x0f, 0xa5, 0xff};
	char out[9];

	(void)state;
	swd_hex(in, sizeof(in), out);
	assert_string_equal(out, "000fa5ff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
