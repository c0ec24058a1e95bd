/* tmpdir.h - a private temporary directory for files OpenOCD writes for us (a device
 * read for verify, info and restore's read-back), removed with everything in it.
 *
 * Owns: that directory's lifetime (mkdtemp under $TMPDIR, else /tmp).
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

#endif
