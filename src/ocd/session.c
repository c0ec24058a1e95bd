/* session.c - the OpenOCD command vocabulary, run synchronously over a private uv loop.
 *
 * Every command goes through `list [catch WORD swd_r] $swd_r` (rpc_catch), so success is
 * learned from OpenOCD's return code, not guessed from text. Log lines (stderr) carry
 * the error details; after a failed command the loop is drained once so the lines that
 * OpenOCD wrote before its reply are in the log when the failure is recorded. */
#include "ocd/session.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "ocd/rpc.h"
#include "ocd/tcl.h"

#define DEFAULT_START_TIMEOUT_MS 30000
#define DEFAULT_COMMAND_TIMEOUT_MS 60000
#define STOP_REPLY_GRACE_MS 5000   /* an interrupted command may finish before shutdown */
#define STOP_EXIT_GRACE_MS 3000    /* from `shutdown` to the process exit */
#define STOP_TERM_GRACE_MS 2000    /* from SIGTERM to SIGKILL */
#define READ_CHUNK_MIN 16384u
#define READ_CHUNKS_TARGET 32u     /* enough progress steps without costing round trips */
#define PROGRAM_CHUNK 16384u

/* A pending synchronous wait. Heap-allocated: if the caller gives up (interrupt), the
 * RPC callback still has somewhere to write and frees it. */
struct waiter {
	bool done;
	bool abandoned;
	int status;
	int code;
	char *text;
	size_t len;
};

struct ocd_session {
	uv_loop_t loop;
	bool loop_ready;
	struct ocdproc proc;
	bool proc_started;
	bool proc_closed;
	struct rpc rpc;
	bool rpc_started;
	bool rpc_closed;
	bool rpc_connected;
	int rpc_connect_status;
	bool rpc_connect_done;
	uv_signal_t sig[2];
	bool signals_on;
	uv_timer_t timer;
	bool timer_on;
	bool timer_fired;

	ocd_log_cb on_log;
	ocd_progress_cb on_progress;
	void *ud;
	volatile sig_atomic_t *interrupted;
	uint64_t start_timeout_ms;
	uint64_t command_timeout_ms;
	unsigned adapter_khz;  /* requested speed, restored after resets (0: config default) */

	int fatal;         /* sticky: SWD_EOCDDIED, SWD_EOCDTIMEOUT, SWD_EINTR */
	int signals_seen;
	bool stopping;
	bool stopped;
	bool halted_by_us;
	bool reset_halted; /* halted by our reset: no firmware has run since (see write_ready) */
	bool keep_halted;
	char target_state[24];

	char **argv;
	size_t argc;

	struct ocd_failure fail;
	char *fail_command;
	char *fail_text;
	size_t log_mark;   /* first log line of the step now running */
};

/* ---- small helpers ------------------------------------------------------------------- */

static const char *const *log_lines(const struct ocd_session *s, size_t *n)
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
	const char *const *l = log_lines(s, &n);
	const char *e;

	for (size_t i = n; i > from; i--)
		if ((e = strstr(l[i - 1], "Error: ")) != NULL && e[7])
			return e + 7;
	return NULL;
}

static const char *first_error_line(const struct ocd_session *s, size_t from)
{
	size_t n;
	const char *const *l = log_lines(s, &n);
	const char *e;

	for (size_t i = from; i < n; i++)
		if ((e = strstr(l[i], "Error: ")) != NULL && e[7])
			return e + 7;
	return NULL;
}

static bool log_has(const struct ocd_session *s, size_t from, const char *needle)
{
	size_t n;
	const char *const *l = log_lines(s, &n);

	for (size_t i = from; i < n; i++)
		if (strstr(l[i], needle))
			return true;
	return false;
}

/* Records the failure details once (first error wins) and sets err. */
static int fail(struct ocd_session *s, struct swd_error *err, int code, const char *command,
                int ocd_code, const char *ocd_text, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int fail(struct ocd_session *s, struct swd_error *err, int code, const char *command,
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

static void strip_trailing_space(char *t)
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

static void timer_arm(struct ocd_session *s, uint64_t ms)
{
	s->timer_fired = false;
	uv_timer_start(&s->timer, on_timer, ms, 0);
}

static void timer_disarm(struct ocd_session *s)
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

static bool interrupted(struct ocd_session *s)
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
		strip_trailing_space(s->target_state);
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
	timer_arm(s, ms);
	while (!s->proc.exited && !s->timer_fired)
		uv_run(&s->loop, UV_RUN_ONCE);
	timer_disarm(s);
}

/* Reports the sticky fatal state as an error. */
static int fatal_error(struct ocd_session *s, const char *command, struct swd_error *err)
{
	char how[64];
	const char *why;

	switch (s->fatal) {
	case SWD_EINTR:
		return fail(s, err, SWD_EINTR, command, 0, NULL, "interrupted");
	case SWD_EOCDTIMEOUT:
		return fail(s, err, SWD_EOCDTIMEOUT, command, 0, NULL,
		            "openocd did not answer '%s' in time", command ? command : "");
	default:
		await_exit(s, 2000);
		if (s->fail.exited && s->fail.term_signal == SIGXFSZ)
			/* it was writing a file we asked for: a local write error, not a crash */
			return fail(s, err, SWD_EIO, command, 0, NULL,
			            "openocd could not write its output: the file size limit (ulimit -f) "
			            "was reached; raise it or write elsewhere");
		exit_desc(s, how, sizeof(how));
		why = last_error_line(s, s->log_mark);
		return fail(s, err, s->fatal, command, 0, NULL, "openocd exited unexpectedly (%s)%s%s%s%s%s",
		            how, command ? " during '" : "", command ? command : "", command ? "'" : "",
		            why ? ": " : "", why ? why : "");
	}
}

/* Sends cmd under catch and waits. Returns 0 when a reply arrived (whatever *code), else
 * the fatal error. *text is new (NULL on failure). */
static int run_catch(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, int *code,
                     char **text, size_t *len, struct swd_error *err)
{
	struct waiter *w;
	int rc;

	*text = NULL;
	if (len)
		*len = 0;
	*code = 0;
	if (interrupted(s) || s->fatal)
		return fatal_error(s, cmd, err);
	w = calloc(1, sizeof(*w));
	if (!w)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	{
		size_t n;

		log_lines(s, &n);
		s->log_mark = n;
	}
	rc = rpc_catch(&s->rpc, cmd, timeout_ms ? timeout_ms : s->command_timeout_ms,
	               on_catch_result, w);
	if (rc) {
		free(w);
		if (rc == SWD_EOCDDIED && !s->fatal)
			s->fatal = SWD_EOCDDIED;
		if (s->fatal)
			return fatal_error(s, cmd, err);
		return swd_error_set(err, rc, "cannot send '%s' to openocd", cmd);
	}
	while (!w->done && !interrupted(s))
		uv_run(&s->loop, UV_RUN_ONCE);
	if (!w->done) {
		w->abandoned = true;
		return fatal_error(s, cmd, err);
	}
	rc = w->status;
	if (rc) {
		free(w);
		if (rc == SWD_EOCDTIMEOUT || rc == SWD_EOCDDIED) {
			if (!s->fatal)
				s->fatal = rc;
			return fatal_error(s, cmd, err);
		}
		return fail(s, err, rc, cmd, 0, NULL, "unreadable reply from openocd to '%s'", cmd);
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

/* Maps a failed command to an error code, from OpenOCD's code and the log. */
static int classify(struct ocd_session *s, int code, const char *text)
{
	if (code == -909 || log_has(s, s->log_mark, "device protected") ||
	    log_has(s, s->log_mark, "write protected") || strstr(text, "protected"))
		return SWD_EPROTECTED;
	if (log_has(s, s->log_mark, "timed out while waiting for target halted") ||
	    log_has(s, s->log_mark, "Not examined") || strstr(text, "Not examined") ||
	    log_has(s, s->log_mark, "communication failure") ||
	    log_has(s, s->log_mark, "failed to receive USB CMD") ||
	    log_has(s, s->log_mark, "failed to send USB CMD"))
		return SWD_ETARGETNORESP;
	return SWD_ETARGETFAILED;
}

/* Runs cmd and requires success. *text (optional) is new: the command's result. */
static int run_ok(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, char **text,
                  struct swd_error *err)
{
	int code, rc;
	char *t = NULL;

	if (text)
		*text = NULL;
	rc = run_catch(s, cmd, timeout_ms, &code, &t, NULL, err);
	if (rc)
		return rc;
	if (code != 0) {
		const char *why = first_error_line(s, s->log_mark);
		char shown[256];

		snprintf(shown, sizeof(shown), "%s", t);
		strip_trailing_space(shown);
		rc = fail(s, err, classify(s, code, t), cmd, code, t,
		          "openocd command '%s' failed (%d): %s", cmd, code,
		          why ? why : *shown ? shown : "no details");
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
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
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

static void parse_probe_info(struct ocd_session *s, struct ocd_probe_info *pi)
{
	size_t n;
	const char *const *l = log_lines(s, &n);

	memset(pi, 0, sizeof(*pi));
	for (size_t i = 0; i < n; i++) {
		const char *p;
		unsigned a, b;

		if ((p = strstr(l[i], "Open On-Chip Debugger ")) != NULL)
			sscanf(p + 22, "%63s", pi->openocd_version);
		if ((p = strstr(l[i], "STLINK ")) != NULL && strstr(p, "VID:PID")) {
			char fw[32];

			if (sscanf(p, "STLINK %31s (API v%u) VID:PID %x:%x", fw, &pi->api_version, &a,
			           &b) == 4) {
				snprintf(pi->firmware, sizeof(pi->firmware), "%s", fw);
				snprintf(pi->adapter, sizeof(pi->adapter), "stlink");
				pi->vid = (uint16_t)a;
				pi->pid = (uint16_t)b;
			}
		}
		if ((p = strstr(l[i], "Target voltage: ")) != NULL &&
		    sscanf(p + 16, "%lf", &pi->target_voltage) == 1)
			pi->has_voltage = true;
		if ((p = strstr(l[i], "stlink-server API v")) != NULL &&
		    (p = strstr(p, "version ")) != NULL)
			sscanf(p + 8, "%31s", pi->server_version);
		if ((p = strstr(l[i], "clock speed ")) != NULL)
			sscanf(p + 12, "%u", &pi->adapter_khz);
		if ((p = strstr(l[i], ", using ")) != NULL && strstr(p, " kHz"))
			sscanf(p + 8, "%u", &pi->adapter_khz);
		if ((p = strstr(l[i], "] Cortex-")) != NULL && strstr(p, "processor detected")) {
			const char *e = strstr(p, " processor detected");
			size_t len = (size_t)(e - (p + 2));

			if (len >= sizeof(pi->cpu))
				len = sizeof(pi->cpu) - 1;
			memcpy(pi->cpu, p + 2, len);
			pi->cpu[len] = '\0';
		}
	}
}

/* OpenOCD exited before listening: why, as far as its log says. */
static int classify_init_failure(struct ocd_session *s)
{
	static const struct {
		const char *needle;
		int code;
	} rules[] = {
		/* Target first: a probe that connected logs its own lines too. */
		{ "UNEXPECTED idcode", SWD_EWRONGTARGET },
		{ "init mode failed", SWD_ETARGETNORESP },
		{ "unable to connect to the target", SWD_ETARGETNORESP },
		{ "voltage may be too low", SWD_ETARGETNORESP },
		{ "already used", SWD_EPROBEBUSY },
		{ "LIBUSB_ERROR_BUSY", SWD_EPROBEBUSY },
		{ "LIBUSB_ERROR_ACCESS", SWD_EPROBEPERM },
		{ "no ST-LINK detected", SWD_EPROBENOTFOUND },
		{ "open failed", SWD_EPROBENOTFOUND },
		{ "cannot connect to stlink server", SWD_EPROBENOTFOUND },
		{ "cannot get the stlink-server version", SWD_EPROBENOTFOUND },
		{ "No J-Link device found", SWD_EPROBENOTFOUND },
		{ "unable to find a matching CMSIS-DAP device", SWD_EPROBENOTFOUND },
		{ "examination failed", SWD_ETARGETNORESP },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (log_has(s, 0, rules[i].needle))
			return rules[i].code;
	return SWD_EOCDDIED;
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
                      struct ocd_probe_info *probe, struct swd_error *err)
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
	rc = ocdproc_build_argv(&cfg->proc, &s->argv, &s->argc, err);
	if (rc)
		return rc;
	if (interrupted(s))  /* a signal before we were started: do not spawn at all */
		return fail(s, err, SWD_EINTR, NULL, 0, NULL, "interrupted");
	cb.ud = s;
	rc = ocdproc_start(&s->proc, &s->loop, &cfg->proc, &cb, err);
	s->proc_started = true; /* even on failure: its handles (if any) must be closed */
	if (rc) {
		s->fail.code = rc;
		return rc;
	}
	log_lines(s, &s->log_mark);

	/* Wait for the TCL port, an exit, a signal or the start timeout. */
	timer_arm(s, s->start_timeout_ms);
	while (!s->proc.tcl_port && !s->proc.exited && !s->timer_fired && !interrupted(s))
		uv_run(&s->loop, UV_RUN_ONCE);
	timer_disarm(s);
	if (!s->proc.tcl_port) {
		if (interrupted(s))
			return fail(s, err, SWD_EINTR, NULL, 0, NULL, "interrupted");
		if (s->proc.exited) {
			const char *why = last_error_line(s, 0);
			char how[64];

			s->fatal = SWD_EOCDDIED;
			exit_desc(s, how, sizeof(how));
			return fail(s, err, classify_init_failure(s), NULL, 0, NULL,
			            "openocd failed to start (%s): %s", how,
			            why ? why : "no error message; run with -v to see its log");
		}
		s->fatal = SWD_EOCDTIMEOUT;
		return fail(s, err, SWD_EOCDTIMEOUT, NULL, 0, NULL,
		            "openocd did not open its tcl port within %" PRIu64 " ms",
		            s->start_timeout_ms);
	}

	rpc_init(&s->rpc, &s->loop, on_notify, s);
	s->rpc_started = true;
	rc = rpc_connect(&s->rpc, s->proc.tcl_port, on_connect);
	if (rc)
		return fail(s, err, rc, NULL, 0, NULL, "%s", s->rpc.errmsg);
	timer_arm(s, s->start_timeout_ms);
	while (!s->rpc_connect_done && !s->timer_fired && !interrupted(s))
		uv_run(&s->loop, UV_RUN_ONCE);
	timer_disarm(s);
	if (!s->rpc_connected) {
		if (interrupted(s))
			return fail(s, err, SWD_EINTR, NULL, 0, NULL, "interrupted");
		s->fatal = s->fatal ? s->fatal : SWD_EOCDDIED;
		return fail(s, err, SWD_EOCDDIED, NULL, 0, NULL, "%s",
		            s->rpc.errmsg[0] ? s->rpc.errmsg : "cannot connect to openocd's tcl port");
	}
	/* Target state changes arrive as notifications: know whether the target runs. */
	rc = run_catch(s, "tcl_notifications on", 0, &code, &t, NULL, err);
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
		timer_arm(s, STOP_REPLY_GRACE_MS);
		while (rpc_pending(&s->rpc) > 0 && !s->timer_fired && !s->proc.exited &&
		       s->signals_seen < 2)
			uv_run(&s->loop, UV_RUN_ONCE);
		timer_disarm(s);
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
			if (run_catch(s, "resume", 5000, &code, &t, NULL, err) == 0 && code == 0)
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
		timer_arm(s, STOP_EXIT_GRACE_MS);
		while (!s->proc.exited && !s->timer_fired && s->signals_seen < 2)
			uv_run(&s->loop, UV_RUN_ONCE);
		timer_disarm(s);
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
	ocdproc_argv_free(s->argv);
	free(s->fail_command);
	free(s->fail_text);
	free(s);
}

const struct ocd_failure *ocd_session_failure(const struct ocd_session *s)
{
	struct ocd_session *m = (struct ocd_session *)s;

	if (!s)
		return NULL;
	m->fail.log = log_lines(s, &m->fail.nlog);
	return &s->fail;
}

const char *const *ocd_session_log(const struct ocd_session *s, size_t *n)
{
	return log_lines(s, n);
}

int ocd_session_pid(const struct ocd_session *s)
{
	return s && s->proc_started && s->proc.running ? (int)s->proc.pid : 0;
}

const char *const *ocd_session_argv(const struct ocd_session *s, size_t *n)
{
	*n = s->argc;
	return (const char *const *)s->argv;
}

/* ---- operations ---------------------------------------------------------------------- */

/* Parses a list of numbers ("0x20005000 0x8000101") into vals (max n). Returns the count
 * or a negative error. */
static int parse_numbers(const char *text, uint64_t *vals, size_t n)
{
	struct tcl_list l;
	int rc = tcl_list_parse(text, strlen(text), &l);
	size_t i;

	if (rc)
		return rc;
	for (i = 0; i < l.n && i < n; i++) {
		char *end;

		errno = 0;
		vals[i] = strtoull(l.items[i], &end, 0);
		if (errno || *end || end == l.items[i]) {
			tcl_list_release(&l);
			return SWD_EOCDPROTO;
		}
	}
	rc = (int)l.n;
	tcl_list_release(&l);
	return rc;
}

int ocd_read_memory(struct ocd_session *s, uint32_t address, unsigned width, size_t count,
                    void *buf, struct swd_error *err)
{
	char *cmd = NULL, *text = NULL;
	uint64_t *vals = NULL;
	uint8_t *out = buf;
	int rc, got;

	if ((width != 8 && width != 16 && width != 32) || count == 0 || count > 65536)
		return swd_error_set(err, SWD_EINTERNAL, "bad read_memory request (width %u, count %zu)",
		                     width, count);
	cmd = fmt("read_memory 0x%08" PRIx32 " %u %zu", address, width, count);
	vals = calloc(count, sizeof(*vals));
	if (!cmd || !vals) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	rc = run_ok(s, cmd, 0, &text, err);
	if (rc)
		goto out;
	got = parse_numbers(text, vals, count);
	if (got != (int)count) {
		rc = fail(s, err, SWD_EOCDPROTO, cmd, 0, text,
		          "unexpected reply to '%s': '%.80s'", cmd, text);
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		for (unsigned b = 0; b < width / 8; b++)
			*out++ = (uint8_t)(vals[i] >> (8 * b));
out:
	free(cmd);
	free(text);
	free(vals);
	return rc;
}

int ocd_write_memory(struct ocd_session *s, uint32_t address, unsigned width, size_t count,
                     const void *buf, struct swd_error *err)
{
	const uint8_t *in = buf;
	char *list = NULL, *cmd = NULL;
	size_t cap, n = 0;
	int rc;

	if ((width != 8 && width != 16 && width != 32) || count == 0 || count > 65536)
		return swd_error_set(err, SWD_EINTERNAL, "bad write_memory request");
	cap = count * 12 + 4;
	list = malloc(cap);
	if (!list)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		uint32_t v = 0;

		for (unsigned b = 0; b < width / 8; b++)
			v |= (uint32_t)*in++ << (8 * b);
		n += (size_t)snprintf(list + n, cap - n, "%s0x%" PRIx32, i ? " " : "", v);
	}
	cmd = fmt("write_memory 0x%08" PRIx32 " %u {%s}", address, width, list);
	free(list);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = run_ok(s, cmd, 0, NULL, err);
	free(cmd);
	return rc;
}

int ocd_identify(struct ocd_session *s, const struct ocd_identity_regs *regs,
                 struct ocd_identity *out, struct swd_error *err)
{
	char *cmd, *text = NULL;
	struct tcl_list l = { 0 };
	uint64_t v[3];
	int rc;

	memset(out, 0, sizeof(*out));
	/* One round trip for the four reads. */
	cmd = fmt("list [read_memory 0xE000ED00 32 1] [read_memory 0x%08" PRIx32 " 32 1]"
	          " [read_memory 0x%08" PRIx32 " 16 1] [read_memory 0x%08" PRIx32 " 32 3]",
	          regs->dbgmcu_idcode, regs->flash_size, regs->unique_id);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = run_ok(s, cmd, 0, &text, err);
	if (rc)
		goto out;
	rc = tcl_list_parse(text, strlen(text), &l);
	if (rc || l.n != 4 || parse_numbers(l.items[0], v, 1) != 1) {
		rc = fail(s, err, SWD_EOCDPROTO, cmd, 0, text, "unexpected identity reply '%.80s'", text);
		goto out;
	}
	out->cpuid = (uint32_t)v[0];
	if (parse_numbers(l.items[1], v, 1) != 1)
		goto bad;
	out->dbgmcu_idcode = (uint32_t)v[0];
	if (parse_numbers(l.items[2], v, 1) != 1)
		goto bad;
	out->flash_size_kib = (uint16_t)v[0];
	if (parse_numbers(l.items[3], v, 3) != 3)
		goto bad;
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			out->uid[i * 4 + b] = (uint8_t)(v[i] >> (8 * b));
	rc = 0;
	goto out;
bad:
	rc = fail(s, err, SWD_EOCDPROTO, cmd, 0, text, "unexpected identity reply '%.80s'", text);
out:
	tcl_list_release(&l);
	free(cmd);
	free(text);
	return rc;
}

int ocd_reset(struct ocd_session *s, enum ocd_reset_mode mode, struct swd_error *err)
{
	static const char *const cmds[] = { "reset run", "reset halt", "reset init" };
	int rc = run_ok(s, cmds[mode], 0, NULL, err);

	if (rc == 0)
		s->halted_by_us = s->reset_halted = mode != OCD_RESET_RUN;
	if (rc == 0 && s->adapter_khz) {
		/* The stock F2/F4 configs set their own speed in reset-start (2000 kHz) and
		 * reset-init (8000 kHz) handlers; put back the speed that was asked for. */
		char cmd[48];

		snprintf(cmd, sizeof(cmd), "adapter speed %u", s->adapter_khz);
		rc = run_ok(s, cmd, 0, NULL, err);
	}
	return rc;
}

int ocd_halt(struct ocd_session *s, struct swd_error *err)
{
	int rc = run_ok(s, "halt", 0, NULL, err);

	if (rc == 0)
		s->halted_by_us = true;
	s->reset_halted = false;
	return rc;
}

int ocd_resume(struct ocd_session *s, struct swd_error *err)
{
	int rc = run_ok(s, "resume", 0, NULL, err);

	if (rc == 0)
		s->halted_by_us = false;
	s->reset_halted = false;
	return rc;
}

const char *ocd_target_state(const struct ocd_session *s)
{
	return s->target_state;
}

void ocd_keep_halted(struct ocd_session *s)
{
	s->keep_halted = true;
}

static void progress(struct ocd_session *s, const char *what, uint64_t done, uint64_t total)
{
	if (s->on_progress)
		s->on_progress(s->ud, what, done, total);
}

/* Generous per-byte allowance on top of the command timeout: a slow probe reads a few
 * KiB/s at worst. */
static uint64_t bytes_timeout(struct ocd_session *s, uint64_t bytes)
{
	return s->command_timeout_ms + bytes / 4;
}

/* Appends the file at src to fd and checks it had exactly want bytes. */
static int append_file(int fd, const char *src, uint32_t want, struct swd_error *err)
{
	char buf[65536];
	uint64_t total = 0;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (in < 0)
		return swd_error_set(err, SWD_EIO, "cannot open '%s': %s", src, strerror(errno));
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", src, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = swd_error_set(err, SWD_EIO, "cannot write the image read from the target: %s",
				                   swd_errno_text(errno));
				goto out;
			}
			off += w;
		}
		total += (uint64_t)n;
	}
	if (rc == 0 && total != want)
		rc = swd_error_set(err, SWD_EIO, "'%s' holds %" PRIu64 " bytes, expected %" PRIu32,
		                   src, total, want);
out:
	close(in);
	return rc;
}

int ocd_read_flash(struct ocd_session *s, unsigned bank, uint32_t offset, uint32_t len,
                   const char *path, struct swd_error *err)
{
	/* Two scratch files so chunk i+1 is being read by OpenOCD while we copy chunk i;
	 * OpenOCD answers in order, so at most two requests are ever in flight. */
	char *tmp[2] = { NULL, NULL }, *qtmp[2] = { NULL, NULL };
	struct waiter *w[2] = { NULL, NULL };
	char *cmds[2] = { NULL, NULL };
	uint32_t chunk, nchunks, sent = 0, done_chunks = 0;
	int fd = -1, rc = 0;

	if (len == 0)
		return swd_error_set(err, SWD_EINTERNAL, "nothing to read");
	chunk = len / READ_CHUNKS_TARGET;
	if (chunk < READ_CHUNK_MIN)
		chunk = READ_CHUNK_MIN;
	chunk = (chunk + 4095) & ~4095u;
	nchunks = (len + chunk - 1) / chunk;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(s, err, SWD_EIO, NULL, 0, NULL, "cannot create '%s': %s", path,
		            strerror(errno));
	for (int i = 0; i < 2; i++) {
		tmp[i] = fmt("%s.chunk%d", path, i);
		qtmp[i] = tmp[i] ? tcl_quote_str(tmp[i]) : NULL;
		if (!qtmp[i]) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
	}
	progress(s, "reading flash", 0, len);
	while (done_chunks < nchunks) {
		/* Keep two requests in flight. */
		while (sent < nchunks && sent < done_chunks + 2) {
			int slot = (int)(sent % 2);
			uint32_t off = sent * chunk, n = len - off < chunk ? len - off : chunk;

			if (interrupted(s) || s->fatal) {
				rc = fatal_error(s, "flash read_bank", err);
				goto out;
			}
			free(cmds[slot]);
			cmds[slot] = fmt("flash read_bank %u %s 0x%" PRIx32 " 0x%" PRIx32, bank,
			                 qtmp[slot], offset + off, n);
			w[slot] = calloc(1, sizeof(*w[slot]));
			if (!cmds[slot] || !w[slot]) {
				rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
				goto out;
			}
			if (sent == done_chunks) {
				size_t nl;

				log_lines(s, &nl);
				s->log_mark = nl;
			}
			rc = rpc_catch(&s->rpc, cmds[slot], bytes_timeout(s, n), on_catch_result, w[slot]);
			if (rc) {
				free(w[slot]);
				w[slot] = NULL;
				if (!s->fatal)
					s->fatal = SWD_EOCDDIED;
				rc = fatal_error(s, cmds[slot], err);
				goto out;
			}
			sent++;
		}
		{
			int slot = (int)(done_chunks % 2);
			uint32_t off = done_chunks * chunk, n = len - off < chunk ? len - off : chunk;
			struct waiter *cw = w[slot];

			while (!cw->done && !interrupted(s))
				uv_run(&s->loop, UV_RUN_ONCE);
			if (!cw->done) {
				rc = fatal_error(s, cmds[slot], err);
				goto out;
			}
			if (cw->status) {
				if (cw->status == SWD_EOCDTIMEOUT || cw->status == SWD_EOCDDIED) {
					if (!s->fatal)
						s->fatal = cw->status;
					rc = fatal_error(s, cmds[slot], err);
				} else {
					rc = fail(s, err, cw->status, cmds[slot], 0, NULL,
					          "unreadable reply from openocd");
				}
				goto out;
			}
			if (cw->code != 0) {
				const char *why;
				char shown[256];

				uv_run(&s->loop, UV_RUN_NOWAIT);
				why = first_error_line(s, s->log_mark);
				snprintf(shown, sizeof(shown), "%s", cw->text ? cw->text : "");
				strip_trailing_space(shown);
				rc = fail(s, err, classify(s, cw->code, cw->text ? cw->text : ""), cmds[slot],
				          cw->code, cw->text, "reading flash at offset 0x%08" PRIx32
				          " failed (%d): %s", offset + off, cw->code,
				          why ? why : *shown ? shown : "no details");
				goto out;
			}
			rc = append_file(fd, tmp[slot], n, err);
			if (rc) {
				fail(s, NULL, rc, NULL, 0, NULL, "local i/o error");
				goto out;
			}
			free(cw->text);
			free(cw);
			w[slot] = NULL;
			done_chunks++;
			{
				size_t nl;

				log_lines(s, &nl);
				s->log_mark = nl;
			}
			progress(s, "reading flash", (uint64_t)off + n, len);
		}
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		rc = fail(s, err, SWD_EIO, NULL, 0, NULL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
out:
	/* After an interrupt OpenOCD may still be writing a scratch file: let those reads
	 * finish (briefly; a second signal stops waiting) so none is left behind. */
	if ((w[0] && !w[0]->done) || (w[1] && !w[1]->done)) {
		timer_arm(s, STOP_REPLY_GRACE_MS);
		while (((w[0] && !w[0]->done) || (w[1] && !w[1]->done)) && !s->timer_fired &&
		       !s->rpc.dead && s->signals_seen < 2)
			uv_run(&s->loop, UV_RUN_ONCE);
		timer_disarm(s);
	}
	for (int i = 0; i < 2; i++) {
		if (w[i]) {
			if (w[i]->done) {
				free(w[i]->text);
				free(w[i]);
			} else {
				w[i]->abandoned = true;
			}
		}
		free(cmds[i]);
		if (tmp[i])
			unlink(tmp[i]);
		free(tmp[i]);
		free(qtmp[i]);
	}
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = fail(s, err, SWD_EIO, NULL, 0, NULL, "cannot write '%s': %s", path, strerror(errno));
	return rc;
}

/* Reads "verified N bytes", "contents match/differ" and "diff K address 0x..." lines. */
static void parse_verify_text(const char *text, struct ocd_verify_result *r)
{
	const char *p;

	if ((p = strstr(text, "verified ")) != NULL)
		r->bytes = strtoull(p + 9, NULL, 10);
	else if ((p = strstr(text, "read ")) != NULL && strstr(p, " bytes from file"))
		r->bytes = strtoull(p + 5, NULL, 10);
	for (p = text; (p = strstr(p, "diff ")) != NULL; p += 5) {
		const char *a = strstr(p, " address 0x");

		if (!a)
			break;
		if (!r->has_first_diff) {
			r->has_first_diff = true;
			r->first_diff_address = (uint32_t)strtoul(a + 11, NULL, 16);
		}
		r->ndiff_lines++;
	}
}

static int verify_common(struct ocd_session *s, const char *cmd, uint64_t bytes,
                         struct ocd_verify_result *out, struct swd_error *err)
{
	struct ocd_verify_result r = { 0 };
	char *text = NULL;
	int code, rc;

	rc = run_catch(s, cmd, bytes_timeout(s, bytes), &code, &text, NULL, err);
	if (rc)
		goto out;
	parse_verify_text(text, &r);
	if (code == 0 && !strstr(text, "contents differ")) {
		r.match = true;
	} else if (r.has_first_diff || strstr(text, "contents differ")) {
		rc = fail(s, err, SWD_EVERIFY, cmd, code, text,
		          "device differs from the image, first at 0x%08" PRIx32, r.first_diff_address);
	} else {
		const char *why = first_error_line(s, s->log_mark);

		rc = fail(s, err, classify(s, code, text), cmd, code, text,
		          "openocd command '%s' failed (%d): %s", cmd, code, why ? why : "no details");
	}
out:
	free(text);
	if (out)
		*out = r;
	return rc;
}

static int file_size(const char *path, uint64_t *size, struct swd_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
		                     strerror(errno));
	*size = (uint64_t)st.st_size;
	return 0;
}

/* `VERB PATH TAIL` with PATH quoted; "verifying" progress when `report`. */
static int verify_file(struct ocd_session *s, const char *verb, const char *path, const char *tail,
                       bool report, struct ocd_verify_result *out, struct swd_error *err)
{
	char *q = NULL, *cmd = NULL;
	uint64_t size = 0;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	rc = file_size(path, &size, err);
	if (rc)
		return rc;
	q = tcl_quote_str(path);
	cmd = q ? fmt("%s %s %s", verb, q, tail) : NULL;
	if (!cmd) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (report)
		progress(s, "verifying", 0, size);
	rc = verify_common(s, cmd, size, out, err);
	if (rc == 0 && report)
		progress(s, "verifying", size, size);
out:
	free(q);
	free(cmd);
	return rc;
}

int ocd_verify_image(struct ocd_session *s, const char *path, uint32_t address,
                     struct ocd_verify_result *out, struct swd_error *err)
{
	char tail[32];

	snprintf(tail, sizeof(tail), "0x%08" PRIx32 " bin", address);
	return verify_file(s, "verify_image", path, tail, true, out, err);
}

int ocd_verify_bank(struct ocd_session *s, unsigned bank, const char *path, uint32_t offset,
                    struct ocd_verify_result *out, struct swd_error *err)
{
	char verb[40], tail[16];

	snprintf(verb, sizeof(verb), "flash verify_bank %u", bank);
	snprintf(tail, sizeof(tail), "0x%" PRIx32, offset);
	return verify_file(s, verb, path, tail, false, out, err);
}

/* Every write to flash or option bytes starts from a reset halt, as OpenOCD's own `program`
 * does. A core that was merely halted has run its firmware, and the firmware's traces stay in
 * the flash interface: an error flag it left in FLASH_SR (PGSERR after a stray store to flash,
 * RM0090 3.7.5; PGERR on F1, RM0008 3.4.2) makes OpenOCD's driver report the next erase or
 * program as failed, and a lock or a half-set FLASH_CR gets in the way too. A system reset
 * clears them all, and the halt at the reset vector keeps the firmware from running again. */
static int write_ready(struct ocd_session *s, struct swd_error *err)
{
	return s->reset_halted ? 0 : ocd_reset(s, OCD_RESET_HALT, err);
}

int ocd_erase_sectors(struct ocd_session *s, unsigned bank, unsigned first, unsigned last,
                      struct swd_error *err)
{
	char *cmd;
	int rc = write_ready(s, err);

	if (rc)
		return rc;
	cmd = fmt("flash erase_sector %u %u %u", bank, first, last);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	/* Sector erase can take seconds per sector (F4 128 KiB: up to 4 s at x8). */
	rc = run_ok(s, cmd, s->command_timeout_ms * (last - first + 1), NULL, err);
	free(cmd);
	return rc;
}

/* Writes data[0..n) to a new file at path. */
static int write_file(const char *path, const uint8_t *data, size_t n, struct swd_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot create '%s': %s", path, strerror(errno));
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, strerror(errno));
		}
		off += (size_t)w;
	}
	if (close(fd) != 0)
		return swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

static int read_whole(const char *path, uint8_t **data, size_t *n, struct swd_error *err)
{
	FILE *f = fopen(path, "rb");
	long sz;
	int rc = 0;

	*data = NULL;
	*n = 0;
	if (!f)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
		                     strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	*data = malloc(sz ? (size_t)sz : 1);
	if (!*data) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (fread(*data, 1, (size_t)sz, f) != (size_t)sz) {
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s'", path);
		free(*data);
		*data = NULL;
		goto out;
	}
	*n = (size_t)sz;
out:
	fclose(f);
	return rc;
}

int ocd_program(struct ocd_session *s, const struct ocd_program_args *a, struct swd_error *err)
{
	uint8_t *data = NULL;
	size_t n = 0;
	size_t full;
	char *tmp = NULL, *q = NULL, *cmd = NULL;
	int rc;

	rc = write_ready(s, err);
	if (rc)
		return rc;
	if (!a->sectors || a->nsectors == 0) {
		uint64_t size = 0;

		rc = file_size(a->path, &size, err);
		if (rc)
			return rc;
		q = tcl_quote_str(a->path);
		cmd = q ? fmt("flash write_image erase %s 0x%08" PRIx32 " bin", q,
		              a->bank_base + a->offset) : NULL;
		if (!cmd) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		progress(s, "programming", 0, size);
		rc = run_ok(s, cmd, bytes_timeout(s, size) * 4, NULL, err);
		if (rc == 0)
			progress(s, "programming", size, size);
		goto out;
	}
	rc = read_whole(a->path, &data, &n, err);
	if (rc)
		goto out;
	if (n == 0) {
		rc = swd_error_set(err, SWD_EEMPTY, "'%s' is empty", a->path);
		goto out;
	}
	full = n;
	{
		/* Erase every sector the image touches, one at a time for progress. */
		uint64_t erase_total = 0, erased = 0;
		uint32_t lo = a->offset, hi = a->offset + (uint32_t)n;

		for (size_t i = 0; i < a->nsectors; i++) {
			const struct ocd_sector *sec = &a->sectors[i];

			if (sec->offset < hi && sec->offset + sec->size > lo)
				erase_total += sec->size;
		}
		progress(s, "erasing", 0, erase_total);
		for (size_t i = 0; i < a->nsectors; i++) {
			const struct ocd_sector *sec = &a->sectors[i];

			if (!(sec->offset < hi && sec->offset + sec->size > lo))
				continue;
			rc = ocd_erase_sectors(s, a->bank, sec->index, sec->index, err);
			if (rc)
				goto out;
			erased += sec->size;
			progress(s, "erasing", erased, erase_total);
		}
	}
	{
		/* The image may sit in a read-only place: the scratch chunk goes to $TMPDIR. */
		const char *td = getenv("TMPDIR");
		int fd;

		tmp = fmt("%s/swdbackup-chunk-XXXXXX", td && *td ? td : "/tmp");
		if (!tmp) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		fd = mkstemp(tmp);
		if (fd < 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot create a temporary file in '%s': %s",
			                   td && *td ? td : "/tmp", strerror(errno));
			free(tmp);
			tmp = NULL;
			goto out;
		}
		close(fd);
	}
	q = tcl_quote_str(tmp);
	if (!q) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	/* The erase above left every byte the image covers 0xFF, so its trailing 0xFF bytes
	 * (a bundle's flash.bin is the whole bank, mostly erased) are already right: program
	 * up to the last other byte only, rounded up to 8 bytes (an F1 half-word, an F2/F4
	 * x64 double word). */
	while (n && data[n - 1] == 0xff)
		n--;
	n = (n + 7) & ~(size_t)7;
	if (n > full)
		n = full;
	if (n)
		progress(s, "programming", 0, n);
	for (size_t off = 0; off < n; off += PROGRAM_CHUNK) {
		size_t len = n - off < PROGRAM_CHUNK ? n - off : PROGRAM_CHUNK;

		rc = write_file(tmp, data + off, len, err);
		if (rc)
			goto out;
		free(cmd);
		cmd = fmt("flash write_bank %u %s 0x%" PRIx32, a->bank, q, a->offset + (uint32_t)off);
		if (!cmd) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		rc = run_ok(s, cmd, bytes_timeout(s, len) * 4, NULL, err);
		if (rc)
			goto out;
		progress(s, "programming", off + len, n);
	}
out:
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(q);
	free(cmd);
	free(data);
	return rc;
}

/* Runs cmd (already quoted) and requires success. The option-byte and protection commands
 * of the stm32f1x/stm32f2x drivers report some failures only in their text and return OK. */
static int text_checked(struct ocd_session *s, const char *cmd, char **text_out,
                        struct swd_error *err)
{
	char *text = NULL;
	int rc;

	if (text_out)
		*text_out = NULL;
	/* Option-byte programming on F2/F4 polls for up to 33 s (an RDP change erases). */
	rc = run_ok(s, cmd, s->command_timeout_ms, &text, err);
	if (rc)
		goto out;
	if (strstr(text, "failed") || strstr(text, "Failed")) {
		char shown[256];

		snprintf(shown, sizeof(shown), "%s", text);
		strip_trailing_space(shown);
		rc = fail(s, err, SWD_ETARGETFAILED, cmd, 0, text, "openocd command '%s' failed: %s",
		          cmd, shown);
		goto out;
	}
	strip_trailing_space(text);
	if (text_out) {
		*text_out = text;
		text = NULL;
	}
out:
	free(text);
	return rc;
}

static int options_cmd(struct ocd_session *s, const char *driver, const char *verb,
                       unsigned bank, const char *args, char **text_out, struct swd_error *err)
{
	char *qd = tcl_quote_str(driver), *cmd;
	int rc;

	if (text_out)
		*text_out = NULL;
	cmd = qd ? fmt("%s %s %u%s", qd, verb, bank, args) : NULL;
	free(qd);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = text_checked(s, cmd, text_out, err);
	free(cmd);
	return rc;
}

int ocd_options_read(struct ocd_session *s, const char *driver, unsigned bank, char **text,
                     struct swd_error *err)
{
	return options_cmd(s, driver, "options_read", bank, "", text, err);
}

int ocd_options_lock(struct ocd_session *s, const char *driver, unsigned bank,
                     struct swd_error *err)
{
	int rc = write_ready(s, err);

	return rc ? rc : options_cmd(s, driver, "lock", bank, "", NULL, err);
}

int ocd_options_unlock(struct ocd_session *s, const char *driver, unsigned bank,
                       struct swd_error *err)
{
	int rc = write_ready(s, err);

	return rc ? rc : options_cmd(s, driver, "unlock", bank, "", NULL, err);
}

int ocd_mass_erase(struct ocd_session *s, const char *driver, unsigned bank,
                   struct swd_error *err)
{
	int rc = write_ready(s, err);

	return rc ? rc : options_cmd(s, driver, "mass_erase", bank, "", NULL, err);
}

int ocd_f1_options_write(struct ocd_session *s, unsigned bank, const struct ocd_f1_user *u,
                         struct swd_error *err)
{
	char args[96];
	int rc = write_ready(s, err);

	if (rc)
		return rc;
	snprintf(args, sizeof(args), " %s %s %s USEROPT 0x%04x", u->swwdg ? "SWWDG" : "HWWDG",
	         u->norststop ? "NORSTSTOP" : "RSTSTOP", u->norststndby ? "NORSTSTNDBY" : "RSTSTNDBY",
	         (unsigned)u->useropt);
	return options_cmd(s, "stm32f1x", "options_write", bank, args, NULL, err);
}

int ocd_f2_options_write(struct ocd_session *s, unsigned bank, uint32_t user,
                         struct swd_error *err)
{
	char args[32];
	int rc = write_ready(s, err);

	if (rc)
		return rc;
	snprintf(args, sizeof(args), " 0x%03" PRIx32, user);
	return options_cmd(s, "stm32f2x", "options_write", bank, args, NULL, err);
}

int ocd_flash_protect(struct ocd_session *s, unsigned bank, unsigned first, unsigned last,
                      bool on, struct swd_error *err)
{
	char *cmd;
	int rc = write_ready(s, err);

	if (rc)
		return rc;
	cmd = fmt("flash protect %u %u %u %s", bank, first, last, on ? "on" : "off");
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = text_checked(s, cmd, NULL, err);
	free(cmd);
	return rc;
}

int ocd_command(struct ocd_session *s, const char *script, int *ocd_code, char **text,
                struct swd_error *err)
{
	char *q = tcl_quote_str(script), *cmd;
	int rc;

	*text = NULL;
	*ocd_code = 0;
	cmd = q ? fmt("capture %s", q) : NULL;
	free(q);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = run_catch(s, cmd, 0, ocd_code, text, NULL, err);
	free(cmd);
	return rc;
}
