/* follow.h - a file another process is writing, followed while it grows: what it has
 * appended is read and hashed as it comes, and its write-back to disk started, so that when
 * the writer ends only the tail is left to read, hash and sync. dfu-util's flash reads are
 * followed so (board/link_dfu.c).
 *
 * Owns: reading and hashing (SHA-256 + MD5, core/digest.h) the file's bytes below its size
 *   as they come, in a buffer of the length the writer was asked for; starting their
 *   write-back (sync_file_range).
 * Must not: write the file, wait for it, or judge the writer. Anything odd (the file grows
 *   past the length asked for, a read fails, no memory) stops the hashing for good and
 *   nothing is handed out: the caller reads the file whole after the run instead, as if it
 *   had never been followed. The writer must create the file and only append to it (what
 *   lies below its size is final).
 */
#ifndef SWD_CORE_FOLLOW_H
#define SWD_CORE_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"

struct swd_follow {
	const char *path;             /* NULL: nothing followed */
	int fd;                       /* -1 until the writer has made the file */
	uint64_t started;             /* bytes whose write-back has been started */
	uint8_t *buf;                 /* len bytes: what has been read of the file */
	uint64_t len;                 /* what the writer was asked for */
	uint64_t have;                /* bytes read into buf and hashed */
	bool hashing;                 /* false: not (no buffer, or something went wrong) */
	swd_hasher_t *h;              /* made once there is something to hash */
};

/* The bytes of a followed file and their digests, when they were the whole of it. */
struct swd_followed {
	uint8_t *data;                /* new; NULL: none (read the file instead) */
	size_t len;
	struct swd_digests d;
};

/* Sets f to follow nothing. */
void swd_follow_init(struct swd_follow *f);

/* Starts following path (borrowed: it must outlive the following), which the writer is to
 * fill with len bytes. The file need not exist yet. */
void swd_follow_start(struct swd_follow *f, const char *path, uint64_t len);

/* Reads and hashes what has been appended since the last call, and starts its write-back.
 * Cheap when nothing is new; a no-op when nothing is followed. */
void swd_follow_poll(struct swd_follow *f);

/* Stops following. When complete (the writer ended well) the rest is read first, and when
 * the file is exactly len bytes, all hashed, *out gets them and their digests; else *out is
 * left as it was. f is then back to following nothing. */
void swd_follow_end(struct swd_follow *f, bool complete, struct swd_followed *out);

#endif
