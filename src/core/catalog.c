/* catalog.c - where profiles are found: the search path, lookup by name, the listing. */
#include "core/catalog.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/jsonfield.h"
#include "core/profile.h"
#include "core/suggest.h"

#ifndef SWD_PROFILES_INSTALL_DIR
#define SWD_PROFILES_INSTALL_DIR "/usr/local/share/swdbackup/profiles"
#endif

static int push_dir(char ***dirs, size_t *n, const char *a, const char *b)
{
	char *s = NULL;
	char **nd;

	if (asprintf(&s, "%s%s", a, b) < 0)
		return SWD_ENOMEM;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*dirs)[i], s) == 0) {
			free(s);
			return 0;
		}
	nd = realloc(*dirs, (*n + 1) * sizeof(*nd));
	if (nd == NULL) {
		free(s);
		return SWD_ENOMEM;
	}
	nd[(*n)++] = s;
	*dirs = nd;
	return 0;
}

/* Directories found from the running executable, so that no build-machine path is compiled
 * in: an uninstalled build keeps a copy of the shipped profiles in its build root (the
 * directory holding meson-private/), a few levels above the executable; an installed tree
 * that was moved (or not yet unpacked from DESTDIR) has them in ../share/swdbackup/profiles.
 * Returns: new string, or NULL when there is no such directory. */
static char *exe_relative_profiles(bool build_tree)
{
	char *dir = build_tree ? swd_file_build_root() : swd_file_self_dir(), probe[4200];
	char *found = NULL;
	struct stat st;

	if (dir == NULL)
		return NULL;
	snprintf(probe, sizeof(probe), "%s/%s", dir,
	         build_tree ? "profiles" : "../share/swdbackup/profiles");
	if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode))
		found = build_tree ? strdup(probe) : realpath(probe, NULL);
	free(dir);
	return found;
}

void swd_profile_dirs_free(char **dirs, size_t ndirs)
{
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
}

int swd_profile_dirs(char ***dirs, size_t *ndirs, struct swd_error *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *extra = getenv("SWDBACKUP_PROFILE_PATH");
	char **d = NULL;
	size_t n = 0;
	int rc = 0;

	if (xdg != NULL && xdg[0] == '/')
		rc = push_dir(&d, &n, xdg, "/swdbackup/profiles");
	else if (home != NULL && home[0] != '\0')
		rc = push_dir(&d, &n, home, "/.config/swdbackup/profiles");
	if (rc == 0 && extra != NULL) {
		char *copy = strdup(extra), *save = NULL;

		if (copy == NULL)
			rc = SWD_ENOMEM;
		for (char *t = copy ? strtok_r(copy, ":", &save) : NULL; t != NULL && rc == 0;
		     t = strtok_r(NULL, ":", &save))
			rc = push_dir(&d, &n, t, "");
		free(copy);
	}
	if (rc == 0) {
		/* a build tree uses its own copy, never a stale installed one */
		char *dev = exe_relative_profiles(true);
		char *moved = dev ? NULL : exe_relative_profiles(false);

		rc = push_dir(&d, &n, dev ? dev : SWD_PROFILES_INSTALL_DIR, "");
		if (rc == 0 && moved != NULL)
			rc = push_dir(&d, &n, moved, "");
		free(dev);
		free(moved);
	}
	if (rc < 0) {
		swd_profile_dirs_free(d, n);
		return swd_error_set(err, rc, "out of memory");
	}
	*dirs = d;
	*ndirs = n;
	return 0;
}

static bool looks_like_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') != NULL || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

/* Loads the first NAME.json in dirs. Returns SWD_ENOPROFILE, with no message, when no
 * directory has one. */
static int find_in_dirs(char **dirs, size_t ndirs, const char *name_or_path, struct swd_profile **out,
                        struct swd_error *err)
{
	int rc;

	rc = SWD_ENOPROFILE;
	for (size_t i = 0; i < ndirs; i++) {
		char *path = NULL;
		struct stat st;

		if (asprintf(&path, "%s/%s.json", dirs[i], name_or_path) < 0) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			break;
		}
		if (stat(path, &st) != 0) {
			free(path);
			continue;
		}
		rc = swd_profile_load(path, out, err);
		if (rc == 0 && strcmp((*out)->name, name_or_path) != 0) {
			struct swd_jsonfield c = {path, "the profile", SWD_EPROFILE, err, {NULL, 0, 0}};

			if (swd_jsonpos_build((*out)->text, (*out)->text_len, &c.pos) == 0) {
				rc = swd_jsonfield_error(&c, "name", false,
				                         "profile name \"%s\" does not match its file name '%s.json'",
				                         (*out)->name, name_or_path);
				swd_jsonfield_release(&c);
			} else {
				rc = swd_error_set(err, SWD_EPROFILE, "'%s': profile name \"%s\" does not match its file name",
				                   path, (*out)->name);
			}
			swd_profile_free(*out);
			*out = NULL;
		}
		free(path);
		break;
	}
	return rc;
}

/* The names of the *.json files in dirs (duplicates included). Returns: *names new, free
 * each and the array; 0 or SWD_ENOMEM. */
static int list_names(char **dirs, size_t ndirs, char ***names, size_t *n)
{
	char **v = NULL;
	size_t nv = 0;
	int rc = 0;

	for (size_t d = 0; d < ndirs; d++) {
		struct dirent **ents = NULL;
		int cnt = scandir(dirs[d], &ents, NULL, alphasort);

		for (int i = 0; i < cnt; i++) {
			const char *fn = ents[i]->d_name;
			size_t len = strlen(fn);
			char **nv_;

			if (rc == 0 && len > 5 && fn[0] != '.' && strcmp(fn + len - 5, ".json") == 0) {
				if ((nv_ = realloc(v, (nv + 1) * sizeof(*v))) == NULL ||
				    (nv_[nv] = strndup(fn, len - 5)) == NULL) {
					rc = SWD_ENOMEM;
					if (nv_ != NULL)
						v = nv_;
				} else {
					v = nv_;
					nv++;
				}
			}
			free(ents[i]);
		}
		free(ents);
	}
	*names = v;
	*n = nv;
	return rc;
}

/* What a name that is not a file name means: the same name in other letter case, or an
 * order code (STM32F407VGT6: the part, then package letter and temperature digit, then
 * perhaps packing) whose part is a profile. Returns: borrowed (one of names), or NULL. */
static const char *resolve_name(const char *name, char **names, size_t n)
{
	const char *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (strcasecmp(name, names[i]) == 0)
			return names[i];
		if (len > best_len && strncasecmp(name, names[i], len) == 0 &&
		    isalpha((unsigned char)name[len]) && isdigit((unsigned char)name[len + 1])) {
			best = names[i];
			best_len = len;
		}
	}
	return best;
}

int swd_profile_find(const char *name_or_path, struct swd_profile **out, struct swd_error *err)
{
	char **dirs = NULL, **names = NULL;
	size_t ndirs = 0, nnames = 0;
	const char *alt = NULL, *hint = NULL;
	int rc;

	*out = NULL;
	if (looks_like_path(name_or_path))
		return swd_profile_load(name_or_path, out, err);
	if (name_or_path[0] == '\0' || name_or_path[0] == '.')
		return swd_error_set(err, SWD_ENOPROFILE, "unknown profile '%s'", name_or_path);
	if ((rc = swd_profile_dirs(&dirs, &ndirs, err)) < 0)
		return rc;
	rc = find_in_dirs(dirs, ndirs, name_or_path, out, err);
	if (rc == SWD_ENOPROFILE) {
		if (list_names(dirs, ndirs, &names, &nnames) < 0) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		alt = resolve_name(name_or_path, names, nnames);
		if (alt != NULL && strcmp(alt, name_or_path) != 0)
			rc = find_in_dirs(dirs, ndirs, alt, out, err);
	}
	if (rc == SWD_ENOPROFILE) {
		hint = swd_suggest(name_or_path, (const char *const *)names, nnames);
		if (hint != NULL)
			swd_error_set(err, SWD_ENOPROFILE, "unknown profile '%s' (did you mean '%s'?); "
			              "'swdbackup profiles list' shows the known ones", name_or_path, hint);
		else
			swd_error_set(err, SWD_ENOPROFILE,
			              "unknown profile '%s'; 'swdbackup profiles list' shows the known ones",
			              name_or_path);
	}
out:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	swd_profile_dirs_free(dirs, ndirs);
	return rc;
}

void swd_profile_entries_free(struct swd_profile_entry *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].path);
		free(e[i].description);
		free(e[i].error);
	}
	free(e);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct swd_profile_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	/* before loading, code holds the index of the directory: earlier directories first */
	return (x->code > y->code) - (x->code < y->code);
}

int swd_profile_list(struct swd_profile_entry **out, size_t *n, struct swd_error *err)
{
	struct swd_profile_entry *e = NULL;
	size_t ne = 0, cap = 0, ndirs = 0;
	char **dirs = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = swd_profile_dirs(&dirs, &ndirs, err)) < 0)
		return rc;
	for (size_t d = 0; d < ndirs; d++) {
		struct dirent **names = NULL;
		int cnt = scandir(dirs[d], &names, NULL, alphasort);

		for (int i = 0; i < cnt; i++) {
			const char *fn = names[i]->d_name;
			size_t len = strlen(fn);

			if (rc == 0 && len > 5 && fn[0] != '.' && strcmp(fn + len - 5, ".json") == 0) {
				if (ne == cap) {
					size_t nc = cap ? cap * 2 : 16;
					struct swd_profile_entry *ne_ = realloc(e, nc * sizeof(*e));

					if (ne_ == NULL) {
						rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
					} else {
						e = ne_;
						cap = nc;
					}
				}
				if (rc == 0) {
					memset(&e[ne], 0, sizeof(e[ne]));
					e[ne].name = strndup(fn, len - 5);
					if (asprintf(&e[ne].path, "%s/%s", dirs[d], fn) < 0)
						e[ne].path = NULL;
					/* the directory index, used for ordering; replaced below */
					e[ne].code = (int)d;
					ne++;
					if (e[ne - 1].name == NULL || e[ne - 1].path == NULL)
						rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
				}
			}
			free(names[i]);
		}
		free(names);
	}
	if (rc < 0)
		goto out;
	qsort(e, ne, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < ne; i++) {
		struct swd_profile *p = NULL;
		struct swd_error perr;

		e[i].shadowed = i > 0 && strcmp(e[i].name, e[i - 1].name) == 0;
		swd_error_init(&perr);
		e[i].code = swd_profile_find(e[i].path, &p, &perr);
		if (e[i].code == 0 && strcmp(p->name, e[i].name) != 0) {
			e[i].code = SWD_EPROFILE;
			if (asprintf(&e[i].error, "'%s': profile name \"%s\" does not match its file name",
			             e[i].path, p->name) < 0)
				e[i].error = NULL;
		} else if (e[i].code == 0) {
			e[i].description = strdup(p->description);
		} else {
			e[i].error = strdup(perr.msg);
		}
		swd_profile_free(p);
	}
	*out = e;
	*n = ne;
	e = NULL;
	ne = 0;
out:
	swd_profile_entries_free(e, ne);
	swd_profile_dirs_free(dirs, ndirs);
	return rc;
}
