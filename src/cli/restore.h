/* restore.h - programming a source onto a connected board; used by `restore` and by
 * `rescue`, which both make their refusals and their safety backup first.
 *
 * Owns: the order erase, program, read back, compare, option bytes, reset and run.
 * Must not: load or judge the source (source.h does), or take a safety backup.
 */
#ifndef SWD_CLI_RESTORE_H
#define SWD_CLI_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "board/board.h"
#include "cli/source.h"

/* Refuses (SWD_EPROTECTED) when a write-protected page or sector lies in the image's span;
 * b->prot must have been read. */
int cli_restore_refuse_wrp(struct cli_ctx *ctx, struct board *b, const struct swd_image *img);

/* Erases what the image's span [lo, hi) covers and programs it (scratch: a file name in a
 * private directory, for the chunks OpenOCD reads), reads back into the file back and compares SHA-256 with the image, writes ob_want (option-bytes.bin,
 * b->ob_len bytes) when not NULL and, with backup_domain, the source bundle's backup SRAM and
 * backup registers, then resets the target to run. Records "programmed",
 * "verified", "option_bytes_written", "reset" and "summary" in ctx->doc. */
/* With equal (one flag per unit of the profile's map, from cli_restore_diff), only the
 * units the image touches that are not equal are erased, programmed and read back, and
 * nothing at all when every one is; "written" in ctx->doc says how much. */
int cli_restore_write(struct cli_ctx *ctx, struct board *b, const struct cli_source *src,
		      const char *scratch, const char *back, const uint8_t *ob_want, bool backup_domain,
		      const bool *equal);

/* Which units (pages or sectors) of the image's span already hold the image's bytes, by
 * one on-target CRC-32 each (board/link.h): *equal is new, one flag per unit of the
 * profile's map. When our routine cannot run, *equal stays NULL (write everything) and
 * ctx->doc's "difference" says why. Records "difference" in ctx->doc. */
int cli_restore_diff(struct cli_ctx *ctx, struct board *b, const struct swd_image *img, bool **equal);

/* Where no on-target checksum could run (a DFU bootloader, no work area), the safety
 * bundle at `safety`, read in full, holds the old flash: *equal (new) marks the units whose
 * old bytes equal the image's, so they are not written. *equal stays NULL when the bundle
 * does not hold all of flash. */
int cli_restore_diff_read(struct cli_ctx *ctx, struct board *b, const struct swd_image *img,
			  const char *safety, bool **equal);

/* After a write or erase stopped part-way, two notes: which units of the span [span_lo,
 * span_hi) (offsets into flash; with equal, only those not marked) may be erased or
 * half-programmed and where their previous contents are, then the exact command that puts
 * them back from the safety bundle, or without one, writes source again. source NULL: an
 * erase (no program, and with no safety bundle nothing to put back). */
void cli_restore_note_interrupted(struct cli_ctx *ctx, const struct board *b, uint32_t span_lo, uint32_t span_hi,
				  const bool *equal, const char *safety, const char *source);

#endif
