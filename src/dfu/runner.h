/* runner.h - one run of dfu-util as a child process, supervised with libuv.
 *
 * Owns: finding dfu-util, spawning it (with its death signal, so that it cannot outlive a
 *   killed swdbackup: core/childguard.h) on a loop of its own, reading its
 *   stdout and stderr through one pipe (so lines keep the order dfu-util wrote them),
 *   classifying every line with dfulog, passing progress to a callback, calling the
 *   caller's on_wait on a timer while it runs, a time limit, and the summary of what it
 *   said: the first failure, the leave quirk. Every line is kept for the diagnosis.
 * Must not: decide what a run means for the user (dfu.c does: success is judged by
 *   verification, never by dfu-util's words), print, or talk USB itself.
 * Errors: SWD_EDFUMISSING (no dfu-util), SWD_EDFUFAILED (it could not be run, or ran past
 *   the time limit), SWD_EINTERNAL (libuv), SWD_ENOMEM. A run that exits non-zero is not
 *   an error here: the caller reads the result.
 */
#ifndef SWD_DFU_RUNNER_H
#define SWD_DFU_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "dfu/dfulog.h"

/* phase "Upload", "Download", "Erase"; bytes so far of that phase; percent of it */
typedef void (*dfu_progress_cb)(void *ud, const char *phase, uint64_t bytes, unsigned percent);

struct dfu_runner {
	const char *exe;          /* path or name; NULL for "dfu-util" on PATH */
	unsigned timeout_ms;      /* 0: no limit */
	dfu_progress_cb on_progress;
	void *ud;
	/* optional: called every wait_ms while dfu-util runs, for work that follows what it
	 * has done so far (the file it writes), so that less is left when it ends */
	void (*on_wait)(void *ud);
	unsigned wait_ms;
	/* optional: called once dfu-util has been started, before any of its output is read,
	 * for work that can be done while it starts up (the device's strings). A non-zero
	 * return (a negative SWD_E*, with err set) stops dfu-util at once (SIGKILL); the run
	 * then returns it, once dfu-util has ended and all it wrote has been read. */
	int (*on_started)(void *ud, struct swd_error *err);
};

struct dfu_result {
	int64_t exit_status;
	int term_signal;
	struct dfulog_line failure;   /* the first failure line (kind DFULOG_OTHER: none) */
	char failure_line[256];       /* its text */
	bool leave_quirk;             /* "Error during download get_status" after a leave */
	bool suffix_warning;          /* the harmless suffix warning was printed */
	bool state_error;             /* a "DFU state(...)" line reported an error */
	char cannot_run[200];         /* the guard could not exec dfu-util: why ("" if it could) */
	uint64_t bytes;               /* the last total or progress count */
	struct dfulog_device *devices;/* the devices dfu_usb_list() found (a run finds none) */
	size_t ndevices;
	char **lines;                 /* every line */
	size_t nlines;
};

/* Runs dfu-util with args (NULL-terminated, without argv[0]) to its end. *out is filled
 * (release with dfu_result_release(), also after a failure). */
int dfu_run(const struct dfu_runner *r, const char *const *args, struct dfu_result *out,
            struct swd_error *err);
void dfu_result_release(struct dfu_result *res);

/* Where dfu-util is. Returns: new path, or SWD_EDFUMISSING with a message naming the fix. */
int dfu_find(const char *exe, char **path, struct swd_error *err);

#endif
