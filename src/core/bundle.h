/* bundle.h - backup bundles: a directory with flash.bin, option-bytes.bin, otp.bin (when the
 * part has OTP), manifest.json, SHA256SUMS and MD5SUMS.
 *
 * Owns: the bundle layout, writing a bundle atomically (bundle_write.c) and reading one
 * back strictly (bundle_read.c). The manifest's format is manifest.h's.
 * Must not: print or talk to OpenOCD.
 *
 * Writing is staged so that files can be produced by someone else (OpenOCD's
 * `flash read_bank` writes straight into the staging directory) and verified before the
 * bundle appears:
 *
 *   swd_bundle_writer_new(dest, force, &w, err)  creates DIR/.NAME.partial-PID-XXXXXX
 *   swd_bundle_writer_file_path(w, "flash.bin")  where a file should be written
 *   swd_bundle_writer_add_buffer() / _add_file() registers a region (digests, used extent)
 *   ... caller verifies against the device ...
 *   swd_bundle_writer_commit(w, manifest, err)   manifest + sums, fsync, rename into place
 *   swd_bundle_writer_free(w)                    removes the staging dir unless committed
 *
 * Nothing exists at the final name until commit succeeds. A run killed before it could clean
 * up leaves its staging directory; the next writer in the same directory removes every one
 * whose PID is gone (swd_bundle_writer_stale() names them for the user). With force, an existing
 * directory at dest is replaced atomically (old renamed aside, new renamed in, old removed).
 *
 * Error codes: SWD_EEXIST (dest exists, no force), SWD_EIO, SWD_ENOMEM, SWD_ENOENT;
 * reader: SWD_EBUNDLE (missing or malformed file, with file/line/column for the manifest),
 * SWD_ECHECKSUM (a file does not match SHA256SUMS), SWD_EWRONGTARGET (swd_bundle_check_target).
 */
#ifndef SWD_CORE_BUNDLE_H
#define SWD_CORE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/digest.h"
#include "core/err.h"
#include "core/manifest.h"
#include "core/profile.h"

/* `<profile>-<uid hex, 24 digits>-<YYYYmmddTHHMMSSZ>` for time t (UTC). Returns buf. */
char *swd_bundle_default_name(const char *profile, const uint8_t uid[12], time_t t, char *buf,
                              size_t len);

typedef struct swd_bundle_writer swd_bundle_writer_t;

/* Prepares a bundle at dest (a path; its parent must exist). Fails with SWD_EEXIST if dest
 * exists and force is false. Returns: *out new (swd_bundle_writer_free()). */
int swd_bundle_writer_new(const char *dest, bool force, swd_bundle_writer_t **out,
                          struct swd_error *err);

/* Staging directories of dead runs that _new removed from dest's directory; *paths is
 * borrowed, valid until free. Returns how many. */
size_t swd_bundle_writer_stale(const swd_bundle_writer_t *w, const char *const **paths);

/* Staging directory. Returns: borrowed, valid until free. */
const char *swd_bundle_writer_dir(const swd_bundle_writer_t *w);

/* Full path of file inside the staging directory. Returns: new (free()), NULL on ENOMEM. */
char *swd_bundle_writer_file_path(const swd_bundle_writer_t *w, const char *file);

/* Writes data to `file` in the staging dir and records the region. */
int swd_bundle_writer_add_buffer(swd_bundle_writer_t *w, const char *region, const char *file,
                                 uint32_t address, const void *data, size_t size,
                                 struct swd_error *err);

/* Records a region whose file was already written into the staging dir and must be len
 * bytes long: read once for its digests and used extent, and its bytes handed back in
 * *data (new; NULL on error) for the caller's own use (a backup draws its map from them). */
int swd_bundle_writer_add_file_exact(swd_bundle_writer_t *w, const char *region,
                                     const char *file, uint32_t address, size_t len,
                                     uint8_t **data, struct swd_error *err);

/* Records a region whose file was already written into the staging dir, len bytes long,
 * whose bytes (data, borrowed) and digests the caller already has: it followed the file
 * as it was written. Nothing is read; the file's size is checked. */
int swd_bundle_writer_add_file_known(swd_bundle_writer_t *w, const char *region,
                                     const char *file, uint32_t address, const uint8_t *data,
                                     size_t len, const struct swd_digests *d,
                                     struct swd_error *err);

/* Borrowed view of a recorded region (digests, used extent), or NULL. */
const struct swd_manifest_region *swd_bundle_writer_region(const swd_bundle_writer_t *w,
                                                           const char *region);

/* Writes manifest.json (m's regions are ignored; the recorded ones are used), SHA256SUMS
 * and MD5SUMS, fsyncs every file in the staging directory and the directory (all at once),
 * renames the staging directory to dest and fsyncs its parent. After success the bundle is final; on failure nothing exists at dest (unless an
 * old bundle was there, which then is kept). */
int swd_bundle_writer_commit(swd_bundle_writer_t *w, const struct swd_manifest *m,
                             struct swd_error *err);

/* Final path. Returns: borrowed. */
const char *swd_bundle_writer_dest(const swd_bundle_writer_t *w);

/* Removes the staging directory if the bundle was not committed. NULL is a no-op. */
void swd_bundle_writer_free(swd_bundle_writer_t *w);

/* --- reading ---------------------------------------------------------------------------- */

struct swd_bundle {
	char *dir;
	struct swd_manifest manifest;
};

/* Opens the bundle directory dir: checks every file listed in SHA256SUMS (and that the
 * manifest's regions are listed and agree), then parses manifest.json strictly (unknown
 * keys, wrong types, missing fields are errors with line and column). Returns: *out new
 * (swd_bundle_free()). */
int swd_bundle_open(const char *dir, struct swd_bundle **out, struct swd_error *err);

void swd_bundle_free(struct swd_bundle *b);

/* Borrowed region by name, or NULL. */
const struct swd_manifest_region *swd_bundle_region(const struct swd_bundle *b,
                                                    const char *name);

/* Path of a region's file. Returns: new (free()), or NULL if there is no such region. */
char *swd_bundle_region_path(const struct swd_bundle *b, const char *name);

/* Can this bundle be restored onto a target with this dev id and flash size register
 * (KiB)? Returns 0 or SWD_EWRONGTARGET, e.g. "bundle 'b' is from dev id 0x410 (64 KiB);
 * the target is dev id 0x413 (1024 KiB)". */
int swd_bundle_check_target(const struct swd_bundle *b, uint16_t dev_id,
                            uint16_t flash_size_kib, struct swd_error *err);

/* Same for a profile (before connecting): the bundle's flash must be the profile's size
 * and its dev id the profile's. */
int swd_bundle_check_profile(const struct swd_bundle *b, const struct swd_profile *p,
                             struct swd_error *err);

#endif
