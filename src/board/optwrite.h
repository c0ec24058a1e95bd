/* optwrite.h - restore --option-bytes (and rescue): writing option bytes back.
 *
 * Owns: the order of OpenOCD's calls: the user bits through the flash driver's
 * `options_write`, write protection through `flash protect` in runs of blocks, then a read
 * back compared with what was asked for. On F1 each change is followed by a reset halt,
 * since the driver rebuilds every option byte from the values loaded at the last reset.
 * Must not: encode or decode option bytes (core/optbytes.c does), change readout
 * protection, or write PCROP (SPRMOD) settings: those are refused before anything is
 * written.
 */
#ifndef SWD_BOARD_OPTWRITE_H
#define SWD_BOARD_OPTWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "board/board.h"

/* Before anything is written: can `want` (option-bytes.bin) be written to this device?
 * Returns 0 (with *needed telling whether they differ at all) or SWD_EINPUT. */
int board_optbytes_check(struct cli_ctx *ctx, struct board *b, const uint8_t *want, size_t len,
		       bool *needed);

/* Writes `want` and verifies by reading back. The target must be halted. */
int board_optbytes_write(struct cli_ctx *ctx, struct board *b, const uint8_t *want, size_t len);

#endif
