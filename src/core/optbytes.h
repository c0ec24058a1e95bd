/* optbytes.h - option bytes: decoding them (readout and write protection) and encoding
 * them into what OpenOCD's flash drivers take.
 *
 * Owns: the meaning of the option-byte formats named in profiles (F1 16-byte area at
 * 0x1FFFF800; F2/F4 OPTCR and OPTCR1 registers), both ways. Must not: print or talk to
 * OpenOCD (cli/optwrite.c orders the driver commands).
 * Facts: RM0008 section 2.5 / PM0075 (F1); RM0033 and RM0090 section 3 "option bytes" (F2/F4).
 *
 * Each family's functions are reached through p->family (core/family.c); the calls below
 * are what other modules use.
 */
#ifndef SWD_CORE_OPTBYTES_H
#define SWD_CORE_OPTBYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/profile.h"

/* F2/F4 OPTCR bits 1:0, OPTLOCK and OPTSTRT: control, not option bytes (RM0090 3.7.7). */
#define SWD_OPTCR_CONTROL 0x3u

struct swd_protection {
	int rdp_level;          /* 0, 1 or 2 */
	uint8_t rdp_raw;        /* F1: RDP byte (0xA5 = level 0); F2X: OPTCR bits 15:8 */
	uint8_t user;           /* F1: USER byte; F2X: OPTCR bits 7:0 */
	bool complement_error;  /* F1: some byte and its complement disagree */
	bool pcrop;             /* F42x SPRMOD=1: the nWRP bits select PCROP, not WRP */
	unsigned *wrp;          /* indices into p->flash.sectors that are write protected */
	size_t nwrp;
};

/* Option bytes as OpenOCD's driver commands take them. */
struct swd_optbytes_fields {
	uint32_t user;     /* F1: USER bits 2:0 (WDG_SW, nRST_STOP, nRST_STDBY); F2X: the
	                    * driver's user_options, OPTCR 7:2, and OPTCR 31:28 as bits 11:8
	                    * on parts with OPTCR1 (stm32x_read_options in stm32f2x.c) */
	uint16_t data;     /* F1: DATA1 << 8 | DATA0; F2X: 0 */
	uint32_t nwrp;     /* one bit per `flash protect` block, 0 = protected */
	unsigned nblocks;  /* blocks nwrp covers: F1 pages / wrp_block (at most 32); F2X sectors */
	bool sprmod;       /* F42x: SPRMOD set, the nWRP bits select PCROP */
};

/* Decodes raw (option-bytes.bin contents: p->option_bytes.size bytes). Returns 0, or
 * SWD_EINPUT when len is not the profile's size. *out is filled; release with
 * swd_protection_release(). */
int swd_optbytes_decode(const struct swd_profile *p, const uint8_t *raw, size_t len,
                        struct swd_protection *out, struct swd_error *err);

void swd_protection_release(struct swd_protection *pr);

/* The driver's view of raw (p->option_bytes.size bytes). */
void swd_optbytes_encode(const struct swd_profile *p, const uint8_t *raw,
                         struct swd_optbytes_fields *out);

/* Do a and b hold the same option bytes (F2X: but for OPTCR's control bits, OPTLOCK and
 * OPTSTRT)? Then there is nothing to write. */
bool swd_optbytes_same(const struct swd_profile *p, const uint8_t *a, const uint8_t *b);

/* Did a write of `want` take: does `now`, read back, hold everything such a write sets
 * (F1: RDP, the three USER bits, the data bytes and WRP; F2X: OPTCR but its control bits,
 * and OPTCR1's nWRP)? */
bool swd_optbytes_applied(const struct swd_profile *p, const uint8_t *want, const uint8_t *now);

/* Per family, for core/family.c's table. */
void swd_optbytes_f1_decode(const struct swd_profile *p, const uint8_t *raw,
                            struct swd_protection *out);
void swd_optbytes_f2x_decode(const struct swd_profile *p, const uint8_t *raw,
                             struct swd_protection *out);
void swd_optbytes_f1_encode(const struct swd_profile *p, const uint8_t *raw,
                            struct swd_optbytes_fields *out);
void swd_optbytes_f2x_encode(const struct swd_profile *p, const uint8_t *raw,
                             struct swd_optbytes_fields *out);
bool swd_optbytes_f1_same(const struct swd_profile *p, const uint8_t *a, const uint8_t *b);
bool swd_optbytes_f2x_same(const struct swd_profile *p, const uint8_t *a, const uint8_t *b);
bool swd_optbytes_f1_applied(const struct swd_profile *p, const uint8_t *want,
                             const uint8_t *now);
bool swd_optbytes_f2x_applied(const struct swd_profile *p, const uint8_t *want,
                              const uint8_t *now);

#endif
