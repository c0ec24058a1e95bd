/* process.c - spawning and supervising the OpenOCD child. */
#include "ocd/process.h"

#include "core/childguard.h"
#include "core/file.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocd/tcl.h"

/* ---- command line -------------------------------------------------------------------- */

struct argv_b {
	char **v;
	size_t n, cap;
	int rc;
};

static void argv_push(struct argv_b *a, char *s)
{
	if (a->rc)
		goto fail;
	if (!s) {
		a->rc = SWD_ENOMEM;
		return;
	}
	if (a->n + 2 > a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 32;
		char **nv = realloc(a->v, nc * sizeof(*nv));

		if (!nv) {
			a->rc = SWD_ENOMEM;
			goto fail;
		}
		a->v = nv;
		a->cap = nc;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return;
fail:
	free(s);
}

/* Pushes "-c" and the script `fmt` in which every %s is replaced by the Tcl-quoted form
 * of the next argument (only %s and %u are supported). */
static void push_c(struct argv_b *a, const char *verb, const char *arg1, const char *arg2)
{
	char *q1 = NULL, *q2 = NULL, *s = NULL;
	size_t n;

	argv_push(a, strdup("-c"));
	if (arg1 && !(q1 = tcl_quote_str(arg1)))
		goto oom;
	if (arg2 && !(q2 = tcl_quote_str(arg2)))
		goto oom;
	n = strlen(verb) + (q1 ? strlen(q1) + 1 : 0) + (q2 ? strlen(q2) + 1 : 0) + 1;
	s = malloc(n);
	if (!s)
		goto oom;
	snprintf(s, n, "%s%s%s%s%s", verb, q1 ? " " : "", q1 ? q1 : "", q2 ? " " : "",
	         q2 ? q2 : "");
	argv_push(a, s);
	free(q1);
	free(q2);
	return;
oom:
	free(q1);
	free(q2);
	argv_push(a, NULL);
}

/* The interface config: the one an interface name stands for, else cfg's own. */
static const char *interface_cfg(const struct ocdproc_config *cfg)
{
	const char *i = cfg->interface;

	if (!i || !*i)
		return cfg->interface_cfg;
	if (strcmp(i, "cmsis-dap") == 0)
		return "interface/cmsis-dap.cfg";
	if (strcmp(i, "jlink") == 0)
		return "interface/jlink.cfg";
	return "interface/stlink.cfg";
}

int ocdproc_build_argv(const struct ocdproc_config *cfg, char ***argv, size_t *argc,
                       struct swd_error *err)
{
	struct argv_b a = { 0 };
	const char *icfg = interface_cfg(cfg);
	char num[32];

	*argv = NULL;
	*argc = 0;
	if (!icfg || !*icfg || !cfg->target_cfg || !*cfg->target_cfg)
		return swd_error_set(err, SWD_EINTERNAL, "openocd needs an interface and a target config");
	argv_push(&a, strdup(cfg->openocd && *cfg->openocd ? cfg->openocd : "openocd"));
	if (cfg->debug_level > 0 && cfg->debug_level != 2) {
		snprintf(num, sizeof(num), "-d%d", cfg->debug_level);
		argv_push(&a, strdup(num));
	}
	/* `-f X` becomes `script {X}` inside OpenOCD, which breaks on braces; quoting it
	 * ourselves keeps any path literal. */
	push_c(&a, "script", icfg, NULL);
	switch (cfg->probe) {
	case OCDPROC_PROBE_STLINK_TCP:
		snprintf(num, sizeof(num), "%u", cfg->stlink_port);
		push_c(&a, "hla_stlink_backend tcp", num, NULL);
		break;
	case OCDPROC_PROBE_USB_SERIAL:
		if (!cfg->serial || !*cfg->serial) {
			a.rc = a.rc ? a.rc : SWD_EINTERNAL;
			break;
		}
		push_c(&a, "adapter serial", cfg->serial, NULL);
		break;
	case OCDPROC_PROBE_ANY:
		break;
	}
	if (cfg->transport && *cfg->transport)
		push_c(&a, "transport select", cfg->transport, NULL);
	for (size_t i = 0; i < cfg->nvars; i++)
		if (!cfg->dp_idcode || strcmp(cfg->vars[i].name, "CPUTAPID") != 0)
			push_c(&a, "set", cfg->vars[i].name, cfg->vars[i].value);
	if (cfg->dp_idcode) {
		/* the stock target configs take the expected DP IDCODE from CPUTAPID */
		snprintf(num, sizeof(num), "0x%08" PRIx32, cfg->dp_idcode);
		push_c(&a, "set", "CPUTAPID", num);
	}
	push_c(&a, "script", cfg->target_cfg, NULL);
	/* Speed and reset configuration after the target config, which sets its own. */
	if (cfg->adapter_khz) {
		snprintf(num, sizeof(num), "%u", cfg->adapter_khz);
		push_c(&a, "adapter speed", num, NULL);
	}
	if (cfg->connect_under_reset)
		push_c(&a, "reset_config srst_only srst_nogate connect_assert_srst", NULL, NULL);
	for (const char *const *e = cfg->extra; e && *e; e++) {
		argv_push(&a, strdup("-c"));
		argv_push(&a, strdup(*e));
	}
	/* The TCL server runs any command for whoever connects: loopback only (0.12's default,
	 * spelled out so that no config file can widen it), on a free port for this run. */
	push_c(&a, "bindto 127.0.0.1", NULL, NULL);
	push_c(&a, "tcl_port 0", NULL, NULL);
	push_c(&a, "telnet_port disabled", NULL, NULL);
	push_c(&a, "gdb_port disabled", NULL, NULL);
	/* An explicit init makes an init failure exit before the TCL server listens. */
	push_c(&a, "init", NULL, NULL);
	if (a.rc) {
		ocdproc_argv_free(a.v);
		return swd_error_set(err, a.rc, a.rc == SWD_ENOMEM ? "out of memory"
		                                                  : "usb probe serial is empty");
	}
	*argv = a.v;
	*argc = a.n;
	return 0;
}

void ocdproc_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

int ocdproc_find(const char *openocd, char **path, struct swd_error *err)
{
	const char *name = openocd && *openocd ? openocd : "openocd";

	*path = swd_file_which(name);
	if (*path)
		return 0;
	if (strchr(name, '/'))
		return swd_error_set(err, SWD_EOCDMISSING,
		                     "openocd not found at '%s': install openocd or give --openocd PATH",
		                     name);
	return swd_error_set(err, SWD_EOCDMISSING,
	                     "'%s' not found on PATH: install openocd (apt install openocd) or give --openocd PATH",
	                     name);
}

/* ---- supervision --------------------------------------------------------------------- */

static void maybe_closed(struct ocdproc *p)
{
	if (p->open_handles == 0 && p->on_closed) {
		ocdproc_closed_cb cb = p->on_closed;

		p->on_closed = NULL;
		cb(p, p->cb.ud);
	}
}

static void on_closed_handle(uv_handle_t *h)
{
	struct ocdproc *p = h->data;

	p->open_handles--;
	maybe_closed(p);
}

static void keep_line(struct ocdproc *p, const char *line, size_t len)
{
	char *copy;

	if (p->nlines == p->capl) {
		size_t nc = p->capl ? p->capl * 2 : 64;
		char **nl = realloc(p->lines, nc * sizeof(*nl));

		if (!nl)
			return;
		p->lines = nl;
		p->capl = nc;
	}
	copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, line, len);
	copy[len] = '\0';
	p->lines[p->nlines++] = copy;
}

static void learn_port(struct ocdproc *p, const char *line)
{
	static const char pre[] = "Listening on port ";
	const char *s = strstr(line, pre);
	char *end;
	unsigned long port;

	if (!s || !strstr(line, "for tcl connections"))
		return;
	port = strtoul(s + sizeof(pre) - 1, &end, 10);
	if (end == s + sizeof(pre) - 1 || port == 0 || port > 65535 || p->tcl_port)
		return;
	p->tcl_port = (uint16_t)port;
	if (p->cb.on_port)
		p->cb.on_port(p, p->cb.ud, p->tcl_port);
}

static void emit_line(struct ocdproc *p, int which, const char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	keep_line(p, line, len);
	if (p->nlines == 0)
		return;
	/* Use the kept copy: it is NUL-terminated. */
	learn_port(p, p->lines[p->nlines - 1]);
	if (p->cb.on_line)
		p->cb.on_line(p, p->cb.ud, p->lines[p->nlines - 1], which == 1);
}

static void feed_lines(struct ocdproc *p, int which, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (p->linelen[which] + n + 1 > p->linecap[which]) {
			size_t nc = p->linecap[which] ? p->linecap[which] : 256;
			char *nb;

			while (nc < p->linelen[which] + n + 1)
				nc *= 2;
			nb = realloc(p->linebuf[which], nc);
			if (!nb)
				return;
			p->linebuf[which] = nb;
			p->linecap[which] = nc;
		}
		memcpy(p->linebuf[which] + p->linelen[which], buf, n);
		p->linelen[which] += n;
		if (!nl)
			return;
		emit_line(p, which, p->linebuf[which], p->linelen[which]);
		p->linelen[which] = 0;
		buf += n + 1;
		len -= n + 1;
	}
}

static void maybe_report_exit(struct ocdproc *p)
{
	if (p->exited || !p->exit_seen || !p->out_eof || !p->err_eof)
		return;
	p->exited = true;
	uv_timer_stop(&p->kill_timer);
	if (p->cb.on_exit)
		p->cb.on_exit(p, p->cb.ud, p->exit_status, p->term_signal);
	if (p->close_requested)
		ocdproc_close(p, p->on_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char slab[16384];

	(void)h;
	(void)suggested;
	*buf = uv_buf_init(slab, sizeof(slab));
}

static void on_pipe_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct ocdproc *p = s->data;
	int which = (uv_pipe_t *)s == &p->err ? 1 : 0;

	if (nread > 0) {
		feed_lines(p, which, buf->base, (size_t)nread);
		return;
	}
	if (nread == 0)
		return;
	/* EOF or error: flush a last line without newline. */
	if (p->linelen[which]) {
		emit_line(p, which, p->linebuf[which], p->linelen[which]);
		p->linelen[which] = 0;
	}
	uv_read_stop(s);
	if (which)
		p->err_eof = true;
	else
		p->out_eof = true;
	maybe_report_exit(p);
}

static void on_proc_exit(uv_process_t *proc, int64_t status, int term_signal)
{
	struct ocdproc *p = proc->data;

	p->running = false;
	p->exit_seen = true;
	p->exit_status = status;
	p->term_signal = term_signal;
	maybe_report_exit(p);
}

static void on_kill_timer(uv_timer_t *t)
{
	struct ocdproc *p = t->data;

	if (p->running)
		uv_process_kill(&p->proc, SIGKILL);
}


int ocdproc_start(struct ocdproc *p, uv_loop_t *loop, const struct ocdproc_config *cfg,
                  const struct ocdproc_callbacks *cb, struct swd_error *err)
{
	uv_process_options_t opt;
	uv_stdio_container_t stdio[3];
	struct swd_childguard guard = { 0 };
	char **argv = NULL;
	size_t argc;
	int rc;

	memset(p, 0, sizeof(*p));
	p->loop = loop;
	if (cb)
		p->cb = *cb;
	rc = ocdproc_find(cfg->openocd, &p->exe, err);
	if (rc)
		return rc;
	rc = ocdproc_build_argv(cfg, &argv, &argc, err);
	if (rc)
		return rc;
	/* OpenOCD must not outlive us, even when we are killed with SIGKILL and no cleanup
	 * runs: its death signal (core/childguard.h). argv[0] is replaced by the path. */
	rc = swd_childguard_init(&guard, p->exe, (const char *const *)argv + 1, err);
	if (rc) {
		swd_childguard_release(&guard);
		ocdproc_argv_free(argv);
		return rc;
	}
	uv_pipe_init(loop, &p->out, 0);
	uv_pipe_init(loop, &p->err, 0);
	uv_timer_init(loop, &p->kill_timer);
	p->out.data = p->err.data = p->kill_timer.data = p;
	p->open_handles = 3;
	memset(&opt, 0, sizeof(opt));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&p->out;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&p->err;
	opt.file = guard.file;
	opt.args = guard.argv;
	opt.stdio = stdio;
	opt.stdio_count = 3;
	opt.exit_cb = on_proc_exit;
	p->proc.data = p;
	rc = uv_spawn(loop, &p->proc, &opt);
	swd_childguard_release(&guard);
	ocdproc_argv_free(argv);
	if (rc) {
		/* uv_spawn leaves the process handle initialised; it must be closed too. */
		p->open_handles++;
		p->spawn_failed = true;
		p->exit_seen = p->out_eof = p->err_eof = p->exited = true;
		return swd_error_set(err, rc == UV_ENOENT || rc == UV_EACCES ? SWD_EOCDMISSING
		                                                           : SWD_EINTERNAL,
		                     "cannot start '%s': %s", p->exe, uv_strerror(rc));
	}
	p->open_handles++;
	p->running = true;
	p->pid = p->proc.pid;
	uv_read_start((uv_stream_t *)&p->out, on_alloc, on_pipe_read);
	uv_read_start((uv_stream_t *)&p->err, on_alloc, on_pipe_read);
	return 0;
}

void ocdproc_terminate(struct ocdproc *p, uint64_t grace_ms)
{
	if (!p->running)
		return;
	uv_process_kill(&p->proc, grace_ms ? SIGTERM : SIGKILL);
	if (grace_ms)
		uv_timer_start(&p->kill_timer, on_kill_timer, grace_ms, 0);
}

void ocdproc_close(struct ocdproc *p, ocdproc_closed_cb on_closed)
{
	p->on_closed = on_closed;
	if (p->open_handles == 0 || p->closing) {
		if (p->open_handles == 0)
			maybe_closed(p);
		return;
	}
	if (p->running || (!p->exited && !p->spawn_failed)) {
		/* Closing a live process handle would leave an unreaped child: kill it and
		 * finish closing once its exit (and the end of its output) is seen. */
		p->close_requested = true;
		if (p->running)
			uv_process_kill(&p->proc, SIGKILL);
		return;
	}
	p->closing = true;
	uv_close((uv_handle_t *)&p->proc, on_closed_handle);
	uv_close((uv_handle_t *)&p->out, on_closed_handle);
	uv_close((uv_handle_t *)&p->err, on_closed_handle);
	uv_close((uv_handle_t *)&p->kill_timer, on_closed_handle);
}

const char *const *ocdproc_lines(const struct ocdproc *p, size_t *n)
{
	*n = p->nlines;
	return (const char *const *)p->lines;
}

void ocdproc_release(struct ocdproc *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i]);
	free(p->lines);
	p->lines = NULL;
	p->nlines = p->capl = 0;
	for (int i = 0; i < 2; i++) {
		free(p->linebuf[i]);
		p->linebuf[i] = NULL;
		p->linelen[i] = p->linecap[i] = 0;
	}
	free(p->exe);
	p->exe = NULL;
}
