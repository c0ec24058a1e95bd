/* session-priv.h - what session.c, target.c and flash.c share: the session struct and the
 * one request/reply path. Private to src/ocd: nothing outside it includes this file.
 *
 * Owns: struct ocd_session and the helpers every operation runs through: ocd__run_catch /
 *   ocd__run_ok (send one command and wait), ocd__send_catch + ocd__await_reply (the same
 *   two halves, for a caller that keeps several requests in flight), ocd__fail (first error
 *   wins, details kept for ocd_session_failure) and ocd__classify.
 * Must not: be included outside src/ocd. The ocd__ prefix marks these as internal, as
 *   libuv's uv__ does. */
#ifndef SWD_OCD_SESSION_PRIV_H
#define SWD_OCD_SESSION_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "ocd/process.h"
#include "ocd/rpc.h"
#include "ocd/session.h"

#define STOP_REPLY_GRACE_MS 5000   /* an interrupted command may finish before shutdown */

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
	bool reset_halted; /* halted by our reset: no firmware has run since (ocd__write_ready) */
	bool keep_halted;
	char target_state[24];

	struct ocd_failure fail;
	char *fail_command;
	char *fail_text;
	size_t log_mark;   /* first log line of the step now running */
};

/* The lines logged so far (none before OpenOCD was started). Returns: borrowed. */
const char *const *ocd__log_lines(const struct ocd_session *s, size_t *n);
/* The first "Error: " message logged since line `from`, or NULL. Returns: borrowed. */
const char *ocd__first_error_line(const struct ocd_session *s, size_t from);
/* Records the failure details once (first error wins) and sets err. Returns code. */
int ocd__fail(struct ocd_session *s, struct swd_error *err, int code, const char *command,
              int ocd_code, const char *ocd_text, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void ocd__strip_trailing_space(char *t);
/* A one-shot timer on the session's loop: s->timer_fired is set when ms have passed. */
void ocd__timer_arm(struct ocd_session *s, uint64_t ms);
void ocd__timer_disarm(struct ocd_session *s);
/* A signal arrived, or the caller's interrupted flag is set. */
bool ocd__interrupted(struct ocd_session *s);
/* Reports the sticky fatal state (s->fatal, or an interrupt) as an error. */
int ocd__fatal_error(struct ocd_session *s, const char *command, struct swd_error *err);
/* Sends cmd under catch; *w is new (NULL on failure) and goes to ocd__await_reply(). With
 * mark, the lines logged from now on are the step's (s->log_mark). */
int ocd__send_catch(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, bool mark,
                    struct waiter **w, struct swd_error *err);
/* Waits for the reply *wp stands for. Returns 0 when a reply arrived (whatever *code),
 * else the fatal error. *text is new (NULL on failure). *wp is freed and set to NULL, except
 * when the wait was given up (interrupt): the caller then still owns the pending waiter. */
int ocd__await_reply(struct ocd_session *s, struct waiter **wp, const char *cmd, int *code,
                     char **text, size_t *len, struct swd_error *err);
/* Sends cmd under catch and waits: ocd__send_catch + ocd__await_reply. */
int ocd__run_catch(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, int *code,
                   char **text, size_t *len, struct swd_error *err);
/* Runs cmd and requires success. *text (optional) is new: the command's result. */
int ocd__run_ok(struct ocd_session *s, const char *cmd, uint64_t timeout_ms, char **text,
                struct swd_error *err);
/* SWD_E* for a failed command, from OpenOCD's code, its result and the step's log. */
int ocd__classify(struct ocd_session *s, int code, const char *text);
/* Why a command failed, for its message: the first error line it logged, else its result,
 * else "no details". Returns buf. */
const char *ocd__failure_reason(struct ocd_session *s, const char *text, char *buf, size_t n);
/* Every write to flash or option bytes starts from a reset halt (target.c says why):
 * 0 when the session's own reset halt is still in force, else ocd_reset(HALT)'s result. */
int ocd__write_ready(struct ocd_session *s, struct swd_error *err);
/* Writes data[0..n) to the file at path, created or truncated: a scratch file OpenOCD reads
 * for one command (flash.c says why it needs no fsync or rename). */
int ocd__write_file(const char *path, const uint8_t *data, size_t n, struct swd_error *err);
/* printf into a new string; NULL when out of memory. */
char *ocd__fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

#endif
