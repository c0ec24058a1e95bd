/* diag internals: the checks of rules_fork.inc, which read what vendor forks of OpenOCD
 * print, and what a stock OpenOCD prints when a config written for a fork meets it.
 *
 * Owns: the table of the adapter drivers, flash drivers and target types that only a fork
 * has (and the release that brought each target type upstream).
 * Must not: print, or decide an id: each check returns the confidence its rule deserves
 * (0: the rule does not apply) and writes only its detail line.
 */
#ifndef SWD_DIAG_FORK_H
#define SWD_DIAG_FORK_H

#include "diag/rules.h"

/* "The specified debug interface was not found (NAME)" for an adapter driver only a vendor
 * fork has ("picoprobe": Raspberry Pi's): high, the fork named in the detail; 0 for any
 * other name (the generic reading stands). */
int chk_fork_adapter(struct diag_ctx *c);
/* "flash driver 'NAME' not found" or "Unknown target type NAME" for a flash driver or
 * target type only a vendor fork has ("wch_riscv", "esp32c3", "at32f4xx"): high, the fork
 * named in the detail; 0 for any other name. */
int chk_fork_piece(struct diag_ctx *c);
/* "Unknown target type NAME": the type against the release that brought it upstream. High
 * when the banner shows an older release; medium when the log shows no release, or no
 * release up to 0.12 has the type (a fork's or a newer one); low when the release that ran
 * has it (likelier misspelt). */
int chk_target_type_release(struct diag_ctx *c);
/* A RISC-V debug transport read as all zeros or all ones ("dtmcontrol is 0", riscv-collab's
 * "Could not read dtmcontrol"): high unless
 * the core answered after it (a first attempt before a reset), then 0. */
int chk_fork_dtm_unread(struct diag_ctx *c);
int chk_fork_dtm_behind_live_tap(struct diag_ctx *c);

/* JTAG's IR capture check of one TAP ('%s: IR capture error; saw 0x%x not 0x%x',
 * src/jtag/core.c): a value of all zeros or all ones (every bit of the register) with no TAP
 * that gave its IDCODE is a TAP nobody drives: high; 0 otherwise (rules_drv.inc reads the
 * rest, and the whole chain's check, as a garbled link). */
int chk_jtag_ir_dead(struct diag_ctx *c);

#endif
