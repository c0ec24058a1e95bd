/* diag internals: the checks that read the numbers the target and flash side of OpenOCD
 * prints when a backup or flash fails after the probe opened (a flash controller's status
 * register, a flash bank's range against the request, a multi-drop connect nothing
 * answered), defined in tgt.c and named by the rows of rules_tgt.inc.
 *
 * Owns: nothing. A check reads the context and writes only its detail line.
 * Must not: print, touch a probe or target, or decide an id.
 */
#ifndef SWD_DIAG_TGT_H
#define SWD_DIAG_TGT_H

#include "diag/rules.h"

int chk_flash_sr_wrperr(struct diag_ctx *c);
int chk_flash_sr_wrperr_rdp(struct diag_ctx *c);
int chk_bank_range(struct diag_ctx *c);
int chk_multidrop_connect(struct diag_ctx *c);
int chk_multidrop_connect_alt(struct diag_ctx *c);
int chk_bank_range_alt(struct diag_ctx *c);

#endif
