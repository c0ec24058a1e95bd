/* lock.h - one exclusive lock per probe, so two runs never drive the same probe.
 *
 * A lock is flock(2) on a file per probe key under $XDG_RUNTIME_DIR/swdbackup, else
 * /run/lock/swdbackup, else /tmp/swdbackup (the first that can be made and written). The
 * kernel drops it when its holder exits, crashed or not, so a stale file never blocks.
 * While held, the file says who holds it (pid, command, probe name, start time), which
 * is what a refused run and 'swdbackup probes' show.
 *
 * Owns: the lock directory, the key -> file name rule, taking, waiting for and releasing a
 * lock, and reading a holder back.
 * Must not: print, or know what a probe is: the caller picks the key ("usb-SERIAL",
 * "tcp-PORT", "sim-FILE") and the name it shows.
 */
#ifndef SWD_CORE_LOCK_H
#define SWD_CORE_LOCK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "core/err.h"

struct swd_lock {
	int fd;                /* -1 when not held */
	char path[512];
};

struct swd_lock_holder {
	pid_t pid;
	char command[32];      /* "restore" */
	char probe[128];       /* the probe as its holder named it */
	time_t since;          /* 0 when the file did not say */
};

/* Where lock files go: the directory is made when missing. Returns 0 with the path in
 * dir, or SWD_EIO when none of the three places can be used. */
int swd_lock_dir(char *dir, size_t len, struct swd_error *err);

/* Takes the lock for key (any text: characters outside [A-Za-z0-9._-] are encoded in the
 * file name). `probe` and `command` are recorded for whoever finds it held. wait_s < 0:
 * fail at once when held; 0: wait as long as it takes; > 0: wait up to that many seconds.
 * Waiting stops when *interrupted becomes non-zero (SWD_EINTR; interrupted may be NULL).
 * Held: SWD_EPROBEBUSY, "probe P is in use by swdbackup pid N (restore since 14:03:12)".
 * On success l holds the lock until swd_lock_release(). */
int swd_lock_take(struct swd_lock *l, const char *key, const char *probe, const char *command,
		  int wait_s, volatile sig_atomic_t *interrupted, struct swd_error *err);

/* Drops the lock (its file is emptied, not removed: removing would race a waiter that
 * already opened it). A lock never taken (fd -1, or zeroed with swd_lock_init) is a no-op. */
void swd_lock_release(struct swd_lock *l);

/* Marks l as not held. */
void swd_lock_init(struct swd_lock *l);

/* Whether key is held by another process now, and by whom (holder may be NULL). The
 * holder's fields are empty when the file does not say (it is being taken right now). */
bool swd_lock_held(const char *key, struct swd_lock_holder *holder);

/* The lock file name for key: "usb-066DFF48" stays, others are %-encoded. Pure; for
 * tests. Returns 0, or -1 when it does not fit. */
int swd_lock_file_name(const char *key, char *out, size_t len);

#endif
