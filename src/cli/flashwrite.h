/* flashwrite.h - how restore erases and programs: our x32 routine (ocd/fastflash.h) when the
 * probe measured a supply the profile allows PSIZE x32 at, else OpenOCD's driver; the report
 * says which and why.
 *
 * Owns: that choice and the fallback to OpenOCD's driver when the routine cannot run.
 * Must not: spell OpenOCD commands (ocd/ does) or print other than through ui/.
 */
#ifndef SWD_CLI_FLASHWRITE_H
#define SWD_CLI_FLASHWRITE_H

#include "cli/board.h"
#include "ocd/session.h"

/* Erases and programs a (as ocd_program) on b's session, by the routine or the driver,
 * and records "flash_writer" {method, psize, why} in the report. Returns 0 or an error in
 * ctx->err: a flash error flag's message tells which sectors were erased and programmed. */
int cli_flash_program(struct cli_ctx *ctx, struct cli_board *b, const struct ocd_program_args *a);

#endif
