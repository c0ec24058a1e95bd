/* mcu_int.h - internals shared by the files of the simulated board (not for the server).
 *
 * The board is one struct mcu: the device table entry, the memories (flash is the
 * board file mapped MAP_SHARED, so the file is current at every moment), the debug and
 * flash-controller state, and the unicorn core. One bus (mcu_bus_*) serves both the
 * debugger's AHB-AP accesses and the core's MMIO accesses, so the flash controller,
 * option bytes and debug registers behave the same whoever touches them.
 */
#ifndef SWDSIM_MCU_INT_H
#define SWDSIM_MCU_INT_H

#include <stdlib.h>
#include <unicorn/unicorn.h>

#include "sim/mcu/mcu.h"

enum mcu_family { MCU_FAMILY_F1, MCU_FAMILY_F2F4 };

struct mcu_model {
	const char *name;
	const char *manual;
	enum mcu_family family;
	uint32_t dp_idcode;
	uint32_t cpuid;
	bool fpu;
	uint32_t dbgmcu_idcode;
	uint32_t flash_size;        /* what the flash size register says */
	uint32_t die_flash_size;    /* flash the die carries when a board file has it, 0 = the same */
	uint32_t flash_size_addr;
	uint32_t uid_addr;
	uint32_t sram_size;
	uint32_t ccm_size;
	uint32_t page_size;         /* F1 erase page */
	uint32_t wrp_pages_per_bit; /* F1 WRPR granularity */
	uint32_t sys_base;          /* system memory: bootloader ROM + info words */
	uint32_t sys_size;
	uint32_t opt_addr;          /* option bytes as the bus shows them */
	uint32_t opt2_addr;         /* F42x bank-2 option bytes, 0 when absent */
	bool otp;
	uint32_t bkpsram_size;      /* battery-backed SRAM at 0x40024000 (F2/F4), 0 if none */
	uint32_t bkp_regs;          /* backup data registers (RTC_BKPxR or BKP_DRx) */
	uint32_t hsi_hz;
	bool dual_bank;             /* always two banks (2 MiB F42x) */
	bool db1m;                  /* 1 MiB F42x: two banks when OPTCR.DB1M is set */
};

const struct mcu_model *mcu_model_find(const char *name);

#define MCU_FLASH_BASE 0x08000000u
#define MCU_SRAM_BASE 0x20000000u
#define MCU_CCM_BASE 0x10000000u
#define MCU_PERIPH_BASE 0x40000000u
#define MCU_PPB_BASE 0xE0000000u
#define MCU_PPB_SIZE 0x100000u
#define MCU_F1_FLASH_REGS 0x40022000u
#define MCU_F4_FLASH_REGS 0x40023C00u
#define MCU_CRC_BASE 0x40023000u /* F1, F2 and F4 alike */
#define MCU_OTP_SIZE 512u
#define MCU_OTP_LOCKS 16u

/* Who performs a bus access: the debugger may touch the debug registers and is stopped
 * by readout protection; the core is not. */
#define MCU_DFSR_HALTED (1u << 0)
#define MCU_DFSR_BKPT (1u << 1)
#define MCU_DFSR_DWTTRAP (1u << 2)
#define MCU_DFSR_VCATCH (1u << 3)

enum mcu_initiator { MCU_BY_DEBUGGER, MCU_BY_CORE };

/* Flash programming/erase controller state (FPEC on F1, flash interface on F2/F4). */
struct mcu_fpec {
	uint32_t acr;
	uint32_t sr;
	uint32_t cr;
	uint32_t ar;
	int key_stage;      /* 0: expect KEY1, 1: expect KEY2 */
	int optkey_stage;
	bool key_dead;      /* wrong key: locked until the next reset, as on silicon */
	uint64_t busy_until; /* ns on the target's clock; BSY reads 1 before it */
	/* F2/F4 option control: staging register vs the programmed (effective) bytes */
	uint32_t optcr;     /* staged value, OPTLOCK in bit 0 */
	uint32_t optcr1;
};

/* Option bytes as stored in FILE.opt. */
struct mcu_options {
	uint16_t f1[8];     /* F1: RDP, USER, Data0, Data1, WRP0..3 halfwords (value | ~value<<8) */
	uint32_t optcr;     /* F2/F4 effective OPTCR bits (RDP, user, nWRP, BOR, DB1M, SPRMOD) */
	uint32_t optcr1;    /* F42x: nWRP of sectors 12-23 */
};

struct mcu {
	const struct mcu_model *md;
	struct mcu_config cfg;
	struct mcu_faults faults;
	char *flash_path;
	char *opt_path;
	char *otp_path;
	char *bkp_path;      /* FILE.bkp: backup SRAM then backup registers, kept as on VBAT */
	uint8_t uid[12];

	uint8_t *flash;      /* MAP_SHARED view of the board file */
	uint32_t flash_bytes; /* its size: md->flash_size, or md->die_flash_size for a whole die */
	int flash_fd;
	bool flash_created;  /* made by this run: removed again if the board fails to start */
	uint8_t *sram;
	uint8_t *ccm;
	uint8_t *sysrom;     /* bootloader area contents (reads only) */
	uint8_t *periph;     /* plain storage for peripherals other than the flash interface */
	uint32_t periph_size;
	uint8_t *ppb;        /* plain storage for the private peripheral bus */
	uint8_t otp[MCU_OTP_SIZE + MCU_OTP_LOCKS];

	struct mcu_options opt;
	bool opt_dirty;
	bool otp_dirty;
	uint8_t *bkp;        /* backup SRAM (md->bkpsram_size) then md->bkp_regs words */
	bool bkp_dirty;

	/* readout protection latched at reset from the option bytes */
	bool rdp_active;
	bool rdp_level2;     /* F2/F4 RDP 0xCC: no debug access at all */
	uint32_t obr;        /* F1 OBR as loaded at reset */
	uint32_t wrpr;       /* F1 WRPR as loaded at reset */

	struct mcu_fpec fpec;
	struct {
		uint32_t dr;
		uint8_t idr;
		uint64_t ready_ns; /* target time the last DR write is computed by */
	} crc;

	struct mcu_iwdg {
		bool running;
		bool access;     /* 0x5555 written: PR and RLR take writes */
		uint32_t pr, rlr;
		uint64_t left_ns; /* target time until it fires */
		uint64_t last_ns;
	} iwdg;

	/* debug */
	uint32_t dhcsr_ctrl; /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS */
	bool halted;
	bool lockup;
	bool sleeping;
	bool reset_st;       /* S_RESET_ST, sticky until read */
	bool retire_st;
	uint32_t demcr;
	uint32_t dcrdr;
	uint32_t dfsr;        /* why the core last halted (OpenOCD reports it) */
	uint32_t dbgmcu_cr;
	uint32_t dbgmcu_apb1_fz;
	uint32_t dbgmcu_apb2_fz;
	bool nrst;           /* NRST held low by the probe */
	bool firmware_running; /* the core runs code from flash (not a debugger algorithm) */
	bool swd_dead;       /* swd-disabled: the firmware took the pins */

	/* core */
	uc_engine *uc;
	uc_hook hooks[4];
	uint64_t now_ns;     /* last time the server gave us */
	uint64_t core_ns;    /* the target's own clock (realistic timing) */
	bool clock_started;
	uint64_t cycles;     /* cycles run in the current slice */
	uint64_t block_start; /* cycles when the block being run began (it is charged whole
	                       * on entry, so its accesses happen somewhere in between) */
	uint64_t budget;     /* cycle budget of the current slice */
	uint64_t slice_deadline_host;
	uint32_t block_tick;
	bool core_fault;     /* a fault was raised by a hook during the slice */
	bool core_bkpt;
	bool core_watch;     /* a DWT comparator matched a data access */
	bool core_sleep;
	bool pending_reset;  /* reset requested by the core through AIRCR */
	/* memory changed behind unicorn's back, whose translations must go: [0] flash by
	 * offset, [1] everything else by address */
	struct { bool set; uint32_t lo, hi; } dirty[2];
	/* stores the core made to flash that the controller refused or altered: applied
	 * after the slice since unicorn lands the raw store after the hook */
	struct { uint32_t addr; uint8_t bytes[8]; unsigned len; } fix[64];
	unsigned nfix;
	uint32_t core_hz;
	bool flash_mapped;   /* flash visible to the core (not under RDP from SRAM) */
	bool reset_invstate; /* reset vector without the Thumb bit */
	void *core_extra;

	uint64_t rng;
};

/* models.c: F2/F4 sector layout. Sector ids run 0 to MCU_F4_SECTOR_IDS - 1 as FLASH_CR.SNB
 * numbers them (12 and up in bank 2); not every id exists on every part or layout. */
#define MCU_F4_SECTOR_IDS 24u
#define MCU_F4_OPTCR_DB1M (1u << 30)
bool mcu_two_banks(const mcu_t *m);
bool mcu_sector_range(const mcu_t *m, unsigned sector, uint32_t *off, uint32_t *size);
int mcu_sector_of(const mcu_t *m, uint32_t off);

/* bus.c-side (mcu.c) */
enum mcu_status mcu_bus_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val,
                             enum mcu_initiator by);
enum mcu_status mcu_bus_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val,
                              enum mcu_initiator by);
void mcu_mark_code_dirty(mcu_t *m, uint32_t addr, uint32_t len);
uint64_t mcu_target_now(const mcu_t *m);
uint64_t mcu_host_ns(void); /* CLOCK_MONOTONIC, bounds the core's slices */
void mcu_do_system_reset(mcu_t *m);
void mcu_halt_now(mcu_t *m);
/* Addresses of the halfwords the FPB code comparators break on (at most 2 per comparator). */
#define MCU_FPB_CODE_COMPS 6u
unsigned mcu_fpb_breakpoints(const mcu_t *m, uint32_t *addrs, unsigned max);
/* The data watchpoints the DWT comparators describe. */
#define MCU_DWT_COMPS 4u
struct mcu_watch {
	uint32_t lo, size;
	bool read, write;
};
unsigned mcu_dwt_watchpoints(const mcu_t *m, struct mcu_watch *w, unsigned max);

/* flash.c */
void mcu_fpec_reset(mcu_t *m);
void mcu_options_default(mcu_t *m);
void mcu_options_apply_faults(mcu_t *m);
void mcu_options_latch(mcu_t *m);
bool mcu_fpec_busy(const mcu_t *m);
bool mcu_fpec_is_regs(const mcu_t *m, uint32_t addr);
uint32_t mcu_fpec_read(mcu_t *m, uint32_t off);
void mcu_fpec_write(mcu_t *m, uint32_t off, uint32_t val);
/* A store into main flash (addr is the offset in flash). Returns the status of the bus
 * access; the flash array is updated only as the controller allows. */
enum mcu_status mcu_flash_store(mcu_t *m, uint32_t off, unsigned width, uint32_t val);
/* A store into the option byte / OTP area. */
enum mcu_status mcu_sys_store(mcu_t *m, uint32_t addr, unsigned width, uint32_t val);
bool mcu_sys_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val);
int mcu_options_load(mcu_t *m);
int mcu_options_save(mcu_t *m);
int mcu_otp_load(mcu_t *m);
int mcu_otp_save(mcu_t *m);
/* Side files: written under a temporary name and renamed; read whole. read returns 1 when
 * the file does not exist, -EINVAL when its size is not len. */
int mcu_file_write_atomic(const char *path, const void *data, size_t len);
int mcu_file_read_exact(const char *path, void *data, size_t len);

/* backup.c: the battery-backed domain (backup SRAM, backup registers) and its gates */
int mcu_backup_init(mcu_t *m);   /* loads FILE.bkp; 0, -EINVAL (wrong size) or -errno */
int mcu_backup_save(mcu_t *m);
void mcu_backup_free(mcu_t *m);
/* iwdg.c: the independent watchdog. tick lets target time pass for it and returns true
 * when it reset the chip. read/write return false when addr is not an IWDG register. */
void mcu_iwdg_reset(mcu_t *m);
bool mcu_iwdg_tick(mcu_t *m);
bool mcu_iwdg_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val);
bool mcu_iwdg_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val);

/* Accesses to PWR_CR, backup SRAM and backup registers; false when addr is none of them. */
bool mcu_backup_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val);
bool mcu_backup_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val);

/* crc.c: the CRC calculation unit. read/write return false when addr is not one of its
 * registers. */
void mcu_crc_reset(mcu_t *m);
bool mcu_crc_read(mcu_t *m, uint32_t addr, unsigned width, uint32_t *val,
                  enum mcu_initiator by);
bool mcu_crc_write(mcu_t *m, uint32_t addr, unsigned width, uint32_t val,
                   enum mcu_initiator by);

/* core.c */
int mcu_core_init(mcu_t *m, char *err, size_t errlen);
void mcu_core_free(mcu_t *m);
void mcu_core_reset(mcu_t *m);
void mcu_core_run(mcu_t *m, uint64_t budget_cycles, uint64_t host_ns_limit);
bool mcu_core_step(mcu_t *m);
uint32_t mcu_core_pc(mcu_t *m);
void mcu_core_flush_tb(mcu_t *m);
/* Drops every translation (slow: for a core that will not run again, see mcu_power_off). */
void mcu_core_flush_all(mcu_t *m);

#endif
