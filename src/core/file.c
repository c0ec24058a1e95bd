/* file.c - whole-file read and atomic whole-file write. */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Grows in steps that double, so a large read costs a few reallocs. */
#define READ_STEP 65536

int swd_file_read_stream(FILE *f, const char *name, size_t max, char **out, size_t *len,
                         struct swd_error *err)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int rc = 0;

	*out = NULL;
	*len = 0;
	for (;;) {
		size_t got;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : READ_STEP;
			char *nb;

			if (max < SIZE_MAX - 1 && ncap > max + 1)
				ncap = max + 1; /* room to notice one byte past the limit */
			if (ncap <= n) {
				rc = swd_error_set(err, SWD_EINPUT, "'%s' is larger than %zu bytes", name, max);
				goto out;
			}
			if ((nb = realloc(buf, ncap + 1)) == NULL) {
				rc = swd_error_set(err, SWD_ENOMEM, "out of memory reading '%s'", name);
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", name, swd_errno_text(errno));
		goto out;
	}
	if (n > max) {
		rc = swd_error_set(err, SWD_EINPUT, "'%s' is larger than %zu bytes", name, max);
		goto out;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory reading '%s'", name);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	return rc;
}

int swd_file_read(const char *path, size_t max, char **out, size_t *len,
                  struct swd_error *err)
{
	FILE *f = fopen(path, "rbe");
	int rc;

	*out = NULL;
	*len = 0;
	if (f == NULL)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
		                     swd_errno_text(errno));
	rc = swd_file_read_stream(f, path, max, out, len, err);
	fclose(f);
	return rc;
}

int swd_file_read_exact(const char *path, size_t len, uint8_t **out, struct swd_error *err)
{
	char *buf = NULL;
	size_t n = 0;
	struct swd_error local;
	int rc;

	*out = NULL;
	swd_error_init(&local);
	rc = swd_file_read(path, len, &buf, &n, &local);
	if (rc == SWD_EINPUT || (rc == 0 && n != len)) {
		free(buf);
		return swd_error_set(err, SWD_EIO, "'%s' is not %zu bytes long", path, len);
	}
	if (rc < 0)
		return swd_error_set(err, rc, "%s", local.msg);
	*out = (uint8_t *)buf;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Syncs the directory holding `path`, so that a rename in it is durable. */
static int sync_parent(const char *path, struct swd_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = 0;

	if (slash == NULL)
		dir = strdup(".");
	else
		dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
		rc = swd_error_set(err, SWD_EIO, "cannot sync '%s': %s", dir, swd_errno_text(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/* Creates a fresh temporary file beside `path`. Returns: the fd, *tmp new; or -1 with errno. */
static int create_temp(const char *path, char **tmp)
{
	static atomic_uint counter;

	for (int tries = 0; tries < 100; tries++) {
		unsigned n = atomic_fetch_add(&counter, 1);
		int fd;

		if (asprintf(tmp, "%s.tmp-%ld-%u", path, (long)getpid(), n) < 0) {
			*tmp = NULL;
			errno = ENOMEM;
			return -1;
		}
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

static int rename_into_place(const char *tmp, const char *path, unsigned flags,
                             struct swd_error *err)
{
	if (flags & SWD_FILE_NOREPLACE) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EINVAL && errno != ENOSYS)
			goto fail;
		/* a file system without RENAME_NOREPLACE: a hard link never replaces either */
		if (link(tmp, path) != 0)
			goto fail;
		unlink(tmp);
		return 0;
	}
	if (rename(tmp, path) == 0)
		return 0;
fail:
	return swd_error_set(err, errno == EEXIST ? SWD_EEXIST : SWD_EIO, "cannot create '%s': %s",
	                     path, swd_errno_text(errno));
}

/* A scratch file: nothing to make durable, nothing a reader could see half-written that
 * matters (the caller hands it over when complete). */
static int write_scratch(const char *path, const void *data, size_t len, struct swd_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc = 0;

	if (fd < 0)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot create '%s': %s", path,
		                     swd_errno_text(errno));
	if (write_all(fd, data, len) != 0)
		rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
	if (close(fd) != 0 && rc == 0)
		rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
	if (rc < 0)
		unlink(path);
	return rc;
}

int swd_file_write(const char *path, const void *data, size_t len, unsigned flags,
                   struct swd_error *err)
{
	char *tmp = NULL;
	int fd, rc = 0;

	if (flags & SWD_FILE_SCRATCH)
		return write_scratch(path, data, len, err);
	fd = create_temp(path, &tmp);
	if (fd < 0)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot create '%s': %s", path,
		                     swd_errno_text(errno));
	if (write_all(fd, data, len) != 0)
		rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
	else if (!(flags & SWD_FILE_STAGED) && fsync(fd) != 0 && errno != EINVAL)
		rc = swd_error_set(err, SWD_EIO, "cannot sync '%s': %s", path, swd_errno_text(errno));
	if (close(fd) != 0 && rc == 0)
		rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
	if (rc == 0)
		rc = rename_into_place(tmp, path, flags, err);
	if (rc < 0)
		unlink(tmp);
	else if (!(flags & SWD_FILE_STAGED))
		rc = sync_parent(path, err);
	free(tmp);
	return rc;
}

char *swd_file_join(const char *dir, const char *name)
{
	char *p = NULL;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

static bool is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *swd_file_which(const char *name)
{
	const char *env = getenv("PATH");
	char *dirs, *save = NULL, *d, *found = NULL;

	if (strchr(name, '/') != NULL)
		return is_executable(name) ? strdup(name) : NULL;
	dirs = strdup(env != NULL && *env != '\0' ? env : "/usr/local/bin:/usr/bin:/bin");
	if (dirs == NULL)
		return NULL;
	for (d = strtok_r(dirs, ":", &save); d != NULL && found == NULL; d = strtok_r(NULL, ":", &save)) {
		char *cand;

		if (asprintf(&cand, "%s/%s", *d ? d : ".", name) < 0)
			break;
		if (is_executable(cand))
			found = cand;
		else
			free(cand);
	}
	free(dirs);
	return found;
}

char *swd_file_self_dir(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL || slash == self)
		return NULL;
	*slash = '\0';
	return strdup(self);
}

char *swd_file_build_root(void)
{
	char *dir = swd_file_self_dir(), probe[4200];
	struct stat st;
	char *slash;

	for (int up = 0; dir != NULL && up < 5; up++) {
		snprintf(probe, sizeof(probe), "%s/meson-private", dir);
		if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode))
			return dir;
		if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
			break;
		*slash = '\0';
	}
	free(dir);
	return NULL;
}
