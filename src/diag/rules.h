/* diag internals: the rule table and the facts the rules see.
 *
 * A rule is data: the log patterns it needs (POSIX extended regular expressions, matched
 * case-insensitively against each log line), an optional check over the facts, the
 * confidence it gives, the one-sentence cause, the fix, and where in OpenOCD its message
 * comes from. The engine (engine.c) runs every rule, merges findings with the same id and
 * ranks them. Not part of the public API.
 */
#ifndef SWD_DIAG_RULES_H
#define SWD_DIAG_RULES_H

#include "diag/diag.h"

#define DIAG_RULE_MAX_PATTERNS 10
#define DIAG_RULE_MAX_YIELD 6

/* STM32 family the target config or the log points at. */
enum diag_family {
	DIAG_FAM_UNKNOWN = 0,
	DIAG_FAM_F1,
	DIAG_FAM_F2F4,
};

/* The evidence, with every fact that was not given filled in from the log when the log
 * shows it (a fact given by the caller always wins over one read from the log). */
struct diag_ctx {
	const struct diag_evidence *ev;

	double voltage;            /* negative: unknown */
	int ver_major, ver_minor;  /* -1: unknown */
	bool has_dp_idcode;
	uint32_t dp_idcode;
	bool has_log_expected_idcode; /* "expected 1 of 1: 0x1ba01477" */
	uint32_t log_expected_idcode;
	bool has_dev_id;
	uint32_t dev_id;
	bool has_cpu_partno;
	uint32_t cpu_partno;       /* (CPUID >> 4) & 0xfff */
	bool has_flash_kib;
	uint32_t flash_kib;
	bool flash_size_failed;    /* "flash size failed, probe inaccurate" */
	int rdp_level;             /* -1 unknown */
	enum diag_tri wrp;
	enum diag_family family;
	/* The STM32 series the log's target names or config scripts say ("stm32f3x.cpu",
	 * "target/stm32l4x.cfg", "STM32F103C8Tx.cpu"): bit diag_stm32_series(code) per series,
	 * 0 when none is named. */
	unsigned cfg_series;
	enum diag_probe_kind probe;
	char firmware[32];         /* ST-LINK firmware name, "V2J37S7"; "" unknown */

	/* Set by the engine while a rule is evaluated. */
	char detail[256];          /* a check may write the facts behind its finding */
};

/* A fact check. Returns the confidence the finding gets (may differ from the table's, e.g.
 * lower when the facts that would settle it are unknown), or 0 when the rule does not fit. */
typedef int (*diag_check_fn)(struct diag_ctx *c);

struct diag_rule {
	enum diag_id id;
	const char *name;          /* rule name for tests and debugging, unique */
	enum diag_confidence confidence;
	int priority;              /* ranks findings of equal confidence: higher first */
	/* At least one must match a log line (none listed: the rule needs no log line). */
	const char *any[DIAG_RULE_MAX_PATTERNS];
	/* Each must match some log line. */
	const char *all[DIAG_RULE_MAX_PATTERNS];
	/* Shown as evidence when present, never required (for rules decided by facts). */
	const char *show[DIAG_RULE_MAX_PATTERNS];
	/* None may match any log line. */
	const char *none[DIAG_RULE_MAX_PATTERNS];
	diag_check_fn check;       /* NULL: the patterns decide */
	/* When one of these ids is found with at least this finding's confidence, this
	 * finding drops below it (e.g. swd-unreachable yields to target-unpowered). */
	enum diag_id yield_to[DIAG_RULE_MAX_YIELD];
	size_t n_yield;
	const char *cause;
	const char *fix;
	const char *source;
};

extern const struct diag_rule diag_rules[];
extern const size_t diag_n_rules;

/* The OpenOCD 0.<minor> release that first shipped the config script PATH
 * ("board/st_nucleo_l4.cfg"; cfgrel.c, generated from OpenOCD's tags), or -1 when it is in
 * 0.9 already or is not one of OpenOCD's scripts. */
int diag_cfg_added_minor(const char *path);

/* diag_run, and for each rule of diag_rules[] whether it fired on EV: FIRED[i] is set true
 * when rule i fits, whatever its rank (FIRED may be NULL). For audits of the table: which
 * inputs each rule reads. Returns: new report, NULL only when out of memory. */
struct diag_report *diag_run_traced(const struct diag_evidence *ev, bool *fired);
/* diag_classify_log, traced the same way. */
struct diag_report *diag_classify_log_traced(const char *text, bool *fired);

/* The OpenOCD 0.<minor> release that first had the NOR flash driver NAME ("stm32h7x": 11;
 * 9 for one 0.9 had already; cfgrel.c, generated from OpenOCD's tags), or -1 when no release
 * up to 0.12 has it (a vendor fork's driver, a newer one, or a misspelt name). */
int diag_flash_driver_added_minor(const char *name);

/* The OpenOCD 0.<minor> release (10-12) that brought the command or subcommand NAME
 * ("read_memory": 12; cfgrel.c, generated from OpenOCD's tags), or -1 when 0.9 had a command
 * of that name already or no release up to 0.12 has one. */
int diag_cmd_added_minor(const char *name);

/* The releases (0.<first> to 0.<last>, 9-12; cfgrel.c, generated from OpenOCD's tags) that
 * have the adapter driver NAME ("st-link": 11 to 12, "ft2232": 9 to 9). Returns false when no
 * release from 0.9 to 0.12 has it (a vendor fork's driver, a newer one, or a misspelt name). */
bool diag_adapter_driver_span(const char *name, int *first, int *last);

/* The bit of an STM32 series code ("f1", "l4", "wb": the two characters after "STM32"),
 * 0 for a code the table does not know. */
unsigned diag_stm32_series(const char *code);

/* stm32ids.c: what the STM32 dev id DEV (DBGMCU_IDCODE, its low 12 bits read) is: its
 * family ("STM32F405/407"), NULL for none of ST's. */
const char *diag_stm32_family(unsigned dev);
/* The OpenOCD flash driver that drives DEV ("stm32l4x"), with the first 0.<minor> release
 * whose driver knows it in MINOR (13: none up to 0.12, ST's fork does); NULL for none. */
const char *diag_stm32_driver(unsigned dev, int *minor);
/* The stock target script of FAMILY's series ("target/stm32g0x.cfg"), NULL when none. */
const char *diag_stm32_script(const char *family);

/* True when LINE only wraps a failure printed elsewhere: OpenOCD's Tcl traceback ("in
 * procedure 'program_error' called at file ...") or a build tool's summary of the failed step
 * ("make: *** [flash] Error 1", SCons's "*** [upload] Error 1", PlatformIO's "[FAILED]"). */
bool diag_wraps_failure(const char *line);

/* Fills the ctx facts from EV and its log. */
void diag_ctx_derive(struct diag_ctx *c, const struct diag_evidence *ev);

/* True when the failed-connect evidence leaves the target at fault (nothing answered, halt
 * timed out, comm errors) rather than probe, power, identity or OpenOCD. */
bool diag_id_is_retryable(enum diag_id id);

#endif
