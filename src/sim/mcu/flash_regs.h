/* flash_regs.h - the STM32 flash controllers' registers, bits and keys.
 *
 * F1: FPEC at 0x40022000 (RM0008 §3.4); F2/F4: flash interface at 0x40023C00 (RM0033
 * §2.4, RM0090 §3.9). Shared by the board's model of the controllers (flash.c) and the
 * code that drives them from inside the chip (the DFU bootloaders, ../dfu_mem.c), so the
 * facts are written once.
 */
#ifndef SWDSIM_FLASH_REGS_H
#define SWDSIM_FLASH_REGS_H

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1_F4 0x08192A3Bu
#define OPTKEY2_F4 0x4C5D6E7Fu

/* F1 */
#define F1_KEYR 0x40022004u
#define F1_OPTKEYR 0x40022008u
#define F1_SR 0x4002200Cu
#define F1_CR 0x40022010u
#define F1_AR 0x40022014u
#define F1_OBR 0x4002201Cu
#define F1_SR_BSY (1u << 0)
#define F1_SR_PGERR (1u << 2)
#define F1_SR_WRPRTERR (1u << 4)
#define F1_SR_EOP (1u << 5)
#define F1_CR_PG (1u << 0)
#define F1_CR_PER (1u << 1)
#define F1_CR_MER (1u << 2)
#define F1_CR_OPTPG (1u << 4)
#define F1_CR_OPTER (1u << 5)
#define F1_CR_STRT (1u << 6)
#define F1_CR_LOCK (1u << 7)
#define F1_CR_OPTWRE (1u << 9)
#define F1_OBR_RDPRT (1u << 1)
#define F1_OPT_RDP 0x1FFFF800u

/* F2/F4 */
#define F4_KEYR 0x40023C04u
#define F4_OPTKEYR 0x40023C08u
#define F4_SR 0x40023C0Cu
#define F4_CR 0x40023C10u
#define F4_OPTCR 0x40023C14u
#define F4_SR_EOP (1u << 0)
#define F4_SR_OPERR (1u << 1)
#define F4_SR_WRPERR (1u << 4)
#define F4_SR_PGAERR (1u << 5)
#define F4_SR_PGPERR (1u << 6)
#define F4_SR_PGSERR (1u << 7)
#define F4_SR_BSY (1u << 16)
#define F4_CR_PG (1u << 0)
#define F4_CR_SER (1u << 1)
#define F4_CR_MER (1u << 2)
#define F4_CR_PSIZE_X32 (2u << 8)
#define F4_CR_MER1 (1u << 15)
#define F4_CR_STRT (1u << 16)
#define F4_CR_LOCK (1u << 31)
#define F4_OPTCR_OPTLOCK (1u << 0)
#define F4_OPTCR_OPTSTRT (1u << 1)
#define F4_OPTCR_FACTORY 0x0FFFAAEDu
#define F4_OPTCR1_FACTORY 0x0FFF0000u

#endif
