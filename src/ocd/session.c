/* session.c - the session's lifecycle (start, stop, free) and its one request/reply path,
 * run synchronously over a private uv loop. The operations are in target.c (memory,
 * identity, reset, option bytes, protection) and flash.c (read, verify, erase, program).
 *
 * Every command goes through `list [catch WORD swd_r] $swd_r` (rpc_catch), so success is
 * learned from OpenOCD's return code, not guessed from text. Log lines (stderr) carry
 * the error details; after a failed command the loop is drained once so the lines that
 * OpenOCD wrote before its reply are in the log when the failure is recorded. */
#include "ocd/session-priv.h"
#include "ocd/session-test.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "ocd/ocdlog.h"
#include "ocd/rpc.h"
#include "ocd/tcl.h"

#define DEFAULT_START_TIMEOUT_MS 30000
#define DEFAULT_COMMAND_TIMEOUT_MS 60000
#define STOP_EXIT_GRACE_MS 3000    /* from `shutdown` to the process exit */
#define STOP_TERM_GRACE_MS 2000    /* from SIGTERM to SIGKILL */

/* ---- small helpers ------------------------------------------------------------------- */

const char *const *ocd__log_lines(const struct ocd_session *s, size_t *n)
{
	if (!s->proc_started) {
		*n = 0;
		return NULL;
	}
	return ocdproc_lines(&s->proc, n);
}

/* Last line logged since `from` that starts with "Error: " (without the prefix), or NULL. */
static const char *last_error_line(const struct ocd_session *s, size_t from)
{
	size_t n;
	const char *const *l = ocd__log_lines(s, &n);

	return ocdlog_last_error(l, from, n);
}

const char *ocd__first_error_line(const struct ocd_session *s, size_t from)
{
	size_t n;
	const char *const *l = ocd__log_lines(s, &n);

	return ocdlog_first_error(l, from, n);
}

/* Records the failure details once (first error wins) and sets err. */
int ocd__fail(struct ocd_session *s, struct swd_error *err, int code, const char *command,
                int ocd_code, const char *ocd_text, const char *fmt, ...)
{
	char msg[SWD_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->fail.code == 0) {
		s->fail.code = code;
		s->fail_command = command ? strdup(command) : NULL;
		s->fail.command = s->fail_command;
		s->fail.ocd_code = ocd_code;
		s->fail_text = strdup(ocd_text ? ocd_text : "");
		s->fail.ocd_text = s->fail_text ? s->fail_text : "";
		s->fail.log_mark = s->log_mark;
	}
	return swd_error_set(err, code, "%s", msg);
}

void ocd__strip_trailing_space(char *t)
{
	size_t n = strlen(t);

	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		t[--n] = '\0';
}

/* ---- loop plumbing ------------------------------------------------------------------- */

static void on_timer(uv_timer_t *t)
{
	struct ocd_session *s = t->data;

	s->timer_fired = true;
}

void ocd__timer_arm(struct ocd_session *s, uint64_t ms)
{
	s->timer_fired = false;
	uv_timer_start(&s->timer, on_timer, ms, 0);
}

void ocd__timer_disarm(struct ocd_session *s)
{
	uv_timer_stop(&s->timer);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct ocd_session *s = h->data;

	(void)signum;
	s->signals_seen++;
	if (s->interrupted)
		*s->interrupted = 1;
	if (!s->fatal)
		s->fatal = SWD_EINTR;
	/* A second signal means "now": no polite shutdown. */
	if (s->signals_seen > 1 && s->proc_started)
		ocdproc_terminate(&s->proc, 0);
}

bool ocd__interrupted(struct ocd_session *s)
{
	if (s->interrupted && *s->interrupted && !s->fatal)
		s->fatal = SWD_EINTR;
	return s->fatal == SWD_EINTR;
}

static void on_line(struct ocdproc *p, void *ud, const char *line, bool is_stderr)
{
	struct ocd_session *s = ud;

	(void)p;
	(void)is_stderr;
	if (s->on_log)
		s->on_log(s->ud, line);
}

static void on_port(struct ocdproc *p, void *ud, uint16_t port)
{
	(void)p;
	(void)ud;
	(void)port;
}

static void on_exit_cb(struct ocdproc *p, void *ud, int64_t status, int term_signal)
{
	struct ocd_session *s = ud;

	(void)p;
	s->fail.exited = true;
	s->fail.exit_status = status;
	s->fail.term_signal = term_signal;
	if (!s->stopping && !s->fatal)
		s->fatal = SWD_EOCDDIED;
}

static void on_notify(struct rpc *r, void *ud, const char *text, size_t len)
{
	struct ocd_session *s = ud;
	static const char pre[] = "type target_state state ";

	(void)r;
	if (len > sizeof(pre) - 1 && memcmp(text, pre, sizeof(pre) - 1) == 0) {
		size_t n = len - (sizeof(pre) - 1);

		if (n >= sizeof(s->target_state))
			n = sizeof(s->target_state) - 1;
		memcpy(s->target_state, text + sizeof(pre) - 1, n);
		s->target_state[n] = '\0';
		ocd__strip_trailing_space(s->target_state);
	}
}

static void on_catch_result(struct rpc *r, void *ud, int status, int code, const char *text,
                            size_t len)
{
	struct waiter *w = ud;

	(void)r;
	if (w->abandoned) {
		free(w);
		return;
	}
	w->done = true;
	w->status = status;
	w->code = code;
	if (status == 0) {
		w->text = malloc(len + 1);
		if (w->text) {
			memcpy(w->text, text, len);
			w->text[len] = '\0';
			w->len = len;
		} else {
			w->status = SWD_ENOMEM;
		}
	}
}

static void on_raw_result(struct rpc *r, void *ud, int status, const char *text, size_t len)
{
	on_catch_result(r, ud, status, 0, text, len);
}

/* Describes how OpenOCD went away, for messages. */
static void exit_desc(struct ocd_session *s, char *buf, size_t n)
{
	if (s->fail.exited && s->fail.term_signal)
		snprintf(buf, n, "killed by signal %d", s->fail.term_signal);
	else if (s->fail.exited)
		snprintf(buf, n, "exit status %" PRId64, s->fail.exit_status);
	else
		snprintf(buf, n, "connection lost");
}

/* After the TCL link broke, waits briefly for the process exit so the failure can say
 * how it ended and every last log line is in. */
static void await_exit(struct ocd_session *s, uint64_t ms)
{
	if (!s->proc_started || s->proc.exited)
		return;
	ocd__timer_arm(s, ms);
	while (!s->proc.exited && !s->timer_fired)
		uv_run(&s->loop, UV_RUN_ONCE);
	ocd__timer_disarm(s);
}

/* Reports the sticky fatal state as an error. */
int ocd__fatal_error(struct ocd_session *s, const char *command, struct swd_error *err)
{
	char how[64];
	const char *why;

	switch (s->fatal) {
	case SWD_EINTR:
		return ocd__fail(s, err, SWD_EINTR, command, 0, NULL, "interrupted");
	case SWD_EOCDTIMEOUT:
		return ocd__fail(s, err, SWD_EOCDTIMEOUT, command, 0, NULL,
		            "openocd did not answer '%s' in time", command ? command : "");
	default:
		await_exit(s, 2000);
		if (s->fail.exited && s->fail.term_signal == SIGXFSZ)
			/* it was writing a file we asked for: a local write error, not a crash */
			return ocd__fail(s, err, SWD_EIO, command, 0, NULL,
			                 "openocd could not write its output: the file size limit (ulimit -f) "
			                 "was reached; raise it or write elsewhere");
		exit_desc(s, how, sizeof(how));
		why = last_error_line(s, s->log_mark);
		return ocd__fail(s, err, s->fatal, command, 0, NULL, "openocd exited unexpectedly (%s)%s%s%s%s%s",
		            how, command ? " during '" : "", command ? command : "", command ? "'" : "",
		            why ? ": " : "", why ? why : "");
	}
}

/* Sends cmd under catch; *w is new (NULL on failure) and goes to ocd__await_reply(). With
 * mark, the lines logged from now on are the step's (s->log_mark). */
int ocd__send_catch(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, bool mark,
                      struct waiter **w, struct swd_error *err)
{
	int rc;

	*w = NULL;
	if (ocd__interrupted(s) || s->fatal)
		return ocd__fatal_error(s, cmd, err);
	*w = calloc(1, sizeof(**w));
	if (!*w)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (mark)
		ocd__log_lines(s, &s->log_mark);
	rc = rpc_catch(&s->rpc, cmd, timeout_ms ? timeout_ms : s->command_timeout_ms,
	               on_catch_result, *w);
	if (rc) {
		free(*w);
		*w = NULL;
		if (rc == SWD_EOCDDIED && !s->fatal)
			s->fatal = SWD_EOCDDIED;
		if (s->fatal)
			return ocd__fatal_error(s, cmd, err);
		return swd_error_set(err, rc, "cannot send '%s' to openocd", cmd);
	}
	return 0;
}

/* Waits for the reply *wp stands for. Returns 0 when a reply arrived (whatever *code),
 * else the fatal error. *text is new (NULL on failure). *wp is freed and set to NULL, except
 * when the wait was given up (interrupt): the caller then still owns the pending waiter. */
int ocd__await_reply(struct ocd_session *s, struct waiter **wp, const char *cmd, int *code,
                       char **text, size_t *len, struct swd_error *err)
{
	struct waiter *w = *wp;
	int rc;

	*text = NULL;
	if (len)
		*len = 0;
	*code = 0;
	while (!w->done && !ocd__interrupted(s))
		uv_run(&s->loop, UV_RUN_ONCE);
	if (!w->done)
		return ocd__fatal_error(s, cmd, err);
	*wp = NULL;
	rc = w->status;
	if (rc) {
		free(w);
		if (rc == SWD_EOCDTIMEOUT || rc == SWD_EOCDDIED) {
			if (!s->fatal)
				s->fatal = rc;
			return ocd__fatal_error(s, cmd, err);
		}
		return ocd__fail(s, err, rc, cmd, 0, NULL, "unreadable reply from openocd to '%s'", cmd);
	}
	*code = w->code;
	*text = w->text;
	if (len)
		*len = w->len;
	free(w);
	if (*code != 0) {
		/* OpenOCD logs before it replies; the pipe may simply not have been read yet. */
		uv_run(&s->loop, UV_RUN_NOWAIT);
	}
	return 0;
}

/* Sends cmd under catch and waits. Returns 0 when a reply arrived (whatever *code), else
 * the fatal error. *text is new (NULL on failure). */
int ocd__run_catch(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, int *code,
                     char **text, size_t *len, struct swd_error *err)
{
	struct waiter *w;
	int rc;

	*text = NULL;
	if (len)
		*len = 0;
	*code = 0;
	rc = ocd__send_catch(s, cmd, timeout_ms, true, &w, err);
	if (rc)
		return rc;
	rc = ocd__await_reply(s, &w, cmd, code, text, len, err);
	if (w)
		w->abandoned = true; /* its callback frees it */
	return rc;
}

/* Maps a failed command to an error code, from OpenOCD's code and the log. */
int ocd__classify(struct ocd_session *s, int code, const char *text)
{
	size_t n;
	const char *const *l = ocd__log_lines(s, &n);
	size_t from = s->log_mark < n ? s->log_mark : n;

	return ocdlog_classify_failure(l + from, n - from, code, text);
}

/* Why a command failed, for its message: the first error line it logged, else its result,
 * else "no details". Returns buf. */
const char *ocd__failure_reason(struct ocd_session *s, const char *text, char *buf, size_t n)
{
	const char *why = ocd__first_error_line(s, s->log_mark);

	snprintf(buf, n, "%s", why ? why : text ? text : "");
	ocd__strip_trailing_space(buf);
	if (!*buf)
		snprintf(buf, n, "no details");
	return buf;
}

/* Runs cmd and requires success. *text (optional) is new: the command's result. */
int ocd__run_ok(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, char **text,
                  struct swd_error *err)
{
	int code, rc;
	char *t = NULL;

	if (text)
		*text = NULL;
	rc = ocd__run_catch(s, cmd, timeout_ms, &code, &t, NULL, err);
	if (rc)
		return rc;
	if (code != 0) {
		char why[SWD_ERROR_MSG_MAX];

		rc = ocd__fail(s, err, ocd__classify(s, code, t), cmd, code, t, "openocd command '%s' failed (%d): %s",
		          cmd, code, ocd__failure_reason(s, t, why, sizeof(why)));
		free(t);
		return rc;
	}
	if (text)
		*text = t;
	else
		free(t);
	return 0;
}

/* printf into a new string; NULL when out of memory. */
char *ocd__fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* ---- start / stop -------------------------------------------------------------------- */

static void parse_probe_info(struct ocd_session *s, struct ocdlog_probe *pi)
{
	size_t n;
	const char *const *l = ocd__log_lines(s, &n);

	ocdlog_probe_info(pi, l, n);
}

/* OpenOCD exited before listening: why, as far as its log says. */
static int classify_init_failure(struct ocd_session *s)
{
	size_t n;
	const char *const *l = ocd__log_lines(s, &n);

	return ocdlog_classify_init(l, n);
}

static void on_connect(struct rpc *r, void *ud, int status)
{
	struct ocd_session *s = ud;

	(void)r;
	s->rpc_connect_done = true;
	s->rpc_connect_status = status;
	s->rpc_connected = status == 0;
}

static int session_start(const struct ocd_session_config *cfg, struct ocd_session **out,
                         struct swd_error *err);

int ocd_session_start(const struct ocd_session_config *cfg, struct ocd_session **out,
                      struct ocdlog_probe *probe, struct swd_error *err)
{
	int rc;

	if (probe)
		memset(probe, 0, sizeof(*probe));
	rc = session_start(cfg, out, err);

	/* Also after a failed start: the voltage and probe lines help tell why. */
	if (probe && *out)
		parse_probe_info(*out, probe);
	return rc;
}

static int session_start(const struct ocd_session_config *cfg, struct ocd_session **out,
                         struct swd_error *err)
{
	struct ocd_session *s;
	struct ocdproc_callbacks cb = { on_line, on_port, on_exit_cb, NULL };
	int rc, code;
	char *t = NULL;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	*out = s;
	s->on_log = cfg->on_log;
	s->on_progress = cfg->on_progress;
	s->ud = cfg->ud;
	s->interrupted = cfg->interrupted;
	s->adapter_khz = cfg->proc.adapter_khz;
	s->start_timeout_ms = cfg->start_timeout_ms ? cfg->start_timeout_ms : DEFAULT_START_TIMEOUT_MS;
	s->command_timeout_ms = cfg->command_timeout_ms ? cfg->command_timeout_ms
	                                                : DEFAULT_COMMAND_TIMEOUT_MS;
	if (uv_loop_init(&s->loop))
		return swd_error_set(err, SWD_EINTERNAL, "cannot create an event loop");
	s->loop_ready = true;
	uv_timer_init(&s->loop, &s->timer);
	s->timer.data = s;
	s->timer_on = true;
	if (!cfg->no_signals) {
		static const int signums[2] = { SIGINT, SIGTERM };

		for (int i = 0; i < 2; i++) {
			uv_signal_init(&s->loop, &s->sig[i]);
			s->sig[i].data = s;
			uv_signal_start(&s->sig[i], on_signal, signums[i]);
		}
		s->signals_on = true;
	}
	if (ocd__interrupted(s))  /* a signal before we were started: do not spawn at all */
		return ocd__fail(s, err, SWD_EINTR, NULL, 0, NULL, "interrupted");
	cb.ud = s;
	rc = ocdproc_start(&s->proc, &s->loop, &cfg->proc, &cb, err);
	s->proc_started = true; /* even on failure: its handles (if any) must be closed */
	if (rc) {
		s->fail.code = rc;
		return rc;
	}
	ocd__log_lines(s, &s->log_mark);

	/* Wait for the TCL port, an exit, a signal or the start timeout. */
	ocd__timer_arm(s, s->start_timeout_ms);
	while (!s->proc.tcl_port && !s->proc.exited && !s->timer_fired && !ocd__interrupted(s))
		uv_run(&s->loop, UV_RUN_ONCE);
	ocd__timer_disarm(s);
	if (!s->proc.tcl_port) {
		if (ocd__interrupted(s))
			return ocd__fail(s, err, SWD_EINTR, NULL, 0, NULL, "interrupted");
		if (s->proc.exited) {
			const char *why = last_error_line(s, 0);
			char how[64];

			s->fatal = SWD_EOCDDIED;
			exit_desc(s, how, sizeof(how));
			/* killed by a signal: a death, whatever its log says so far */
			return ocd__fail(s, err, s->fail.term_signal ? SWD_EOCDDIED
			                                                : classify_init_failure(s),
			                 NULL, 0, NULL,
			            "openocd failed to start (%s): %s", how,
			            why ? why : "no error message; run with -v to see its log");
		}
		s->fatal = SWD_EOCDTIMEOUT;
		return ocd__fail(s, err, SWD_EOCDTIMEOUT, NULL, 0, NULL,
		            "openocd did not open its tcl port within %" PRIu64 " ms",
		            s->start_timeout_ms);
	}

	rpc_init(&s->rpc, &s->loop, on_notify, s);
	s->rpc_started = true;
	rc = rpc_connect(&s->rpc, s->proc.tcl_port, on_connect);
	if (rc)
		return ocd__fail(s, err, rc, NULL, 0, NULL, "%s", s->rpc.errmsg);
	ocd__timer_arm(s, s->start_timeout_ms);
	while (!s->rpc_connect_done && !s->timer_fired && !ocd__interrupted(s))
		uv_run(&s->loop, UV_RUN_ONCE);
	ocd__timer_disarm(s);
	if (!s->rpc_connected) {
		if (ocd__interrupted(s))
			return ocd__fail(s, err, SWD_EINTR, NULL, 0, NULL, "interrupted");
		s->fatal = s->fatal ? s->fatal : SWD_EOCDDIED;
		return ocd__fail(s, err, SWD_EOCDDIED, NULL, 0, NULL, "%s",
		            s->rpc.errmsg[0] ? s->rpc.errmsg : "cannot connect to openocd's tcl port");
	}
	/* Target state changes arrive as notifications: know whether the target runs. */
	rc = ocd__run_catch(s, "tcl_notifications on", 0, &code, &t, NULL, err);
	free(t);
	return rc;
}

static void on_rpc_closed(struct rpc *r, void *ud)
{
	struct ocd_session *s = ud;

	(void)r;
	s->rpc_closed = true;
}

static void on_proc_closed(struct ocdproc *p, void *ud)
{
	struct ocd_session *s = ud;

	(void)p;
	s->proc_closed = true;
}

static void close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

int ocd_session_stop(struct ocd_session *s, struct swd_error *err)
{
	bool asked = false;  /* `shutdown` was sent */
	int rc = 0;

	if (!s || s->stopped)
		return 0;
	s->stopping = true;

	/* An abandoned command (interrupt) may still be running in OpenOCD; give it a moment
	 * so the target can be resumed and OpenOCD asked to quit politely. */
	if (s->rpc_connected && !s->rpc.dead && rpc_pending(&s->rpc) > 0 && s->signals_seen < 2) {
		ocd__timer_arm(s, STOP_REPLY_GRACE_MS);
		while (rpc_pending(&s->rpc) > 0 && !s->timer_fired && !s->proc.exited &&
		       s->signals_seen < 2)
			uv_run(&s->loop, UV_RUN_ONCE);
		ocd__timer_disarm(s);
	}
	if (s->rpc_connected && !s->rpc.dead && rpc_pending(&s->rpc) == 0 &&
	    s->signals_seen < 2 && !s->proc.exited) {
		int saved = s->fatal;
		char *t = NULL;
		int code;

		/* The polite path runs even after an interrupt. */
		if (s->fatal == SWD_EINTR)
			s->fatal = 0;
		if (s->halted_by_us && !s->keep_halted) {
			/* Never leave the board halted by accident. */
			if (ocd__run_catch(s, "resume", 5000, &code, &t, NULL, err) == 0 && code == 0)
				s->halted_by_us = false;
			free(t);
			t = NULL;
		}
		if (!s->fatal) {
			struct waiter *w = calloc(1, sizeof(*w));

			if (w && rpc_send(&s->rpc, "shutdown", 5000, on_raw_result, w) == 0) {
				asked = true;
				while (!w->done && s->signals_seen < 2)
					uv_run(&s->loop, UV_RUN_ONCE);
				if (!w->done)
					w->abandoned = true;
				else {
					free(w->text);
					free(w);
				}
			} else {
				free(w);
			}
		}
		if (saved)
			s->fatal = saved;
	}
	if (s->rpc_started && !s->rpc.closing)
		rpc_close(&s->rpc, SWD_EOCDDIED, on_rpc_closed);
	if (s->proc_started && s->proc.running && asked) {
		ocd__timer_arm(s, STOP_EXIT_GRACE_MS);
		while (!s->proc.exited && !s->timer_fired && s->signals_seen < 2)
			uv_run(&s->loop, UV_RUN_ONCE);
		ocd__timer_disarm(s);
	}
	if (s->proc_started && s->proc.running) {
		/* Not asked politely (no usable TCL link) or did not listen: signals. */
		ocdproc_terminate(&s->proc, s->signals_seen < 2 ? STOP_TERM_GRACE_MS : 0);
		while (!s->proc.exited)
			uv_run(&s->loop, UV_RUN_ONCE);
	}
	if (s->proc_started)
		ocdproc_close(&s->proc, on_proc_closed);
	if (s->signals_on) {
		uv_close((uv_handle_t *)&s->sig[0], NULL);
		uv_close((uv_handle_t *)&s->sig[1], NULL);
		s->signals_on = false;
	}
	if (s->timer_on) {
		uv_close((uv_handle_t *)&s->timer, NULL);
		s->timer_on = false;
	}
	if (s->loop_ready) {
		uv_run(&s->loop, UV_RUN_DEFAULT);
		if (uv_loop_close(&s->loop) == UV_EBUSY) {
			/* Should not happen; close whatever is left rather than leak the loop. */
			uv_walk(&s->loop, close_walk, NULL);
			uv_run(&s->loop, UV_RUN_DEFAULT);
			uv_loop_close(&s->loop);
			rc = swd_error_set(err, SWD_EINTERNAL, "event loop handles left open");
		}
		s->loop_ready = false;
	}
	s->stopped = true;
	return rc;
}

void ocd_session_free(struct ocd_session *s)
{
	if (!s)
		return;
	ocd_session_stop(s, NULL);
	if (s->proc_started)
		ocdproc_release(&s->proc);
	free(s->fail_command);
	free(s->fail_text);
	free(s);
}

const struct ocd_failure *ocd_session_failure(const struct ocd_session *s)
{
	struct ocd_session *m = (struct ocd_session *)s;

	if (!s)
		return NULL;
	m->fail.log = ocd__log_lines(s, &m->fail.nlog);
	return &s->fail;
}

const char *const *ocd_session_log(const struct ocd_session *s, size_t *n)
{
	return ocd__log_lines(s, n);
}

int ocd_session_pid(const struct ocd_session *s)
{
	return s && s->proc_started && s->proc.running ? (int)s->proc.pid : 0;
}

