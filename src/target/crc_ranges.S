/* crc_ranges.S - one CRC per flash range, computed by the part's CRC calculation unit.
 *
 * Runs from SRAM on the halted core (Cortex-M3 or M4, Thumb-2), loaded and started by
 * src/ocd/checksum.c. Position independent; uses no stack.
 *
 * In:  r0 = parameter block in SRAM, with 52 bytes of room below it:
 *           [0]  address of the RCC register that gates the CRC unit
 *                (F1 RCC_AHBENR 0x40021014, F2/F4 RCC_AHB1ENR 0x40023830)
 *           [4]  its CRCEN mask (F1 bit 6, F2/F4 bit 12)
 *           [8]  n, the number of ranges
 *           [12] where the n CRCs go, one word each
 *           [16] n pairs: start address, length in bytes (a multiple of 4)
 * Out: the CRCs; halts on the bkpt at swd_crc_ranges_done with the RCC register and
 *      r1-r12 and lr as they were on entry (kept in the room below the block), so that
 *      the caller, to resume a halted firmware, puts back only r0, pc and xPSR.
 *
 * The CRC is the unit's: reset to 0xFFFFFFFF per range, then each little-endian flash
 * word fed MSB first through polynomial 0x04C11DB7 (RM0008 §4, RM0090 §4). Four words
 * are loaded with one ldm and stored back to back, so the unit (4 HCLK per word) is
 * what bounds the loop.
 */
	.syntax unified
	.cpu cortex-m3
	.thumb

	.text
	.global swd_crc_ranges_entry
	.global swd_crc_ranges_done
	.thumb_func
swd_crc_ranges_entry:
	stmdb	r0, {r1-r12, lr}	@ the firmware's registers, below the block
	mov	lr, r0
	ldm	r0!, {r1, r2, r3, r4}	@ RCC register, CRCEN, n, where the CRCs go
	mov	r12, r4
	mov	r4, r3			@ r4 = n
	mov	r3, r2			@ r3 = CRCEN
	mov	r2, r1			@ r2 = RCC register
	mov	r1, r12			@ r1 = where the CRCs go
	ldr	r12, [r2]		@ the clock gate as it was
	orr	r3, r12, r3
	str	r3, [r2]
	ldr	r3, [r2]		@ read back: the clock runs before the first access
	ldr	r7, =0x40023000		@ CRC unit: DR +0, CR +8
	cbz	r4, restore
range:
	movs	r3, #1
	str	r3, [r7, #8]		@ CR.RESET: DR = 0xFFFFFFFF
	ldm	r0!, {r5, r6}		@ r5 = start, r6 = bytes
	lsrs	r6, r6, #2		@ words
	lsrs	r3, r6, #2		@ groups of four
	beq	tail
quad:
	ldm	r5!, {r8, r9, r10, r11}
	str	r8, [r7]
	str	r9, [r7]
	str	r10, [r7]
	str	r11, [r7]
	subs	r3, r3, #1
	bne	quad
tail:
	ands	r6, r6, #3
	beq	result
word:
	ldr	r3, [r5], #4
	str	r3, [r7]
	subs	r6, r6, #1
	bne	word
result:
	ldr	r3, [r7]
	str	r3, [r1], #4
	subs	r4, r4, #1
	bne	range
restore:
	str	r12, [r2]
	mov	r0, lr
	ldmdb	r0, {r1-r12, lr}
swd_crc_ranges_done:
	bkpt	#0
	.ltorg
