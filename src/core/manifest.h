/* manifest.h - a bundle's manifest.json: what it records, written and read in one file.
 *
 * Owns: the manifest format (version SWD_MANIFEST_FORMAT), its JSON text both ways, and
 * what a region file may be called. The writer and the reader sit side by side in
 * manifest.c so that the schema is read where it is written.
 * Must not: touch files (bundle_write.c and bundle_read.c do), print.
 *
 * Error codes: SWD_EBUNDLE (malformed, with file, line and column), SWD_ENOMEM.
 */
#ifndef SWD_CORE_MANIFEST_H
#define SWD_CORE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/flashmap.h"

/* Format 2 writes the map's addresses as "0x..." strings like every other address; format
 * 1 (swdbackup 0.1.0) wrote them as numbers and is still read. */
#define SWD_MANIFEST_FORMAT 2
#define SWD_MANIFEST_FORMAT_OLDEST 1

struct swd_manifest_region {
	char *name;          /* "flash", "option-bytes", "otp" */
	char *file;          /* "flash.bin", ... */
	uint32_t address;
	uint32_t size;
	char sha256[65];
	char md5[33];
	uint32_t used;       /* used extent: bytes up to the last one that is not 0xFF */
};

/* Everything the manifest records. Strings may be NULL when unknown (written as null). The
 * writer fills the regions itself; callers fill the rest. Strings are owned by the struct
 * when it comes from swd_bundle_open(); when the caller builds one for the writer they stay
 * the caller's (the writer copies what it needs). */
struct swd_manifest {
	int format;               /* SWD_MANIFEST_FORMAT; as read when from a bundle */
	char *tool_version;
	char *openocd_version;
	char *created;            /* UTC, "2026-11-22T03:55:00Z"; writer fills it if NULL */

	char *profile_name;
	char *profile_sha256;

	struct {
		char *kind;           /* "stlink", "stlink-tcp", "sim", ... */
		char *serial;
		char *firmware;       /* "V2J37S7" */
		char *vid_pid;        /* "0483:3748" for a USB probe, else NULL (optional key) */
		double target_voltage;/* volts; negative when unknown (written as null) */
	} probe;

	struct {
		uint32_t dp_idcode;   /* 0 when not read (written as null; never valid) */
		uint32_t cpuid;       /* 0 when not read (written as null) */
		uint32_t dbgmcu_idcode; /* full register */
		uint16_t dev_id;      /* bits 11:0 */
		uint16_t rev_id;      /* bits 31:16 */
		char *revision;       /* "Y", or NULL */
		uint16_t flash_size_kib; /* flash size register */
		uint8_t unique_id[12];
	} device;

	struct {
		int rdp_level;        /* -1 when not decoded */
		unsigned *wrp;        /* protected page/sector indices */
		size_t nwrp;
		bool pages;           /* the indices are pages (F1) rather than sectors */
	} protection;

	struct swd_manifest_region *regions;
	size_t nregions;

	/* Target registers the backup changed while it read (clock gates of the backup
	 * domain), as they were and as they were set; each was put back. */
	struct swd_manifest_touch {
		uint32_t address, before, during;
	} *touched;
	size_t ntouched;

	/* The flash map's regions ("map": {"unit", "regions"}, the shape --json prints).
	 * Optional. Borrowed when writing; owned (regions only, no cells) when read. */
	struct swd_flashmap *map;
	/* How flash.bin was obtained, run by run, when not all of it was read: a restore's
	 * safety bundle takes the units whose on-target CRC-32 equals the image it is about
	 * to write from that image. Optional; absent means all of it was read. */
	struct swd_manifest_source {
		uint32_t address, size;
		bool read;  /* false: equal to the image by on-target crc-32 */
	} *flash_sources;
	size_t nflash_sources;
	/* Read through a USB DFU bootloader ("dfu": {"part", "alt", "layouts"}): the part the
	 * profile names, the flash's alternate setting and the DfuSe layout string of every
	 * alternate setting the device reported. DFU cannot read the identity registers: a
	 * manifest whose dbgmcu_idcode is 0 writes device.dbgmcu_idcode, dev_id, rev_id,
	 * flash_size_kib and unique_id as null (unknown). Optional; strings borrowed when
	 * writing, owned when read. */
	struct {
		bool present;
		char *part;
		unsigned alt;
		char **layouts;
		size_t nlayouts;
	} dfu;
};

/* Releases strings and arrays of a manifest returned by swd_bundle_open(). */
void swd_manifest_release(struct swd_manifest *m);

/* The manifest as JSON text (sorted keys, two-space indent, ending in a newline), with
 * `regs` as its regions and `created` as its time. Returns: new, or NULL when out of
 * memory. */
char *swd_manifest_dump(const struct swd_manifest *m, const struct swd_manifest_region *regs,
                        size_t nregs, const char *created);

/* Reads manifest text strictly into *m (zeroed first); `origin` is the name messages quote.
 * On error *m holds what was read so far: release it either way. */
int swd_manifest_parse(const char *text, size_t len, const char *origin,
                       struct swd_manifest *m, struct swd_error *err);

/* Is f a plain file name a region may have: no directory, no dot file, nothing
 * sha256sum would print escaped, not one of the bundle's own files. */
bool swd_manifest_file_ok(const char *f);

/* Frees n regions' strings and the array. NULL is a no-op. */
void swd_manifest_regions_free(struct swd_manifest_region *r, size_t n);

#endif
