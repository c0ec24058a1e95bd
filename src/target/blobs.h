/* blobs.h - routines of ours that run on the target, assembled at build time.
 *
 * Owns: the machine code (Thumb-2, Cortex-M3/M4) built from the .S files here by
 * assemble.py, and the offsets of their entry and exit points. Each .S file states its
 * register and memory interface.
 *
 * Must not: know how the code reaches the target (src/ocd/checksum.c and src/ocd/fastflash.c
 * load and run them).
 */
#ifndef SWD_TARGET_BLOBS_H
#define SWD_TARGET_BLOBS_H

#include <stddef.h>
#include <stdint.h>

/* crc_ranges.S: one CRC-32 (the STM32 CRC unit's) per flash range. */
extern const uint8_t swd_target_crc_ranges[];
extern const size_t swd_target_crc_ranges_size;
extern const uint32_t swd_crc_ranges_entry_offset;
extern const uint32_t swd_crc_ranges_done_offset;

/* flash_f2x.S: F2/F4 erase and program at a chosen PSIZE, fed through two slots. */
extern const uint8_t swd_target_flash_f2x[];
extern const size_t swd_target_flash_f2x_size;
extern const uint32_t swd_flash_f2x_entry_offset;
extern const uint32_t swd_flash_f2x_done_offset;

#endif
