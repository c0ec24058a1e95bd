/* source.h - what `restore` and `verify` take: a bundle directory or an image file,
 * checked against the profile before the board is touched.
 *
 * Owns: loading a source (bundle or image) and every refusal about it that needs no board.
 * Must not: touch the board or OpenOCD, or write anything. */
#ifndef SWD_CLI_SOURCE_H
#define SWD_CLI_SOURCE_H

#include <stdbool.h>

#include "cli/cli.h"
#include "core/bundle.h"
#include "core/image.h"

struct cli_source {
	const char *path;          /* borrowed from argv */
	struct swd_bundle *bundle; /* owned, when a bundle */
	struct swd_image *img;     /* owned: the flash contents to compare or program */
	char *option_bytes_path;   /* owned: the bundle's option-bytes.bin, or NULL */
};

/* Loads path for profile p: a bundle (checksums, same part and flash size) or an image
 * (.bin/.hex/.elf; not empty, fits). A bundle of the whole die (flash.die_size) turns p into
 * the whole die's (swd_profile_use_die). With check_vectors, an image whose vector table cannot
 * be this part's is refused (SWD_EVECTORS). */
int cli_source_load(struct cli_ctx *ctx, struct swd_profile *p, const char *path,
		    bool check_vectors, struct cli_source *src);

/* The "source" entry of the report. Returns: new reference. */
json_t *cli_source_json(const struct cli_source *src);

void cli_source_release(struct cli_source *src);

#endif
