/* flashmap.h - a map of the flash: what each page, sector or block holds, and the used
 * regions it adds up to.
 *
 * Owns: cutting the profile's flash into cells (one per page or sector, or per fixed block
 * of pages when there are more than SWD_MAP_MAX_CELLS), classifying each cell from data the
 * command already has (the contents it read or is about to write, the write protection, the
 * reference a verify compares against), and labelling contiguous runs as regions: the code at
 * the start, data kept apart from it by erased flash, the erased gaps between them.
 * Must not: read the target, touch files or print. The JSON shape built here is the one both
 * stdout (--json) and manifest.json carry.
 *
 * Error codes: SWD_ENOMEM, SWD_EINTERNAL (a buffer that is not the profile's flash size).
 */
#ifndef SWD_CORE_FLASHMAP_H
#define SWD_CORE_FLASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/profile.h"

/* More pages than this are shown as fixed blocks of whole pages. */
#define SWD_MAP_MAX_CELLS 128

enum swd_cell_state {
	SWD_CELL_ERASED,    /* every byte 0xFF */
	SWD_CELL_PARTIAL,   /* programmed, with erased bytes at its start or end */
	SWD_CELL_FULL,      /* programmed from its first byte to its last */
	SWD_CELL_UNTOUCHED, /* not part of what the command saw or wrote (restore) */
};

enum swd_region_kind {
	SWD_REGION_CODE,      /* the used run that starts the flash (or the first one) */
	SWD_REGION_DATA,      /* a used run after erased flash: settings, EEPROM emulation */
	SWD_REGION_ERASED,
	SWD_REGION_UNTOUCHED,
};

struct swd_map_cell {
	uint32_t address;     /* absolute */
	uint32_t size;
	uint32_t used_lo;     /* offset of the first programmed byte in the cell (PARTIAL/FULL) */
	uint32_t used_hi;     /* one past the last programmed byte */
	enum swd_cell_state state;
	bool wrp;             /* write-protected by the option bytes */
	bool differs;         /* verify: differs from the reference */
	bool written;         /* restore: erased and programmed */
};

struct swd_map_region {
	enum swd_region_kind kind;
	uint32_t address;     /* absolute; a used region starts at its first programmed byte */
	uint32_t size;        /* and ends after its last */
	uint32_t gap_before;  /* DATA: erased bytes since the previous used region */
};

struct swd_flashmap {
	const char *unit;     /* "page", "sector" or "block" (static) */
	uint32_t base, size;
	struct swd_map_cell *cells;
	size_t ncells;
	struct swd_map_region *regions; /* in address order, covering the flash */
	size_t nregions;
	unsigned ndiffer;     /* cells with differs set */
};

/* Builds the map of p's flash from `data` (p->flash.size bytes as the flash holds them).
 * `wrp` lists protected page/sector indices into p->flash.sectors (may be NULL). When `ref`
 * is given (p->flash.size bytes), a cell differs where data and ref disagree on a byte the
 * optional `covered` bitmap (one bit per byte, LSB first; NULL = every byte) marks.
 * Returns: *out new (swd_flashmap_free()). */
int swd_flashmap_build(const struct swd_profile *p, const uint8_t *data, size_t len,
                       const unsigned *wrp, size_t nwrp, const uint8_t *ref,
                       const uint8_t *covered, struct swd_flashmap **out, struct swd_error *err);

/* Restore: cells overlapping [base+lo, base+hi) are marked written (the erase works on whole
 * cells), the others become untouched, and the regions are labelled again. */
int swd_flashmap_restrict(struct swd_flashmap *m, uint32_t lo, uint32_t hi, struct swd_error *err);

void swd_flashmap_free(struct swd_flashmap *m);

/* "code", "data", "erased", "untouched"; "erased", "partial", "full", "untouched".
 * Return: borrowed, static. */
const char *swd_region_kind_name(enum swd_region_kind k);
const char *swd_cell_state_name(enum swd_cell_state s);

/* The call-out for a data region kept apart from the code, e.g. "data at
 * 0x080e0000-0x080e3fff, 16 KiB, after 768 KiB of erased flash: settings or EEPROM
 * emulation?". Returns buf, or NULL when region i is not such a region. */
char *swd_flashmap_callout(const struct swd_flashmap *m, size_t i, char *buf, size_t len);

/* A size as the map words it: 16384 -> "16 KiB", 1536 -> "1.5 KiB", 700 -> "700 B",
 * 1966076 -> "1.9 MiB". Returns buf. */
char *swd_flashmap_size_text(char *buf, size_t len, uint32_t v);

/* The map as data: {"unit", "cells": [...], "regions": [{"kind", "address", "size"}],
 * "callouts": [...]}, the shape of --json and manifest.json. Returns: new, NULL on ENOMEM. */
json_t *swd_flashmap_json(const struct swd_flashmap *m);

/* Just {"unit", "regions"} (what a manifest keeps). Returns: new, NULL on ENOMEM. */
json_t *swd_flashmap_regions_json(const struct swd_flashmap *m);

#endif
