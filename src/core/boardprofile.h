/* boardprofile.h - board profiles: a part profile plus what a board adds (its USB DFU
 * bootloader and where the user's code lives), and the DFU facts of any profile.
 *
 * Owns: reading a profile whose root has "part" (profiles/particle-photon.json): the part
 *   is found beside the board's file first, then by name in the catalog, and must itself
 *   be a part profile; no chip fact is written in a board file. Also the DFU facts of a
 *   part profile, which are the ST system bootloader's (AN2606: 0483:df11, the flash as
 *   one alternate setting with the part's sectors).
 * Must not: print, or know how DFU is spoken (src/dfu/ does).
 * Internal to core: profile.c calls swd_boardprofile_load(); swd_board_free() frees.
 */
#ifndef SWD_CORE_BOARDPROFILE_H
#define SWD_CORE_BOARDPROFILE_H

#include <jansson.h>

#include "core/jsonfield.h"
#include "core/profile.h"

/* Fills the zeroed p from a board profile's root: the part's facts, then the board's
 * name, description and board section. */
int swd_boardprofile_load(struct swd_jsonfield *c, const json_t *root, struct swd_profile *p);

/* A profile name: lower case letters, digits, '_', '-' and '.', not starting with '.'
 * or '-' (it is also a file name). */
bool swd_profile_name_valid(const char *name);

/* NULL is a no-op. */
void swd_board_free(struct swd_board *b);

/* What a DFU bootloader of this profile is expected to be. Strings are borrowed from the
 * profile or static; flash_layout is built for a part. */
struct swd_dfu_facts {
	const char *bootloader;     /* "st", "particle" */
	uint16_t vid, pid;
	unsigned flash_alt;         /* the alternate setting of the internal flash */
	char flash_layout[256];     /* its DfuSe layout string */
	const struct swd_dfu_alt *alts; /* every alternate setting the profile names (NULL for a part) */
	size_t nalts;
	uint32_t user_address, user_size; /* where the user's code lives (a part: all its flash) */
};

/* The DFU facts of p. SWD_EINPUT when the part has no USB DFU bootloader in ROM (the F1
 * parts' system bootloader speaks USART only, AN2606 §2) and p is not a board. */
int swd_profile_dfu(const struct swd_profile *p, struct swd_dfu_facts *out,
                    struct swd_error *err);

#endif
