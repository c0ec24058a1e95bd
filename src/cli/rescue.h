/* rescue.h - what `unlock` and `rescue` share: lifting readout protection and reading the
 * option bytes again after they changed.
 *
 * Owns: the order of the steps that change protection (driver unlock, reset, read back).
 * Must not: ask for consent (the commands do, before calling) or plan a recovery.
 */
#ifndef SWD_CLI_RESCUE_H
#define SWD_CLI_RESCUE_H

#include "board/board.h"

/* Reads the option bytes again into b->prot (after they changed). */
int cli_reread_protection(struct cli_ctx *ctx, struct board *b);

/* RDP level 1 -> 0 (the chip mass-erases), a reset halt that loads the new option bytes,
 * and a check that the level is 0 (SWD_ETARGETFAILED otherwise). */
int cli_unlock_rdp1(struct cli_ctx *ctx, struct board *b);

#endif
