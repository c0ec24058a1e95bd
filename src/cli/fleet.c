/* fleet.c - one command over many boards, each in a child run of its own (see fleet.h). */
#include "cli/fleet.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "board/board.h"
#include "core/childguard.h"
#include "core/file.h"
#include "usb/probes.h"

#define MAX_BOARDS 64
#define TICK_MS 200
#define OUT_GRACE_MS 3000 /* how long a finished child's stdout may stay open (a grandchild) */

extern char **environ;

struct run {
	struct fleet *f;
	char item[256];             /* the --probe value this child gets */
	char label[128];            /* its name in names and lines: serial, file or port */
	char *outdir;               /* owned: the child's -o, or NULL */
	uv_process_t proc;
	uv_pipe_t out, err, prog, gate;
	int open;                   /* handles not closed yet */
	bool exited, out_closed, waiting, released;
	int64_t status;
	int term_signal;
	char *buf;                  /* its stdout: the JSON document */
	size_t len, cap;
	char line[256];             /* a progress line not complete yet */
	size_t linelen;
	char errtail[512];          /* the end of its stderr, for a run that left no document */
	struct ui_board_line shown;
	char what[48];
	uint64_t t0, t1, phase_t0;
};

struct fleet {
	struct cli_ctx *ctx;
	const struct cli_command *cmd;
	uv_loop_t loop;
	uv_timer_t tick;
	uv_signal_t sig[2];
	struct run *runs;
	size_t n;
	bool gate;                  /* restore: no board writes before every board is checked */
	char stamp[24];             /* one UTC time for every bundle name of this run */
};

static const int severity[] = { 130, 9, 4, 2, 3, 8, 7, 6, 5, 1, 0 };

static int rank(int code)
{
	for (size_t i = 0; i < sizeof(severity) / sizeof(severity[0]); i++)
		if (severity[i] == code)
			return (int)i;
	return 1; /* an exit status outside the list is a local failure (9) */
}

bool cli_fleet_worse(int a, int b)
{
	return rank(a) < rank(b);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the probes of the run ------------------------------------------------------------ */

/* A name for files: what a probe spec says, with nothing a path could trip on. */
static void label_of(const char *item, const struct cli_probe *p, size_t idx, char *out, size_t len)
{
	const char *s = item;
	char tmp[256];

	if (p->kind == CLI_PROBE_SIM_FILE) {
		const char *base = strrchr(p->file, '/') ? strrchr(p->file, '/') + 1 : p->file;

		snprintf(tmp, sizeof(tmp), "%.*s", (int)(strrchr(base, '.') && strrchr(base, '.') != base ?
						      strrchr(base, '.') - base : (long)strlen(base)), base);
		s = tmp;
	} else if (p->kind == CLI_PROBE_TCP) {
		snprintf(tmp, sizeof(tmp), "tcp-%d", p->port);
		s = tmp;
	} else if (p->kind == CLI_PROBE_SIM) {
		snprintf(tmp, sizeof(tmp), "sim-%zu", idx + 1);
		s = tmp;
	}
	snprintf(out, len, "%.*s", (int)len - 1, s);
	for (char *c = out; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '-' || *c == '_' || *c == '.'))
			*c = '_';
}

/* `--probe all`: every attached probe of the --interface's kind, by serial. */
static int all_probes(struct cli_ctx *ctx, char items[][256], size_t max, size_t *n)
{
	static struct usb_probe list[MAX_BOARDS];
	enum usb_probe_family want = USB_FAMILY_STLINK;
	size_t found = 0, skipped = 0;
	int rc;

	if (ctx->opt.interface && strcmp(ctx->opt.interface, "cmsis-dap") == 0)
		want = USB_FAMILY_CMSIS_DAP;
	else if (ctx->opt.interface && strcmp(ctx->opt.interface, "jlink") == 0)
		want = USB_FAMILY_JLINK;
	rc = usb_probes_list_all(list, MAX_BOARDS, &found, &ctx->err);
	if (rc != 0)
		return rc;
	*n = 0;
	for (size_t i = 0; i < found && i < MAX_BOARDS; i++) {
		if (list[i].family != want)
			continue;
		if (!list[i].serial[0]) {
			skipped++;
			continue;
		}
		if (*n < max)
			snprintf(items[(*n)++], 256, "%s", list[i].serial);
	}
	if (skipped) {
		char note[160];

		snprintf(note, sizeof(note), "%zu probe%s without a serial number left out: name the others "
			 "with --probe S1,S2", skipped, skipped > 1 ? "s" : "");
		board_note(ctx, note);
	}
	if (*n == 0)
		return swd_error_set(&ctx->err, SWD_EPROBENOTFOUND, "--probe all found no %s probe with a serial "
				     "number; see 'swdbackup probes'", want == USB_FAMILY_STLINK ? "ST-LINK" :
				     want == USB_FAMILY_CMSIS_DAP ? "CMSIS-DAP" : "J-Link");
	return 0;
}

/* `--probe S1,S2,...`: each a probe spec of its own, none twice. */
static int listed_probes(struct cli_ctx *ctx, char items[][256], size_t max, size_t *n)
{
	const char *s = ctx->opt.probe_spec;

	*n = 0;
	while (*s) {
		size_t len = strcspn(s, ",");

		if (len == 0 || len >= 256)
			return swd_error_set(&ctx->err, SWD_EUSAGE, "'--probe %s' has an empty or overlong item; "
					     "give S1,S2,... or all", ctx->opt.probe_spec);
		if (*n == max)
			return swd_error_set(&ctx->err, SWD_EUSAGE, "--probe names more than %zu boards", max);
		snprintf(items[*n], 256, "%.*s", (int)len, s);
		for (size_t i = 0; i < *n; i++)
			if (strcmp(items[i], items[*n]) == 0)
				return swd_error_set(&ctx->err, SWD_EUSAGE, "probe '%s' is named twice in --probe",
						     items[i]);
		(*n)++;
		s += len + (s[len] == ',');
	}
	return 0;
}

/* ---- a child's streams ----------------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t want, uv_buf_t *buf)
{
	(void)h;
	buf->base = malloc(want);
	buf->len = buf->base ? want : 0;
}

static void on_closed(uv_handle_t *h)
{
	struct run *r = h->data;

	r->open--;
}

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, on_closed);
}

static void on_out(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct run *r = s->data;

	if (n > 0) {
		if (r->len + (size_t)n + 1 > r->cap) {
			size_t cap = (r->len + (size_t)n + 1) * 2;
			char *b = realloc(r->buf, cap);

			if (b) {
				r->buf = b;
				r->cap = cap;
			}
		}
		if (r->len + (size_t)n + 1 <= r->cap) {
			memcpy(r->buf + r->len, buf->base, (size_t)n);
			r->len += (size_t)n;
			r->buf[r->len] = '\0';
		}
	} else if (n < 0) {
		r->out_closed = true;
		close_handle((uv_handle_t *)s);
	}
	free(buf->base);
}

static void on_err(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct run *r = s->data;

	if (n > 0) {
		/* keep the last bytes: the error line a run without a document ended on */
		size_t keep = sizeof(r->errtail) - 1, have = strlen(r->errtail), add = (size_t)n;

		if (add >= keep) {
			memcpy(r->errtail, buf->base + add - keep, keep);
			r->errtail[keep] = '\0';
		} else {
			if (have + add > keep) {
				memmove(r->errtail, r->errtail + have + add - keep, keep - add);
				have = keep - add;
			}
			memcpy(r->errtail + have, buf->base, add);
			r->errtail[have + add] = '\0';
		}
		if (r->f->ctx->opt.verbose)
			fprintf(stderr, "%.*s", (int)n, buf->base);
	} else if (n < 0) {
		close_handle((uv_handle_t *)s);
	}
	free(buf->base);
}

/* "P\tDONE\tTOTAL\tWHAT" (progress) or "READY" (a restore waits for the go). */
static void progress_line(struct run *r, char *line)
{
	if (strcmp(line, "READY") == 0) {
		r->waiting = true;
		snprintf(r->what, sizeof(r->what), "checked, waiting for the other boards");
		r->shown.total = 0;
		return;
	}
	if (line[0] == 'P' && line[1] == '\t') {
		char *end, *what;
		unsigned long long done = strtoull(line + 2, &end, 10), total;

		if (*end != '\t')
			return;
		total = strtoull(end + 1, &what, 10);
		if (*what != '\t')
			return;
		if (strcmp(r->what, what + 1) != 0)
			r->phase_t0 = now_ms();
		snprintf(r->what, sizeof(r->what), "%s", what + 1);
		r->shown.done = done;
		r->shown.total = total;
	}
}

static void on_prog(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct run *r = s->data;

	for (ssize_t i = 0; i < n; i++) {
		char c = buf->base[i];

		if (c == '\n') {
			r->line[r->linelen] = '\0';
			progress_line(r, r->line);
			r->linelen = 0;
		} else if (r->linelen < sizeof(r->line) - 1) {
			r->line[r->linelen++] = c;
		}
	}
	if (n < 0)
		close_handle((uv_handle_t *)s);
	free(buf->base);
}

static void on_child_exit(uv_process_t *p, int64_t status, int sig)
{
	struct run *r = p->data;

	r->exited = true;
	r->status = status;
	r->term_signal = sig;
	r->t1 = now_ms();
	close_handle((uv_handle_t *)p);
	close_handle((uv_handle_t *)&r->gate);
}

/* ---- the loop -------------------------------------------------------------------------- */

static void draw(struct fleet *f, bool last)
{
	struct ui_board_line lines[MAX_BOARDS];
	uint64_t t = now_ms();

	for (size_t i = 0; i < f->n; i++) {
		struct run *r = &f->runs[i];

		lines[i] = r->shown;
		lines[i].label = r->label;
		lines[i].what = r->what[0] ? r->what : "connecting";
		lines[i].seconds = (double)((r->exited ? r->t1 : t) - r->t0) / 1000.0;
		lines[i].phase_seconds = r->phase_t0 ? (double)(t - r->phase_t0) / 1000.0 : 0;
		lines[i].finished = r->exited;
		lines[i].exit_code = r->exited ? (r->term_signal ? 128 + r->term_signal : (int)r->status) : 0;
	}
	ui_fleet_lines(&f->ctx->ui, lines, f->n, last);
}

/* The go for every board that waits, once no board's check is still to come. */
static void release_gate(struct fleet *f)
{
	static const char go = 'g';
	bool any = false;

	for (size_t i = 0; i < f->n; i++) {
		if (!f->runs[i].exited && !f->runs[i].waiting)
			return;
		any |= f->runs[i].waiting && !f->runs[i].released;
	}
	if (!any)
		return;
	for (size_t i = 0; i < f->n; i++) {
		struct run *r = &f->runs[i];
		uv_buf_t b = uv_buf_init((char *)&go, 1);

		if (r->waiting && !r->released && !r->exited) {
			uv_try_write((uv_stream_t *)&r->gate, &b, 1);
			r->released = true;
			snprintf(r->what, sizeof(r->what), "writing");
		}
	}
}

static void on_tick(uv_timer_t *t)
{
	struct fleet *f = t->data;
	bool busy = false;
	uint64_t now = now_ms();

	if (f->gate)
		release_gate(f);
	for (size_t i = 0; i < f->n; i++) {
		struct run *r = &f->runs[i];

		/* a grandchild that kept the child's stdout must not hold the run open */
		if (r->exited && now - r->t1 > OUT_GRACE_MS) {
			r->out_closed = true;
			close_handle((uv_handle_t *)&r->out);
			close_handle((uv_handle_t *)&r->err);
			close_handle((uv_handle_t *)&r->prog);
		}
		if (r->exited && !r->out_closed)
			busy = true;
		busy |= r->open > 0;
	}
	draw(f, false);
	if (!busy) {
		uv_timer_stop(t);
		uv_close((uv_handle_t *)t, NULL);
		uv_close((uv_handle_t *)&f->sig[0], NULL);
		uv_close((uv_handle_t *)&f->sig[1], NULL);
	}
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct fleet *f = s->data;

	cli_interrupted = 1;
	for (size_t i = 0; i < f->n; i++)
		if (!f->runs[i].exited && f->runs[i].open > 0)
			uv_process_kill(&f->runs[i].proc, signum);
}

/* ---- starting the children ------------------------------------------------------------ */

/* environ with SWD_PROGRESS_FD=3 (and SWD_FLEET_GATE_FD=4 for a restore). Returns: new
 * array (free() it; the strings are borrowed), or NULL. */
static char **child_env(bool gate)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "SWD_PROGRESS_FD=", 16) && strncmp(environ[i], "SWD_FLEET_GATE_FD=", 18))
			env[k++] = environ[i];
	env[k++] = "SWD_PROGRESS_FD=3";
	if (gate)
		env[k++] = "SWD_FLEET_GATE_FD=4";
	env[k] = NULL;
	return env;
}

static int spawn(struct fleet *f, struct run *r, const char *exe, char **base, int nbase, char **env)
{
	const char *argv[32 + 2 * 64];
	struct swd_childguard guard;
	uv_process_options_t opt;
	uv_stdio_container_t stdio[5];
	size_t a = 0;
	int rc, k;

	if (nbase > 64)
		return UV_E2BIG;
	argv[a++] = f->cmd->name;
	for (k = 0; k < nbase && strcmp(base[k], "--") != 0; k++)
		argv[a++] = base[k];
	argv[a++] = "--probe";
	argv[a++] = r->item;
	argv[a++] = "--json";
	if (r->outdir) {
		argv[a++] = "-o";
		argv[a++] = r->outdir;
	}
	for (; k < nbase; k++)
		argv[a++] = base[k];
	argv[a] = NULL;
	/* a child never outlives a killed parent: its death signal (core/childguard.h) */
	if (swd_childguard_init(&guard, exe, argv, NULL) != 0) {
		swd_childguard_release(&guard);
		r->exited = r->out_closed = true;
		r->status = 127;
		r->t1 = r->t0 = now_ms();
		snprintf(r->errtail, sizeof(r->errtail), "cannot start the run for probe %s: out of "
			 "memory", r->item);
		return UV_ENOMEM;
	}
	if (f->ctx->opt.verbose && r == f->runs)
		fprintf(stderr, "the runs start under %s\n", swd_childguard_name(guard.how));

	memset(&opt, 0, sizeof(opt));
	uv_pipe_init(&f->loop, &r->out, 0);
	uv_pipe_init(&f->loop, &r->err, 0);
	uv_pipe_init(&f->loop, &r->prog, 0);
	uv_pipe_init(&f->loop, &r->gate, 0);
	r->out.data = r->err.data = r->prog.data = r->gate.data = r->proc.data = r;
	r->open = 4;
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&r->out;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&r->err;
	stdio[3].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[3].data.stream = (uv_stream_t *)&r->prog;
	stdio[4].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	stdio[4].data.stream = (uv_stream_t *)&r->gate;
	opt.file = guard.file;
	opt.args = guard.argv;
	opt.env = env;
	opt.stdio = stdio;
	opt.stdio_count = 5;
	opt.exit_cb = on_child_exit;
	r->t0 = now_ms();
	rc = uv_spawn(&f->loop, &r->proc, &opt);
	swd_childguard_release(&guard);
	if (rc != 0) {
		/* the pipes were set up but no child has them */
		r->exited = r->out_closed = true;
		r->term_signal = 0;
		r->status = 127;
		r->t1 = r->t0;
		snprintf(r->errtail, sizeof(r->errtail), "cannot start the run for probe %s: %s", r->item,
			 uv_strerror(rc));
		uv_close((uv_handle_t *)&r->out, on_closed);
		uv_close((uv_handle_t *)&r->err, on_closed);
		uv_close((uv_handle_t *)&r->prog, on_closed);
		uv_close((uv_handle_t *)&r->gate, on_closed);
		uv_close((uv_handle_t *)&r->proc, NULL);
		return rc;
	}
	r->open++;
	uv_read_start((uv_stream_t *)&r->out, on_alloc, on_out);
	uv_read_start((uv_stream_t *)&r->err, on_alloc, on_err);
	uv_read_start((uv_stream_t *)&r->prog, on_alloc, on_prog);
	return 0;
}

/* ---- the result ------------------------------------------------------------------------ */

/* The child's document, or one that says why there is none. Returns: new. */
static json_t *board_doc(struct fleet *f, struct run *r, int *exit_code)
{
	json_t *doc = r->buf ? json_loadb(r->buf, r->len, 0, NULL) : NULL;
	json_t *v;

	*exit_code = r->term_signal ? (r->term_signal == SIGINT || r->term_signal == SIGTERM ? 130 : 9)
				    : (int)r->status;
	if (!json_is_object(doc)) {
		char msg[700];
		size_t len;

		json_decref(doc);
		/* the last line of its stderr says what happened, if anything did */
		len = strlen(r->errtail);
		while (len && r->errtail[len - 1] == '\n')
			r->errtail[--len] = '\0';
		if (r->term_signal)
			snprintf(msg, sizeof(msg), "the run for probe %s was killed by signal %d", r->item, r->term_signal);
		else
			snprintf(msg, sizeof(msg), "the run for probe %s ended with exit %d and no report%s%s", r->item,
				 *exit_code, len ? ": " : "", strrchr(r->errtail, '\n') ? strrchr(r->errtail, '\n') + 1
				 : r->errtail);
		if (*exit_code == 0)
			*exit_code = 9;
		doc = json_pack("{s:s,s:b,s:i,s:{s:s,s:s},s:[]}", "command", f->cmd->name, "ok", 0, "exit_code",
				*exit_code, "error", "code", swd_err_name(SWD_EINTERNAL), "message", msg, "findings");
	} else if (json_is_integer(v = json_object_get(doc, "exit_code"))) {
		*exit_code = (int)json_integer_value(v);
	}
	json_object_set_new(doc, "probe_spec", json_string(r->item));
	/* a run that left no document is timed from here */
	if (!json_is_number(json_object_get(doc, "duration_s")))
		json_object_set_new(doc, "duration_s", json_real((double)(r->t1 - r->t0) / 1000.0));
	return doc;
}

static const char *board_message(json_t *doc)
{
	json_t *m = json_object_get(json_object_get(doc, "error"), "message");

	return json_is_string(m) ? json_string_value(m) : "failed";
}

/* Collects the documents; returns the fleet's code (0, or the most severe board's). */
static int result(struct fleet *f, uint64_t t0)
{
	struct cli_ctx *ctx = f->ctx;
	json_t *boards = json_array(), *worst_doc = NULL;
	int worst = 0, failed = 0;
	char summary[160];

	json_object_set_new(ctx->doc, "boards", boards);
	for (size_t i = 0; i < f->n; i++) {
		int code;
		json_t *d = board_doc(f, &f->runs[i], &code);

		json_array_append_new(boards, d);
		if (code != 0)
			failed++;
		if (cli_fleet_worse(code, worst)) {
			worst = code;
			worst_doc = d;
		}
	}
	snprintf(summary, sizeof(summary), "%zu board%s: %zu ok, %d failed", f->n, f->n == 1 ? "" : "s",
		 f->n - (size_t)failed, failed);
	json_object_set_new(ctx->doc, "summary", json_string(summary));
	if (ctx->opt.junit) {
		char suite[64];
		int rc;

		snprintf(suite, sizeof(suite), "swdbackup %s", f->cmd->name);
		rc = cli_fleet_junit(ctx->opt.junit, suite, ctx->doc, (double)(now_ms() - t0) / 1000.0, &ctx->err);
		if (rc != 0 && cli_fleet_worse(9, worst))
			return rc;
	}
	if (!worst_doc)
		return 0;
	{
		json_t *c = json_object_get(json_object_get(worst_doc, "error"), "code");
		int code = json_is_string(c) ? swd_err_from_name(json_string_value(c)) : 0;

		/* the board's own code, unless it is not one of ours (a crash): then the exit's */
		if (!code || swd_exit_code(code) != worst)
			code = swd_err_for_exit(worst);
		return swd_error_set(&ctx->err, code, "%d of %zu boards failed; the worst, probe %s: %s", failed,
				     f->n, json_string_value(json_object_get(worst_doc, "probe_spec")),
				     board_message(worst_doc));
	}
}

/* ---- the run --------------------------------------------------------------------------- */

static int prepare(struct fleet *f, char items[][256], size_t n)
{
	struct cli_ctx *ctx = f->ctx;
	time_t now = time(NULL);
	struct tm tm;

	f->runs = calloc(n, sizeof(*f->runs));
	if (!f->runs)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	f->n = n;
	gmtime_r(&now, &tm);
	strftime(f->stamp, sizeof(f->stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (ctx->opt.output && mkdir(ctx->opt.output, 0777) != 0 && errno != EEXIST)
		return swd_error_set(&ctx->err, swd_err_from_errno(errno), "cannot make '%s': %s", ctx->opt.output,
				     swd_errno_text(errno));
	for (size_t i = 0; i < n; i++) {
		struct run *r = &f->runs[i];
		struct cli_probe p;
		char msg[256], name[512];

		r->f = f;
		snprintf(r->item, sizeof(r->item), "%.255s", items[i]);
		if (cli_probe_parse(r->item, &p, msg, sizeof(msg)) != 0)
			return swd_error_set(&ctx->err, SWD_EUSAGE, "%s", msg);
		if (p.kind == CLI_PROBE_FLEET)
			return swd_error_set(&ctx->err, SWD_EUSAGE, "'all' cannot be one of several probes");
		label_of(r->item, &p, i, r->label, sizeof(r->label));
		if (ctx->opt.output) {
			/* profile, probe, time: two boards of one run never share a name */
			snprintf(name, sizeof(name), "%s-%s-%s", ctx->opt.profile, r->label, f->stamp);
			r->outdir = swd_file_join(ctx->opt.output, name);
			if (!r->outdir)
				return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int run_all(struct fleet *f)
{
	struct cli_ctx *ctx = f->ctx;
	char exe[PATH_MAX], **base = NULL, **env = NULL;
	const int *drop;
	size_t ndrop;
	ssize_t len;
	int nbase, rc = 0;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return swd_error_set(&ctx->err, SWD_EINTERNAL, "cannot find this program's own path in /proc/self/exe");
	exe[len] = '\0';
	drop = cli_options_fleet_drop(&ndrop);
	env = child_env(f->gate);
	if (!env || cli_options_without(ctx->argc, ctx->argv, drop, ndrop, &base, &nbase) != 0) {
		free(env);
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	}
	if (uv_loop_init(&f->loop) != 0) {
		free(env);
		free(base);
		return swd_error_set(&ctx->err, SWD_EINTERNAL, "cannot set up an event loop");
	}
	uv_timer_init(&f->loop, &f->tick);
	f->tick.data = f;
	for (int i = 0; i < 2; i++) {
		uv_signal_init(&f->loop, &f->sig[i]);
		f->sig[i].data = f;
		uv_signal_start(&f->sig[i], on_signal, i ? SIGTERM : SIGINT);
	}
	for (size_t i = 0; i < f->n; i++)
		spawn(f, &f->runs[i], exe, base, nbase, env);
	uv_timer_start(&f->tick, on_tick, TICK_MS, TICK_MS);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	draw(f, true);
	if (uv_loop_close(&f->loop) != 0)
		rc = swd_error_set(&ctx->err, SWD_EINTERNAL, "a fleet handle was left open");
	cli_signals_install();
	free(env);
	free(base);
	return rc;
}

static int fleet(struct cli_ctx *ctx, const struct cli_command *cmd)
{
	static char items[MAX_BOARDS][256];
	struct fleet f;
	uint64_t t0 = now_ms();
	size_t n = 0;
	int rc;

	memset(&f, 0, sizeof(f));
	f.ctx = ctx;
	f.cmd = cmd;
	if (!(cmd->options & CLI_O_JUNIT))
		return swd_error_set(&ctx->err, SWD_EUSAGE, "'%s' runs on one board at a time; give --probe one probe",
				     cmd->name);
	if (!ctx->opt.profile)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "'%s' needs --profile (see 'swdbackup profiles')", cmd->name);
	rc = strcmp(ctx->opt.probe_spec, "all") == 0 ? all_probes(ctx, items, MAX_BOARDS, &n)
						     : listed_probes(ctx, items, MAX_BOARDS, &n);
	f.gate = strcmp(cmd->name, "restore") == 0 && n > 1;
	if (rc == 0)
		rc = prepare(&f, items, n);
	if (rc == 0) {
		ui_status(&ctx->ui, "%s on %zu board%s", cmd->name, n, n == 1 ? "" : "s");
		rc = run_all(&f);
	}
	if (rc == 0)
		rc = result(&f, t0);
	for (size_t i = 0; f.runs && i < f.n; i++) {
		free(f.runs[i].buf);
		free(f.runs[i].outdir);
	}
	free(f.runs);
	return rc;
}

int cli_dispatch(struct cli_ctx *ctx, const struct cli_command *cmd)
{
	if (ctx->opt.probe.kind == CLI_PROBE_FLEET)
		return fleet(ctx, cmd);
	const char *g = getenv("SWD_FLEET_GATE_FD");

	if (ctx->opt.junit)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "--junit is for runs over several boards: give "
				     "--probe all or --probe S1,S2,...");
	if (g && atoi(g) > 2) /* a child of a fleet restore: OpenOCD and the simulator must not keep it */
		fcntl(atoi(g), F_SETFD, FD_CLOEXEC);
	return cmd->fn(ctx);
}

/* ---- in a child ------------------------------------------------------------------------ */

int cli_fleet_gate(struct cli_ctx *ctx, struct swd_error *err)
{
	const char *g = getenv("SWD_FLEET_GATE_FD");
	int fd = g ? atoi(g) : -1;
	char c;

	if (fd <= 2 || ctx->ui.progress_fd <= 0)
		return 0;
	unsetenv("SWD_FLEET_GATE_FD"); /* once per run */
	if (write(ctx->ui.progress_fd, "READY\n", 6) != 6)
		return swd_error_set(err, SWD_EINTR, "the fleet run that started this one is gone");
	ui_status(&ctx->ui, "checked; waiting until every board of the run is checked");
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, 200);

		if (cli_interrupted)
			return swd_error_set(err, SWD_EINTR, "interrupted");
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			bool go = read(fd, &c, 1) == 1 && c == 'g';

			close(fd);
			if (go)
				return 0;
			return swd_error_set(err, SWD_EINTR, "the fleet run that started this one is gone");
		}
		if (n < 0)
			return swd_error_set(err, SWD_EINTERNAL, "cannot wait for the fleet's go: %s",
					     swd_errno_text(errno));
	}
}
