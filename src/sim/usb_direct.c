/* usb_direct.c - the direct usbfs channel's server on the virtual USB bus (see
 * usbfs_wire.h for the messages, usb_dev.h for the model both ways in share).
 *
 * Each board has a thread of its own here, with its own GLib main context: it accepts
 * the connections a client's libswdsim-preload makes when it opens the board's node, one
 * per open file, and answers each request with one reply. A reap that finds an URB not yet
 * due is answered later, from the connection's timer on this same context, at the URB's
 * due time, as umockdev's way does. The model is touched under the board's lock only.
 * Must not: interpret what the model answers (usb_dev.c), or serve another board.
 */
#include "sim/usb_dev.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <linux/usbdevice_fs.h>

#include "sim/usbfs_wire.h"

struct usb_direct {
	int listen_fd;
	char *path;              /* where the socket is bound now, owned */
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
	GSource *listen_src;
};

static void reply(struct conn *c, int err, struct usbfs_wire_rep *r, const void *data)
{
	r->result = err ? -1 : 0;
	r->err = err;
	/* A client gone while it waited: its connection ends at the next read. */
	(void)usbfs_wire_send(c->fd, r, sizeof(*r), data, r->len);
}

/* Hands a reaped URB over, with the data it brings in, and frees it. */
static void reply_urb(struct conn *c, struct urb *u)
{
	struct usbfs_wire_rep r = {.cookie = u->cookie, .status = u->status,
	                           .actual = u->actual};
	size_t at = 0, n = 0;

	if (u->type == USBDEVFS_URB_TYPE_CONTROL && u->len >= 8 && (u->data[0] & 0x80))
		at = 8, n = (size_t)u->actual;
	else if (u->type != USBDEVFS_URB_TYPE_CONTROL && (u->ep & 0x80))
		n = (size_t)u->actual;
	if (n > u->len - at)
		n = u->len - at;
	r.offset = (uint32_t)at;
	r.len = (uint32_t)n;
	reply(c, 0, &r, u->data + at);
	usb_urb_free(u);
}

/* The timer of a waiting reap: its URB is due. */
static void direct_due(struct conn *c)
{
	struct usbfs_wire_rep r = {0};
	struct urb *u = usb_urb_take(c, c->wait_due);

	c->waiting = false;
	if (u)
		reply_urb(c, u);
	else
		reply(c, EAGAIN, &r, NULL);
}

/* Takes ownership of payload. Returns 0 or an errno. */
static int submit(struct board *b, struct conn *c, const struct usbfs_wire_req *q,
                  uint8_t *payload, uint64_t at)
{
	if (q->buffer_length < 0 || q->len > (uint32_t)q->buffer_length) {
		free(payload);
		return EINVAL;
	}
	if ((uint32_t)q->buffer_length > USBFS_WIRE_MAX_URB) {
		free(payload);
		return ENOMEM; /* as the kernel, before the bus allocates it */
	}
	size_t len = (size_t)q->buffer_length;
	uint8_t *data = realloc(payload, len ? len : 1);
	struct urb *u = data ? calloc(1, sizeof(*u)) : NULL;
	if (!u) {
		free(data ? data : payload);
		return ENOMEM;
	}
	memset(data + q->len, 0, len - q->len);
	u->data = data;
	u->len = len;
	u->cookie = q->cookie;
	u->type = q->type;
	u->ep = q->endpoint;
	return usb_urb_submit(b, c, u, at);
}

/* One request; the reply goes now, or for a reap that waits, from direct_due(). Takes
 * ownership of payload. */
static void serve(struct board *b, struct conn *c, const struct usbfs_wire_req *q,
                  uint8_t *payload, uint64_t at)
{
	struct usbfs_wire_rep r = {0};
	uint8_t arg[USBFS_WIRE_MAX_ARG] = {0};
	unsigned long request = q->request;
	int e;

	if (usb_conn_refuses(c, request)) {
		e = ENODEV;
	} else if (request == USBDEVFS_SUBMITURB) {
		e = submit(b, c, q, payload, at);
		payload = NULL;
	} else if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY) {
		struct urb *u = usb_urb_take(c, usb_now_ns());
		if (u) {
			reply_urb(c, u);
			goto out;
		}
		if (usb_reap_wait(c, 0))
			goto out; /* answered by direct_due() */
		b->empty_reaps++;
		e = EAGAIN;
	} else if (request == USBDEVFS_DISCARDURB) {
		e = usb_urb_discard(c, q->cookie);
	} else if (q->len > sizeof(arg)) {
		e = EINVAL;
	} else {
		if (q->len)
			memcpy(arg, payload, q->len);
		e = usb_dev_ioctl(b, c, request, q->len ? arg : NULL);
		r.len = e ? 0 : q->len;
	}
	reply(c, e, &r, arg);
out:
	free(payload);
}

static gboolean on_request(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *c = data;
	struct board *b = c->board;

	(void)cond;
	if (c->rx.got == 0)
		c->rx_at = usb_now_ns(); /* when the ioctl came: see usb_urb_submit() */
	int got = usbfs_wire_rx_read(&c->rx, fd, USBFS_WIRE_MAX_URB);
	if (got == 0)
		return G_SOURCE_CONTINUE; /* the rest of the request is still on its way */
	g_mutex_lock(&b->lock);
	if (got > 0) {
		struct usbfs_wire_req q = c->rx.q;
		uint8_t *payload = c->rx.data;
		memset(&c->rx, 0, sizeof(c->rx));
		b->direct_ioctls++;
		serve(b, c, &q, payload, c->rx_at);
	} else {
		usb_conn_drop(b, c); /* the client closed its node (or died) */
	}
	g_mutex_unlock(&b->lock);
	return got > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean on_accept(gint lfd, GIOCondition cond, gpointer data)
{
	struct board *b = data;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	(void)cond;
	if (fd < 0)
		return G_SOURCE_CONTINUE;
	g_mutex_lock(&b->lock);
	struct conn *c = usb_conn_add(b);
	if (c) {
		c->fd = fd;
		c->due = direct_due;
		c->src = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
		g_source_set_callback(c->src, G_SOURCE_FUNC(on_request), c, NULL);
		g_source_attach(c->src, b->direct->ctx);
	} else {
		close(fd);
	}
	g_mutex_unlock(&b->lock);
	return G_SOURCE_CONTINUE;
}

int usb_direct_bind(struct board *b, const char *root, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *dir = g_build_filename(root, USBFS_WIRE_DIR, NULL);
	char *path = g_malloc(PATH_MAX);
	int rc = -1;

	if (usbfs_wire_path(path, PATH_MAX, root, b->devnode) < 0) {
		snprintf(err, errlen, "'%s' is not a usbfs device node", b->devnode);
		goto out;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "the socket path '%s' is too long; set TMPDIR to a shorter "
		         "directory", path);
		goto out;
	}
	if (g_mkdir_with_parents(dir, 0755) < 0) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (b->direct) {
		/* The device enumerated again: its listening socket moves to the new number. */
		if (rename(b->direct->path, path) < 0) {
			snprintf(err, errlen, "cannot move '%s' to '%s': %s", b->direct->path, path,
			         strerror(errno));
			goto out;
		}
		g_free(b->direct->path);
		b->direct->path = path;
		path = NULL;
		rc = 0;
		goto out;
	}
	struct usb_direct *d = g_new0(struct usb_direct, 1);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(d->listen_fd, 64) < 0) {
		snprintf(err, errlen, "cannot listen at '%s': %s", path, strerror(errno));
		if (d->listen_fd >= 0)
			close(d->listen_fd);
		g_free(d);
		goto out;
	}
	d->path = path;
	path = NULL;
	b->direct = d;
	rc = 0;
out:
	g_free(path);
	g_free(dir);
	return rc;
}

static gpointer run(gpointer data)
{
	struct usb_direct *d = data;

	g_main_context_push_thread_default(d->ctx);
	g_main_loop_run(d->loop);
	g_main_context_pop_thread_default(d->ctx);
	return NULL;
}

int usb_direct_start(struct board *b, char *err, size_t errlen)
{
	struct usb_direct *d = b->direct;

	if (!d) {
		snprintf(err, errlen, "the direct channel of '%s' has no socket", b->spec);
		return -1;
	}
	d->ctx = g_main_context_new();
	d->loop = g_main_loop_new(d->ctx, FALSE);
	d->listen_src = g_unix_fd_source_new(d->listen_fd, G_IO_IN);
	g_source_set_callback(d->listen_src, G_SOURCE_FUNC(on_accept), b, NULL);
	g_source_attach(d->listen_src, d->ctx);
	d->thread = g_thread_new("swdsim-usbfs", run, d);
	return 0;
}

static gboolean quit_loop(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

void usb_direct_stop(struct board *b)
{
	struct usb_direct *d = b->direct;

	if (!d)
		return;
	if (d->thread) {
		/* Quit from inside the loop: a g_main_loop_quit() that came before the thread
		 * entered g_main_loop_run() would be lost (a command that exits at once), and
		 * the join would wait for ever. */
		GSource *quit = g_idle_source_new();
		g_source_set_callback(quit, quit_loop, d->loop, NULL);
		g_source_attach(quit, d->ctx);
		g_source_unref(quit);
		g_thread_join(d->thread);
	}
	/* The connections' sources belong to this context: they go before it. */
	g_mutex_lock(&b->lock);
	for (struct conn **p = &b->conns; *p;) {
		struct conn *c = *p;
		if (c->fd < 0) {
			p = &c->next;
			continue;
		}
		usb_conn_drop(b, c);
	}
	g_mutex_unlock(&b->lock);
	if (d->listen_src) {
		g_source_destroy(d->listen_src);
		g_source_unref(d->listen_src);
	}
	if (d->loop)
		g_main_loop_unref(d->loop);
	if (d->ctx)
		g_main_context_unref(d->ctx);
	close(d->listen_fd);
	unlink(d->path);
	g_free(d->path);
	g_free(d);
	b->direct = NULL;
}
