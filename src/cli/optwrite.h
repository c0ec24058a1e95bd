/* optwrite.h - restore --option-bytes: writing a bundle's option bytes back.
 *
 * An adapter: the OpenOCD session has no option-byte write of its own, so this drives the
 * flash driver's commands through ocd_command() (`stm32f2x options_write` for the user
 * bits, `flash protect` for write protection) and then reads the option bytes back and
 * compares them with the bundle's. Readout protection is never changed. Supported where
 * one register holds everything and each write reads the last one back (F2/F405/F407);
 * F1 option bytes take effect only after a reset (each write would undo the one before)
 * and F42x has more bits than the driver lets through, so there a difference is refused.
 */
#ifndef SWD_CLI_OPTWRITE_H
#define SWD_CLI_OPTWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "cli/board.h"

/* Before anything is written: can `want` (option-bytes.bin) be written to this device?
 * Returns 0 (with *needed telling whether they differ at all) or SWD_EINPUT. */
int cli_optbytes_check(struct cli_ctx *ctx, struct cli_board *b, const uint8_t *want, size_t len,
		       bool *needed);

/* Writes `want` and verifies by reading back. The target must be halted. */
int cli_optbytes_write(struct cli_ctx *ctx, struct cli_board *b, const uint8_t *want, size_t len);

#endif
