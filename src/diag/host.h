/* diag internals: the host a log shows (diag_log_host, hostmark.c) and the host-side checks
 * the rule table (rules.c and its .inc files) names, defined in host.c.
 *
 * Owns: nothing. A check reads the context and writes only its detail line.
 * Must not: print, touch a probe or target, or decide an id.
 */
#ifndef SWD_DIAG_HOST_H
#define SWD_DIAG_HOST_H

#include "diag/rules.h"

/* The host a pasted log came from, as far as its lines show it. DIAG_HOST_UNIX: a host that
 * is not Windows, without saying which (an absolute Unix path, a sudo, a zsh prompt). */
enum diag_host {
	DIAG_HOST_UNKNOWN,
	DIAG_HOST_LINUX,
	DIAG_HOST_MACOS,
	DIAG_HOST_WINDOWS,
	DIAG_HOST_UNIX,
};

/* The host EV's log lines show (the caller's operation is not read: swdbackup's own run is
 * this machine's, see host.c). */
enum diag_host diag_log_host(const struct diag_evidence *ev);
/* "linux", "macos", "windows", "unix" or "unknown"; static. */
const char *diag_host_name(enum diag_host host);

int chk_claim_held(struct diag_ctx *c);
int chk_cmsis_dap_caps_alt(struct diag_ctx *c);
int chk_cmsis_dap_caps_read(struct diag_ctx *c);
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
int chk_open_access(struct diag_ctx *c);
int chk_open_access_held(struct diag_ctx *c);
int chk_openocd_cannot_start(struct diag_ctx *c);
int chk_stlink_open_failed(struct diag_ctx *c);
int chk_too_old_stlink_pid(struct diag_ctx *c);
int chk_windows_log(struct diag_ctx *c);
int chk_hid_open_permission(struct diag_ctx *c);
int chk_hid_open_held(struct diag_ctx *c);
int chk_hid_open_held_alt(struct diag_ctx *c);

#endif
