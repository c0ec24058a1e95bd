/* optbytes.h - decoding option bytes: readout protection level and write protection.
 *
 * Owns: the meaning of the option-byte formats named in profiles (F1 16-byte area at
 * 0x1FFFF800; F2/F4 OPTCR and OPTCR1 registers). Must not: print or talk to OpenOCD.
 * Facts: RM0008 section 2.5 / PM0075 (F1); RM0033 and RM0090 section 3 "option bytes" (F2/F4).
 */
#ifndef SWD_CORE_OPTBYTES_H
#define SWD_CORE_OPTBYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/profile.h"

struct swd_protection {
	int rdp_level;          /* 0, 1 or 2 */
	uint8_t rdp_raw;        /* F1: RDP byte (0xA5 = level 0); F2X: OPTCR bits 15:8 */
	uint8_t user;           /* F1: USER byte; F2X: OPTCR bits 7:0 */
	bool complement_error;  /* F1: some byte and its complement disagree */
	bool pcrop;             /* F42x SPRMOD=1: the nWRP bits select PCROP, not WRP */
	unsigned *wrp;          /* indices into p->flash.sectors that are write protected */
	size_t nwrp;
};

/* Decodes raw (option-bytes.bin contents: p->option_bytes.size bytes). Returns 0, or
 * SWD_EINPUT when len is not the profile's size. *out is filled; release with
 * swd_protection_release(). */
int swd_optbytes_decode(const struct swd_profile *p, const uint8_t *raw, size_t len,
                        struct swd_protection *out, struct swd_error *err);

void swd_protection_release(struct swd_protection *pr);

#endif
