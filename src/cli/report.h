/* report.h - the part of every result document that is the same for every command: its
 * head (schema_version, swdbackup_version, command, started_at), its tail (duration_s,
 * ok, exit_code, error, notes, findings) and "timing", what each step that ran took.
 * The shape is schema/report.schema.json; CLI_REPORT_SCHEMA is its version.
 *
 * Timing: a step (read, erase, program, verify) is timed either from the session's progress
 * events ("reading flash" from 0 to its total...), which is how most of them run, or by an
 * explicit cli_timing_begin()/cli_timing_end() bracket around work the events do not
 * describe (an on-target CRC check, a read-back that verifies). Inside a bracket the events
 * do not count, so no byte is timed twice. Repeated steps add up.
 *
 * Owns: those keys of ctx->doc and the clocks they are measured with.
 * Must not: print (ui_report does), decide an exit code (err.h does).
 */
#ifndef SWD_CLI_REPORT_H
#define SWD_CLI_REPORT_H

#include <stdint.h>

#include <jansson.h>

/* Bump when a key is removed or changes meaning; adding an optional key is not a change. */
#define CLI_REPORT_SCHEMA 1

struct cli_ctx;

struct cli_report {
	uint64_t t0_ns;              /* monotonic, at cli_report_begin */
	const char *bracket;         /* the step of an open cli_timing_begin, or NULL */
	uint64_t bracket_t0_ns;
	const char *event_step;      /* the step progress events are in, or NULL */
	uint64_t event_t0_ns;
};

/* A new document with the head keys, for `command` (NULL when it is not known) started at
 * the wall-clock time `started` (time(NULL)). Returns: new, or NULL when out of memory. */
json_t *cli_report_new(const char *command, int64_t started);

/* Starts ctx's clock and ctx->doc (new, with "notes": []). Returns 0 or SWD_ENOMEM. */
int cli_report_begin(struct cli_ctx *ctx, const char *command);

/* Adds the tail keys for the command's result rc: duration_s, ok, exit_code, error (when rc
 * != 0, with ctx->err's message), findings (ctx->findings) and, when a step ran, timing. */
void cli_report_end(struct cli_ctx *ctx, int rc);

/* Adds duration_s, ok, exit_code and error to a document from cli_report_new(), started at
 * monotonic t0_ns, for result rc with message msg (NULL: rc's own text). */
void cli_report_tail(json_t *doc, uint64_t t0_ns, int rc, const char *msg);

/* A progress event of the session ("reading flash", "erasing", "programming", "verifying"),
 * timed when its step starts (done == 0) and ends (done >= total). */
void cli_timing_progress(struct cli_ctx *ctx, const char *what, uint64_t done, uint64_t total);

/* Times `step` ("read", "erase", "program", "verify") from now to cli_timing_end(), which
 * closes the bracket and, when the work succeeded (rc == 0), adds `bytes` to the step.
 * Brackets do not nest: a second begin restarts the clock. */
void cli_timing_begin(struct cli_ctx *ctx, const char *step);
void cli_timing_end(struct cli_ctx *ctx, int rc, uint64_t bytes);

/* Monotonic nanoseconds. */
uint64_t cli_now_ns(void);

#endif
