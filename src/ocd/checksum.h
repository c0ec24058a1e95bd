/* checksum.h - flash checksums computed on the target by its CRC calculation unit.
 *
 * Owns: loading our routine (src/target/crc_ranges.S) into the target's work area,
 * running it through OpenOCD's register and resume commands, reading back one CRC per
 * range; the same CRC computed on the host; and the fallback to OpenOCD's verify_image
 * where our routine cannot run (no work area, a core that faults or never halts).
 *
 * Must not: print or decide exit codes; it goes through the session's public calls
 * (session.h) and spells only the memory commands on the core's debug registers that run
 * the routine (checksum.c says why not OpenOCD's halt and resume), and `poll`.
 *
 * The CRC is the STM32 unit's (RM0008 §4, RM0090 §4): 0xFFFFFFFF, then each little-endian
 * 32-bit word MSB first through polynomial 0x04C11DB7, no final xor. It is not OpenOCD's
 * byte-wise verify_image CRC.
 */
#ifndef SWD_OCD_CHECKSUM_H
#define SWD_OCD_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/profile.h"
#include "ocd/session.h"

/* Where the routine runs and how the part gates its CRC unit. */
struct ocd_checksum_area {
	uint32_t address;   /* work area: RAM the core can fetch from */
	uint32_t size;
	uint32_t rcc_enr;   /* the RCC register holding CRCEN */
	uint32_t crcen;     /* its mask */
};

struct ocd_crc_range {
	uint32_t address;
	uint32_t size;      /* bytes, a multiple of 4 */
};

enum ocd_checksum_method {
	OCD_CHECKSUM_CRC_UNIT,     /* our routine and the part's CRC unit */
	OCD_CHECKSUM_VERIFY_IMAGE, /* OpenOCD's verify_image, range by range */
};

/* The area for a profile: its WORKAREASIZE at the first RAM region the core can run
 * code from, and the CRC clock gate of its family (core/family.c). Returns 0, or
 * SWD_ETARGETFAILED with err saying why none can be used. */
int ocd_checksum_area(const struct swd_profile *p, struct ocd_checksum_area *out,
                      struct swd_error *err);

/* Most ranges one run can take in an area of `size` bytes. */
size_t ocd_checksum_max_ranges(uint32_t size);

/* Runs the routine over n ranges (n <= ocd_checksum_max_ranges) and stores one CRC per
 * range in crcs. The work area's RAM is overwritten; the core is left as it was (running,
 * or halted with the same registers; a pc in the work area is left on the routine's end). Returns 0; SWD_ETARGETFAILED when the routine did not end at its
 * breakpoint in time (a fault, no CRC unit) with err saying so; or a session error. */
int ocd_checksum_ranges(struct ocd_session *s, const struct ocd_checksum_area *a,
                        const struct ocd_crc_range *r, size_t n, uint32_t *crcs,
                        struct swd_error *err);

/* ocd_checksum_ranges over any number of ranges, in as many runs as the area needs, and
 * equal[i] set when range i's CRC is that of the bytes `expected` holds for it (expected
 * starts at address base and covers every range). Returns as ocd_checksum_ranges. */
int ocd_checksum_equal(struct ocd_session *s, const struct ocd_checksum_area *a, uint32_t base,
                       const uint8_t *expected, const struct ocd_crc_range *r, size_t n,
                       bool *equal, struct swd_error *err);

/* The unit's CRC over len bytes (len a multiple of 4), continuing from crc (start with
 * 0xFFFFFFFF). */
uint32_t ocd_crc_unit(uint32_t crc, const uint8_t *p, size_t len);

/* Which of n ranges differ from `expected`, the len bytes flash should hold from base
 * (each range must lie inside it). Uses the routine when area is not NULL, in as many
 * runs as the area needs; when area is NULL or the routine cannot run, OpenOCD's
 * verify_image on each range's bytes (written to a file in tmpdir), and *why says why
 * (one lowercase line, "" when the routine was used). differs[i] is set for each range.
 * Returns 0 whatever matched, or an error when the comparison could not be made. */
int ocd_checksum_compare(struct ocd_session *s, const struct ocd_checksum_area *area,
                         uint32_t base, const uint8_t *expected, size_t len,
                         const struct ocd_crc_range *r, size_t n, bool *differs,
                         const char *tmpdir, enum ocd_checksum_method *method,
                         char *why, size_t whylen, struct swd_error *err);

#endif
