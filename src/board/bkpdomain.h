/* bkpdomain.h - the battery-backed domain (backup SRAM, backup registers) of a connected
 * board: read into a bundle, written back from one, compared with one.
 *
 * Owns: opening the gates the profile names (clocks for access, DBP for writes) and putting
 * every register it touched back as it was, also when a step fails.
 * Must not: decide whether to restore the domain: that is the user's --backup-domain.
 */
#ifndef SWD_BOARD_BKPDOMAIN_H
#define SWD_BOARD_BKPDOMAIN_H

#include <stdbool.h>

#include "board/board.h"
#include "core/bundle.h"

#define BOARD_BKP_TOUCH_MAX 3

/* Reads each region of b->p->backup_domain into the bundle being written; fills touched
 * (at most BOARD_BKP_TOUCH_MAX) with the gates it opened, as they were and as set. */
int board_bkpdomain_read(struct cli_ctx *ctx, struct board *b, swd_bundle_writer_t *w,
		       struct swd_manifest_touch *touched, size_t *ntouched);

/* Writes the bundle's backup-domain regions to the device. SWD_EINPUT when the bundle has
 * none, or they do not fit the profile's. */
int board_bkpdomain_write(struct cli_ctx *ctx, struct board *b, const struct swd_bundle *bundle);

/* Compares them; *same tells. Records "backup_domain" in ctx->doc. */
int board_bkpdomain_compare(struct cli_ctx *ctx, struct board *b, const struct swd_bundle *bundle,
			  bool *same);

#endif
