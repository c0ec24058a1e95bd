/* childguard.c - a child that dies with swdbackup; see childguard.h. */
#include "core/childguard.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"

#define SETPRIV "/usr/bin/setpriv"

/* swd_childguard_override(): NULL, or a path ("" for none) */
static const char *guard_override, *setpriv_override;

void swd_childguard_override(const char *guard, const char *setpriv)
{
	guard_override = guard;
	setpriv_override = setpriv;
}

/* The guard beside the installed programs, in the build tree swdbackup runs from, or where
 * it was installed, in that order (childguard.h). Returns: new path, or NULL when there is
 * none. */
static char *guard_path(void)
{
	char at[PATH_MAX + 64], *dir;

	if (guard_override != NULL)
		return *guard_override != '\0' && access(guard_override, X_OK) == 0
		       ? strdup(guard_override) : NULL;
	if ((dir = swd_file_self_dir()) != NULL) {
		snprintf(at, sizeof(at), "%s/../%s/%s", dir, SWD_GUARD_RELDIR, SWD_CHILDGUARD_PROGRAM);
		free(dir);
		if (access(at, X_OK) == 0)
			return realpath(at, NULL);
	}
	if ((dir = swd_file_build_root()) != NULL) {
		snprintf(at, sizeof(at), "%s/src/guard/%s", dir, SWD_CHILDGUARD_PROGRAM);
		free(dir);
		return access(at, X_OK) == 0 ? strdup(at) : NULL;
	}
	return access(SWD_GUARD_PATH, X_OK) == 0 ? strdup(SWD_GUARD_PATH) : NULL;
}

static const char *setpriv_path(void)
{
	const char *p = setpriv_override != NULL ? setpriv_override : SETPRIV;

	return *p != '\0' && access(p, X_OK) == 0 ? p : NULL;
}

int swd_childguard_init(struct swd_childguard *g, const char *exe, const char *const *args,
                        struct swd_error *err)
{
	static const char *const pre[] = {"--pdeathsig", "KILL", "--"};
	const char *setpriv = NULL;
	size_t n = 0, k = 0;

	memset(g, 0, sizeof(*g));
	while (args != NULL && args[n] != NULL)
		n++;
	g->guard = guard_path();
	if (g->guard == NULL)
		setpriv = setpriv_path();
	g->how = g->guard != NULL ? SWD_CHILDGUARD_GUARD
	         : setpriv != NULL ? SWD_CHILDGUARD_SETPRIV : SWD_CHILDGUARD_NONE;
	/* the most a prefix takes: setpriv and its three words */
	if ((g->argv = calloc(4 + 1 + n + 1, sizeof(*g->argv))) == NULL) {
		swd_childguard_release(g);
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	if (g->how == SWD_CHILDGUARD_GUARD) {
		snprintf(g->pid, sizeof(g->pid), "%ld", (long)getpid());
		g->argv[k++] = g->guard;
		g->argv[k++] = g->pid;
	} else if (g->how == SWD_CHILDGUARD_SETPRIV) {
		g->argv[k++] = (char *)setpriv;
		for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
			g->argv[k++] = (char *)pre[i];
	}
	g->argv[k++] = (char *)exe;
	for (size_t i = 0; i < n; i++)
		g->argv[k++] = (char *)args[i];
	g->file = g->argv[0];
	return 0;
}

void swd_childguard_release(struct swd_childguard *g)
{
	if (g == NULL)
		return;
	free(g->argv);
	free(g->guard);
	memset(g, 0, sizeof(*g));
}

const char *swd_childguard_name(enum swd_childguard_how how)
{
	switch (how) {
	case SWD_CHILDGUARD_GUARD:
		return SWD_CHILDGUARD_PROGRAM;
	case SWD_CHILDGUARD_SETPRIV:
		return "setpriv";
	default:
		return "no death signal";
	}
}
