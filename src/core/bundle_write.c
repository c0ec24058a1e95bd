/* bundle_write.c - writing a backup bundle: a staging directory beside the destination,
 * each file written into it in place (the ones written last may be made ahead, empty, on a
 * thread while the board is read), the manifest and sums last, every file and the
 * directory synced at once, then one rename into place and the parent synced. */
#include "core/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/file.h"
#include "core/image.h"
#include "core/tmpdir.h"

/* Files made ahead by swd_bundle_writer_prepare(). The thread owns fd[] until joined. */
#define PREP_MAX 8
/* The thread waits this long before it works: the read it runs beside starts processes
 * (a tool, its exec, its libraries) in its first milliseconds and needs the CPU then,
 * and waits on the board after. Asked for the files sooner, it works at once. */
#define PREP_DELAY_MS 25

struct prep {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool now;                    /* under lock: the writer needs the files */
	bool running;                /* started, not yet joined */
	size_t n;
	char *dir;                   /* borrowed: the writer's staging directory */
	const char *name[PREP_MAX];  /* static strings or the caller's, copied below */
	char *owned[PREP_MAX];
	int fd[PREP_MAX];            /* -1: not made (put makes it) */
	bool written[PREP_MAX];
};

struct swd_bundle_writer {
	char *dest;    /* final path */
	char *parent;  /* its directory */
	char *tmp;     /* staging directory */
	bool force;
	bool committed;
	struct swd_manifest_region *regions;
	size_t nregions;
	char **stale;  /* staging directories of dead runs removed by _new (names) */
	size_t nstale;
	struct prep prep;
};

/* --- small file helpers ---------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

/* Removes a directory tree without following symlinks. */
static int remove_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* One fsync of a batch, on a thread of its own. */
struct sync_job {
	int fd;
	int error;       /* errno, 0 when synced */
	pthread_t thread;
	bool threaded;
	char name[NAME_MAX + 1];
};

static void *sync_job_run(void *arg)
{
	struct sync_job *j = arg;

	j->error = fsync(j->fd) != 0 && errno != EINVAL ? errno : 0;
	return NULL;
}

/* Opens every regular file in the staging directory, and the directory itself, into
 * *jobs (new; *n of them). */
static int sync_jobs_open(const char *dir, struct sync_job **jobs, size_t *n, struct swd_error *err)
{
	DIR *d = opendir(dir);
	struct sync_job *j = NULL, *nj;
	int rc = 0;

	*jobs = NULL;
	*n = 0;
	if (d == NULL)
		return swd_error_set(err, SWD_EIO, "cannot open '%s': %s", dir, swd_errno_text(errno));
	for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
		struct stat st;

		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || strcmp(e->d_name, "..") == 0))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		if ((nj = realloc(j, (*n + 2) * sizeof(*j))) == NULL) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			break;
		}
		j = nj;
		memset(&j[*n], 0, sizeof(j[*n]));
		snprintf(j[*n].name, sizeof(j[*n].name), "%s", e->d_name);
		if ((j[*n].fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC)) < 0)
			rc = swd_error_set(err, SWD_EIO, "cannot open '%s/%s': %s", dir, e->d_name,
			                   swd_errno_text(errno));
		else
			(*n)++;
	}
	if (rc == 0 && (nj = realloc(j, (*n + 1) * sizeof(*j))) == NULL)
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
	else if (rc == 0) {
		j = nj;
		memset(&j[*n], 0, sizeof(j[*n]));
		if ((j[*n].fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			rc = swd_error_set(err, SWD_EIO, "cannot open '%s': %s", dir, swd_errno_text(errno));
		else
			(*n)++;
	}
	closedir(d);
	*jobs = j;
	return rc;
}

/* Syncs every file in the staging directory, and the directory, before it is renamed
 * into place. All at once: on a journalling file system each fsync waits for a journal
 * commit and a cache flush, and fsyncs in flight together share them (ext4 on the
 * development machine: six files of a bundle in 1.7 ms at once, 4.2 ms in turn). */
static int sync_staged(const char *dir, struct swd_error *err)
{
	struct sync_job *jobs = NULL;
	size_t n = 0;
	int rc = sync_jobs_open(dir, &jobs, &n, err);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		jobs[i].threaded = pthread_create(&jobs[i].thread, NULL, sync_job_run, &jobs[i]) == 0;
		if (!jobs[i].threaded)
			sync_job_run(&jobs[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].threaded)
			pthread_join(jobs[i].thread, NULL);
		if (rc == 0 && jobs[i].error != 0)
			rc = swd_error_set(err, SWD_EIO, "cannot sync '%s%s%s': %s", dir,
			                   jobs[i].name[0] ? "/" : "", jobs[i].name,
			                   swd_errno_text(jobs[i].error));
		close(jobs[i].fd);
	}
	free(jobs);
	return rc;
}

static int fsync_path(const char *path, bool dir, struct swd_error *err)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot open '%s': %s", path, swd_errno_text(errno));
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = swd_error_set(err, SWD_EIO, "cannot sync '%s': %s", path, swd_errno_text(errno));
	close(fd);
	return rc;
}

/* --- files made ahead ------------------------------------------------------------------ */

/* The thread runs while the caller may fork (a backend starting its tool), so it makes
 * raw system calls only: a library that wraps open() (an LD_PRELOAD interposer such as
 * umockdev's, under which the tests run) could hold its own lock at the fork, and the child
 * would wait for it forever before its exec. */
static void *prep_run(void *arg)
{
	struct prep *p = arg;
	struct timespec until;
	int dfd;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += PREP_DELAY_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&p->lock);
	while (!p->now && pthread_cond_timedwait(&p->wake, &p->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&p->lock);
	dfd = (int)syscall(SYS_openat, AT_FDCWD, p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; dfd >= 0 && i < p->n; i++)
		p->fd[i] = (int)syscall(SYS_openat, dfd, p->name[i],
		                        O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (dfd >= 0)
		syscall(SYS_close, dfd);
	return NULL;
}

/* Waits for the thread, telling it to work now if it still waits to. */
static void prep_join(struct prep *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->now = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	p->running = false;
}

/* The prepared file's slot, or -1. Joins the thread first. */
static int prep_slot(struct prep *p, const char *file)
{
	prep_join(p);
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->name[i], file) == 0)
			return (int)i;
	return -1;
}

/* Closes what was made and never written, and removes it when remove_unwritten. */
static void prep_release(struct prep *p, bool remove_unwritten)
{
	prep_join(p);
	for (size_t i = 0; i < p->n; i++) {
		if (p->fd[i] >= 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
			if (remove_unwritten && !p->written[i]) {
				char *path = swd_file_join(p->dir, p->name[i]);

				if (path != NULL)
					unlink(path);
				free(path);
			}
		}
		free(p->owned[i]);
		p->owned[i] = NULL;
	}
	p->n = 0;
}

void swd_bundle_writer_prepare(swd_bundle_writer_t *w, const char *const *extra)
{
	static const char *const own[] = { "manifest.json", "SHA256SUMS", "MD5SUMS" };
	struct prep *p = &w->prep;

	if (p->running || p->n > 0 || w->committed)
		return;
	p->dir = w->tmp;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		p->name[p->n++] = own[i];
	for (size_t i = 0; extra != NULL && extra[i] != NULL && p->n < PREP_MAX; i++) {
		if (!swd_manifest_file_ok(extra[i]) || (p->owned[p->n] = strdup(extra[i])) == NULL)
			continue;
		p->name[p->n] = p->owned[p->n];
		p->n++;
	}
	for (size_t i = 0; i < p->n; i++) {
		p->fd[i] = -1;
		p->written[i] = false;
	}
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&p->wake, &ca);
		pthread_condattr_destroy(&ca);
	}
	pthread_mutex_init(&p->lock, NULL);
	p->now = false;
	p->running = pthread_create(&p->thread, NULL, prep_run, p) == 0;
	if (!p->running) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		prep_release(p, true);
	}
}

int swd_bundle_writer_put(swd_bundle_writer_t *w, const char *file, const void *data, size_t len,
                          struct swd_error *err)
{
	int slot = prep_slot(&w->prep, file), fd = -1;
	const char *at = data;
	char *path = swd_file_join(w->tmp, file);
	int rc = 0;

	if (path == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (slot >= 0 && w->prep.fd[slot] >= 0 && !w->prep.written[slot]) {
		fd = w->prep.fd[slot];
		w->prep.fd[slot] = -1;
		w->prep.written[slot] = true;
	} else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot create '%s': %s", path,
		                   swd_errno_text(errno));
		goto out;
	}
	while (len > 0) {
		ssize_t n = write(fd, at, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path,
			                   swd_errno_text(n < 0 ? errno : ENOSPC));
			break;
		}
		at += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0 && rc == 0)
		rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
out:
	free(path);
	return rc;
}

/* --- names ----------------------------------------------------------------------------- */

char *swd_bundle_default_name(const char *profile, const uint8_t uid[12], time_t t, char *buf,
                              size_t len)
{
	char hex[25], ts[32];
	struct tm tm;

	swd_hex(uid, 12, hex);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "%s-%s-%s", profile, hex, ts);
	return buf;
}

/* --- writer ---------------------------------------------------------------------------- */

void swd_bundle_writer_free(swd_bundle_writer_t *w)
{
	if (w == NULL)
		return;
	prep_release(&w->prep, false);
	if (!w->committed && w->tmp != NULL)
		remove_tree(w->tmp);
	free(w->dest);
	free(w->parent);
	free(w->tmp);
	swd_manifest_regions_free(w->regions, w->nregions);
	for (size_t i = 0; i < w->nstale; i++)
		free(w->stale[i]);
	free(w->stale);
	free(w);
}

size_t swd_bundle_writer_stale(const swd_bundle_writer_t *w, const char *const **paths)
{
	*paths = (const char *const *)w->stale;
	return w->nstale;
}

/* Is the directory something we may replace: empty, or a bundle (has manifest.json)? */
static bool replaceable_dir(const char *path)
{
	char *m = swd_file_join(path, "manifest.json");
	struct stat st;
	bool ok = false;
	DIR *d;

	if (m != NULL && lstat(m, &st) == 0 && S_ISREG(st.st_mode))
		ok = true;
	free(m);
	if (ok)
		return true;
	d = opendir(path);
	if (d == NULL)
		return false;
	ok = true;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			ok = false;
	closedir(d);
	return ok;
}

int swd_bundle_writer_new(const char *dest, bool force, swd_bundle_writer_t **out,
                          struct swd_error *err)
{
	swd_bundle_writer_t *w = calloc(1, sizeof(*w));
	char *base, *slash, *tmpl = NULL;
	struct stat st;
	size_t len;
	int rc = 0;

	*out = NULL;
	if (w == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	w->force = force;
	w->dest = strdup(dest);
	if (w->dest == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	len = strlen(w->dest);
	while (len > 1 && w->dest[len - 1] == '/')
		w->dest[--len] = '\0';
	slash = strrchr(w->dest, '/');
	base = slash ? slash + 1 : w->dest;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		rc = swd_error_set(err, SWD_EUSAGE, "'%s' is not a usable bundle name", dest);
		goto out;
	}
	w->parent = slash == NULL ? strdup(".") : slash == w->dest ? strdup("/")
	                                                            : strndup(w->dest, (size_t)(slash - w->dest));
	if (w->parent == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (stat(w->parent, &st) != 0 || !S_ISDIR(st.st_mode)) {
		rc = swd_error_set(err, SWD_EIO, "cannot write into '%s': %s", w->parent,
		                   errno ? swd_errno_text(errno) : "not a directory");
		goto out;
	}
	if (lstat(w->dest, &st) == 0) {
		if (!force) {
			rc = swd_error_set(err, SWD_EEXIST,
			                   "'%s' already exists; choose another name or replace it with --force",
			                   w->dest);
			goto out;
		}
		if (!S_ISDIR(st.st_mode) || !replaceable_dir(w->dest)) {
			rc = swd_error_set(err, SWD_EEXIST,
			                   "'%s' exists and is not a backup bundle; not replacing it",
			                   w->dest);
			goto out;
		}
	}
	/* staging directories of runs killed before they could clean up */
	if ((rc = swd_tmp_remove_dead(w->parent, ".partial-", &w->stale, &w->nstale, err)) != 0)
		goto out;
	/* the pid lets a later run tell a dead run's leftovers from a running one's */
	if (asprintf(&tmpl, "%s/.%s.partial-%ld-XXXXXX", w->parent, base, (long)getpid()) < 0) {
		tmpl = NULL;
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (mkdtemp(tmpl) == NULL) {
		rc = swd_error_set(err, SWD_EIO, "cannot create a directory in '%s': %s", w->parent,
		                   swd_errno_text(errno));
		goto out;
	}
	w->tmp = tmpl;
	tmpl = NULL;
	*out = w;
	w = NULL;
out:
	free(tmpl);
	swd_bundle_writer_free(w);
	return rc;
}

const char *swd_bundle_writer_dir(const swd_bundle_writer_t *w)
{
	return w->tmp;
}

const char *swd_bundle_writer_dest(const swd_bundle_writer_t *w)
{
	return w->dest;
}

char *swd_bundle_writer_file_path(const swd_bundle_writer_t *w, const char *file)
{
	return swd_file_join(w->tmp, file);
}

static int add_region(swd_bundle_writer_t *w, const char *region, const char *file,
                      uint32_t address, uint64_t size, const struct swd_digests *d,
                      uint64_t used, struct swd_error *err)
{
	struct swd_manifest_region *r, *nr;

	if (size > UINT32_MAX)
		return swd_error_set(err, SWD_EINPUT, "'%s' is larger than 4 GiB", file);
	nr = realloc(w->regions, (w->nregions + 1) * sizeof(*nr));
	if (nr == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	w->regions = nr;
	r = &nr[w->nregions];
	memset(r, 0, sizeof(*r));
	r->name = strdup(region);
	r->file = strdup(file);
	if (r->name == NULL || r->file == NULL) {
		free(r->name);
		free(r->file);
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	r->address = address;
	r->size = (uint32_t)size;
	r->used = (uint32_t)used;
	memcpy(r->sha256, d->sha256_hex, sizeof(r->sha256));
	memcpy(r->md5, d->md5_hex, sizeof(r->md5));
	w->nregions++;
	return 0;
}

static int check_new_region(swd_bundle_writer_t *w, const char *region, const char *file,
                            struct swd_error *err)
{
	if (w->committed)
		return swd_error_set(err, SWD_EINTERNAL, "bundle '%s' is already complete", w->dest);
	if (!swd_manifest_file_ok(file))
		return swd_error_set(err, SWD_EINTERNAL, "'%s' is not a valid bundle file name", file);
	for (size_t i = 0; i < w->nregions; i++)
		if (strcmp(w->regions[i].name, region) == 0 || strcmp(w->regions[i].file, file) == 0)
			return swd_error_set(err, SWD_EINTERNAL, "region '%s' ('%s') is already in the bundle",
			                     region, file);
	return 0;
}

int swd_bundle_writer_add_buffer(swd_bundle_writer_t *w, const char *region, const char *file,
                                 uint32_t address, const void *data, size_t size,
                                 struct swd_error *err)
{
	struct swd_digests d;
	int rc;

	if ((rc = check_new_region(w, region, file, err)) < 0)
		return rc;
	rc = swd_bundle_writer_put(w, file, data, size, err);
	if (rc == 0)
		rc = swd_digest_buffer(data, size, &d, err);
	if (rc == 0)
		rc = add_region(w, region, file, address, size, &d, swd_used_extent(data, size), err);
	return rc;
}

int swd_bundle_writer_add_file_exact(swd_bundle_writer_t *w, const char *region,
                                     const char *file, uint32_t address, size_t len,
                                     uint8_t **data, struct swd_error *err)
{
	struct swd_digests d;
	struct swd_error local;
	char *path = NULL;
	int rc;

	*data = NULL;
	if ((rc = check_new_region(w, region, file, err)) < 0)
		return rc;
	if ((path = swd_file_join(w->tmp, file)) == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	/* the producer may not have synced it: commit syncs it with the rest. A missing file
	 * here is the producer's (OpenOCD's, dfu-util's) failure, not bad input. */
	swd_error_init(&local);
	if ((rc = swd_file_read_exact(path, len, data, &local)) < 0)
		rc = swd_error_set(err, rc == SWD_ENOENT ? SWD_EIO : rc, "%s", local.msg);
	if (rc == 0)
		rc = swd_digest_buffer(*data, len, &d, err);
	if (rc == 0)
		rc = add_region(w, region, file, address, len, &d, swd_used_extent(*data, len), err);
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	free(path);
	return rc;
}

const struct swd_manifest_region *swd_bundle_writer_region(const swd_bundle_writer_t *w,
                                                           const char *region)
{
	for (size_t i = 0; i < w->nregions; i++)
		if (strcmp(w->regions[i].name, region) == 0)
			return &w->regions[i];
	return NULL;
}

/* Puts the staging directory at dest: atomically exchanged with an old bundle when forced. */
static int move_into_place(swd_bundle_writer_t *w, struct swd_error *err)
{
	struct stat st;

	if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->dest, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST || errno == ENOTEMPTY) {
		if (!w->force)
			return swd_error_set(err, SWD_EEXIST,
			                     "'%s' appeared while the backup was written; not replacing it",
			                     w->dest);
		if (lstat(w->dest, &st) != 0 || !S_ISDIR(st.st_mode) || !replaceable_dir(w->dest))
			return swd_error_set(err, SWD_EEXIST,
			                     "'%s' exists and is not a backup bundle; not replacing it",
			                     w->dest);
		/* swap: dest gets the new bundle, the staging path the old one (removed by the
		 * caller) */
		if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->dest, RENAME_EXCHANGE) == 0)
			return 1;
		if (errno != EINVAL && errno != ENOSYS)
			return swd_error_set(err, SWD_EIO, "cannot replace '%s': %s", w->dest,
			                     swd_errno_text(errno));
		/* no RENAME_EXCHANGE on this file system: old aside, new in, old removed */
		{
			char *aside = NULL;
			int rc = 1;

			if (asprintf(&aside, "%s.old", w->tmp) < 0)
				return swd_error_set(err, SWD_ENOMEM, "out of memory");
			if (rename(w->dest, aside) != 0) {
				rc = swd_error_set(err, SWD_EIO, "cannot move '%s' aside: %s", w->dest,
				                   swd_errno_text(errno));
			} else if (rename(w->tmp, w->dest) != 0) {
				rc = swd_error_set(err, SWD_EIO, "cannot rename '%s' to '%s': %s", w->tmp,
				                   w->dest, swd_errno_text(errno));
				rename(aside, w->dest);
			} else if (rename(aside, w->tmp) != 0) {
				remove_tree(aside);
			}
			free(aside);
			return rc;
		}
	}
	if (errno == EINVAL || errno == ENOSYS) {
		/* no RENAME_NOREPLACE: lstat above showed dest absent; rename() refuses to replace a
		 * non-empty directory and we never create an empty one at dest */
		if (lstat(w->dest, &st) == 0 && !w->force)
			return swd_error_set(err, SWD_EEXIST, "'%s' already exists", w->dest);
		if (rename(w->tmp, w->dest) == 0)
			return 0;
	}
	return swd_error_set(err, SWD_EIO, "cannot rename '%s' to '%s': %s", w->tmp, w->dest,
	                     swd_errno_text(errno));
}

int swd_bundle_writer_commit(swd_bundle_writer_t *w, const struct swd_manifest *m,
                             struct swd_error *err)
{
	struct swd_digests dm;
	char created[32];
	char *text = NULL, *sha = NULL, *md5 = NULL;
	size_t shalen = 0, md5len = 0;
	FILE *fs = NULL, *fm = NULL;
	int rc, moved;

	if (w->committed)
		return swd_error_set(err, SWD_EINTERNAL, "bundle '%s' is already complete", w->dest);
	if (m->profile_name == NULL)
		return swd_error_set(err, SWD_EINTERNAL, "bundle '%s' has no profile name", w->dest);
	if (m->format != 0 && m->format != SWD_MANIFEST_FORMAT)
		return swd_error_set(err, SWD_EINTERNAL, "manifest format %d cannot be written", m->format);
	if (m->created != NULL) {
		snprintf(created, sizeof(created), "%s", m->created);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	text = swd_manifest_dump(m, w->regions, w->nregions, created);
	if (text == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = swd_bundle_writer_put(w, "manifest.json", text, strlen(text), err)) < 0)
		goto out;
	if ((rc = swd_digest_buffer(text, strlen(text), &dm, err)) < 0)
		goto out;

	fs = open_memstream(&sha, &shalen);
	fm = open_memstream(&md5, &md5len);
	if (fs == NULL || fm == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	/* the format sha256sum -c and md5sum -c read: digest, two spaces, name */
	for (size_t i = 0; i < w->nregions; i++) {
		fprintf(fs, "%s  %s\n", w->regions[i].sha256, w->regions[i].file);
		fprintf(fm, "%s  %s\n", w->regions[i].md5, w->regions[i].file);
	}
	fprintf(fs, "%s  manifest.json\n", dm.sha256_hex);
	fprintf(fm, "%s  manifest.json\n", dm.md5_hex);
	if (fclose(fs) != 0 || fclose(fm) != 0) {
		fs = fm = NULL;
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	fs = fm = NULL;
	if ((rc = swd_bundle_writer_put(w, "SHA256SUMS", sha, shalen, err)) < 0 ||
	    (rc = swd_bundle_writer_put(w, "MD5SUMS", md5, md5len, err)) < 0)
		goto out;
	/* a file made ahead that nothing wrote is no part of the bundle */
	prep_release(&w->prep, true);
	{
		/* mkdtemp made it private; a finished bundle gets the usual permissions */
		mode_t mask = umask(0);

		umask(mask);
		if (chmod(w->tmp, 0777 & ~mask) != 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot set permissions of '%s': %s", w->tmp,
			                   swd_errno_text(errno));
			goto out;
		}
	}
	if ((rc = sync_staged(w->tmp, err)) < 0)
		goto out;
	moved = move_into_place(w, err);
	if (moved < 0) {
		rc = moved;
		goto out;
	}
	w->committed = true;
	/* the rename is durable only once the parent directory is synced */
	rc = fsync_path(w->parent, true, err);
	if (moved == 1)
		remove_tree(w->tmp);
out:
	if (fs != NULL)
		fclose(fs);
	if (fm != NULL)
		fclose(fm);
	free(sha);
	free(md5);
	free(text);
	return rc;
}
