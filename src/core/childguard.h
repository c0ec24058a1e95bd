/* childguard.h - the one way every child swdbackup starts (OpenOCD, swdbackup-sim, dfu-util,
 * a fleet's runs, the short queries of cli/about.c) is made to die with it, also when
 * swdbackup is killed with SIGKILL and none of its cleanup runs: the Linux death signal
 * (PR_SET_PDEATHSIG). It has to be set in the child between fork and exec, where uv_spawn
 * has no hook, so the child is started through a small program that sets it and execs the
 * real one (the signal stays armed across exec).
 *
 * Owns: choosing that program and building the command line to hand to uv_spawn, the first
 *   of:
 *   - swdbackup-guard PID EXE ARGS... (src/guard/: static, its start costs next to nothing;
 *     it also checks that PID, this process, has not already gone). Looked for beside the
 *     installed programs, found from the running executable (an install that was moved),
 *     then in the build tree swdbackup runs from (the directory above it that holds
 *     meson-private/), then where it was installed;
 *   - setpriv --pdeathsig KILL -- EXE ARGS... (util-linux; about 1 ms more per start);
 *   - EXE ARGS... alone, when neither is there (the child may then outlive a killed
 *     swdbackup).
 * Must not: spawn, print, or judge the child's exit. The guard's own exit codes and its
 *   "swdbackup-guard: cannot run" line are described in src/guard/guard.c.
 */
#ifndef SWD_CORE_CHILDGUARD_H
#define SWD_CORE_CHILDGUARD_H

#include "core/err.h"

/* the guard's file name, and how its lines to stderr start */
#define SWD_CHILDGUARD_PROGRAM "swdbackup-guard"

enum swd_childguard_how {
	SWD_CHILDGUARD_GUARD,    /* through swdbackup-guard */
	SWD_CHILDGUARD_SETPRIV,  /* through setpriv --pdeathsig KILL */
	SWD_CHILDGUARD_NONE,     /* neither is there: the command alone */
};

/* What to pass to uv_spawn. The struct must stay where it is from swd_childguard_init() to
 * the spawn: argv points into it. */
struct swd_childguard {
	enum swd_childguard_how how;
	const char *file;        /* uv_process_options_t.file; borrowed from argv */
	char **argv;             /* uv_process_options_t.args, NULL-terminated; the array is new,
	                          * EXE and ARGS in it are the caller's (borrowed) */
	char *guard;             /* new: the guard's path, or NULL */
	char pid[24];            /* the guard's PARENT-PID argument */
};

/* Fills g for running exe (a path: it is exec'd as given) with args (NULL-terminated,
 * without argv[0]; NULL for none). exe and args must outlive g. Returns 0, or SWD_ENOMEM
 * (err set); g needs swd_childguard_release() either way. */
int swd_childguard_init(struct swd_childguard *g, const char *exe, const char *const *args,
                        struct swd_error *err);

/* Frees what g holds and zeroes it. A zeroed g is fine. */
void swd_childguard_release(struct swd_childguard *g);

/* "swdbackup-guard", "setpriv" or "no death signal", for a -v line. Returns: static. */
const char *swd_childguard_name(enum swd_childguard_how how);

/* For tests: the guard and setpriv paths used from now on instead of the lookup above
 * (NULL: the lookup again; "": none there). A path that is not executable counts as none. */
void swd_childguard_override(const char *guard, const char *setpriv);

#endif
