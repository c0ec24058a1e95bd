/* diag internals: the host-side checks the rule table (rules.c and its .inc files) names,
 * defined in host.c.
 *
 * Owns: nothing. A check reads the context and writes only its detail line.
 * Must not: print, touch a probe or target, or decide an id.
 */
#ifndef SWD_DIAG_HOST_H
#define SWD_DIAG_HOST_H

#include "diag/rules.h"

int chk_claim_held(struct diag_ctx *c);
int chk_cmsis_dap_caps_too_old(struct diag_ctx *c);
int chk_cmsis_dap_no_winusb_alt(struct diag_ctx *c);
int chk_cmsis_dap_not_found(struct diag_ctx *c);
int chk_cmsis_dap_unopened_alt(struct diag_ctx *c);
int chk_cmsis_dap_v2_too_old_alt(struct diag_ctx *c);
int chk_dfu_open_access(struct diag_ctx *c);
int chk_dfu_open_driver_alt(struct diag_ctx *c);
int chk_dfu_open_permission(struct diag_ctx *c);
int chk_dfu_open_windows(struct diag_ctx *c);
int chk_dfu_readonly_pages(struct diag_ctx *c);
int chk_dfu_suffix_alone(struct diag_ctx *c);
int chk_dfu_util_cannot_start(struct diag_ctx *c);
int chk_host_unknown(struct diag_ctx *c);
int chk_host_unknown_alt(struct diag_ctx *c);
int chk_open_access(struct diag_ctx *c);
int chk_open_access_held(struct diag_ctx *c);
int chk_openocd_cannot_start(struct diag_ctx *c);
int chk_stlink_open_failed(struct diag_ctx *c);
int chk_too_old_stlink_pid(struct diag_ctx *c);
int chk_windows_log(struct diag_ctx *c);
int chk_not_windows_log(struct diag_ctx *c);
int chk_not_windows_alt(struct diag_ctx *c);
int chk_windows_only(struct diag_ctx *c);

#endif
