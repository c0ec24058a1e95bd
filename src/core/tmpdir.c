/* tmpdir.c - private temporary directory. */
#include "core/tmpdir.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"

int swd_tmp_init(struct swd_tmp *t, struct swd_error *err)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	(void)swd_tmp_remove_dead(base, "swdbackup-", NULL, NULL, NULL);
	if (asprintf(&t->dir, "%s/swdbackup-%ld-XXXXXX", base, (long)getpid()) < 0) {
		t->dir = NULL;
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	if (!mkdtemp(t->dir)) {
		int e = errno;

		free(t->dir);
		t->dir = NULL;
		return swd_error_set(err, SWD_EIO, "cannot create a temporary directory in '%s': %s", base, strerror(e));
	}
	return 0;
}

char *swd_tmp_path(const struct swd_tmp *t, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", t->dir, name) < 0 ? NULL : p;
}

void swd_tmp_release(struct swd_tmp *t)
{
	DIR *d;
	struct dirent *e;

	if (!t->dir)
		return;
	d = opendir(t->dir);
	while (d && (e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((p = swd_tmp_path(t, e->d_name))) {
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	rmdir(t->dir);
	free(t->dir);
	t->dir = NULL;
}

/* The owner pid in a name `MARKER<pid>-XXXXXX` (MARKER first) or `.NAME<MARKER><pid>-XXXXXX`,
 * or 0 when the name is not one (runs older than the pid in the name are left alone). */
static pid_t owner_pid(const char *name, const char *marker)
{
	const char *p = strstr(name, marker);
	char *end;
	long pid;

	if (p == NULL || (p != name && name[0] != '.'))
		return 0;
	p += strlen(marker);
	if (*p < '1' || *p > '9')
		return 0;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno != 0 || *end != '-' || strlen(end + 1) != 6)
		return 0;
	return (pid_t)pid;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

int swd_tmp_remove_dead(const char *dir, const char *marker, char ***removed, size_t *n,
                        struct swd_error *err)
{
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL)
		return 0;
	for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
		pid_t pid = owner_pid(e->d_name, marker);
		char *path, **grown;
		struct stat st;

		if (pid == 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if ((path = swd_file_join(dir, e->d_name)) == NULL) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			break;
		}
		if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 || removed == NULL) {
			free(path);
			continue;
		}
		if ((grown = realloc(*removed, (*n + 1) * sizeof(*grown))) == NULL) {
			free(path);
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			break;
		}
		*removed = grown;
		(*removed)[(*n)++] = path;
	}
	closedir(d);
	return rc;
}
