/* session.h - one OpenOCD run, driven through a synchronous-looking API.
 *
 * Owns: the only place that spells OpenOCD commands. Starts OpenOCD (process.h), connects
 * to its TCL port (rpc.h) and offers the operations swdbackup needs: identify, reset, read
 * flash to a file with progress, read small regions, verify on target, erase+program,
 * option bytes, and a raw command escape. Each call runs the session's private uv loop
 * until its result arrives, so callers stay straight-line code. The lifecycle and the
 * request/reply path are in session.c, the target operations in target.c, the flash
 * operations in flash.c (they share session-priv.h); what OpenOCD's text says is read by
 * ocdlog.h.
 *
 * Must not: print, exit, parse profiles or decide exit codes. Progress and OpenOCD's log
 * lines are delivered as events through callbacks; errors as codes plus details.
 *
 * Conventions:
 * - Every function returns 0 or a negative SWD_E* code (core/err.h) and fills the optional
 *   `struct swd_error *err` (first error wins) with one lowercase line. Codes used:
 *     SWD_EOCDMISSING   openocd executable not found (exit 4)
 *     SWD_EOCDDIED      openocd exited (init failure, killed, crashed) (exit 4)
 *     SWD_EOCDTIMEOUT   no answer in time (exit 4)
 *     SWD_EOCDPROTO     a reply we cannot read (exit 4)
 *     SWD_EPROBENOTFOUND / SWD_EPROBEBUSY   recognised in OpenOCD's init log (exit 5)
 *     SWD_ETARGETNORESP target did not answer: init/examine/halt failures (exit 6)
 *     SWD_ETARGETFAILED a command failed on the target (exit 6)
 *     SWD_EPROTECTED    read/erase/write refused by RDP/WRP (exit 7)
 *     SWD_EWRONGTARGET  DP IDCODE does not match the target config (exit 8)
 *     SWD_EVERIFY       verify_image / verify_bank found a difference (exit 1)
 *     SWD_EIO           local file trouble (exit 9)
 *     SWD_EINTR         SIGINT/SIGTERM (or *interrupted set); OpenOCD is still shut down (130)
 *   The log-based classification is a first cut; src/diag refines it from the failure
 *   details (ocd_session_failure()).
 * - After any failure the session stays usable if OpenOCD is alive (a target command
 *   failing is not fatal); after SWD_EOCDDIED/EOCDTIMEOUT/EINTR every call fails fast
 *   with the same code.
 * - Strings passed in are borrowed for the call. File names may contain anything
 *   (spaces, [ ] $ { } ; " \): they are quoted as data.
 * - Signals: while a session exists it handles SIGINT and SIGTERM with uv_signal (libuv
 *   restores SIG_DFL when the session is freed: reinstall your own handler afterwards if
 *   you need one). The first signal makes the running call return SWD_EINTR; the session
 *   then shuts OpenOCD down (resuming a target it halted) inside ocd_session_free().
 */
#ifndef SWD_OCD_SESSION_H
#define SWD_OCD_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "ocd/ocdlog.h"
#include "ocd/process.h"

struct ocd_session;

/* Events. All strings are borrowed for the duration of the call. */
typedef void (*ocd_log_cb)(void *ud, const char *line);
/* what: "reading flash", "verifying", "erasing", "programming"; done/total in bytes. */
typedef void (*ocd_progress_cb)(void *ud, const char *what, uint64_t done, uint64_t total);

struct ocd_session_config {
	struct ocdproc_config proc;    /* what to launch (process.h); borrowed for start */
	ocd_log_cb on_log;             /* every OpenOCD output line (for -v), may be NULL */
	ocd_progress_cb on_progress;   /* may be NULL */
	void *ud;
	volatile sig_atomic_t *interrupted; /* optional: set to 1 when we catch a signal, and
	                                     * checked before each command */
	bool no_signals;               /* do not install SIGINT/SIGTERM handlers (tests) */
	uint64_t start_timeout_ms;     /* 0: 30 s, from spawn until the TCL port answers */
	uint64_t command_timeout_ms;   /* 0: 60 s; long operations add time per byte */
};

struct ocd_identity {
	uint32_t cpuid;            /* 0xE000ED00 */
	uint32_t dbgmcu_idcode;    /* DBGMCU_IDCODE (address given by caller) */
	bool has_dp_idcode;
	uint32_t dp_idcode;        /* SW-DP IDCODE, when OpenOCD reports it. With an ST-LINK
	                            * (hla_swd) 0.12 offers no command for it and logs it only
	                            * on a mismatch: then has_dp_idcode stays false, and a
	                            * successful init means it matched the target config. */
	uint16_t flash_size_kib;   /* 16-bit read at the caller's address */
	uint8_t uid[12];           /* 96-bit unique ID, bytes in address order */
};

/* Where the identity registers are (from the profile). */
struct ocd_identity_regs {
	uint32_t dbgmcu_idcode;    /* 0xE0042000 */
	uint32_t flash_size;       /* 0x1FFF7A22 / 0x1FFFF7E0 */
	uint32_t unique_id;        /* 0x1FFF7A10 / 0x1FFFF7E8 */
};

/* Details of the first failure (all borrowed from the session, valid until it is freed). */
struct ocd_failure {
	int code;                   /* SWD_E*, 0 when nothing failed */
	const char *command;        /* OpenOCD command that failed, or NULL */
	int ocd_code;               /* catch's value: 1 Tcl error, negative OpenOCD error; 0 n/a */
	const char *ocd_text;       /* OpenOCD's result/error text ("" if none) */
	bool exited;                /* OpenOCD had exited */
	int64_t exit_status;
	int term_signal;
	const char *const *log;     /* every OpenOCD output line so far */
	size_t nlog;
	size_t log_mark;            /* index of the first line logged during the failing step */
};

/* Starts OpenOCD, waits for its TCL port, connects, and fills *probe (may be NULL) from
 * the log, also when the start fails (e.g. the voltage of an unresponsive board).
 * *out is new whenever memory allowed, success or not: callers always call
 * ocd_session_free(*out) (NULL is fine), and may read ocd_session_failure(*out) first. */
int ocd_session_start(const struct ocd_session_config *cfg, struct ocd_session **out,
                      struct ocdlog_probe *probe, struct swd_error *err);

/* Shuts OpenOCD down cleanly: resumes a target this session left halted (unless
 * ocd_keep_halted()), sends `shutdown`, waits for the exit (SIGTERM, then SIGKILL, after
 * grace periods), closes every handle and the loop. Returns the first error of the stop
 * itself. Idempotent. */
int ocd_session_stop(struct ocd_session *s, struct swd_error *err);

/* Stops if needed and frees. NULL is a no-op. */
void ocd_session_free(struct ocd_session *s);

/* Details of the first failure. Returns: borrowed (NULL-safe: s NULL gives NULL). */
const struct ocd_failure *ocd_session_failure(const struct ocd_session *s);

/* All OpenOCD output lines so far. Returns: borrowed. */
const char *const *ocd_session_log(const struct ocd_session *s, size_t *n);

/* ---- operations ---------------------------------------------------------------------- */

/* Reads CPUID, DBGMCU_IDCODE, the flash-size halfword and the 96-bit UID. Works on a
 * running target. */
int ocd_identify(struct ocd_session *s, const struct ocd_identity_regs *regs,
                 struct ocd_identity *out, struct swd_error *err);

enum ocd_reset_mode { OCD_RESET_RUN, OCD_RESET_HALT, OCD_RESET_INIT };

/* `reset run|halt|init`. After HALT/INIT the session remembers the target is halted and
 * resumes it at stop unless ocd_keep_halted() is called. When the config asked for an
 * adapter speed, it is set again afterwards: the stock F2/F4 configs change it in their
 * reset handlers. */
int ocd_reset(struct ocd_session *s, enum ocd_reset_mode mode, struct swd_error *err);

/* `halt`. */
int ocd_halt(struct ocd_session *s, struct swd_error *err);


/* Leave the target halted when the session stops (swdbackup reset --halt). */
void ocd_keep_halted(struct ocd_session *s);

/* Reads len bytes of flash bank `bank` from byte offset `offset` into a new file at path
 * (created or truncated), in chunks with "reading flash" progress events. */
int ocd_read_flash(struct ocd_session *s, unsigned bank, uint32_t offset, uint32_t len,
                   const char *path, struct swd_error *err);

/* Reads memory with `read_memory`: count items of width 8, 16 or 32 bits starting at
 * address, stored little-endian into buf (count * width/8 bytes). For small regions
 * (option bytes, OTP, identity). */
int ocd_read_memory(struct ocd_session *s, uint32_t address, unsigned width, size_t count,
                    void *buf, struct swd_error *err);

/* Writes count items of width bits from buf (little-endian) with `write_memory`. */
int ocd_write_memory(struct ocd_session *s, uint32_t address, unsigned width, size_t count,
                     const void *buf, struct swd_error *err);

struct ocd_verify_result {
	bool match;
	uint64_t bytes;              /* verified bytes ("verified N bytes") when known */
	bool has_first_diff;
	uint32_t first_diff_address; /* from the first "diff" line on a mismatch */
	size_t ndiff_lines;          /* "diff" lines OpenOCD printed (it stops after 128) */
};

/* `verify_image FILE ADDRESS bin`: CRC on the target when it is halted (ocd_reset HALT
 * first); on a running target OpenOCD cannot run its CRC code and reads the memory back
 * instead, which costs as much as a read. One command for the whole image: verifying in
 * chunks (for finer progress) measured 38% slower, each chunk paying the CRC code's
 * setup. Progress is one event before and one after.
 * Returns 0 with out->match true, SWD_EVERIFY with out->match false and the first
 * difference, or another error when the check could not run. out may be NULL. */
int ocd_verify_image(struct ocd_session *s, const char *path, uint32_t address,
                     struct ocd_verify_result *out, struct swd_error *err);

/* One erasable unit (from the profile). */
struct ocd_sector {
	unsigned index;   /* OpenOCD's sector number within the bank */
	uint32_t offset;  /* from the bank base */
	uint32_t size;
};

struct ocd_program_args {
	const uint8_t *data;       /* the raw image (borrowed for the call) */
	size_t len;
	const char *scratch;       /* a file name the call may create, overwrite and removes:
	                            * OpenOCD reads the image from it, a chunk at a time */
	unsigned bank;
	uint32_t bank_base;        /* 0x08000000 */
	uint32_t offset;           /* image offset within the bank (normally 0) */
	const struct ocd_sector *sectors; /* the bank's sector map; NULL: one `flash write_image
	                                   * erase` without per-sector progress */
	size_t nsectors;
};

/* Halts if needed, erases the sectors the image touches ("erasing" progress per sector),
 * then programs it up to its last byte that is not 0xFF ("programming" progress per chunk;
 * none when the image is all 0xFF): the erase already left the rest 0xFF. The caller
 * verifies. */
int ocd_program(struct ocd_session *s, const struct ocd_program_args *a, struct swd_error *err);

/* `flash erase_sector BANK FIRST LAST` (after a reset halt, as every write). */
int ocd_erase_sectors(struct ocd_session *s, unsigned bank, unsigned first, unsigned last,
                      struct swd_error *err);

/* Readout protection as DRIVER's options_read states it (F1: from FLASH_OBR, which answers
 * when a debugger read of the option area faults under RDP level 1): *level is 1 (on),
 * 0 (off) or -1 (the reply does not say). The target must be halted. */
int ocd_read_protection(struct ocd_session *s, const char *driver, unsigned bank, int *level,
                        struct swd_error *err);

/* `DRIVER unlock BANK`: readout protection back to level 0, which mass-erases the flash
 * (after a reset halt, as every write). */
int ocd_options_unlock(struct ocd_session *s, const char *driver, unsigned bank,
                       struct swd_error *err);

/* `DRIVER mass_erase BANK`: erases all of the bank (F1, F2/F4; after a reset halt, as every
 * write). The chip takes up to 16 s per 1 MiB bank at x8 (DS8626 table 40). */
int ocd_mass_erase(struct ocd_session *s, const char *driver, unsigned bank,
                   struct swd_error *err);

/* `stm32f1x options_write BANK ...`: the USER bits and the two data bytes (DATA0 low).
 * The driver rebuilds every option byte from the values loaded at the last reset, so
 * reset halt between two writes. Text-only failures become SWD_ETARGETFAILED. */
struct ocd_f1_user {
	bool swwdg, norststop, norststndby;
	uint16_t useropt;
};
int ocd_f1_options_write(struct ocd_session *s, unsigned bank, const struct ocd_f1_user *u,
                         struct swd_error *err);
/* `stm32f2x options_write BANK USER`: the driver's user_options value. */
int ocd_f2_options_write(struct ocd_session *s, unsigned bank, uint32_t user,
                         struct swd_error *err);
/* `flash protect BANK FIRST LAST on|off`: FIRST..LAST count the driver's protection
 * blocks (F1: WRP bits; F2/F4: sectors). */
int ocd_flash_protect(struct ocd_session *s, unsigned bank, unsigned first, unsigned last,
                      bool on, struct swd_error *err);

/* Raw escape (diagnosis, on-target routines): runs script under catch+capture and returns OpenOCD's code
 * (0 ok, 1 Tcl error, negative OpenOCD error) and *text (new): the log text the command
 * produced, else its result. Returns 0 whenever the round trip worked, whatever *ocd_code. */
int ocd_command(struct ocd_session *s, const char *script, int *ocd_code, char **text,
                struct swd_error *err);

#endif
