/* mcu.h - the simulated STM32 board behind swdbackup-sim's virtual ST-LINK.
 *
 * Owns: the device tables (cited from ST reference manuals, independent of profiles/),
 * the memory map, the flash controllers, option bytes and OTP, the CRC calculation unit,
 * the Cortex-M core (unicorn), the debug registers (DHCSR, DEMCR, DCRDR, AIRCR, FPB,
 * DWT, DBGMCU), reset, the board-level faults and the target-side timing (flash BSY
 * times, core clock, CRC unit cycles).
 *
 * Must not: know about sockets, libuv, or the ST-LINK wire protocol. The server
 * (src/sim/server.c, src/sim/probe.c) turns ST-LINK commands into the calls below and
 * the return values below into ST-LINK status bytes.
 *
 * Every access function returns an mcu_status: what one SWD transaction answered.
 */
#ifndef SWDSIM_MCU_H
#define SWDSIM_MCU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Values are the ST-LINK status bytes the probe reports for them (OpenOCD stlink_usb.c). */
enum mcu_status {
	MCU_OK = 0x80,          /* DEBUG_ERR_OK */
	MCU_WAIT = 0x10,        /* SWD_AP_WAIT: OpenOCD retries */
	MCU_FAULT = 0x19,       /* SWD_AP_STICKY_ERROR: bus fault on the AHB-AP access */
	MCU_NO_RESPONSE = 0x16, /* SWD_DP_ERROR: nothing answers on the wire */
};

/* Board faults that live in the target (link faults such as busy and drop-after are
 * the server's). Parsed by the server from --fault and handed over here. */
struct mcu_faults {
	bool swd_disabled;     /* firmware (the flash's reset vector is not erased) turns
	                        * SWDIO/SWCLK into GPIO once it runs: every
	                        * access answers MCU_NO_RESPONSE from the moment the core
	                        * leaves reset running (or is resumed at a PC in flash)
	                        * until NRST is asserted */
	bool unpowered;        /* VDD ~ 0 V: nothing answers */
	bool rdp1;             /* readout protection level 1 at power-on (in memory only:
	                        * FILE.opt is written when OpenOCD changes the options) */
	bool hw_watchdog;      /* option bytes with the hardware watchdog (WDG_SW = 0): the
	                        * IWDG runs from every reset and resets the chip 0.4-0.5 s
	                        * after its last reload unless DBG_IWDG_STOP freezes it while
	                        * the core is halted (realistic timing only; see iwdg.c) */
	bool low_power;        /* firmware (as above) sleeps from reset: C_HALT, AIRCR and RESETSYS
	                        * are lost while it runs, unless NRST is held */
	double flaky;          /* 0..1: fraction of memory transfers that answer WAIT or FAULT
	                        * (FAULT with probability flaky^2, the rest WAIT) */
	uint32_t clone_idcode; /* 0 = the genuine DP IDCODE */
	uint32_t wrp[4];       /* pages/sectors to write-protect, one bit each (F1: by page
	                        * group as WRP bits do; F2/F4: sector n = bit n) */
	bool wrp_set;
	double vdd;            /* the supply the probe measures, volts; 0 = 3.3 V */
	uint32_t flash_error;  /* F2/F4 FLASH_SR flag raised, instead of the operation, by
	                        * every program in sector flash_error_sector, and every erase
	                        * too for OPERR and WRPERR */
	unsigned flash_error_sector;
};

enum mcu_timing {
	MCU_TIMING_NONE = 0, /* every operation completes at once */
	MCU_TIMING_REALISTIC, /* flash times per datasheet, core at the part's clock */
};

struct mcu_config {
	const char *model;      /* "stm32f103c8", ... ; see mcu_model_names() */
	const char *flash_path; /* raw flash image, exactly the part's size; created erased.
	                         * Option bytes and OTP are kept beside it (FILE.opt, FILE.otp). */
	const uint8_t *uid;     /* 12 bytes, or NULL for one derived from flash_path */
	uint32_t dbgmcu_idcode; /* what DBGMCU_IDCODE reads; 0 = the model's */
	struct mcu_faults faults;
	enum mcu_timing timing;
	uint64_t seed;          /* for flaky; fixed default so runs repeat */
};

typedef struct mcu mcu_t;

/* NULL-terminated list of the supported model names. Returns: borrowed, static. */
const char *const *mcu_model_names(void);

/* Creates a board. On failure returns NULL and writes a one-line lowercase message to err
 * (e.g. "cannot open 'b.bin': permission denied", "'b.bin' is 1000 bytes; stm32f103c8
 * flash is 65536"). Returns: new, free with mcu_free(). */
mcu_t *mcu_new(const struct mcu_config *cfg, char *err, size_t errlen);

/* Writes everything that is not yet on disk (option bytes, OTP, flash) and releases the
 * board. NULL is a no-op. Returns 0 or -errno of the first failed write. */
int mcu_free(mcu_t *m);

/* Flushes the board files; called after operations that change them and on SIGTERM.
 * Returns 0 or -errno. */
int mcu_save(mcu_t *m);

/* The board loses power now (the power-off fault): the flash, option bytes and OTP are
 * saved as they are at this instant (an erase or program in progress never completes) and
 * from then on the board behaves as the unpowered fault: nothing answers, 0 V. Returns 0 or
 * -errno of the first failed write. */
int mcu_power_off(mcu_t *m);

/* --- probe-side view of the target ------------------------------------------------- */

/* Target voltage in volts as the ST-LINK's ADC sees it (0.0 when unpowered). */
double mcu_target_voltage(const mcu_t *m);

/* NRST line driven by the probe. Asserting holds the whole chip in reset (core halted
 * at nothing, SWD pins at their reset function); releasing starts it from the reset
 * vector (or halted there if DEMCR.VC_CORERESET and DHCSR.C_DEBUGEN are set). */
void mcu_set_nrst(mcu_t *m, bool asserted);

/* SWD line reset + JTAG-to-SWD + DP IDCODE read, what the ST-LINK does on ENTER and
 * READ_IDCODES. Fails with MCU_NO_RESPONSE when unpowered or when the firmware has
 * disabled the pins (and NRST is not held). */
enum mcu_status mcu_connect(mcu_t *m, uint32_t *dp_idcode);

/* AHB-AP memory access of len bytes at addr with the given access width (1, 2 or 4);
 * addr and len are aligned to width. Covers flash, SRAM, system memory, peripherals,
 * the flash controller and the System Control Space (DHCSR etc.). A fault part way
 * leaves what was transferred before it. */
enum mcu_status mcu_read(mcu_t *m, uint32_t addr, void *buf, size_t len, unsigned width);
enum mcu_status mcu_write(mcu_t *m, uint32_t addr, const void *buf, size_t len,
                          unsigned width);

/* Core register access through DCRSR/DCRDR; regsel as in DCRSR.REGSEL (0x00-0x12 r0..psp,
 * 0x14 CONTROL/FAULTMASK/BASEPRI/PRIMASK, 0x21 FPSCR, 0x40-0x5F S0..S31). The core must
 * be halted, else MCU_FAULT. */
enum mcu_status mcu_read_core_reg(mcu_t *m, unsigned regsel, uint32_t *val);
enum mcu_status mcu_write_core_reg(mcu_t *m, unsigned regsel, uint32_t val);

/* ST-LINK RESETSYS: a system reset as by AIRCR.SYSRESETREQ. */
enum mcu_status mcu_system_reset(mcu_t *m);

/* Lets time pass for the target: the core runs (flash loaders, CRC, firmware) and flash
 * operations progress. now_ns is the server's monotonic clock. With MCU_TIMING_NONE the
 * core runs until it halts, sleeps or locks up, for at most 200 us of host time per
 * call, so a spinning loop cannot stall the server; with MCU_TIMING_REALISTIC it runs
 * as many cycles as the part's clock (HSI after reset, or what RCC was set to) allows
 * since the previous call (never catching up more than 50 ms), and flash BSY stays set
 * for the datasheet time measured on now_ns. Called by the server before every
 * ST-LINK command that touches the target. */
void mcu_advance(mcu_t *m, uint64_t now_ns);

#endif
