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

/* A channel is held by the file it serves (from its open to its close) and by each ioctl
 * running in it; the last holder closes its socket. Channels are never freed: a released
 * one is taken again by a later open, so an ioctl that read a channel from chans[] just
 * as another thread closed its file never touches freed memory, and a socket is closed
 * only once nothing can still send on its number. */
struct chan {
	struct chan *next_made;  /* every channel made, for the opens that look for a free one */
	int refs;                /* atomic: its file's hold and one per ioctl in it; 0 once released */
	bool free;               /* atomic: released, its socket closed: an open may take it */
	int sock;
	bool dead;               /* the bus went away or the file closed: every request is ENODEV */
	pthread_mutex_t lock;    /* one request and its reply at a time */
	/* The URBs submitted and not yet reaped. Once the channel is dead its reaps hand them
	 * back failed with ENODEV, as the kernel completes a gone device's URBs: libusb learns
	 * of a gone device only from the node's POLLERR, which a plain file never raises, so
	 * a transfer whose URBs never came back kept it reaping for ever. The array stays with
	 * the channel when it is taken again. */
	uintptr_t *urbs;
	size_t nurbs, room;
};

/* Read and swapped atomically, without a lock: ioctl() reads it on every call, and
 * close(), which a program may call from a signal handler, detaches a channel with
 * nothing but atomics, shutdown() and close(). */
static struct chan *chans[MAX_FDS];
static struct chan *made; /* atomic: the head of every channel's next_made */

/* In chans[] while the file of a channel is being closed: an ioctl of the number then
 * fails with EBADF, as on a closed file, instead of going to umockdev's preload, which
 * would send it on the ioctl socket its close is closing (and abort the process). */
static struct chan closing;

static void *next_fn(void **slot, const char *name)
{
	if (!*slot)
		*slot = dlsym(RTLD_NEXT, name);
	return *slot;
}

#define NEXT(type, name) ((type *)next_fn(&next_##name, #name))

typedef int close_fn(int);
static void *next_close;

/* Lets go of a hold; the last one closes the socket and frees the channel for an open.
 * Async-signal-safe. */
static void chan_put(struct chan *ch)
{
	if (__atomic_sub_fetch(&ch->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	((close_fn *)next_close)(ch->sock); /* resolved before the channel was made */
	ch->sock = -1;
	__atomic_store_n(&ch->free, true, __ATOMIC_RELEASE);
}

/* The file's channel, held for the caller; &closing; or NULL. */
static struct chan *chan_hold(int fd)
{
	if (fd < 0 || fd >= MAX_FDS)
		return NULL;
	for (;;) {
		struct chan *ch = __atomic_load_n(&chans[fd], __ATOMIC_ACQUIRE);
		if (!ch || ch == &closing)
			return ch;
		int n = __atomic_load_n(&ch->refs, __ATOMIC_RELAXED);
		/* Never from 0: a released channel is not to be held again but by an open. */
		while (n > 0 && !__atomic_compare_exchange_n(&ch->refs, &n, n + 1, false,
		                                             __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			;
		if (n == 0)
			continue; /* closed meanwhile: the number's channel now, if any */
		if (__atomic_load_n(&chans[fd], __ATOMIC_ACQUIRE) == ch)
			return ch;
		chan_put(ch); /* closed, and maybe taken by another file, meanwhile */
	}
}

/* Puts mark (NULL or &closing) in fd's place when a channel is there, and lets go of the
 * file's hold on it. An ioctl still in it wakes from a wait for the bus (its reply never
 * comes) and fails with ENODEV. Returns true when mark went in. Async-signal-safe. */
static bool chan_detach(int fd, struct chan *mark)
{
	if (fd < 0 || fd >= MAX_FDS || !__atomic_load_n(&chans[fd], __ATOMIC_RELAXED))
		return false;
	struct chan *ch = __atomic_exchange_n(&chans[fd], mark, __ATOMIC_ACQ_REL);
	if (ch && ch != &closing) {
		shutdown(ch->sock, SHUT_RDWR);
		chan_put(ch);
	}
	return true;
}

/* A released channel taken for a new file, or a new one. Returns NULL when out of memory. */
static struct chan *chan_take(void)
{
	struct chan *ch;

	for (ch = __atomic_load_n(&made, __ATOMIC_ACQUIRE); ch; ch = ch->next_made) {
		bool was = true;
		if (__atomic_compare_exchange_n(&ch->free, &was, false, false, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED))
			break;
	}
	if (!ch) {
		ch = calloc(1, sizeof(*ch));
		if (!ch)
			return NULL;
		pthread_mutex_init(&ch->lock, NULL);
		ch->next_made = __atomic_load_n(&made, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&made, &ch->next_made, ch, false,
		                                    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			;
	}
	ch->sock = -1;
	ch->dead = false;
	ch->nurbs = 0;
	return ch;
}

/* After an open of path that returned fd: its channel, when path is a device node the
 * bus serves directly. Any channel left on the number (a file closed behind our back)
 * goes first. */
static void track(int fd, const char *path)
{
	const char *root = getenv("UMOCKDEV_DIR"), *off = getenv("SWDSIM_DIRECT_USBFS");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (fd < 0 || fd >= MAX_FDS)
		return;
	chan_detach(fd, NULL);
	if (!NEXT(close_fn, close) || !root || !path || (off && strcmp(off, "0") == 0))
		return;
	int n = usbfs_wire_path(sa.sun_path, sizeof(sa.sun_path), root, path);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return; /* not a usbfs node, or no socket can be there */
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		((close_fn *)next_close)(s);
		return; /* no direct socket: umockdev's way */
	}
	struct chan *ch = chan_take();
	if (!ch) {
		((close_fn *)next_close)(s);
		return;
	}
	ch->sock = s;
	__atomic_store_n(&ch->refs, 1, __ATOMIC_RELEASE); /* the file's hold */
	struct chan *old = __atomic_exchange_n(&chans[fd], ch, __ATOMIC_ACQ_REL);
	if (old && old != &closing) { /* closed behind our back and opened again meanwhile */
		shutdown(old->sock, SHUT_RDWR);
		chan_put(old);
	}
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
	*next_openat64, *next_ioctl;

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

int close(int fd)
{
	bool marked = chan_detach(fd, &closing);

	if (!NEXT(close_fn, close))
		return errno = ENOSYS, -1;
	int rc = NEXT(close_fn, close)(fd), e = errno;
	if (marked) {
		/* Unless an open has taken the number since. */
		struct chan *mark = &closing;
		__atomic_compare_exchange_n(&chans[fd], &mark, NULL, false, __ATOMIC_ACQ_REL,
		                            __ATOMIC_RELAXED);
	}
	errno = e;
	return rc;
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

static void urb_submitted(struct chan *ch, uintptr_t urb)
{
	if (ch->nurbs == ch->room) {
		size_t room = ch->room ? 2 * ch->room : 16;
		uintptr_t *urbs = realloc(ch->urbs, room * sizeof(*urbs));
		if (!urbs)
			return; /* it cannot be handed back should the channel break */
		ch->urbs = urbs;
		ch->room = room;
	}
	ch->urbs[ch->nurbs++] = urb;
}

/* Takes urb out of the in-flight list, keeping the rest in submission order. */
static void urb_reaped(struct chan *ch, uintptr_t urb)
{
	for (size_t k = 0; k < ch->nurbs; k++)
		if (ch->urbs[k] == urb) {
			memmove(ch->urbs + k, ch->urbs + k + 1, (ch->nurbs - k - 1) * sizeof(*ch->urbs));
			ch->nurbs--;
			return;
		}
}

/* An ioctl on a channel whose bus went away: a reap hands back the oldest URB in flight,
 * failed; anything else is ENODEV. */
static int dead_ioctl(struct chan *ch, unsigned long request, void *arg)
{
	if ((request != USBDEVFS_REAPURB && request != USBDEVFS_REAPURBNDELAY) || !ch->nurbs)
		return errno = ENODEV, -1;
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)ch->urbs[0];
	urb_reaped(ch, ch->urbs[0]);
	urb->status = -ENODEV;
	urb->actual_length = 0;
	*(void **)arg = urb;
	return 0;
}

static bool too_big(const struct usbdevfs_urb *urb)
{
	return urb->buffer_length > 0 && (uint32_t)urb->buffer_length > USBFS_WIRE_MAX_URB;
}

static int chan_ioctl(struct chan *ch, unsigned long request, void *arg)
{
	struct usbfs_wire_req q;
	struct usbfs_wire_rep r;
	const void *data;

	if (ch->dead)
		return dead_ioctl(ch, request, arg);
	if (request == USBDEVFS_SUBMITURB && too_big(arg))
		return errno = ENOMEM, -1; /* as the kernel, before sending what the bus refuses */
	build(request, arg, &q, &data);
	if (!usbfs_wire_send(ch->sock, &q, sizeof(q), data, q.len) ||
	    !usbfs_wire_recv(ch->sock, &r, sizeof(r)) || !apply(ch, request, arg, &r)) {
		ch->dead = true; /* as a usbfs file whose device is gone */
		return dead_ioctl(ch, request, arg);
	}
	if (r.result < 0)
		return errno = r.err, -1;
	if (request == USBDEVFS_SUBMITURB)
		urb_submitted(ch, (uintptr_t)arg);
	else if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY)
		urb_reaped(ch, (uintptr_t)r.cookie);
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
	struct chan *ch = _IOC_TYPE(request) == 'U' ? chan_hold(fd) : NULL;
	if (ch == &closing)
		return errno = EBADF, -1;
	if (!ch) {
		if (!NEXT(ioctl_fn, ioctl))
			return errno = ENOSYS, -1;
		return NEXT(ioctl_fn, ioctl)(fd, request, arg);
	}
	pthread_mutex_lock(&ch->lock);
	int rc = chan_ioctl(ch, request, arg), e = errno;
	pthread_mutex_unlock(&ch->lock);
	chan_put(ch);
	errno = e;
	return rc;
}
