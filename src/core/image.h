/* image.h - firmware images (.bin at the flash base, Intel .hex, Motorola S-records, 32-bit ARM ELF) laid out
 * over a profile's flash, vector-table sanity, used extent and image-vs-device comparison.
 *
 * Owns: parsing image files into a flash-sized buffer (erased bytes 0xFF) with a record of
 * which bytes the image covers. Must not: print or talk to OpenOCD.
 *
 * Error codes: SWD_ENOENT, SWD_EIO, SWD_ENOMEM; SWD_EIMAGE (malformed: bad hex or s-record or
 * checksum, not a 32-bit little-endian ARM ELF, data outside flash, overlapping data);
 * SWD_EEMPTY; SWD_ETOOBIG (larger than flash); SWD_EVECTORS (vector-table check).
 */
#ifndef SWD_CORE_IMAGE_H
#define SWD_CORE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/profile.h"

enum swd_image_format {
	SWD_IMAGE_AUTO = 0, /* by extension (.bin .hex .ihex .elf .axf .out .srec .s19 .s28 .s37
	                     * .mot), else by content: ELF magic, ':' or 'S' records, else raw */
	SWD_IMAGE_BIN,
	SWD_IMAGE_HEX,
	SWD_IMAGE_ELF,
	SWD_IMAGE_SREC,
};

struct swd_image {
	enum swd_image_format format;
	char *path;
	uint32_t base;       /* flash base of the profile */
	uint32_t size;       /* flash size; data has this many bytes */
	uint8_t *data;       /* image bytes at [address - base]; 0xFF where not covered */
	uint8_t *covered;    /* bitmap, one bit per byte of data: 1 = the image sets it */
	uint32_t lo, hi;     /* covered extent [base+lo, base+hi); lo < hi */
	uint32_t nbytes;     /* number of covered bytes (== hi - lo for .bin) */
};

/* Loads path laid out over p's flash. fmt SWD_IMAGE_AUTO guesses. Returns: *out new
 * (swd_image_free()). Refuses empty images, data beyond the flash or outside it, and
 * overlapping records/segments, with the file named in the message. */
int swd_image_load(const char *path, enum swd_image_format fmt, const struct swd_profile *p,
                   struct swd_image **out, struct swd_error *err);

/* Loads path as raw binary starting at address (a .bin placed away from the flash base, as
 * an application behind a bootloader). Returns: *out new. */
int swd_image_load_bin_at(const char *path, uint32_t address, const struct swd_profile *p,
                          struct swd_image **out, struct swd_error *err);

/* The same from memory (name is used in messages and to guess the format). */
int swd_image_load_mem(const void *buf, size_t len, const char *name, enum swd_image_format fmt,
                       const struct swd_profile *p, struct swd_image **out,
                       struct swd_error *err);

void swd_image_free(struct swd_image *img);

bool swd_image_is_covered(const struct swd_image *img, uint32_t offset);

/* Checks that the image's first two words, at the flash base, look like this part's vector
 * table: initial SP inside (or at the end of) one of p's RAM regions, reset vector odd
 * (Thumb) and inside flash. An image that does not cover the flash base is not checked
 * (returns 0). Returns 0 or SWD_EVECTORS with e.g.
 * "'app.bin' cannot be for stm32f103c8: initial stack pointer 0x20030000 is outside its ram". */
int swd_image_check_vectors(const struct swd_image *img, const struct swd_profile *p,
                            struct swd_error *err);

/* Number of bytes from the start of buf up to and including the last byte that is not the
 * erased value 0xFF (0 when everything is erased). */
size_t swd_used_extent(const uint8_t *buf, size_t len);

enum swd_compare_outcome {
	SWD_CMP_IDENTICAL,       /* the image covers all of flash and matches */
	SWD_CMP_MATCH_ERASED,    /* covered bytes match; every other byte is 0xFF */
	SWD_CMP_MATCH_NOT_ERASED,/* covered bytes match; some other bytes are programmed */
	SWD_CMP_MISMATCH,        /* some covered byte differs */
};

struct swd_compare {
	enum swd_compare_outcome outcome;
	uint32_t covered_bytes;    /* bytes the image sets */
	uint32_t rest_bytes;       /* flash bytes the image does not set */
	uint32_t rest_programmed;  /* of those, bytes that are not 0xFF on the device */
	uint32_t first_other;      /* MATCH_NOT_ERASED: first programmed address outside the image */
	uint32_t first_diff;       /* MISMATCH: first differing address (absolute) */
	uint32_t diff_bytes;       /* MISMATCH: number of differing covered bytes */
	unsigned diff_sectors;     /* MISMATCH: pages/sectors of p's map holding a difference */
	unsigned nsectors;         /* pages/sectors in the map, for "3 of 64 pages" */
	bool pages;                /* the map's units are pages (F1) rather than sectors */
};

/* Compares img against device (flash contents as read, img->size bytes from the base).
 * When whole is false only the covered bytes count, and the rest is reported as erased or
 * not; when true (a bundle's flash.bin), every byte is compared. Returns 0 or SWD_EINTERNAL
 * when the sizes disagree; the outcome is in *out (a mismatch is not an error here). */
int swd_image_compare(const struct swd_image *img, const uint8_t *device, size_t device_len,
                      const struct swd_profile *p, bool whole, struct swd_compare *out);

/* One lowercase line for the outcome, e.g. "identical",
 * "matches; the other 41,984 bytes are erased",
 * "matches; 1,024 of the other 41,984 bytes are programmed, the first at 0x08005c00",
 * "mismatch: first difference at 0x08000400, 3 of 64 pages differ". Returns buf. */
char *swd_compare_describe(const struct swd_compare *c, char *buf, size_t len);

/* Writes n with thousands separators ("41,984") into buf. Returns buf. */
char *swd_format_count(uint64_t n, char *buf, size_t len);

#endif
