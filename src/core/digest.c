/* digest.c - SHA-256 and MD5 side by side through libcrypto's EVP interface.
 *
 * libcrypto is opened when a digest is first needed, not by the dynamic loader at start:
 * loading and relocating it costs about half a millisecond, and a DFU backup's first
 * digest is taken while dfu-util runs, when swdbackup waits on the bus anyway. Its
 * soname is the one these headers are of (OPENSSL_SHLIB_VERSION).
 */
#include "core/digest.h"
#include "core/image.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>

#define SONAME_(v) "libcrypto.so." #v
#define SONAME(v) SONAME_(v)

/* The libcrypto functions used here, found once (crypto_open). */
static struct {
	EVP_MD_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX *ctx);
	const EVP_MD *(*sha256)(void);
	const EVP_MD *(*md5)(void);
	int (*init)(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl);
	int (*update)(EVP_MD_CTX *ctx, const void *d, size_t cnt);
	int (*final)(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s);
	bool ready;
} C;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_load(void)
{
	void *h = dlopen(SONAME(OPENSSL_SHLIB_VERSION), RTLD_NOW | RTLD_LOCAL);
	int (*init_crypto)(uint64_t, const OPENSSL_INIT_SETTINGS *);

	if (h == NULL)
		return;
	*(void **)&init_crypto = dlsym(h, "OPENSSL_init_crypto");
	*(void **)&C.ctx_new = dlsym(h, "EVP_MD_CTX_new");
	*(void **)&C.ctx_free = dlsym(h, "EVP_MD_CTX_free");
	*(void **)&C.sha256 = dlsym(h, "EVP_sha256");
	*(void **)&C.md5 = dlsym(h, "EVP_md5");
	*(void **)&C.init = dlsym(h, "EVP_DigestInit_ex");
	*(void **)&C.update = dlsym(h, "EVP_DigestUpdate");
	*(void **)&C.final = dlsym(h, "EVP_DigestFinal_ex");
	/* no atexit handler: it would free libcrypto's tables at the end of every run (a
	 * quarter of a millisecond after the work is done); the kernel frees them anyway */
	C.ready = init_crypto != NULL && C.ctx_new != NULL && C.ctx_free != NULL &&
	          C.sha256 != NULL && C.md5 != NULL && C.init != NULL && C.update != NULL &&
	          C.final != NULL && init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) == 1;
}

/* Whether libcrypto is there (opened on the first call). */
static bool crypto_open(struct swd_error *err)
{
	pthread_once(&crypto_once, crypto_load);
	if (!C.ready)
		swd_error_set(err, SWD_EINTERNAL, "cannot load '%s' (libcrypto): reinstall libssl3",
		              SONAME(OPENSSL_SHLIB_VERSION));
	return C.ready;
}

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
	if (C.ready) {
		C.ctx_free(h->sha256);
		C.ctx_free(h->md5);
	}
	free(h);
}

swd_hasher_t *swd_hasher_new(struct swd_error *err)
{
	swd_hasher_t *h;

	if (!crypto_open(err))
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		swd_error_set(err, SWD_ENOMEM, "out of memory");
		return NULL;
	}
	h->sha256 = C.ctx_new();
	h->md5 = C.ctx_new();
	if (h->sha256 == NULL || h->md5 == NULL || C.init(h->sha256, C.sha256(), NULL) != 1 ||
	    C.init(h->md5, C.md5(), NULL) != 1) {
		swd_error_set(err, SWD_EINTERNAL, "cannot initialise 'sha256'/'md5' in libcrypto");
		swd_hasher_free(h);
		return NULL;
	}
	return h;
}

int swd_hasher_update(swd_hasher_t *h, const void *buf, size_t len, struct swd_error *err)
{
	if (C.update(h->sha256, buf, len) != 1 || C.update(h->md5, buf, len) != 1)
		return swd_error_set(err, SWD_EINTERNAL, "libcrypto digest update failed");
	return 0;
}

int swd_hasher_final(swd_hasher_t *h, struct swd_digests *out, struct swd_error *err)
{
	unsigned n1 = 0, n2 = 0;

	if (C.final(h->sha256, out->sha256, &n1) != 1 || C.final(h->md5, out->md5, &n2) != 1 || n1 != sizeof(out->sha256) ||
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
