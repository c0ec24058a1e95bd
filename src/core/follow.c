/* follow.c - a file another process is writing, followed while it grows (follow.h). */
#include "core/follow.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void swd_follow_init(struct swd_follow *f)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

void swd_follow_start(struct swd_follow *f, const char *path, uint64_t len)
{
	swd_follow_init(f);
	f->path = path;
	f->len = len;
	f->buf = malloc(len ? (size_t)len : 1);
	f->hashing = f->buf != NULL;
}

void swd_follow_poll(struct swd_follow *f)
{
	struct stat st;
	uint64_t size;

	if (f->path == NULL)
		return;
	if (f->fd < 0 && (f->fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (fstat(f->fd, &st) != 0)
		return;
	size = (uint64_t)st.st_size;
	/* libcrypto's first use (its loading included, about a millisecond) here, while the
	 * writer runs, not before it starts */
	if (f->hashing && size > f->have && f->h == NULL)
		f->h = swd_hasher_new(NULL);
	f->hashing = f->hashing && f->h != NULL && size <= f->len;
	while (f->hashing && f->have < size) {
		ssize_t n = pread(f->fd, f->buf + f->have, (size_t)(size - f->have), (off_t)f->have);

		f->hashing = n > 0 && swd_hasher_update(f->h, f->buf + f->have, (size_t)n, NULL) == 0;
		if (f->hashing)
			f->have += (uint64_t)n;
	}
	if (size <= f->started)
		return;
	(void)sync_file_range(f->fd, (off_t)f->started, (off_t)(size - f->started),
	                      SYNC_FILE_RANGE_WRITE);
	f->started = size;
}

void swd_follow_end(struct swd_follow *f, bool complete, struct swd_followed *out)
{
	/* the last poll saw the whole file: more than len would have stopped the hashing */
	if (complete)
		swd_follow_poll(f);
	if (complete && f->len > 0 && f->hashing && f->have == f->len &&
	    swd_hasher_final(f->h, &out->d, NULL) == 0) {
		out->data = f->buf;
		out->len = (size_t)f->len;
		f->buf = NULL;
	}
	swd_hasher_free(f->h);
	free(f->buf);
	if (f->fd >= 0)
		close(f->fd);
	swd_follow_init(f);
}
