/* catalog.h - the profiles a user can name: where they are searched, finding one by name,
 * and listing all of them.
 *
 * Owns: the search path (user config, $SWDBACKUP_PROFILE_PATH, the installed directory or,
 * run from a build tree, that tree's copy) and the rule that a profile's name matches its file name.
 * Must not: validate a profile itself (profile.c does), print.
 * Error codes: SWD_ENOPROFILE, SWD_EPROFILE, SWD_ENOMEM, and those of swd_profile_load().
 */
#ifndef SWD_CORE_CATALOG_H
#define SWD_CORE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct swd_profile;

/* Finds a profile by name (searching swd_profile_dirs() in order, first match wins) or,
 * when name_or_path contains a '/' or ends in ".json", loads that path. Returns: *out new. */
int swd_profile_find(const char *name_or_path, struct swd_profile **out, struct swd_error *err);

/* The directories searched, in order: $XDG_CONFIG_HOME/swdbackup/profiles (or
 * ~/.config/swdbackup/profiles), $SWDBACKUP_PROFILE_PATH (colon separated; for tests and
 * packagers), then the installed dir (from the configured prefix) and, for an installed
 * tree that was moved, ../share/swdbackup/profiles beside the executable; or, instead of
 * those two, when the executable runs from a meson build tree, that tree's profiles/ copy. *dirs is new (free each
 * string and the array with swd_profile_dirs_free()). */
int swd_profile_dirs(char ***dirs, size_t *ndirs, struct swd_error *err);
void swd_profile_dirs_free(char **dirs, size_t ndirs);

struct swd_profile_entry {
	char *name;          /* file name without .json */
	char *path;
	char *description;   /* NULL when invalid */
	bool shadowed;       /* an earlier directory has a profile of the same name */
	int code;            /* 0, or why it failed to load */
	char *error;         /* NULL, or the load error message */
};

/* Lists every *.json in swd_profile_dirs(), sorted by name, then directory order; invalid
 * files are listed with their error rather than failing the list. Missing directories
 * are skipped. *out is new: free with swd_profile_entries_free(). */
int swd_profile_list(struct swd_profile_entry **out, size_t *n, struct swd_error *err);
void swd_profile_entries_free(struct swd_profile_entry *e, size_t n);

#endif
