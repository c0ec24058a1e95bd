/* rpc.h - client for OpenOCD's TCL RPC server (OpenOCD manual, "Tcl RPC server") over libuv
 * TCP.
 *
 * Owns: the 0x1A framing (a push parser, rpc_framer), the connection, the request queue
 * (replies come back in request order), per-request timeouts, and telling asynchronous
 * notification frames ("type target_event ...", "type target_state ...") apart from
 * command results. Offers the one-round-trip `list [catch {CMD} r] $r` wrapper that learns
 * OpenOCD's return code together with the result text.
 *
 * Must not: know OpenOCD command names (beyond catch/list), print, or block. Everything
 * runs on the caller's uv loop; results arrive through callbacks.
 *
 * Errors: 0 or negative SWD_E* (core/err.h). Result callbacks get status 0, SWD_EOCDTIMEOUT
 * (no reply in time; the connection is then unusable and is closed, since later replies
 * could not be matched to requests), SWD_EOCDDIED (connection lost or closed before the
 * reply), SWD_EOCDPROTO (a catch reply that is not "CODE TEXT"), SWD_ENOMEM.
 */
#ifndef SWD_OCD_RPC_H
#define SWD_OCD_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

/* ---- framing (pure) ------------------------------------------------------------------ */

/* Called once per complete frame, without the 0x1A. frame is borrowed for the call. */
typedef void (*rpc_frame_cb)(void *ud, const char *frame, size_t len);

struct rpc_framer {
	char *buf;
	size_t len;
	size_t cap;
	size_t max;  /* a frame longer than this is an error (SWD_EOCDPROTO) */
};

/* max 0 means 64 MiB. */
void rpc_framer_init(struct rpc_framer *f, size_t max);
void rpc_framer_release(struct rpc_framer *f);

/* Feeds len bytes; calls cb for each frame completed. Bytes after the last 0x1A are kept
 * for the next call. Returns 0, SWD_EOCDPROTO (frame too long) or SWD_ENOMEM. */
int rpc_framer_feed(struct rpc_framer *f, const char *buf, size_t len, rpc_frame_cb cb, void *ud);

/* Is this frame a notification (starts with "type target_")? */
bool rpc_frame_is_notification(const char *frame, size_t len);

/* Parses the reply to rpc_catch_script(): "CODE TEXT" as a 2-element Tcl list.
 * *text is new (free()), NUL-terminated, *textlen its length. Returns 0 or SWD_EOCDPROTO. */
int rpc_parse_catch_reply(const char *frame, size_t len, int *code, char **text, size_t *textlen);

/* Builds `list [catch WORD swd_r] $swd_r` where WORD is cmd quoted as one Tcl word, so any
 * script text (unbalanced braces included) is evaluated exactly once, by catch.
 * Returns: new string, or NULL when out of memory. */
char *rpc_catch_script(const char *cmd);

/* ---- client -------------------------------------------------------------------------- */

struct rpc;

/* Result of rpc_send(): status as in the header comment; text/len is the raw frame
 * (borrowed for the call; NULL/0 when status != 0). */
typedef void (*rpc_result_cb)(struct rpc *r, void *ud, int status, const char *text, size_t len);

/* Result of rpc_catch(): ocd_code is catch's value (0 ok, 1 Tcl error, negative OpenOCD
 * error code); text is the command's result or error message (borrowed for the call). */
typedef void (*rpc_catch_cb)(struct rpc *r, void *ud, int status, int ocd_code,
                             const char *text, size_t len);

/* Notification frame (borrowed), e.g. "type target_state state halted\r\n". */
typedef void (*rpc_notify_cb)(struct rpc *r, void *ud, const char *text, size_t len);

/* Connection outcome (0 or SWD_EOCDDIED with err text in rpc->errmsg). */
typedef void (*rpc_connect_cb)(struct rpc *r, void *ud, int status);

/* Called when every handle is closed; the struct may then be freed. */
typedef void (*rpc_closed_cb)(struct rpc *r, void *ud);

struct rpc_req;

struct rpc {
	uv_loop_t *loop;
	uv_tcp_t tcp;        /* embedded; closed by rpc_close() */
	uv_connect_t conn;
	struct rpc_framer framer;
	struct rpc_req *head, *tail;  /* sent, waiting for a reply (FIFO) */
	rpc_notify_cb on_notify;
	rpc_connect_cb on_connect;
	rpc_closed_cb on_closed;
	void *ud;
	bool connected;
	bool closing;
	int open_handles;
	int dead;            /* 0, or why the connection is unusable (SWD_E*) */
	char errmsg[160];    /* lowercase detail for dead */
};

/* Initialises r on loop (no handle is opened yet). on_notify may be NULL. */
void rpc_init(struct rpc *r, uv_loop_t *loop, rpc_notify_cb on_notify, void *ud);

/* Connects to 127.0.0.1:port. cb is called once. Returns 0 or a setup error. */
int rpc_connect(struct rpc *r, uint16_t port, rpc_connect_cb cb);

/* Sends script + 0x1A. The reply (or an error) comes to cb, in request order. timeout_ms
 * 0 means none. Returns 0, or an error without calling cb. A script containing 0x1A is
 * refused (SWD_EINTERNAL): quote it first. */
int rpc_send(struct rpc *r, const char *script, uint64_t timeout_ms, rpc_result_cb cb, void *ud);

/* rpc_send(rpc_catch_script(cmd)) and parses the reply into code + text. */
int rpc_catch(struct rpc *r, const char *cmd, uint64_t timeout_ms, rpc_catch_cb cb, void *ud);

/* Number of requests waiting for replies. */
size_t rpc_pending(const struct rpc *r);

/* Fails every pending request with `status` and closes all handles; on_closed (may be
 * NULL) runs once everything is closed. Safe to call more than once and before connect. */
void rpc_close(struct rpc *r, int status, rpc_closed_cb on_closed);

#endif
