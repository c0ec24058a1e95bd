/* flash_f2x.S - erases and programs STM32F2/F4 flash at the parallelism the host chose
 * (PSIZE x32 when the supply allows it), fed by the host through two slots in SRAM.
 *
 * Runs from SRAM on the halted core (Cortex-M3 or M4, Thumb-2), loaded and started by
 * src/ocd/fastflash.c. Position independent; uses no stack.
 *
 * In:  r0 = control block in SRAM, words:
 *           [0]  flash interface base (0x40023C00)
 *           [1]  FLASH_CR PSIZE field, already shifted (x32: 0x200)
 *           [2]  out: 0 while running or after a stop; the FLASH_SR error flags that
 *                ended the run (OPERR, WRPERR, PGAERR, PGPERR, PGSERR)
 *           [3]  out: the flash address (program) or SNB (erase) last started
 *           [4]  n, the number of slots (at least 2)
 *           [8]  slot 0: op, arg, length in bytes, data address (4 words)
 *           [12] slot 1 ... up to slot n-1
 *      op 0: empty (the host may fill the slot); 1: program `length` bytes (a multiple of
 *      4) from `data` to flash address `arg`; 2: erase the sector whose SNB field is
 *      `arg`; anything else: stop.
 * Out: halts on the bkpt at swd_flash_f2x_done with FLASH_CR locked.
 *
 * The routine takes slot 0, 1, ... n-1, 0 ..., waiting on each until the host marks it,
 * and sets op back to 0 once done, so the host writes the next chunks into the other
 * slots while this one is erased or programmed: with slots enough for a sector, the data
 * of the next sector goes over SWD during the erase that comes before it. On an error the slot keeps its op, so the host knows
 * which operation failed. Every write and erase waits for BSY to clear and checks the
 * flags before the next (RM0090 §3.6.3-3.6.4; RM0033 §2.4.3).
 */
	.syntax unified
	.cpu cortex-m3
	.thumb

	.text
	.global swd_flash_f2x_entry
	.global swd_flash_f2x_done
	.thumb_func
swd_flash_f2x_entry:
	ldr	r1, [r0]		@ r1 = flash interface
	ldr	r2, [r0, #4]		@ r2 = PSIZE bits
	ldr	r3, [r1, #0x10]		@ CR: LOCK is bit 31
	cmp	r3, #0
	bge	unlocked
	ldr	r3, =0x45670123		@ KEYR sequence
	str	r3, [r1, #0x04]
	ldr	r3, =0xCDEF89AB
	str	r3, [r1, #0x04]
unlocked:
	movs	r3, #0xF3
	str	r3, [r1, #0x0C]		@ clear EOP and the error flags left from before
	ldr	r5, [r0, #16]		@ n
	lsls	r5, r5, #4
	add	r5, r5, r0
	add	r5, r5, #32		@ r5 = the end of the slots
	add	r4, r0, #32		@ r4 = the slot to take next
next:
	ldr	r3, [r4]
	cmp	r3, #0
	beq	next			@ the host has not filled it yet
	cmp	r3, #1
	beq	program
	cmp	r3, #2
	bne	stop
erase:
	ldr	r6, [r4, #4]		@ SNB
	str	r6, [r0, #12]
	lsls	r6, r6, #3
	orrs	r6, r6, r2
	orr	r6, r6, #2		@ SER
	str	r6, [r1, #0x10]
	orr	r6, r6, #0x10000	@ STRT
	str	r6, [r1, #0x10]
	bl	wait
	b	slot_done
program:
	ldr	r6, [r4, #4]		@ destination
	ldr	r7, [r4, #8]		@ bytes
	ldr	r8, [r4, #12]		@ data
	orr	r3, r2, #1		@ PG
	str	r3, [r1, #0x10]
	lsrs	r7, r7, #2
	beq	slot_done
word:
	str	r6, [r0, #12]
	ldr	r3, [r8], #4
	str	r3, [r6], #4
	bl	wait
	subs	r7, r7, #1
	bne	word
slot_done:
	movs	r3, #0
	str	r3, [r1, #0x10]		@ PG and SER off
	str	r3, [r4]		@ the slot is the host's again
	adds	r4, r4, #16
	cmp	r4, r5
	it	eq
	addeq	r4, r0, #32		@ round to slot 0
	b	next

wait:					@ until BSY clears; to fail with the error flags
	ldr	r3, [r1, #0x0C]
	tst	r3, #0x10000
	bne	wait
	ands	r3, r3, #0xF2
	it	eq
	bxeq	lr
	str	r3, [r0, #8]
stop:
	mov	r3, #0x80000000
	str	r3, [r1, #0x10]		@ LOCK
swd_flash_f2x_done:
	bkpt	#0
	.ltorg
