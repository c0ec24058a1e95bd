/* fastflash.h - F2/F4 erase and program by our own routine in SRAM (src/target/flash_f2x.S)
 * at the widest parallelism the supply allows, the next chunk sent over SWD while the
 * routine programs the one before.
 *
 * Owns: loading and starting the routine, feeding its two slots (erase a sector, program
 * a chunk), following what it finished, and turning FLASH_SR's error flags into one line
 * that says the flag, the address, the sector and what the board now holds.
 *
 * Must not: decide whether the supply allows x32 (the caller reads the probe's voltage
 * against the profile), print, or decide exit codes. It goes through session.h's calls
 * and spells only the register, resume, load_image and memory commands it needs.
 *
 * OpenOCD's stm32f2x driver erases at x8 and programs at x16 (perf-anchors §3.4); at x32 a
 * 128 KiB sector erases in 1 s instead of 2 s and a word is written per 16 us operation
 * instead of a half-word (DS8626 table 40; RM0090 §3.6.2 allows x32 from 2.7 V).
 */
#ifndef SWD_OCD_FASTFLASH_H
#define SWD_OCD_FASTFLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "ocd/checksum.h"
#include "ocd/session.h"

/* FLASH_CR PSIZE (RM0090 §3.9.7): x8 0, x16 1, x32 2. */
enum ocd_psize { OCD_PSIZE_X8 = 0, OCD_PSIZE_X16 = 1, OCD_PSIZE_X32 = 2 };

/* What the board holds after a run, told from what the routine reported finished. */
struct ocd_fast_state {
	bool started;            /* the routine ran: something may have been erased */
	size_t nerased;          /* the first nerased sectors of the run were erased */
	size_t nprogrammed;      /* ... and the first nprogrammed of them fully programmed */
	uint32_t programmed_to;  /* flash address up to which the run was programmed */
	uint32_t flags;          /* FLASH_SR error flags that stopped the routine, or 0 */
	bool routine_fault;      /* the routine could not run here, stopped early or hung:
	                          * OpenOCD's driver may still write (not so when the link
	                          * itself failed) */
};

/* Erases every sector of a->sectors that the image a->data (at a->offset in the bank)
 * touches and programs the image's bytes that are not 0xFF, with PSIZE psize, through
 * the routine in the RAM wa (all of it is overwritten: give it the whole RAM region, so
 * that the next sector's data is sent during the erase before it). The target is reset-halted
 * first, as for every write; the caller verifies.
 * Returns 0; SWD_ETARGETFAILED with st->flags set and err naming the flag, the address,
 * the sector and the board's state when the controller refused; SWD_ETARGETFAILED with
 * st->routine_fault when the routine could not run or stopped answering (the caller may
 * fall back to OpenOCD's driver, which erases again); or another failure of the link. */
int ocd_fast_program(struct ocd_session *s, const struct ocd_checksum_area *wa,
                     const struct ocd_program_args *a, enum ocd_psize psize,
                     struct ocd_fast_state *st, struct swd_error *err);

/* The name of the first FLASH_SR error flag set in sr ("PGPERR"), or NULL. */
const char *ocd_fast_flag_name(uint32_t sr);

#endif
