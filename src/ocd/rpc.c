/* rpc.c - OpenOCD TCL RPC client: 0x1A framing, FIFO request queue, timeouts.
 *
 * OpenOCD answers scripts strictly in order, one result frame per script, with any
 * notification frames for events raised meanwhile sent before the result. So the reply
 * to the oldest pending request is the next frame that is not a notification. */
#include "ocd/rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ocd/tcl.h"

#define RPC_TERM 0x1a
#define RPC_DEFAULT_MAX ((size_t)64 << 20)

/* ---- framing ------------------------------------------------------------------------- */

void rpc_framer_init(struct rpc_framer *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max ? max : RPC_DEFAULT_MAX;
}

void rpc_framer_release(struct rpc_framer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}

static int framer_append(struct rpc_framer *f, const char *buf, size_t len)
{
	if (f->len + len > f->max)
		return SWD_EOCDPROTO;
	if (f->len + len + 1 > f->cap) {
		size_t nc = f->cap ? f->cap : 4096;
		char *nb;

		while (nc < f->len + len + 1)
			nc *= 2;
		nb = realloc(f->buf, nc);
		if (!nb)
			return SWD_ENOMEM;
		f->buf = nb;
		f->cap = nc;
	}
	memcpy(f->buf + f->len, buf, len);
	f->len += len;
	f->buf[f->len] = '\0';
	return 0;
}

int rpc_framer_feed(struct rpc_framer *f, const char *buf, size_t len, rpc_frame_cb cb, void *ud)
{
	while (len > 0) {
		const char *end = memchr(buf, RPC_TERM, len);
		size_t n = end ? (size_t)(end - buf) : len;
		int rc;

		if (end && f->len == 0) {
			/* Whole frame in this buffer: no copy. The frame is not NUL-terminated
			 * here; callers use the length. */
			cb(ud, buf, n);
		} else {
			rc = framer_append(f, buf, n);
			if (rc)
				return rc;
			if (end) {
				size_t flen = f->len;

				f->len = 0;
				cb(ud, f->buf, flen);
			}
		}
		if (!end)
			break;
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

bool rpc_frame_is_notification(const char *frame, size_t len)
{
	static const char prefix[] = "type target_";

	return len >= sizeof(prefix) - 1 && memcmp(frame, prefix, sizeof(prefix) - 1) == 0;
}

int rpc_parse_catch_reply(const char *frame, size_t len, int *code, char **text, size_t *textlen)
{
	struct tcl_list l;
	char *end;
	long v;
	int rc;

	*text = NULL;
	*textlen = 0;
	rc = tcl_list_parse(frame, len, &l);
	if (rc)
		return rc == SWD_ENOMEM ? rc : SWD_EOCDPROTO;
	if (l.n != 2 || l.lens[0] == 0) {
		rc = SWD_EOCDPROTO;
		goto out;
	}
	v = strtol(l.items[0], &end, 10);
	if (*end != '\0') {
		rc = SWD_EOCDPROTO;
		goto out;
	}
	*code = (int)v;
	*text = l.items[1];
	*textlen = l.lens[1];
	l.items[1] = NULL;
out:
	tcl_list_release(&l);
	return rc;
}

char *rpc_catch_script(const char *cmd)
{
	static const char head[] = "list [catch ";
	static const char tail[] = " swd_r] $swd_r";
	char *word = tcl_quote_str(cmd), *s;
	size_t n;

	if (!word)
		return NULL;
	n = sizeof(head) - 1 + strlen(word) + sizeof(tail);
	s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", head, word, tail);
	free(word);
	return s;
}

/* ---- client -------------------------------------------------------------------------- */

struct rpc_req {
	struct rpc_req *next;
	struct rpc *rpc;
	uv_write_t wr;
	uv_buf_t buf;
	char *script;            /* owned, ends with 0x1A */
	uv_timer_t timer;
	bool has_timer;
	bool writing;            /* uv_write in flight: the request must outlive it */
	bool done;               /* callback delivered */
	bool timer_closing;
	bool catch_mode;
	rpc_result_cb cb;
	rpc_catch_cb ccb;
	void *ud;
};

static void req_maybe_free(struct rpc_req *q);

static void on_handle_closed(uv_handle_t *h)
{
	struct rpc *r = h->data;

	if (--r->open_handles == 0 && r->closing) {
		rpc_framer_release(&r->framer);
		if (r->on_closed)
			r->on_closed(r, r->ud);
	}
}

static void req_timer_closed(uv_handle_t *h)
{
	struct rpc_req *q = h->data;
	struct rpc *r = q->rpc;

	q->has_timer = false;
	req_maybe_free(q);
	if (--r->open_handles == 0 && r->closing) {
		rpc_framer_release(&r->framer);
		if (r->on_closed)
			r->on_closed(r, r->ud);
	}
}

static void req_maybe_free(struct rpc_req *q)
{
	if (q->done && !q->writing && !q->has_timer) {
		free(q->script);
		free(q);
	}
}

static void req_stop_timer(struct rpc_req *q)
{
	if (q->has_timer && !q->timer_closing) {
		q->timer_closing = true;
		uv_close((uv_handle_t *)&q->timer, req_timer_closed);
	}
}

/* Delivers the result of q exactly once. */
static void req_deliver(struct rpc_req *q, int status, const char *text, size_t len)
{
	struct rpc *r = q->rpc;

	if (q->done)
		return;
	q->done = true;
	req_stop_timer(q);
	if (!q->catch_mode) {
		q->cb(r, q->ud, status, status ? NULL : text, status ? 0 : len);
	} else if (status) {
		q->ccb(r, q->ud, status, 0, NULL, 0);
	} else {
		int code = 0;
		char *t = NULL;
		size_t tl = 0;
		int rc = rpc_parse_catch_reply(text, len, &code, &t, &tl);

		if (rc)
			q->ccb(r, q->ud, rc, 0, NULL, 0);
		else
			q->ccb(r, q->ud, 0, code, t, tl);
		free(t);
	}
}

static struct rpc_req *queue_pop(struct rpc *r)
{
	struct rpc_req *q = r->head;

	if (q) {
		r->head = q->next;
		if (!r->head)
			r->tail = NULL;
		q->next = NULL;
	}
	return q;
}

/* Marks the connection unusable and fails every pending request. */
static void rpc_fail_all(struct rpc *r, int status, const char *why)
{
	struct rpc_req *q;

	if (!r->dead) {
		r->dead = status;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", why);
	}
	while ((q = queue_pop(r)) != NULL) {
		req_deliver(q, status, NULL, 0);
		req_maybe_free(q);
	}
}

static void on_frame(void *ud, const char *frame, size_t len)
{
	struct rpc *r = ud;
	struct rpc_req *q;

	if (rpc_frame_is_notification(frame, len)) {
		if (r->on_notify)
			r->on_notify(r, r->ud, frame, len);
		return;
	}
	q = queue_pop(r);
	if (!q)
		return; /* a reply nobody waits for (after a timeout the link is closed anyway) */
	req_deliver(q, 0, frame, len);
	req_maybe_free(q);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char slab[65536];

	(void)h;
	(void)suggested;
	/* One connection per process reads at a time, and rpc_framer copies what it keeps,
	 * so a static buffer is enough. */
	*buf = uv_buf_init(slab, sizeof(slab));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct rpc *r = s->data;
	int rc;

	if (nread < 0) {
		rpc_fail_all(r, SWD_EOCDDIED, nread == UV_EOF ? "openocd closed the tcl connection"
		                                              : uv_strerror((int)nread));
		uv_read_stop(s);
		return;
	}
	rc = rpc_framer_feed(&r->framer, buf->base, (size_t)nread, on_frame, r);
	if (rc) {
		rpc_fail_all(r, rc, "unreadable reply from openocd");
		uv_read_stop(s);
	}
}

static void on_connect(uv_connect_t *c, int status)
{
	struct rpc *r = c->data;

	if (status == 0 && !r->closing) {
		r->connected = true;
		status = uv_read_start((uv_stream_t *)&r->tcp, on_alloc, on_read);
	}
	if (status) {
		snprintf(r->errmsg, sizeof(r->errmsg), "cannot connect to openocd's tcl port: %s",
		         uv_strerror(status));
		if (!r->dead)
			r->dead = SWD_EOCDDIED;
	}
	if (r->on_connect)
		r->on_connect(r, r->ud, status ? SWD_EOCDDIED : 0);
}

void rpc_init(struct rpc *r, uv_loop_t *loop, rpc_notify_cb on_notify, void *ud)
{
	memset(r, 0, sizeof(*r));
	r->loop = loop;
	r->on_notify = on_notify;
	r->ud = ud;
	rpc_framer_init(&r->framer, 0);
}

int rpc_connect(struct rpc *r, uint16_t port, rpc_connect_cb cb)
{
	struct sockaddr_in addr;
	int rc;

	r->on_connect = cb;
	rc = uv_tcp_init(r->loop, &r->tcp);
	if (rc)
		return SWD_EINTERNAL;
	r->tcp.data = r;
	r->open_handles++;
	uv_tcp_nodelay(&r->tcp, 1);
	uv_ip4_addr("127.0.0.1", port, &addr);
	r->conn.data = r;
	rc = uv_tcp_connect(&r->conn, &r->tcp, (const struct sockaddr *)&addr, on_connect);
	if (rc) {
		snprintf(r->errmsg, sizeof(r->errmsg), "cannot connect to openocd's tcl port: %s",
		         uv_strerror(rc));
		r->dead = SWD_EOCDDIED;
		return SWD_EOCDDIED;
	}
	return 0;
}

static void on_write(uv_write_t *w, int status)
{
	struct rpc_req *q = w->data;
	struct rpc *r = q->rpc;

	q->writing = false;
	if (status && !q->done)
		rpc_fail_all(r, SWD_EOCDDIED, "cannot send to openocd");
	req_maybe_free(q);
}

static void on_timeout(uv_timer_t *t)
{
	struct rpc_req *q = t->data;
	struct rpc *r = q->rpc;

	/* Replies are matched by order only, so once one is missing the stream cannot be
	 * trusted again: fail everything and stop reading. */
	rpc_fail_all(r, SWD_EOCDTIMEOUT, "openocd did not answer in time");
	if (r->connected)
		uv_read_stop((uv_stream_t *)&r->tcp);
}

static int send_req(struct rpc *r, const char *script, uint64_t timeout_ms, bool catch_mode,
                    rpc_result_cb cb, rpc_catch_cb ccb, void *ud)
{
	struct rpc_req *q;
	size_t n = strlen(script);
	int rc;

	if (memchr(script, RPC_TERM, n))
		return SWD_EINTERNAL;
	if (r->dead)
		return r->dead;
	if (!r->connected || r->closing)
		return SWD_EOCDDIED;
	q = calloc(1, sizeof(*q));
	if (!q)
		return SWD_ENOMEM;
	q->script = malloc(n + 1);
	if (!q->script) {
		free(q);
		return SWD_ENOMEM;
	}
	memcpy(q->script, script, n);
	q->script[n] = RPC_TERM;
	q->rpc = r;
	q->cb = cb;
	q->ccb = ccb;
	q->ud = ud;
	q->catch_mode = catch_mode;
	q->buf = uv_buf_init(q->script, (unsigned)(n + 1));
	q->wr.data = q;
	rc = uv_write(&q->wr, (uv_stream_t *)&r->tcp, &q->buf, 1, on_write);
	if (rc) {
		free(q->script);
		free(q);
		return SWD_EOCDDIED;
	}
	q->writing = true;
	if (timeout_ms) {
		uv_timer_init(r->loop, &q->timer);
		q->timer.data = q;
		q->has_timer = true;
		r->open_handles++;
		uv_timer_start(&q->timer, on_timeout, timeout_ms, 0);
	}
	if (r->tail)
		r->tail->next = q;
	else
		r->head = q;
	r->tail = q;
	return 0;
}

int rpc_send(struct rpc *r, const char *script, uint64_t timeout_ms, rpc_result_cb cb, void *ud)
{
	return send_req(r, script, timeout_ms, false, cb, NULL, ud);
}

int rpc_catch(struct rpc *r, const char *cmd, uint64_t timeout_ms, rpc_catch_cb cb, void *ud)
{
	char *script = rpc_catch_script(cmd);
	int rc;

	if (!script)
		return SWD_ENOMEM;
	rc = send_req(r, script, timeout_ms, true, NULL, cb, ud);
	free(script);
	return rc;
}

size_t rpc_pending(const struct rpc *r)
{
	size_t n = 0;

	for (const struct rpc_req *q = r->head; q; q = q->next)
		n++;
	return n;
}

void rpc_close(struct rpc *r, int status, rpc_closed_cb on_closed)
{
	if (r->closing)
		return;
	r->closing = true;
	r->on_closed = on_closed;
	rpc_fail_all(r, status ? status : SWD_EOCDDIED, "connection closed");
	if (r->open_handles == 0) {
		rpc_framer_release(&r->framer);
		if (on_closed)
			on_closed(r, r->ud);
		return;
	}
	if (!uv_is_closing((uv_handle_t *)&r->tcp) && r->tcp.loop)
		uv_close((uv_handle_t *)&r->tcp, on_handle_closed);
}
