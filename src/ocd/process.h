/* process.h - one OpenOCD child process, supervised with libuv.
 *
 * Owns: building OpenOCD's command line from a profile-like description (every -c
 * argument is a Tcl script, so every value in it goes through tcl_quote), uv_spawn (with
 * OpenOCD's death signal, core/childguard.h, so that it never outlives a killed swdbackup),
 * reading stderr/stdout line by line (every line kept for diagnosis, each passed to a
 * callback), learning the TCL port from "Listening on port N for tcl connections",
 * noticing an exit (before or after listening) with its status, and forced stops
 * (SIGTERM, then SIGKILL after a grace period). The polite `shutdown` over RPC is the
 * session's job; this module does the signals.
 *
 * Must not: talk RPC, print, or sleep. Waiting is the caller's loop running.
 *
 * Errors: 0 or negative SWD_E* (core/err.h): SWD_EOCDMISSING (executable not found or
 * not executable), SWD_ENOMEM, SWD_EINTERNAL (libuv setup failure).
 */
#ifndef SWD_OCD_PROCESS_H
#define SWD_OCD_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/err.h"

enum ocdproc_probe {
	OCDPROC_PROBE_ANY = 0,     /* whatever the interface config finds (one USB probe) */
	OCDPROC_PROBE_USB_SERIAL,  /* `adapter serial SERIAL` */
	OCDPROC_PROBE_STLINK_TCP,  /* `hla_stlink_backend tcp PORT` (stlink-server, swdbackup-sim) */
};

struct ocdproc_var {
	const char *name;   /* WORKAREASIZE, CHIPNAME, ... */
	const char *value;
};

/* What to launch. Strings are borrowed for the ocdproc_start() call only. */
struct ocdproc_config {
	const char *openocd;           /* path, or NULL/"" for "openocd" on PATH */
	const char *interface_cfg;     /* "interface/stlink.cfg" (search path) or a file */
	const char *interface;         /* NULL, or an interface name that replaces interface_cfg:
	                                * "cmsis-dap", "jlink", anything else the ST-LINK's */
	enum ocdproc_probe probe;
	const char *serial;            /* OCDPROC_PROBE_USB_SERIAL */
	unsigned stlink_port;          /* OCDPROC_PROBE_STLINK_TCP */
	const char *transport;         /* "hla_swd", ... or NULL to let OpenOCD pick */
	const struct ocdproc_var *vars;/* `set NAME VALUE`, before the target config */
	size_t nvars;
	uint32_t dp_idcode;            /* 0, or the DP IDCODE the target config must expect (a
	                                * clone's): replaces any CPUTAPID in vars */
	const char *target_cfg;        /* "target/stm32f4x.cfg" */
	unsigned adapter_khz;          /* 0: the target config's default */
	bool connect_under_reset;      /* reset_config srst_only srst_nogate connect_assert_srst */
	const char *const *extra;      /* more -c scripts after the target config (NULL-terminated
	                                * or NULL); passed verbatim: the caller quotes */
	int debug_level;               /* -dN; 0 means 2 (the port line needs >= 2) */
};

/* Builds the argument vector (argv[0] = the executable as given). *argv is new: free with
 * ocdproc_argv_free(). Pure; exposed for tests and for -v display. */
int ocdproc_build_argv(const struct ocdproc_config *cfg, char ***argv, size_t *argc,
                       struct swd_error *err);
void ocdproc_argv_free(char **argv);

struct ocdproc;

/* One line of OpenOCD output, without the newline. is_stderr tells the stream. */
typedef void (*ocdproc_line_cb)(struct ocdproc *p, void *ud, const char *line, bool is_stderr);
/* The TCL port became known (OpenOCD is listening). */
typedef void (*ocdproc_port_cb)(struct ocdproc *p, void *ud, uint16_t port);
/* The process exited (after its output pipes reached EOF, so every line was delivered). */
typedef void (*ocdproc_exit_cb)(struct ocdproc *p, void *ud, int64_t status, int term_signal);
/* Every handle is closed; the struct may be freed. */
typedef void (*ocdproc_closed_cb)(struct ocdproc *p, void *ud);

struct ocdproc_callbacks {
	ocdproc_line_cb on_line;
	ocdproc_port_cb on_port;
	ocdproc_exit_cb on_exit;
	void *ud;
};

struct ocdproc {
	uv_loop_t *loop;
	uv_process_t proc;
	uv_pipe_t out, err;      /* stdout, stderr */
	uv_timer_t kill_timer;   /* SIGTERM -> SIGKILL escalation */
	struct ocdproc_callbacks cb;
	ocdproc_closed_cb on_closed;
	int open_handles;
	bool running;            /* spawned and not yet reaped */
	bool exited;             /* exit seen and both pipes at EOF: on_exit was called */
	bool exit_seen;
	bool out_eof, err_eof;
	bool spawn_failed;
	bool close_requested;    /* ocdproc_close() waits for the exit before closing */
	bool closing;
	int64_t exit_status;
	int term_signal;
	uint16_t tcl_port;       /* 0 until learned */
	char *linebuf[2];        /* partial lines of stdout, stderr */
	size_t linelen[2], linecap[2];
	char **lines;            /* every stderr+stdout line, in order of arrival */
	size_t nlines, capl;
	pid_t pid;
	char *exe;               /* resolved path */
};

/* Resolves the executable (cfg->openocd, else "openocd" on PATH). *path is new.
 * Returns 0, or SWD_EOCDMISSING with "openocd not found ..." in err. */
int ocdproc_find(const char *openocd, char **path, struct swd_error *err);

/* Spawns OpenOCD. p must stay valid until on_closed. Callbacks start arriving when the
 * caller runs the loop. */
int ocdproc_start(struct ocdproc *p, uv_loop_t *loop, const struct ocdproc_config *cfg,
                  const struct ocdproc_callbacks *cb, struct swd_error *err);

/* SIGTERM now, SIGKILL if still running after grace_ms. No-op when not running. */
void ocdproc_terminate(struct ocdproc *p, uint64_t grace_ms);

/* Closes every handle; a child still running is killed with SIGKILL first and reaped, so
 * no zombie is left. on_closed runs once all handles are closed (at once when none was
 * opened, e.g. after ocdproc_start() failed to find the executable). */
void ocdproc_close(struct ocdproc *p, ocdproc_closed_cb on_closed);

/* Lines seen so far. Returns: borrowed (valid until ocdproc_release()). */
const char *const *ocdproc_lines(const struct ocdproc *p, size_t *n);

/* Frees the kept lines and buffers. Call after on_closed. */
void ocdproc_release(struct ocdproc *p);

#endif
