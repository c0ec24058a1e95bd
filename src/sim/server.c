/* server.c - swdbackup-sim's libuv TCP server (see server.h). */
#include "sim/server.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct sim_reply {
	struct sim_reply *next;
	uint64_t due_ns;     /* uv_hrtime() at which the probe would have answered */
	bool close_after;    /* drop-after reached: close once this is written */
	size_t len;
	uint8_t data[];
};

struct sim_write {
	uv_write_t req;
	struct sim_server *s;
	bool close_after;
	uint8_t data[];
};

static void client_close(struct sim_server *s);
static void flush_due(struct sim_server *s);

static void free_queue(struct sim_server *s)
{
	while (s->queue_head) {
		struct sim_reply *r = s->queue_head;
		s->queue_head = r->next;
		free(r);
	}
	s->queue_tail = NULL;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	buf->base = malloc(suggested);
	buf->len = buf->base ? suggested : 0;
}

static void on_listener_closed(uv_handle_t *h)
{
	(void)h;
}

static void accept_next(struct sim_server *s);

static void on_client_closed(uv_handle_t *h)
{
	struct sim_server *s = h->data;

	s->client_open = false;
	s->client_closing = false;
	free_queue(s);
	uv_timer_stop(&s->timer);
	probe_disconnect(s->probe);
	if (s->probe->cfg.trace) {
		/* the counts --at-traffic, power-off and drop-after are chosen from */
		fprintf(s->probe->cfg.trace, "client left after %" PRIu64 " bytes (%" PRIu64
		        " since start)\n", s->traffic, s->power_traffic);
		fflush(s->probe->cfg.trace);
	}
	/* The board file must be current whenever OpenOCD has gone. */
	mcu_save(s->mcu);
	if (s->accept_pending && !s->stopping) {
		s->accept_pending = false;
		accept_next(s);
	}
}

static void client_close(struct sim_server *s)
{
	if (!s->client_open || s->client_closing)
		return;
	s->client_closing = true;
	uv_close((uv_handle_t *)&s->client, on_client_closed);
}

static void on_written(uv_write_t *req, int status)
{
	struct sim_write *w = (struct sim_write *)req;
	struct sim_server *s = w->s;

	if (status < 0 || w->close_after)
		client_close(s);
	free(w);
}

static void send_now(struct sim_server *s, const uint8_t *data, size_t len, bool close_after)
{
	struct sim_write *w;
	uv_buf_t buf;

	if (len == 0) {
		if (close_after)
			client_close(s);
		return;
	}
	w = malloc(sizeof(*w) + len);
	if (!w) {
		client_close(s);
		return;
	}
	w->s = s;
	w->close_after = close_after;
	memcpy(w->data, data, len);
	buf = uv_buf_init((char *)w->data, (unsigned)len);
	if (uv_write(&w->req, (uv_stream_t *)&s->client, &buf, 1, on_written) < 0) {
		free(w);
		client_close(s);
	}
}

static void on_timer(uv_timer_t *t)
{
	flush_due(t->data);
}

/* Writes every queued reply whose time has come and re-arms the timer for the next. */
static void flush_due(struct sim_server *s)
{
	uint64_t now = uv_hrtime();

	while (s->queue_head && !s->client_closing) {
		struct sim_reply *r = s->queue_head;
		/* uv timers tick in milliseconds: send what is due within half a tick so
		 * rounding errors cancel out over many replies instead of adding up. */
		if (r->due_ns > now + 500000) {
			uint64_t ms = (r->due_ns - now + 500000) / 1000000;
			uv_timer_start(&s->timer, on_timer, ms, 0);
			return;
		}
		s->queue_head = r->next;
		if (!s->queue_head)
			s->queue_tail = NULL;
		send_now(s, r->data, r->len, r->close_after);
		free(r);
	}
}

/* Counts n bytes of traffic over all connections: runs the --at-traffic hook when they
 * reach its count, and cuts the power when they reach the power-off fault's (the board is
 * saved as it is and answers nothing from then on). */
static void power_count(struct sim_server *s, uint64_t n)
{
	bool was_on = !s->power_off_after || s->power_traffic < s->power_off_after;

	s->power_traffic += n;
	sim_hook_check(&s->hook, s->power_traffic, s->probe->cfg.trace);
	if (!s->power_off_after || !was_on || s->power_traffic < s->power_off_after)
		return;
	int rc = mcu_power_off(s->mcu);
	if (s->probe->cfg.trace) {
		fprintf(s->probe->cfg.trace, "power off after %" PRIu64 " bytes: board saved%s\n",
		        s->power_traffic, rc < 0 ? " (failed)" : "");
		fflush(s->probe->cfg.trace);
	}
}

/* Queues (realistic) or sends (timing none) one reply, applying drop-after. */
static void reply(struct sim_server *s, const struct probe_reply *pr, uint64_t due_ns)
{
	size_t len = pr->len;
	bool close_after = false;

	if (s->drop_after && s->traffic + len >= s->drop_after) {
		len = (size_t)(s->drop_after - s->traffic);
		close_after = true;
	}
	s->traffic += len;
	power_count(s, len);
	if (!s->realistic) {
		send_now(s, pr->buf, len, close_after);
		return;
	}
	struct sim_reply *r = malloc(sizeof(*r) + len);
	if (!r) {
		client_close(s);
		return;
	}
	r->next = NULL;
	r->due_ns = due_ns;
	r->close_after = close_after;
	r->len = len;
	memcpy(r->data, pr->buf, len);
	if (s->queue_tail)
		s->queue_tail->next = r;
	else
		s->queue_head = r;
	s->queue_tail = r;
	if (s->queue_head == r)
		flush_due(s);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct sim_server *s = stream->data;
	size_t off = 0;

	if (nread < 0) {
		client_close(s);
		goto out;
	}
	if (s->client_closing)
		goto out;
	s->traffic += (uint64_t)nread;
	if (s->drop_after && s->traffic >= s->drop_after) {
		client_close(s);
		goto out;
	}
	while (off < (size_t)nread) {
		size_t used;
		int rc = stp_feed(&s->parser, (const uint8_t *)buf->base + off,
		                  (size_t)nread - off, &used);
		off += used;
		power_count(s, used);
		if (rc < 0) {
			/* Not OpenOCD, or out of step: nothing sensible can follow. */
			if (s->probe->cfg.trace) {
				fprintf(s->probe->cfg.trace, "malformed request (error %d): closing\n",
				        rc);
				fflush(s->probe->cfg.trace);
			}
			client_close(s);
			break;
		}
		if (rc == 0)
			break;
		uint64_t now = uv_hrtime();
		uint64_t start = s->realistic && s->busy_until > now ? s->busy_until : now;
		probe_handle(s->probe, &s->parser.req, start, &s->reply);
		s->busy_until = start + s->reply.cost_ns;
		reply(s, &s->reply, s->busy_until);
		if (s->client_closing)
			break;
	}
out:
	free(buf->base);
}

static void accept_next(struct sim_server *s)
{
	int rc;

	uv_tcp_init(s->loop, &s->client);
	s->client.data = s;
	s->client_open = true;
	s->client_closing = false;
	rc = uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)&s->client);
	if (rc == 0) {
		uv_tcp_nodelay(&s->client, 1);
		rc = uv_read_start((uv_stream_t *)&s->client, on_alloc, on_read);
	}
	s->traffic = 0;
	s->busy_until = 0;
	stp_parser_init(&s->parser);
	if (rc < 0)
		client_close(s);
}

static void on_connection(uv_stream_t *listener, int status)
{
	struct sim_server *s = listener->data;

	if (status < 0 || s->stopping)
		return;
	/* One client at a time: leave the next in the backlog until this one leaves
	 * (libuv stops polling the listener until uv_accept is called). */
	if (s->client_open) {
		s->accept_pending = true;
		return;
	}
	accept_next(s);
}

static void on_signal(uv_signal_t *sig, int signum)
{
	struct sim_server *s = sig->data;

	s->exit_signal = signum;
	/* Save first: whatever happens while closing, the board on disk is current. */
	mcu_save(s->mcu);
	sim_server_stop(s);
}

int sim_server_start(struct sim_server *s, uv_loop_t *loop, struct probe *probe, mcu_t *mcu,
                     int port, int *bound)
{
	struct sockaddr_in addr;
	struct sockaddr_storage name;
	int namelen = sizeof(name);
	int rc;

	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->probe = probe;
	s->mcu = mcu;
	stp_parser_init(&s->parser);

	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	uv_signal_init(loop, &s->sigint);
	s->sigint.data = s;
	uv_signal_init(loop, &s->sigterm);
	s->sigterm.data = s;

	rc = uv_ip4_addr("127.0.0.1", port, &addr);
	if (rc == 0)
		rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&s->listener, 4, on_connection);
	if (rc == 0)
		rc = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&name, &namelen);
	if (rc == 0) {
		*bound = ntohs(((struct sockaddr_in *)&name)->sin_port);
		uv_signal_start(&s->sigint, on_signal, SIGINT);
		uv_signal_start(&s->sigterm, on_signal, SIGTERM);
	} else {
		sim_server_stop(s);
	}
	return rc;
}

void sim_server_stop(struct sim_server *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	client_close(s);
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
	uv_close((uv_handle_t *)&s->timer, NULL);
	uv_close((uv_handle_t *)&s->sigint, NULL);
	uv_close((uv_handle_t *)&s->sigterm, NULL);
}
