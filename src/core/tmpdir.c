/* tmpdir.c - private temporary directory. */
#include "core/tmpdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int swd_tmp_init(struct swd_tmp *t, struct swd_error *err)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&t->dir, "%s/swdbackup-XXXXXX", base) < 0) {
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
