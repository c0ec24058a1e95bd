/* usbpick.h - choosing the USB ST-LINK before OpenOCD starts.
 *
 * Owns: the default-path rules: no --probe uses the one attached ST-LINK (and names it
 * to OpenOCD by serial, so both mean the same device), several are refused with the list,
 * --probe SERIAL must be one of them; a probe this user may not open or that another
 * program holds is reported before OpenOCD is started.
 * Must not: print (errors go to ctx->err) or start OpenOCD.
 */
#ifndef SWD_BOARD_USBPICK_H
#define SWD_BOARD_USBPICK_H

#include <stdbool.h>

#include "cli/cli.h"
#include "usb/probes.h"

/* Looks at the attached ST-LINKs for --probe SERIAL or no --probe. On success *found says
 * whether one was picked (into *probe); none attached leaves it to OpenOCD, whose own
 * message and the findings explain. Returns 0 or a SWD_EPROBE* code (exit 5). */
int board_usb_pick(struct cli_ctx *ctx, struct usb_probe *probe, bool *found, struct swd_error *err);

/* After a failure with the USB probe picked: appends the finding to ctx->findings, for a
 * probe refused before OpenOCD ran (rc from board_usb_pick: usb-permission or probe-busy),
 * or for one that is no longer attached after OpenOCD ran (tried; unplugged mid-run).
 * Adds nothing otherwise. Returns true when the probe is gone: that explains the failure,
 * and the errors OpenOCD logged on the way are its consequences. */
bool board_usb_findings(struct cli_ctx *ctx, const struct usb_probe *probe, int rc, bool tried);

#endif
