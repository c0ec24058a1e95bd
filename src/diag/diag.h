/* diag: the diagnosis engine.
 *
 * Owns: turning evidence (what OpenOCD printed, what the probe reported, what the profile
 * expects and what the tool tried) into ranked findings, each with a stable id, a
 * confidence, a one-sentence cause, an exact fix and the evidence lines behind it; and the
 * advice for connection recovery (retry under reset, lower adapter speeds).
 *
 * Must not: print, exit, touch files, sockets or processes. The cli gathers the evidence
 * and renders the report (text and --json); diag only reasons. The rules are a data table
 * (rules.c), each citing where in OpenOCD its message comes from.
 *
 * Typical use by a command that failed:
 *
 *	struct diag_evidence ev;
 *	diag_evidence_init(&ev);
 *	ev.op = DIAG_OP_CONNECT;
 *	diag_evidence_feed_log(&ev, stderr_bytes, n);   (as often as bytes arrive)
 *	ev.target_voltage = 3.24; ...                    (facts when known)
 *	struct diag_report *r = diag_run(&ev);           (new; NULL only when out of memory)
 *	... render r->findings[0 .. r->n - 1] ...
 *	diag_report_free(r);
 *	diag_evidence_release(&ev);
 */
#ifndef SWD_DIAG_H
#define SWD_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stable finding ids; their names (diag_id_name) are the public vocabulary used in
 * --json and by CI scripts. Never renumber or rename; add new ids before DIAG_ID_COUNT. */
enum diag_id {
	DIAG_PROBE_NOT_FOUND = 0,
	DIAG_USB_PERMISSION,
	DIAG_PROBE_BUSY,
	DIAG_PROBE_DRIVER_MISSING,
	DIAG_TARGET_UNPOWERED,
	DIAG_SWD_UNREACHABLE,
	DIAG_TARGET_LOW_POWER,
	DIAG_SWD_COMM_ERRORS,
	DIAG_CORE_HALT_TIMEOUT,
	DIAG_CLONE_IDCODE,
	DIAG_COUNTERFEIT_MCU,
	DIAG_UNSUPPORTED_DEVICE,
	DIAG_WRONG_TARGET_CONFIG,
	DIAG_FLASH_SIZE_MISMATCH,
	DIAG_READOUT_PROTECTED,
	DIAG_WRITE_PROTECTED,
	DIAG_PORT_IN_USE,
	DIAG_CONFIG_NOT_FOUND,
	DIAG_OPENOCD_MISSING,
	DIAG_OPENOCD_TOO_OLD,
	DIAG_VERIFY_PADDING_ONLY,
	DIAG_VERIFY_MISMATCH,
	DIAG_UNKNOWN,
	DIAG_DFU_UTIL_MISSING,
	DIAG_DFU_SUFFIX_WARNING,
	DIAG_DFU_LEAVE_QUIRK,
	/* A non-STM32 part's own protection (nRF APPROTECT, SAM NVM lock/security bit,
	 * Kinetis security, ...): never STM32 RDP/WRP advice. */
	DIAG_VENDOR_PROTECTED,
	DIAG_ID_COUNT
};

/* "probe-not-found", ... Returns: static string; "unknown" for an out-of-range id. */
const char *diag_id_name(enum diag_id id);
/* Returns the id named NAME, or -1 when NAME is not in the vocabulary. */
int diag_id_from_name(const char *name);
/* The error a failure whose top finding is ID stands for: SWD_E* (core/err.h), 0 for
 * verify-padding-only, which is not a failure; "unknown" gives SWD_EOCDDIED. A caller that
 * knows which step failed may prefer that step's own code. */
int diag_id_code(enum diag_id id);
/* swd_exit_code(diag_id_code(id)): the exit status the command contract gives it. */
int diag_id_exit_code(enum diag_id id);

enum diag_confidence {
	DIAG_CONF_LOW = 1,
	DIAG_CONF_MEDIUM = 2,
	DIAG_CONF_HIGH = 3,
};
/* "low", "medium", "high". Returns: static string. */
const char *diag_confidence_name(enum diag_confidence c);

/* What the tool was doing when it failed. Rules use it to weigh ambiguous lines. */
enum diag_op {
	DIAG_OP_NONE = 0, /* unknown, e.g. a pasted log */
	DIAG_OP_SPAWN,    /* starting OpenOCD (before init) */
	DIAG_OP_CONNECT,  /* init / examine / reset halt */
	DIAG_OP_IDENTIFY, /* dev id, flash size, option bytes */
	DIAG_OP_READ,
	DIAG_OP_ERASE,
	DIAG_OP_PROGRAM,
	DIAG_OP_VERIFY,
	DIAG_OP_OPTION_BYTES,
	DIAG_OP_RESET,
};

/* A fact that may be unknown. */
enum diag_tri {
	DIAG_TRI_UNKNOWN = 0,
	DIAG_TRI_NO,
	DIAG_TRI_YES,
};

enum diag_probe_kind {
	DIAG_PROBE_UNKNOWN = 0,
	DIAG_PROBE_STLINK,
	DIAG_PROBE_CMSIS_DAP,
	DIAG_PROBE_JLINK,
	DIAG_PROBE_SIM, /* swdbackup-sim or stlink-server over TCP */
	DIAG_PROBE_DFU, /* the board's own USB DFU bootloader, through dfu-util */
};

/* How one connection attempt ended. */
enum diag_outcome {
	DIAG_OUT_OK = 0,
	DIAG_OUT_NO_RESPONSE,  /* "init mode failed", "cannot read IDR": nothing answered */
	DIAG_OUT_HALT_TIMEOUT, /* connected but the core did not halt */
	DIAG_OUT_COMM_ERROR,   /* answered, but transfers failed (WAIT/FAULT, examination failed) */
	DIAG_OUT_OTHER,
};

/* One connection attempt the tool made. */
struct diag_attempt {
	bool under_reset;   /* connect_assert_srst: NRST held while attaching */
	unsigned speed_khz; /* adapter speed requested (0 = the profile's default) */
	enum diag_outcome outcome;
};

#define DIAG_MAX_IDS 8
#define DIAG_MAX_ATTEMPTS 16

/* Outcome of a verify the tool made itself (digests compared on its side). */
enum diag_verify {
	DIAG_VERIFY_NONE = 0, /* no verify, or not known */
	DIAG_VERIFY_MATCH,    /* the whole compared range is equal */
	DIAG_VERIFY_PADDING,  /* the image matches and the rest of flash is erased (0xFF) */
	DIAG_VERIFY_DIFFER,   /* some bytes differ */
};

/* Everything known about a failure. Zero-initialised by diag_evidence_init; every field
 * left at its "unknown" value is ignored by the rules. Strings are borrowed: they must
 * outlive diag_run. The log is owned (copied in by diag_evidence_feed_log). */
struct diag_evidence {
	enum diag_op op;

	/* OpenOCD itself. */
	enum diag_tri openocd_found;   /* NO: not on PATH / --openocd path does not exist */
	const char *openocd_version;   /* "0.12.0", "0.10.0+dev-00001-g..." (NULL unknown) */
	bool openocd_exited;           /* it exited (or was killed) before we were done */
	int openocd_exit_status;       /* exit code when openocd_exited; negative = -signal */
	const char *missing_command;   /* a Tcl command OpenOCD did not know (NULL none) */
	enum diag_tri dfu_util_found;  /* NO: --probe dfu and dfu-util is not installed */
	enum diag_tri dfu_device_found;/* NO: dfu-util listed no device the selection names */

	/* Probe. */
	enum diag_probe_kind probe_kind;
	const char *probe_firmware;    /* "V2J37S7" (NULL unknown) */
	double target_voltage;         /* volts; negative = unknown (init sets -1) */

	/* What the profile expects (NULL name = no profile). */
	const char *profile_name;
	const char *profile_target_cfg; /* "target/stm32f1x.cfg" */
	uint32_t expected_idcodes[DIAG_MAX_IDS];
	size_t n_expected_idcodes;
	uint32_t clone_idcodes[DIAG_MAX_IDS]; /* DP IDCODEs of known clones (F1: 0x2ba01477) */
	size_t n_clone_idcodes;
	uint32_t expected_dev_ids[DIAG_MAX_IDS]; /* DBGMCU_IDCODE & 0xfff */
	size_t n_expected_dev_ids;
	uint32_t expected_cpuid_partno;  /* (CPUID >> 4) & 0xfff, e.g. 0xc23 (M3); 0 unknown */
	uint32_t profile_flash_kib;      /* 0 unknown */
	bool profile_allows_under_reset;
	bool strict;                     /* --strict: refuse clones instead of going on */

	/* What the device said (has_* false = not read). */
	bool has_dp_idcode;
	uint32_t dp_idcode;
	bool has_dev_id;
	uint32_t dev_id;                 /* full DBGMCU_IDCODE (rev << 16 | dev) or just dev */
	bool has_cpuid;
	uint32_t cpuid;
	bool has_flash_size_reg;
	uint32_t flash_size_reg_kib;     /* raw register value (0 / 0xffff = blank) */

	/* Option bytes decoded (the only reliable way to tell RDP from WRP). */
	int rdp_level;                   /* -1 unknown, 0, 1, 2 */
	enum diag_tri wrp_active;        /* any page/sector write-protected */

	/* What was tried. */
	struct diag_attempt attempts[DIAG_MAX_ATTEMPTS];
	size_t n_attempts;
	bool rescued_after_silent_start; /* a start ended with OpenOCD leaving without a word,
	                                  * and a connection under reset then worked */

	/* Verify done by the tool. */
	enum diag_verify verify;
	uint64_t verify_image_size;      /* bytes of the image compared */
	uint64_t verify_flash_size;      /* bytes of the region on the device */
	uint64_t verify_first_diff;      /* address of the first differing byte (DIFFER) */
	uint32_t verify_units_differ;    /* pages/sectors that differ (DIFFER) */
	uint32_t verify_units_total;     /* pages/sectors in the map (DIFFER), 0 = unknown */
	bool verify_pages;               /* the units are pages (F1) rather than sectors */

	/* Owned log storage: lines split from everything fed. */
	char **log_lines;
	size_t n_log_lines;
	size_t cap_log_lines;
	char *partial;                   /* an unterminated last line, kept until more arrives */
	size_t partial_len;
};

/* Sets every fact to unknown. */
void diag_evidence_init(struct diag_evidence *ev);
/* Frees the owned log. The struct may be initialised again afterwards. */
void diag_evidence_release(struct diag_evidence *ev);
/* Appends LEN bytes of OpenOCD's output (stderr, or a saved log). Bytes may arrive split
 * anywhere; lines end at \n (a \r before it is dropped); an unterminated last
 * line is kept and seen by the rules too. Returns 0 or SWD_ENOMEM (core/err.h). */
int diag_evidence_feed_log(struct diag_evidence *ev, const char *buf, size_t len);
/* Records one connection attempt. Returns 0, or SWD_EINTERNAL when DIAG_MAX_ATTEMPTS are
 * full (a caller bug: recovery stops advising before that). */
int diag_evidence_add_attempt(struct diag_evidence *ev, bool under_reset, unsigned speed_khz,
                              enum diag_outcome outcome);

struct diag_finding {
	enum diag_id id;
	enum diag_confidence confidence;
	const char *cause;    /* one sentence; static */
	const char *fix;      /* exact steps or commands; static */
	const char *source;   /* where in OpenOCD the message comes from; static, may be "" */
	const char *rule;     /* the name of the rule that gave it ("unknown" when none did);
	                       * static */
	char *detail;         /* facts behind it, e.g. "DP IDCODE 0x2ba01477, expected
	                       * 0x1ba01477"; owned by the report, may be NULL */
	char **evidence;      /* log lines that matched; owned by the report */
	size_t n_evidence;
};

struct diag_report {
	struct diag_finding *findings; /* ranked: most likely first; never empty */
	size_t n;
	bool rescued;                  /* a later attempt succeeded (see diag_rescue_note) */
};

/* Runs every rule over EV. Returns: new report (diag_report_free), findings ranked by
 * confidence then rule priority; when no rule fits, a single "unknown" finding (never high
 * confidence) whose evidence is the error lines seen. NULL only when out of memory. */
struct diag_report *diag_run(const struct diag_evidence *ev);
/* Classifies a saved or pasted OpenOCD log (any version 0.9-0.12, any probe) with no other
 * facts than those the log itself shows. Returns: new report, NULL when out of memory. */
struct diag_report *diag_classify_log(const char *text);
/* NULL is a no-op. */
void diag_report_free(struct diag_report *r);

/* --- connection recovery -------------------------------------------------------------- */

/* The adapter speeds to step down through, from START_KHZ (included when it is one of the
 * steps; 0 = 4000) down to 100: the ST-LINK steps 4000, 1800, 950, 480, 240, 100 kHz.
 * Writes at most MAX speeds to OUT. Returns how many were written. */
size_t diag_speed_steps(unsigned start_khz, unsigned *out, size_t max);

/* The next connection attempt worth making after the attempts recorded in EV failed. */
struct diag_retry {
	bool under_reset;
	unsigned speed_khz; /* 0 = the profile's default speed */
};

/* Decides, from the evidence of the failed attempts (log, voltage, attempts list), whether
 * another attempt is worth it. Order: under reset at the default speed (when the profile
 * allows it), then each lower speed (under reset when allowed, else normal). Never for
 * probe, permission, power, identity, protection or OpenOCD problems, nor when the last
 * attempt ended DIAG_OUT_OTHER; an accepted clone (no --strict) does not stop it unless
 * its IDCODE keeps stopping the connection. DEFAULT_KHZ is the profile's speed (0 = 4000).
 * Returns 1 and fills OUT when an attempt is worth making, 0 when not (give up and
 * report). */
int diag_recovery_next(const struct diag_evidence *ev, unsigned default_khz,
                       struct diag_retry *out);

/* When the last recorded attempt succeeded after failed ones, writes the sentence to show
 * for the rescued run into BUF (NUL-terminated, truncated to SIZE), e.g. "connected only
 * under reset: the firmware disables SWD; use --connect-under-reset next time". Returns its
 * length, or 0 (BUF set to "") when the run was not rescued. */
size_t diag_rescue_note(const struct diag_evidence *ev, char *buf, size_t size);

#endif
