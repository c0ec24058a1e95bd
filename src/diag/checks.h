/* diag internals: the checks the rule table (rules.c) names, defined in checks.c (and, for
 * those that read the OpenOCD release, release.c).
 *
 * Owns: nothing. A check reads the context (the facts and the log) and writes only its
 * detail line.
 * Must not: print, touch a probe or target, or decide an id: it returns the confidence its
 * rule deserves (0: the rule does not apply) and the table says what that rule means.
 */
#ifndef SWD_DIAG_CHECKS_H
#define SWD_DIAG_CHECKS_H

#include "diag/rules.h"

/* True when a line of the log contains NEEDLE (case-insensitive). */
bool chk_log_has(const struct diag_ctx *c, const char *needle);
/* The flash driver whose words 'Cannot identify target as ...' the log shows ("stm32l4x"):
 * NULL when none; "stm32f1x/f2x" when the words do not tell those two apart. */
const char *chk_refusing_driver(const struct diag_ctx *c);

int chk_clone(struct diag_ctx *c);
int chk_clone_unconfirmed(struct diag_ctx *c);
int chk_cmsis_dap_firmware(struct diag_ctx *c);
int chk_comm_attempts(struct diag_ctx *c);
int chk_comm_from_reads(struct diag_ctx *c);
int chk_counterfeit(struct diag_ctx *c);
int chk_dfu_no_device(struct diag_ctx *c);
int chk_dfu_util_missing(struct diag_ctx *c);
int chk_driver_failure_stands(struct diag_ctx *c);
/* cascade.c: the order of events. True when LINE says the link to the target failed. */
bool chk_link_failure_line(const char *line);
/* True when LINE shows the target answering: an IDCODE neither all zeros nor all ones, its
 * core or dev id read, its core halted. */
bool chk_target_answer_line(const char *line);
/* True when the target answered after the log's last line SINCE matches. */
bool chk_answered_after(const struct diag_ctx *c, bool (*since)(const char *));
/* checks.c: true when LINE is a connect failure swd-unreachable-log reads. */
bool chk_unreachable_line(const char *line);
int chk_verify_after_refusal(struct diag_ctx *c);
int chk_identify_read(struct diag_ctx *c);
int chk_identify_unread(struct diag_ctx *c);
int chk_checksum_not_preverify(struct diag_ctx *c);
int chk_firmware_no_swd(struct diag_ctx *c);
int chk_flash_size(struct diag_ctx *c);
int chk_flash_size_failed(struct diag_ctx *c);
int chk_halt_attempts(struct diag_ctx *c);
int chk_halt_not_cascade(struct diag_ctx *c);
int chk_low_power_guess(struct diag_ctx *c);
int chk_missing_command(struct diag_ctx *c);
int chk_openocd_missing(struct diag_ctx *c);
int chk_rdp_from_reads(struct diag_ctx *c);
int chk_rdp_from_writes(struct diag_ctx *c);
int chk_rdp_known(struct diag_ctx *c);
int chk_rescued_low_power(struct diag_ctx *c);
int chk_rescued_silent(struct diag_ctx *c);
int chk_rescued_speed(struct diag_ctx *c);
int chk_rescued_under_reset(struct diag_ctx *c);
int chk_silent_init(struct diag_ctx *c);
int chk_stalls(struct diag_ctx *c);
int chk_too_old_command(struct diag_ctx *c);
int chk_too_old_object(struct diag_ctx *c);
int chk_too_old_command_release(struct diag_ctx *c);
int chk_too_old_dev(struct diag_ctx *c);
int chk_too_old_flash_driver(struct diag_ctx *c);
int chk_too_old_config(struct diag_ctx *c);
int chk_interface_driver(struct diag_ctx *c);
int chk_too_old_interface(struct diag_ctx *c);
int chk_too_old_stlink_version_read(struct diag_ctx *c);
int chk_too_old_config_unknown(struct diag_ctx *c);
int chk_config_not_found(struct diag_ctx *c);
int chk_too_old_subcommand(struct diag_ctx *c);
int chk_too_old_version(struct diag_ctx *c);
int chk_unknown_dev_fact(struct diag_ctx *c);
int chk_unpowered(struct diag_ctx *c);
int chk_unreachable_log(struct diag_ctx *c);
int chk_unpowered_fact(struct diag_ctx *c);
int chk_unreachable_attempts(struct diag_ctx *c);
int chk_vendor_option_lines(struct diag_ctx *c);
int chk_vendor_protected(struct diag_ctx *c);
int chk_verify_differ(struct diag_ctx *c);
int chk_verify_padding(struct diag_ctx *c);
int chk_wrong_dev(struct diag_ctx *c);
int chk_wrong_dpidr(struct diag_ctx *c);
int chk_wrong_idcode(struct diag_ctx *c);
int chk_wrp_from_writes(struct diag_ctx *c);
int chk_wrp_known(struct diag_ctx *c);

#endif
