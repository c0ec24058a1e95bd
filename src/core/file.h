/* file.h - whole-file read and write: the one place that does either.
 *
 * Owns: finding an executable on PATH, reading all of a file (or an open stream) into memory under a size limit, and
 * writing a buffer to a path atomically (a temporary name in the same directory, fsync,
 * rename, then fsync of the directory), so that a reader never sees half a file.
 * Must not: print, or interpret what it reads.
 *
 * Error codes: an open or create failure maps its errno through swd_err_from_errno()
 * (SWD_ENOENT, SWD_EEXIST, SWD_ENOMEM, SWD_EIO); a file over the limit is SWD_EINPUT;
 * a failed read, write, sync or rename is SWD_EIO; SWD_ENOMEM. Messages quote the path.
 */
#ifndef SWD_CORE_FILE_H
#define SWD_CORE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

/* Reads all of `path`, at most `max` bytes. *out gets a NUL after the last byte, so text
 * can be used as a string; *len excludes it. Returns: *out new (free()); NULL on error. */
int swd_file_read(const char *path, size_t max, char **out, size_t *len,
                  struct swd_error *err);

/* The same from a stream the caller opened (stdin, say) and still owns; `name` is what
 * messages quote. Reads to end of file. */
int swd_file_read_stream(FILE *f, const char *name, size_t max, char **out, size_t *len,
                         struct swd_error *err);

/* Reads a file that must be exactly `len` bytes long; any other size is SWD_EIO
 * ("'x' is not N bytes long"). Returns: *out new (free()); NULL on error. */
int swd_file_read_exact(const char *path, size_t len, uint8_t **out, struct swd_error *err);

/* The executable `name` would run as: itself when it holds a '/', else the first
 * executable regular file of that name in $PATH (or /usr/local/bin:/usr/bin:/bin).
 * Returns: new path (free()), or NULL when there is none or out of memory. */
char *swd_file_which(const char *name);

enum {
	SWD_FILE_NOREPLACE = 1 << 0, /* fail with SWD_EEXIST when `path` already exists */
	SWD_FILE_STAGED = 1 << 1,    /* `path` is in a bundle's staging directory, whose commit
	                              * syncs every file in it and the directory at once, before
	                              * renaming it into place (core/bundle.h): neither the file
	                              * nor the directory is synced here */
	SWD_FILE_SCRATCH = 1 << 2,   /* a scratch file another program reads once and the
	                              * caller removes: written in place (mode 0600), never
	                              * synced */
};

/* Writes `len` bytes to `path` atomically: under a temporary name in the same directory,
 * synced, then renamed over `path` (or, with SWD_FILE_NOREPLACE, only where nothing is),
 * and the directory synced (with SWD_FILE_STAGED neither sync: see above). The file's mode is 0666 less the
 * umask. On error nothing is left at `path` or under the temporary name. With
 * SWD_FILE_SCRATCH, none of that: see above. */
int swd_file_write(const char *path, const void *data, size_t len, unsigned flags,
                   struct swd_error *err);

/* The directory of the running program (from /proc/self/exe). Returns: new (free()), or
 * NULL when it cannot be read. */
char *swd_file_self_dir(void);

/* The build root the running program lies in (the directory holding meson-private/, the
 * program's own directory or up to four above it), so that an uninstalled build finds
 * what it built beside it without a compiled-in path. Returns: new (free()), or NULL when
 * the program does not run from a build tree. */
char *swd_file_build_root(void);

/* "dir/name". Returns: new (free()), or NULL when out of memory. */
char *swd_file_join(const char *dir, const char *name);

#endif
