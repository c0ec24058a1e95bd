/* dfuse.h - DfuSe memory layout strings, the names a DfuSe bootloader gives its alternate
 * settings: "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg".
 *
 * Owns: reading one such string into segments (UM0424 "DfuSe USB device firmware upgrade"
 *   §10.3.2, string descriptor of an alternate setting: '@', a name, then for each memory
 *   block '/0xADDRESS/' and comma-separated runs NN*SSS followed by a multiplier ' ', 'K'
 *   or 'M' and a type letter 'a'..'g' whose bits say readable (1), erasable (2) and
 *   writable (4)); the questions asked of a layout (is a range readable, writable, where
 *   does it end); and the string the ST system bootloader reports for a profile's flash.
 * Must not: do I/O or print. Pure, so the strings bootloaders really report are its tests.
 * Errors: SWD_EINPUT with a message quoting the string, SWD_ENOMEM.
 */
#ifndef SWD_CORE_DFUSE_H
#define SWD_CORE_DFUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum {
	SWD_DFUSE_READ = 1,
	SWD_DFUSE_ERASE = 2,
	SWD_DFUSE_WRITE = 4,
};

/* A run of equal sectors: count of size bytes from address, with the type bits. */
struct swd_dfuse_run {
	uint32_t address;
	uint32_t count;
	uint32_t size;
	unsigned type;   /* SWD_DFUSE_* bits */
};

struct swd_dfuse_layout {
	char name[64];   /* "Internal Flash", trailing blanks dropped */
	struct swd_dfuse_run *runs;  /* in string order */
	size_t nruns;
};

/* Parses s (with or without the leading '@'). *out is filled; release with
 * swd_dfuse_layout_release(). A zeroed layout may be released. */
int swd_dfuse_layout_parse(const char *s, struct swd_dfuse_layout *out, struct swd_error *err);
void swd_dfuse_layout_release(struct swd_dfuse_layout *l);

/* The lowest address and one past the highest of the layout (0, 0 when empty). */
void swd_dfuse_layout_span(const struct swd_dfuse_layout *l, uint32_t *lo, uint32_t *hi);

/* Whether every byte of [address, address + len) lies in runs carrying all the bits of
 * type. On false, *first_bad (may be NULL) is the first address that does not. */
bool swd_dfuse_layout_allows(const struct swd_dfuse_layout *l, uint32_t address,
                             uint64_t len, unsigned type, uint32_t *first_bad);

/* The sector holding address, as address and size. Returns false outside the layout. */
bool swd_dfuse_layout_sector(const struct swd_dfuse_layout *l, uint32_t address,
                             uint32_t *start, uint32_t *size);

/* Writes the layout string for name, base and runs (as a ST bootloader prints it:
 * "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg") into buf. Returns the
 * length it needed, as snprintf does. */
size_t swd_dfuse_layout_format(char *buf, size_t len, const char *name,
                               const struct swd_dfuse_run *runs, size_t nruns);

#endif
