/* tmpdir.h - a private temporary directory for files OpenOCD writes for us (a device
 * read for verify, info and restore's read-back), removed with everything in it.
 *
 * Owns: that directory's lifetime (mkdtemp under $TMPDIR, else /tmp), and the leftovers of
 * runs killed before they could clean up: every run's directory (this one's and the bundle
 * writer's staging) carries its pid, `...MARKER<pid>-XXXXXX`, so a later run can tell a dead
 * run's directory from a live one's and remove it.
 * Must not: hold anything the user keeps: bundles are written by the bundle writer.
 */
#ifndef SWD_CORE_TMPDIR_H
#define SWD_CORE_TMPDIR_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct swd_tmp {
	char *dir;   /* new */
};

/* Creates the directory. Returns 0 or SWD_EIO. */
int swd_tmp_init(struct swd_tmp *t, struct swd_error *err);

/* dir/name. Returns: new (free()), NULL when out of memory. */
char *swd_tmp_path(const struct swd_tmp *t, const char *name);

/* Removes every file in it and the directory. Safe on a zeroed struct. */
void swd_tmp_release(struct swd_tmp *t);

/* Removes from dir each directory of ours named `MARKER<pid>-XXXXXX` or `.NAME<MARKER><pid>-
 * XXXXXX` whose process is gone. A pid that runs, even reused by another program, keeps its
 * directory; so does one owned by another user. Appends the removed paths (new strings) to
 * *removed (new array, *n entries; both may be NULL when nobody wants the names). Returns 0
 * or SWD_ENOMEM: a directory that cannot be read or removed is left as it is. */
int swd_tmp_remove_dead(const char *dir, const char *marker, char ***removed, size_t *n,
                        struct swd_error *err);

#endif
