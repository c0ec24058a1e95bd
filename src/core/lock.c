/* lock.c - one exclusive lock per probe (see lock.h). */
#include "core/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest file name we make; longer keys keep a prefix and a hash of the whole key. */
#define NAME_MAX_USED 200
#define POLL_NS 100000000L /* how often a waiting run tries again: 10 times a second */

void swd_lock_init(struct swd_lock *l)
{
	l->fd = -1;
	l->path[0] = '\0';
}

/* Makes dir (mode) if missing; true when it is a directory this user may write in. */
static bool usable(const char *dir, mode_t mode)
{
	if (mkdir(dir, mode) == 0)
		chmod(dir, mode); /* the umask narrowed it; a shared directory must stay shared */
	return access(dir, W_OK | X_OK) == 0;
}

int swd_lock_dir(char *dir, size_t len, struct swd_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg && (size_t)snprintf(dir, len, "%s/swdbackup", xdg) < len && usable(dir, 0700))
		return 0;
	/* Shared by every user on the host, as the probes are: sticky like /tmp. */
	if ((size_t)snprintf(dir, len, "/run/lock/swdbackup") < len && usable(dir, 01777))
		return 0;
	if ((size_t)snprintf(dir, len, "/tmp/swdbackup") < len && usable(dir, 01777))
		return 0;
	return swd_error_set(err, SWD_EIO, "cannot make a lock directory in $XDG_RUNTIME_DIR, /run/lock "
			     "or /tmp; make one of them writable");
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

int swd_lock_file_name(const char *key, char *out, size_t len)
{
	size_t at = 0;

	if (len < NAME_MAX_USED + 32 || !*key)
		return -1;
	for (const char *c = key; *c && at < NAME_MAX_USED; c++) {
		unsigned char u = (unsigned char)*c;

		if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
		    ((u == '.' || u == '_' || u == '-') && !(at == 0 && u == '.')))
			out[at++] = (char)u;
		else
			at += (size_t)snprintf(out + at, len - at, "%%%02X", u);
	}
	if (at >= NAME_MAX_USED) /* cut: the hash keeps two long keys apart */
		at = (size_t)snprintf(out + NAME_MAX_USED - 20, len - NAME_MAX_USED + 20, "~%016" PRIx64,
				      fnv1a(key)) + NAME_MAX_USED - 20;
	snprintf(out + at, len - at, ".lock");
	return 0;
}

static int lock_path(const char *key, char *path, size_t len, struct swd_error *err)
{
	char dir[256], name[NAME_MAX_USED + 32];
	int rc = swd_lock_dir(dir, sizeof(dir), err);

	if (rc != 0)
		return rc;
	if (swd_lock_file_name(key, name, sizeof(name)) != 0 ||
	    (size_t)snprintf(path, len, "%s/%s", dir, name) >= len)
		return swd_error_set(err, SWD_EINTERNAL, "cannot name the lock file of probe '%s'", key);
	return 0;
}

static void read_holder(int fd, struct swd_lock_holder *h)
{
	char buf[512], *line, *save = NULL;
	ssize_t n;

	memset(h, 0, sizeof(*h));
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "pid=", 4) == 0)
			h->pid = (pid_t)strtol(line + 4, NULL, 10);
		else if (strncmp(line, "command=", 8) == 0)
			snprintf(h->command, sizeof(h->command), "%s", line + 8);
		else if (strncmp(line, "probe=", 6) == 0)
			snprintf(h->probe, sizeof(h->probe), "%s", line + 6);
		else if (strncmp(line, "since=", 6) == 0)
			h->since = (time_t)strtoll(line + 6, NULL, 10);
	}
}

static int busy(const char *probe, const struct swd_lock_holder *h, bool waited, struct swd_error *err)
{
	char when[16] = "";
	struct tm tm;

	if (h->since && localtime_r(&h->since, &tm))
		strftime(when, sizeof(when), " since %H:%M:%S", &tm);
	if (!h->pid)
		return swd_error_set(err, SWD_EPROBEBUSY, "probe %s is in use by another swdbackup run; %s",
				     probe, waited ? "it did not end in time" : "retry when it ends, or add --wait");
	return swd_error_set(err, SWD_EPROBEBUSY, "probe %s is in use by swdbackup pid %d (%s%s); %s", probe,
			     (int)h->pid, h->command[0] ? h->command : "a run", when,
			     waited ? "it did not end in time" : "retry when it ends, or add --wait");
}

static void sleep_a_while(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

int swd_lock_take(struct swd_lock *l, const char *key, const char *probe, const char *command,
		  int wait_s, volatile sig_atomic_t *interrupted, struct swd_error *err)
{
	struct swd_lock_holder h;
	struct timespec t0, t;
	char info[400];
	int fd, rc, len;

	swd_lock_init(l);
	rc = lock_path(key, l->path, sizeof(l->path), err);
	if (rc != 0)
		return rc;
	fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EACCES) /* another user's file: flock works on a read-only fd */
		fd = open(l->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot open the lock file '%s': %s", l->path,
				     swd_errno_text(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = swd_error_set(err, SWD_EIO, "cannot lock '%s': %s", l->path, swd_errno_text(errno));
			close(fd);
			return rc;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (wait_s < 0 || (wait_s > 0 && (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) >=
				   (long)wait_s * 1000000000L)) {
			read_holder(fd, &h);
			close(fd);
			return busy(probe, &h, wait_s >= 0, err);
		}
		if (interrupted && *interrupted) {
			close(fd);
			return swd_error_set(err, SWD_EINTR, "interrupted");
		}
		sleep_a_while();
	}
	len = snprintf(info, sizeof(info), "pid=%d\ncommand=%s\nprobe=%s\nsince=%lld\n", (int)getpid(),
		       command ? command : "", probe ? probe : key, (long long)time(NULL));
	/* Best effort: a read-only fd (another user's file) still holds the lock. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, info, (size_t)len, 0) != len)
		(void)ftruncate(fd, 0);
	l->fd = fd;
	return 0;
}

void swd_lock_release(struct swd_lock *l)
{
	if (l->fd < 0)
		return;
	(void)ftruncate(l->fd, 0);
	close(l->fd); /* the kernel drops the flock with the last fd */
	l->fd = -1;
}

bool swd_lock_held(const char *key, struct swd_lock_holder *holder)
{
	struct swd_lock_holder h;
	char path[512];
	bool held;
	int fd;

	if (holder)
		memset(holder, 0, sizeof(*holder));
	if (lock_path(key, path, sizeof(path), NULL) != 0)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	if (!held)
		flock(fd, LOCK_UN);
	else if (holder) {
		read_holder(fd, &h);
		*holder = h;
	}
	close(fd);
	return held;
}
