/* report.c - the head, tail and timing of every result document (report.h). */
#include "cli/report.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/err.h"

#ifndef SWD_VERSION
#define SWD_VERSION "unknown"
#endif

/* The session's progress names, and the step each one is. */
static const struct { const char *event, *step; } event_steps[] = {
	{ "reading flash", "read" },
	{ "erasing", "erase" },
	{ "programming", "program" },
	{ "verifying", "verify" },
};

uint64_t cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double seconds(uint64_t ns)
{
	return round((double)ns / 1e6) / 1e3;
}

json_t *cli_report_new(const char *command, int64_t started)
{
	time_t t = (time_t)started;
	struct tm tm;
	char at[32];

	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:i,s:s,s:s?,s:s,s:[]}", "schema_version", CLI_REPORT_SCHEMA,
			 "swdbackup_version", SWD_VERSION, "command", command, "started_at", at,
			 "notes");
}

int cli_report_begin(struct cli_ctx *ctx, const char *command)
{
	memset(&ctx->rep, 0, sizeof(ctx->rep));
	ctx->rep.t0_ns = cli_now_ns();
	ctx->doc = cli_report_new(command, (int64_t)time(NULL));
	return ctx->doc ? 0 : SWD_ENOMEM;
}

void cli_report_tail(json_t *doc, uint64_t t0_ns, int rc, const char *msg)
{
	json_object_set_new(doc, "duration_s", json_real(seconds(cli_now_ns() - t0_ns)));
	json_object_set_new(doc, "ok", json_boolean(rc == 0));
	json_object_set_new(doc, "exit_code", json_integer(swd_exit_code(rc)));
	if (rc != 0)
		json_object_set_new(doc, "error", json_pack("{s:s,s:s}", "code", swd_err_name(rc),
							    "message", msg && msg[0] ? msg : swd_strerror(rc)));
}

void cli_report_end(struct cli_ctx *ctx, int rc)
{
	json_t *timing = json_object_get(ctx->doc, "timing");

	/* "timing" goes last but one, after the command's own keys and before the tail */
	if (timing) {
		json_incref(timing);
		json_object_del(ctx->doc, "timing");
		json_object_set_new(ctx->doc, "timing", timing);
	}
	cli_report_tail(ctx->doc, ctx->rep.t0_ns, rc, ctx->err.msg);
	json_object_set(ctx->doc, "findings", ctx->findings);
}

/* Adds `ns` and `bytes` to step's entry of the document's "timing". */
static void timing_add(struct cli_ctx *ctx, const char *step, uint64_t ns, uint64_t bytes)
{
	json_t *timing = json_object_get(ctx->doc, "timing"), *e;
	double d;

	if (!timing) {
		timing = json_object();
		if (!timing || json_object_set_new(ctx->doc, "timing", timing) != 0)
			return;
	}
	e = json_object_get(timing, step);
	if (e) {
		ns += (uint64_t)(json_real_value(json_object_get(e, "duration_s")) * 1e9 + 0.5);
		bytes += (uint64_t)json_integer_value(json_object_get(e, "bytes"));
	}
	d = seconds(ns);
	json_object_set_new(timing, step, json_pack("{s:I,s:f,s:o}", "bytes", (json_int_t)bytes,
						    "duration_s", d, "bytes_per_s",
						    d > 0 ? json_integer((json_int_t)((double)bytes / d + 0.5))
							  : json_null()));
}

void cli_timing_progress(struct cli_ctx *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct cli_report *r = &ctx->rep;
	const char *step = NULL;

	if (r->bracket)
		return;
	for (size_t i = 0; i < sizeof(event_steps) / sizeof(event_steps[0]); i++)
		if (strcmp(what, event_steps[i].event) == 0)
			step = event_steps[i].step;
	if (!step)
		return;
	if (done == 0 && r->event_step != step) {
		r->event_step = step;
		r->event_t0_ns = cli_now_ns();
	}
	if (done >= total && r->event_step == step) {
		timing_add(ctx, step, cli_now_ns() - r->event_t0_ns, total);
		r->event_step = NULL;
	}
}

void cli_timing_begin(struct cli_ctx *ctx, const char *step)
{
	ctx->rep.bracket = step;
	ctx->rep.bracket_t0_ns = cli_now_ns();
	ctx->rep.event_step = NULL;
}

void cli_timing_end(struct cli_ctx *ctx, int rc, uint64_t bytes)
{
	if (!ctx->rep.bracket)
		return;
	if (rc == 0)
		timing_add(ctx, ctx->rep.bracket, cli_now_ns() - ctx->rep.bracket_t0_ns, bytes);
	ctx->rep.bracket = NULL;
}
