/* map.h - the flash map of a command's result: built from what the command already holds
 * (the flash it read, the image it wrote, the protection it decoded), never from an extra
 * read of the target.
 *
 * Owns: the map's place in the report and in a bundle, and --map's SVG file.
 * Must not: read the target, or classify units itself (core/flashmap.h does).
 */
#ifndef SWD_CLI_MAP_H
#define SWD_CLI_MAP_H

#include <stdint.h>

#include <jansson.h>

#include "board/board.h"
#include "core/flashmap.h"

/* Builds the map of b's flash from `data` (the whole flash), with b's write protection when
 * it was read, and `ref`/`covered` as swd_flashmap_build() takes them. Returns: *out new. */
int cli_map_build(struct cli_ctx *ctx, const struct board *b, const uint8_t *data,
		  const uint8_t *ref, const uint8_t *covered, struct swd_flashmap **out);

/* Sets doc's "map" to m as data (the text view draws it). */
int cli_map_put(struct cli_ctx *ctx, json_t *doc, const struct swd_flashmap *m);

#endif
