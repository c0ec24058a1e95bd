/* about.c - a short program's output read with libuv: 'openocd --version' for
 * 'swdbackup --version', 'swdbackup-sim --list-models' for --probe sim. */
#include "cli/about.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "core/childguard.h"

struct run {
	uv_process_t proc;
	uv_pipe_t out, err;
	uv_timer_t timer;
	char text[1024];   /* stdout and stderr together */
	size_t len;
	int64_t status;
};

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct run *r = h->data;

	(void)hint;
	*buf = uv_buf_init(r->text + r->len, (unsigned)(sizeof(r->text) - 1 - r->len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct run *r = s->data;

	(void)buf;
	if (n > 0)
		r->len += (size_t)n;
	if (n < 0 || r->len + 1 >= sizeof(r->text))
		uv_read_stop(s);
}

static void on_exit_(uv_process_t *p, int64_t status, int sig)
{
	struct run *r = p->data;

	(void)sig;
	r->status = status;
	uv_timer_stop(&r->timer);
	uv_close((uv_handle_t *)p, NULL);
}

static void on_timeout(uv_timer_t *t)
{
	struct run *r = t->data;

	uv_process_kill(&r->proc, SIGKILL);
}

int cli_capture(char *const args[], char *text, size_t len)
{
	struct run r;
	uv_loop_t loop;
	uv_stdio_container_t io[3];
	uv_process_options_t po;
	struct swd_childguard guard = { 0 };
	struct swd_error err = { 0 };
	int rc;

	memset(&r, 0, sizeof(r));
	/* Like every child, it dies with swdbackup (core/childguard.h). */
	if (swd_childguard_init(&guard, args[0], (const char *const *)args + 1, &err) != 0) {
		swd_childguard_release(&guard);
		return -1;
	}
	if (uv_loop_init(&loop) != 0) {
		swd_childguard_release(&guard);
		return -1;
	}
	uv_pipe_init(&loop, &r.out, 0);
	uv_pipe_init(&loop, &r.err, 0);
	uv_timer_init(&loop, &r.timer);
	r.out.data = r.err.data = r.timer.data = r.proc.data = &r;
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&r.out;
	io[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[2].data.stream = (uv_stream_t *)&r.err;
	memset(&po, 0, sizeof(po));
	po.file = guard.file;
	po.args = guard.argv;
	po.stdio = io;
	po.stdio_count = 3;
	po.exit_cb = on_exit_;
	rc = uv_spawn(&loop, &r.proc, &po);
	swd_childguard_release(&guard);
	if (rc == 0) {
		uv_read_start((uv_stream_t *)&r.out, on_alloc, on_read);
		uv_read_start((uv_stream_t *)&r.err, on_alloc, on_read);
		uv_timer_start(&r.timer, on_timeout, 5000, 0);
	} else {
		uv_close((uv_handle_t *)&r.proc, NULL);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&r.out, NULL);
	uv_close((uv_handle_t *)&r.err, NULL);
	uv_close((uv_handle_t *)&r.timer, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	/* 125-127: the guard (or setpriv) could not run it; what it printed is its own */
	if (rc != 0 || (r.status >= 125 && r.status <= 127))
		return -1;
	r.text[r.len] = '\0';
	snprintf(text, len, "%s", r.text);
	return 0;
}

int cli_openocd_version(const char *exe, char *out, size_t outlen)
{
	char *args[] = { (char *)exe, "--version", NULL };
	const char *banner = "Open On-Chip Debugger ";
	char text[1024];
	const char *v;

	out[0] = '\0';
	/* OpenOCD prints its banner on stderr */
	if (cli_capture(args, text, sizeof(text)) != 0 || (v = strstr(text, banner)) == NULL)
		return -1;
	v += strlen(banner);
	snprintf(out, outlen, "%.*s", (int)strcspn(v, " \r\n"), v);
	return out[0] ? 0 : -1;
}
