/* digest.h - SHA-256 and MD5 through OpenSSL libcrypto (EVP), of buffers, streams and files.
 *
 * Owns: computing both digests in one pass and their lowercase hex spelling.
 * Must not: print. Error codes: SWD_ENOENT, SWD_EIO, SWD_ENOMEM, SWD_EINTERNAL (libcrypto).
 */
#ifndef SWD_CORE_DIGEST_H
#define SWD_CORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct swd_digests {
	uint8_t sha256[32];
	uint8_t md5[16];
	char sha256_hex[65]; /* lowercase, NUL terminated */
	char md5_hex[33];
};

typedef struct swd_hasher swd_hasher_t;

/* Starts a SHA-256 + MD5 computation. Returns: new (free with swd_hasher_free()), or NULL
 * with err set. */
swd_hasher_t *swd_hasher_new(struct swd_error *err);
int swd_hasher_update(swd_hasher_t *h, const void *buf, size_t len, struct swd_error *err);
/* Finishes into out; the hasher can then only be freed. */
int swd_hasher_final(swd_hasher_t *h, struct swd_digests *out, struct swd_error *err);
/* NULL is a no-op. */
void swd_hasher_free(swd_hasher_t *h);

int swd_digest_buffer(const void *buf, size_t len, struct swd_digests *out,
                      struct swd_error *err);

/* Streams the file in fixed-size chunks (any size, constant memory). */
int swd_digest_file(const char *path, struct swd_digests *out, struct swd_error *err);

/* Like swd_digest_file, and in the same pass gives the file's size and its used extent
 * (offset just past the last byte that is not 0xFF; 0 when all erased). size and used may
 * be NULL. */
int swd_digest_file_extent(const char *path, struct swd_digests *out, uint64_t *size,
                           uint64_t *used, struct swd_error *err);

/* Writes 2*n lowercase hex digits and a NUL into out (size >= 2*n + 1). */
void swd_hex(const uint8_t *in, size_t n, char *out);

/* Value of one hex digit (either case), or -1 when c is not one. */
int swd_hex_digit(int c);

#endif
