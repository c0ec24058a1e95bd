/* runner.c - dfu-util as a child process; see runner.h. */
#include "dfu/runner.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <uv.h>

#include "core/childguard.h"
#include "core/file.h"

/* what the guard says when it cannot exec dfu-util (src/guard/guard.c) */
#define GUARD_CANNOT_RUN SWD_CHILDGUARD_PROGRAM ": cannot run "

/* How often dfu-util's output is read while it runs. It redraws its progress bar some
 * fifty times a transfer; reading each write as it comes wakes swdbackup as often, which
 * on a busy machine slowed a 128 KiB upload by 1-2 % (the pipe holds 64 KiB, far more than
 * dfu-util writes in this time). Its exit is noticed at once, and the rest read then. */
#define READ_TICK_MS 200u

struct run {
	uv_loop_t loop;
	uv_process_t proc;
	uv_pipe_t out;            /* dfu-util's stdout and stderr, one pipe */
	uv_timer_t timer;
	uv_timer_t tick;          /* reads the pipe every READ_TICK_MS while dfu-util runs */
	uv_timer_t wait;          /* the caller's on_wait, every wait_ms while it runs */
	struct dfulog_splitter split;
	const struct dfu_runner *r;
	struct dfu_result *res;
	bool exited, eof, reading, timed_out, download_done, oom;
};

int dfu_find(const char *exe, char **path, struct swd_error *err)
{
	const char *name = exe != NULL && *exe != '\0' ? exe : "dfu-util";

	*path = swd_file_which(name);
	if (*path != NULL)
		return 0;
	return swd_error_set(err, SWD_EDFUMISSING, "'%s' not found: install dfu-util "
	                     "(apt install dfu-util) or give --dfu-util PATH", name);
}

static void keep(struct run *run, const char *line)
{
	struct dfu_result *res = run->res;
	char **nl = realloc(res->lines, (res->nlines + 1) * sizeof(*nl));

	if (nl == NULL || (nl[res->nlines] = strdup(line)) == NULL) {
		run->oom = true;
		if (nl != NULL)
			res->lines = nl;
		return;
	}
	res->lines = nl;
	res->nlines++;
}

static bool is_failure(enum dfulog_kind k)
{
	return k >= DFULOG_NO_DEVICE && k != DFULOG_SUFFIX;
}

static void run_line(struct run *run, const char *line);

static void on_line(void *ud, const char *line)
{
	struct run *run = ud;

	keep(run, line);
	if (strncmp(line, GUARD_CANNOT_RUN, strlen(GUARD_CANNOT_RUN)) == 0) {
		if (run->res->cannot_run[0] == '\0')
			snprintf(run->res->cannot_run, sizeof(run->res->cannot_run), "%s",
			         line + strlen(SWD_CHILDGUARD_PROGRAM) + 2);
		return;
	}
	run_line(run, line);
}

/* What one line (or the part of one after a progress bar) says. */
static void run_line(struct run *run, const char *line)
{
	struct dfu_result *res = run->res;
	struct dfulog_line l;

	dfulog_classify(line, &l);
	switch (l.kind) {
	case DFULOG_PROGRESS:
		res->bytes = l.bytes;
		if (run->r->on_progress != NULL)
			run->r->on_progress(run->r->ud, l.phase, l.bytes, l.percent);
		if (l.rest > 0)
			run_line(run, line + l.rest);
		return;
	case DFULOG_DONE:
		if (strcmp(l.phase, "Download") == 0)
			run->download_done = true;
		return;
	case DFULOG_TOTAL:
		res->bytes = l.bytes;
		return;
	case DFULOG_LEAVE:
		run->download_done = true;
		return;
	case DFULOG_SUFFIX:
		res->suffix_warning = true;
		return;
	case DFULOG_STATE:
		res->state_error |= dfulog_state_failed(&l);
		return;
	case DFULOG_GET_STATUS:
		/* after a complete download with :leave, the device resets before it answers */
		if (run->download_done) {
			res->leave_quirk = true;
			return;
		}
		break;
	default:
		break;
	}
	if (is_failure(l.kind) && res->failure.kind == DFULOG_OTHER) {
		res->failure = l;
		snprintf(res->failure_line, sizeof(res->failure_line), "%s", line);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char slab[16384];

	(void)h;
	(void)suggested;
	*buf = uv_buf_init(slab, sizeof(slab));
}

static void stop_if_done(struct run *run)
{
	if (run->exited && run->eof)
		uv_timer_stop(&run->timer);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void start_reading(struct run *run)
{
	if (!run->reading && !run->eof)
		run->reading = uv_read_start((uv_stream_t *)&run->out, on_alloc, on_read) == 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct run *run = s->data;

	if (nread > 0) {
		dfulog_splitter_feed(&run->split, buf->base, (size_t)nread);
		/* what was there is read: the next tick (or the exit) reads on */
		if (!run->exited) {
			uv_read_stop(s);
			run->reading = false;
		}
		return;
	}
	if (nread == 0)
		return;
	dfulog_splitter_flush(&run->split);
	uv_read_stop(s);
	run->reading = false;
	run->eof = true;
	uv_timer_stop(&run->tick);
	stop_if_done(run);
}

static void on_tick(uv_timer_t *t)
{
	start_reading(t->data);
}

static void on_wait(uv_timer_t *t)
{
	struct run *run = t->data;

	run->r->on_wait(run->r->ud);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct run *run = p->data;

	run->res->exit_status = status;
	run->res->term_signal = sig;
	run->exited = true;
	uv_timer_stop(&run->tick);
	uv_timer_stop(&run->wait);
	start_reading(run);
	stop_if_done(run);
}

static void on_timeout(uv_timer_t *t)
{
	struct run *run = t->data;

	run->timed_out = true;
	if (!run->exited)
		uv_process_kill(&run->proc, SIGKILL);
}

static void on_closed(uv_handle_t *h)
{
	(void)h;
}

/* Spawns and runs the loop until the exit and the end of output. */
static int spawn_and_wait(struct run *run, const char *exe, const char *const *args,
                          struct swd_error *err)
{
	uv_process_options_t opt;
	uv_stdio_container_t stdio[3];
	uv_file fds[2];
	struct swd_childguard guard;
	int rc, stop = 0;

	/* dfu-util cannot outlive swdbackup: its death signal, through the guard */
	if ((rc = swd_childguard_init(&guard, exe, args, err)) < 0) {
		swd_childguard_release(&guard);
		return rc;
	}
	if ((rc = uv_pipe(fds, 0, 0)) < 0) {
		swd_childguard_release(&guard);
		return swd_error_set(err, SWD_EINTERNAL, "cannot make a pipe for dfu-util: %s",
		                     uv_strerror(rc));
	}
	memset(&opt, 0, sizeof(opt));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = stdio[2].flags = UV_INHERIT_FD;
	stdio[1].data.fd = stdio[2].data.fd = fds[1];
	opt.file = guard.file;
	opt.args = guard.argv;
	opt.stdio = stdio;
	opt.stdio_count = 3;
	opt.exit_cb = on_exit_cb;
	run->proc.data = run;
	rc = uv_spawn(&run->loop, &run->proc, &opt);
	/* The raw system call, as libuv closes its own descriptors: a close() that an
	 * LD_PRELOAD library wraps (umockdev's, under which the virtual USB bus runs us) must
	 * not keep the write end open, or the end of dfu-util's output never comes. */
	syscall(SYS_close, fds[1]);
	swd_childguard_release(&guard);
	uv_pipe_init(&run->loop, &run->out, 0);
	run->out.data = run;
	uv_pipe_open(&run->out, fds[0]);
	if (rc < 0) {
		uv_close((uv_handle_t *)&run->proc, on_closed);
		uv_close((uv_handle_t *)&run->out, on_closed);
		return swd_error_set(err, rc == UV_ENOENT ? SWD_EDFUMISSING : SWD_EDFUFAILED,
		                     "cannot start '%s': %s", exe, uv_strerror(rc));
	}
	if (run->r->timeout_ms > 0)
		uv_timer_start(&run->timer, on_timeout, run->r->timeout_ms, 0);
	uv_timer_start(&run->tick, on_tick, READ_TICK_MS, READ_TICK_MS);
	if (run->r->on_wait != NULL && run->r->wait_ms > 0)
		uv_timer_start(&run->wait, on_wait, run->r->wait_ms, run->r->wait_ms);
	/* what the caller does while dfu-util starts; a refusal stops it */
	if (run->r->on_started != NULL && (stop = run->r->on_started(run->r->ud, err)) != 0)
		uv_process_kill(&run->proc, SIGKILL);
	start_reading(run);
	while (!(run->exited && run->eof) && uv_run(&run->loop, UV_RUN_ONCE) != 0)
		;
	uv_close((uv_handle_t *)&run->proc, on_closed);
	uv_close((uv_handle_t *)&run->out, on_closed);
	if (stop != 0)
		return stop;
	if (run->timed_out)
		return swd_error_set(err, SWD_EDFUFAILED, "dfu-util did not finish within %u s; it "
		                     "was stopped", run->r->timeout_ms / 1000);
	return 0;
}

int dfu_run(const struct dfu_runner *r, const char *const *args, struct dfu_result *out,
            struct swd_error *err)
{
	struct run run;
	char *exe = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&run, 0, sizeof(run));
	run.r = r;
	run.res = out;
	if ((rc = dfu_find(r->exe, &exe, err)) < 0)
		return rc;
	if ((rc = uv_loop_init(&run.loop)) < 0) {
		free(exe);
		return swd_error_set(err, SWD_EINTERNAL, "cannot start an event loop: %s",
		                     uv_strerror(rc));
	}
	dfulog_splitter_init(&run.split, on_line, &run);
	uv_timer_init(&run.loop, &run.timer);
	run.timer.data = &run;
	uv_timer_init(&run.loop, &run.tick);
	run.tick.data = &run;
	uv_timer_init(&run.loop, &run.wait);
	run.wait.data = &run;
	rc = spawn_and_wait(&run, exe, args, err);
	uv_close((uv_handle_t *)&run.timer, on_closed);
	uv_close((uv_handle_t *)&run.tick, on_closed);
	uv_close((uv_handle_t *)&run.wait, on_closed);
	uv_run(&run.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&run.loop) != 0 && rc == 0)
		rc = swd_error_set(err, SWD_EINTERNAL, "dfu-util's event loop did not close");
	if (rc == 0 && run.oom)
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
	free(exe);
	return rc;
}

void dfu_result_release(struct dfu_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->nlines; i++)
		free(res->lines[i]);
	free(res->lines);
	free(res->devices);
	memset(res, 0, sizeof(*res));
}
