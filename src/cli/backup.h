/* backup.h - writing a verified bundle of a connected board; used by `backup` and by
 * `restore` for its safety backup.
 *
 * Owns: what goes into a bundle of a board (regions, the check of what was read, the
 *   manifest's description of probe and device), where a safety bundle goes, and the
 *   refusal to read a read-protected board.
 * Must not: reach the chip other than through board.h and link.h, or write anything but
 *   through the bundle writer (core/bundle.h), which stages and commits.
 */
#ifndef SWD_CLI_BACKUP_H
#define SWD_CLI_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "board/board.h"

/* Reads flash, option bytes and OTP of the connected, halted board b into a bundle at
 * dest (NULL: `<profile>-<uid>-<UTC time>` in the current directory; with a prefix, a
 * safety bundle, `<prefix><profile>-...` in $XDG_STATE_HOME/swdbackup/safety), verifies the
 * flash on the target (one CRC-32 per unit, or verify_image where that cannot run) and
 * commits the bundle. With equal (one flag per unit of the profile's map), the units it
 * marks are not read but taken from known (flash-sized, from the flash base), whose bytes
 * an on-target CRC-32 showed they hold; the manifest's "flash_sources" says which. Fills
 * out with "bundle", "regions", "used_extent", "flash_base" and "verified_by". *path is
 * new (the final path). */
int cli_backup_bundle(struct cli_ctx *ctx, struct board *b, const char *dest, const char *prefix,
		      bool force, const uint8_t *known, const bool *equal, json_t *out, char **path);

/* The safety bundle a command that writes takes first (-o DIR, or a new directory in the
 * state directory), recorded as "safety_backup" in ctx->doc and said on stderr; with
 * --no-safety-backup, "safety_backup": null and nothing is read. known and equal as for
 * cli_backup_bundle. *safety is new, NULL when none was made. */
int cli_safety_bundle(struct cli_ctx *ctx, struct board *b, const uint8_t *known, const bool *equal,
		      char **safety);

/* Reads the protection (board_protection), then refuses a read-protected target
 * (RDP >= 1) with SWD_EPROTECTED. */
int cli_refuse_rdp(struct cli_ctx *ctx, struct board *b, const char *what);

/* Fails with SWD_EEXIST when dest exists and force is not set; before touching the board. */
int cli_check_dest(struct cli_ctx *ctx, const char *dest, bool force);

#endif
