/* preload_usbfs.c - libswdsim-preload's direct usbfs channel (the client's end; the bus's
 * is usb_direct.c, the messages usbfs_wire.h).
 *
 * Owns: which open files of /dev/bus/usb/BBB/DDD have a channel, and their usbdevfs
 * ioctls. An open of such a node goes on to umockdev's preload, which opens the node and
 * its own ioctl socket as before; when the bus offers a direct socket for the node, this
 * file connects to it too, and every usbdevfs ('U') ioctl of that file then goes there as
 * one request and one reply, applied here in the process's own memory (an URB's IN data,
 * its status and length, the reaped pointer). Without the socket, or with
 * SWDSIM_DIRECT_USBFS=0 in the environment, the file stays on umockdev's way.
 * libusb 1.0.26 opens device nodes with open() and __open_2() (its flags are not constant),
 * and uses close() and ioctl() on them, never dup() or fcntl().
 * Must not: touch any other file or request, or wait for anything but the bus's reply.
 */
/* The wrappers are the unversioned symbols a program calls; fortified or 64-bit-offset
 * headers would rename or inline them. */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>

#include "sim/usbfs_wire.h"

#define MAX_FDS 4096

struct chan {
	int sock;
	bool dead;               /* the bus went away: every request is ENODEV */
	pthread_mutex_t lock;    /* one request and its reply at a time */
};

/* Read and swapped atomically, without a lock: close() may run in a signal handler. */
static struct chan *chans[MAX_FDS];

static void *next_fn(void **slot, const char *name)
{
	if (!*slot)
		*slot = dlsym(RTLD_NEXT, name);
	return *slot;
}

#define NEXT(type, name) ((type *)next_fn(&next_##name, #name))

static struct chan *chan_get(int fd)
{
	if (fd < 0 || fd >= MAX_FDS)
		return NULL;
	return __atomic_load_n(&chans[fd], __ATOMIC_ACQUIRE);
}

static void chan_set(int fd, struct chan *ch)
{
	struct chan *old = __atomic_exchange_n(&chans[fd], ch, __ATOMIC_ACQ_REL);

	if (old) {
		close(old->sock);
		pthread_mutex_destroy(&old->lock);
		free(old);
	}
}

/* After an open of path that returned fd: its channel, when path is a device node the
 * bus serves directly. Any channel left on the number (a file closed behind our back)
 * goes first. */
static void track(int fd, const char *path)
{
	unsigned bus, dev;
	char tail;
	const char *root = getenv("UMOCKDEV_DIR"), *off = getenv("SWDSIM_DIRECT_USBFS");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (fd < 0 || fd >= MAX_FDS)
		return;
	if (chan_get(fd))
		chan_set(fd, NULL);
	if (!root || !path || (off && strcmp(off, "0") == 0) ||
	    sscanf(path, "/dev/bus/usb/%3u/%3u%c", &bus, &dev, &tail) != 2)
		return;
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/%03u-%03u", root,
	                 USBFS_WIRE_DIR, bus, dev);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	struct chan *ch = calloc(1, sizeof(*ch));
	if (!ch || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		free(ch);
		close(s);
		errno = e;
		return; /* no direct socket: umockdev's way */
	}
	ch->sock = s;
	pthread_mutex_init(&ch->lock, NULL);
	chan_set(fd, ch);
}

/* What an open wrapper returns: fd, with errno as the open left it. */
static int opened(int fd, const char *path)
{
	int e = errno;

	track(fd, path);
	errno = e;
	return fd;
}

static bool wants_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

typedef int open_fn(const char *, int, ...);
typedef int open2_fn(const char *, int);
typedef int openat_fn(int, const char *, int, ...);
static void *next_open, *next_open64, *next___open_2, *next___open64_2, *next_openat,
	*next_openat64, *next_close, *next_ioctl;

/* at: fn is an openat(), which takes dirfd. */
static int open_via(void **slot, const char *name, bool at, int dirfd, const char *path,
                    int flags, int mode)
{
	void *fn = next_fn(slot, name);

	if (!fn)
		return errno = ENOSYS, -1;
	if (at)
		return opened(((openat_fn *)fn)(dirfd, path, flags, mode), path);
	return opened(((open_fn *)fn)(path, flags, mode), path);
}

/* The mode argument of an open(), which is there only when flags create a file. */
static int mode_arg(int flags, va_list ap)
{
	return wants_mode(flags) ? va_arg(ap, int) : 0;
}

#define OPEN_WRAPPER(name, at, dirfd_param, dirfd)                                \
	int name(dirfd_param const char *path, int flags, ...)                    \
	{                                                                         \
		va_list ap;                                                       \
		va_start(ap, flags);                                              \
		int mode = mode_arg(flags, ap);                                   \
		va_end(ap);                                                       \
		return open_via(&next_##name, #name, at, dirfd, path, flags, mode); \
	}
#define DIRFD_PARAM int dirfd,
/* The fortified opens, whose flags never create a file. */
#define OPEN2_WRAPPER(name)                                                     \
	int name(const char *path, int flags)                                   \
	{                                                                       \
		open2_fn *fn = (open2_fn *)next_fn(&next_##name, #name);        \
		if (!fn)                                                        \
			return errno = ENOSYS, -1;                              \
		return opened(fn(path, flags), path);                           \
	}

OPEN_WRAPPER(open, false, , AT_FDCWD)
OPEN_WRAPPER(open64, false, , AT_FDCWD)
OPEN_WRAPPER(openat, true, DIRFD_PARAM, dirfd)
OPEN_WRAPPER(openat64, true, DIRFD_PARAM, dirfd)
OPEN2_WRAPPER(__open_2)
OPEN2_WRAPPER(__open64_2)

typedef int close_fn(int);

int close(int fd)
{
	if (chan_get(fd))
		chan_set(fd, NULL);
	if (!NEXT(close_fn, close))
		return errno = ENOSYS, -1;
	return NEXT(close_fn, close)(fd);
}

/* The request for an ioctl, and the data that goes with it. */
static void build(unsigned long request, void *arg, struct usbfs_wire_req *q,
                  const void **data)
{
	memset(q, 0, sizeof(*q));
	q->request = (uint32_t)request;
	*data = NULL;
	if (request == USBDEVFS_SUBMITURB) {
		const struct usbdevfs_urb *urb = arg;
		const uint8_t *buf = urb->buffer;
		uint32_t len = urb->buffer_length > 0 && buf ? (uint32_t)urb->buffer_length : 0;
		q->cookie = (uintptr_t)urb;
		q->buffer_length = urb->buffer_length;
		q->type = urb->type;
		q->endpoint = urb->endpoint;
		if (urb->type == USBDEVFS_URB_TYPE_CONTROL)
			q->len = len >= 8 && !(buf[0] & 0x80) ? len : len < 8 ? len : 8;
		else if (!(urb->endpoint & 0x80))
			q->len = len;
		*data = buf;
	} else if (request == USBDEVFS_DISCARDURB) {
		q->cookie = (uintptr_t)arg;
	} else if (request != USBDEVFS_REAPURB && request != USBDEVFS_REAPURBNDELAY) {
		uint32_t size = _IOC_SIZE(request);
		if (arg && size > 0 && size <= USBFS_WIRE_MAX_ARG) {
			q->len = size;
			*data = arg;
		}
	}
}

/* Reads the reply's data into the reaped URB or back into arg. Returns false when the
 * channel broke. */
static bool apply(struct chan *ch, unsigned long request, void *arg,
                  const struct usbfs_wire_rep *r)
{
	uint8_t small[USBFS_WIRE_MAX_ARG];

	if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY) {
		struct usbdevfs_urb *urb = (struct usbdevfs_urb *)(uintptr_t)r->cookie;
		if (r->result < 0)
			return r->len == 0;
		if (r->len && ((uint64_t)r->offset + r->len > (uint64_t)urb->buffer_length ||
		               !usbfs_wire_recv(ch->sock, (uint8_t *)urb->buffer + r->offset,
		                                r->len)))
			return false;
		urb->status = r->status;
		urb->actual_length = r->actual;
		*(void **)arg = urb;
		return true;
	}
	if (!r->len)
		return true;
	if (r->len > sizeof(small) || !usbfs_wire_recv(ch->sock, small, r->len))
		return false;
	/* Written back only when the request reads and the bus changed it: an argument the
	 * kernel only reads may sit in read-only memory. */
	if ((_IOC_DIR(request) & _IOC_READ) && arg && r->len <= _IOC_SIZE(request) &&
	    memcmp(arg, small, r->len) != 0)
		memcpy(arg, small, r->len);
	return true;
}

static int chan_ioctl(struct chan *ch, unsigned long request, void *arg)
{
	struct usbfs_wire_req q;
	struct usbfs_wire_rep r;
	const void *data;

	if (ch->dead)
		return errno = ENODEV, -1;
	build(request, arg, &q, &data);
	if (!usbfs_wire_send(ch->sock, &q, sizeof(q), data, q.len) ||
	    !usbfs_wire_recv(ch->sock, &r, sizeof(r)) || !apply(ch, request, arg, &r)) {
		ch->dead = true; /* as a usbfs file whose device is gone */
		return errno = ENODEV, -1;
	}
	if (r.result < 0)
		return errno = r.err, -1;
	return r.result;
}

typedef int ioctl_fn(int, unsigned long, ...);

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	struct chan *ch = _IOC_TYPE(request) == 'U' ? chan_get(fd) : NULL;
	if (!ch) {
		if (!NEXT(ioctl_fn, ioctl))
			return errno = ENOSYS, -1;
		return NEXT(ioctl_fn, ioctl)(fd, request, arg);
	}
	pthread_mutex_lock(&ch->lock);
	int rc = chan_ioctl(ch, request, arg);
	pthread_mutex_unlock(&ch->lock);
	return rc;
}
