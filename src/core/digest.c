/* digest.c - SHA-256 and MD5 side by side through libcrypto's EVP interface. */
#include "core/digest.h"
#include "core/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

struct swd_hasher {
	EVP_MD_CTX *sha256;
	EVP_MD_CTX *md5;
};

void swd_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xF];
	}
	out[2 * n] = '\0';
}

void swd_hasher_free(swd_hasher_t *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->sha256);
	EVP_MD_CTX_free(h->md5);
	free(h);
}

swd_hasher_t *swd_hasher_new(struct swd_error *err)
{
	swd_hasher_t *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		swd_error_set(err, SWD_ENOMEM, "out of memory");
		return NULL;
	}
	h->sha256 = EVP_MD_CTX_new();
	h->md5 = EVP_MD_CTX_new();
	if (h->sha256 == NULL || h->md5 == NULL ||
	    EVP_DigestInit_ex(h->sha256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(h->md5, EVP_md5(), NULL) != 1) {
		swd_error_set(err, SWD_EINTERNAL, "cannot initialise 'sha256'/'md5' in libcrypto");
		swd_hasher_free(h);
		return NULL;
	}
	return h;
}

int swd_hasher_update(swd_hasher_t *h, const void *buf, size_t len, struct swd_error *err)
{
	if (EVP_DigestUpdate(h->sha256, buf, len) != 1 || EVP_DigestUpdate(h->md5, buf, len) != 1)
		return swd_error_set(err, SWD_EINTERNAL, "libcrypto digest update failed");
	return 0;
}

int swd_hasher_final(swd_hasher_t *h, struct swd_digests *out, struct swd_error *err)
{
	unsigned n1 = 0, n2 = 0;

	if (EVP_DigestFinal_ex(h->sha256, out->sha256, &n1) != 1 ||
	    EVP_DigestFinal_ex(h->md5, out->md5, &n2) != 1 || n1 != sizeof(out->sha256) ||
	    n2 != sizeof(out->md5))
		return swd_error_set(err, SWD_EINTERNAL, "libcrypto digest final failed");
	swd_hex(out->sha256, sizeof(out->sha256), out->sha256_hex);
	swd_hex(out->md5, sizeof(out->md5), out->md5_hex);
	return 0;
}

int swd_digest_buffer(const void *buf, size_t len, struct swd_digests *out,
                      struct swd_error *err)
{
	swd_hasher_t *h = swd_hasher_new(err);
	int rc;

	if (h == NULL)
		return err ? err->code : SWD_ENOMEM;
	rc = swd_hasher_update(h, buf, len, err);
	if (rc == 0)
		rc = swd_hasher_final(h, out, err);
	swd_hasher_free(h);
	return rc;
}

int swd_digest_file(const char *path, struct swd_digests *out, struct swd_error *err)
{
	return swd_digest_file_extent(path, out, NULL, NULL, err);
}

int swd_digest_file_extent(const char *path, struct swd_digests *out, uint64_t *size,
                           uint64_t *used, struct swd_error *err)
{
	uint8_t buf[64 * 1024];
	swd_hasher_t *h = NULL;
	uint64_t total = 0, last = 0;
	int fd, rc = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
		                     swd_errno_text(errno));
	h = swd_hasher_new(err);
	if (h == NULL) {
		rc = SWD_ENOMEM;
		goto out;
	}
	for (;;) {
		size_t u;

		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", path, swd_errno_text(errno));
			goto out;
		}
		if (n == 0)
			break;
		u = swd_used_extent(buf, (size_t)n);
		if (u > 0)
			last = total + u;
		total += (uint64_t)n;
		rc = swd_hasher_update(h, buf, (size_t)n, err);
		if (rc < 0)
			goto out;
	}
	rc = swd_hasher_final(h, out, err);
	if (size)
		*size = total;
	if (used)
		*used = last;
out:
	swd_hasher_free(h);
	close(fd);
	return rc;
}

int swd_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
