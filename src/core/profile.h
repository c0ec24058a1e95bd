/* profile.h - target profiles: strict JSON descriptions of one STM32 part each.
 *
 * Owns: reading and validating profile files (profiles/NAME.json, the user's own in
 * $XDG_CONFIG_HOME/swdbackup/profiles, or a path) in profile.c, and what is asked of a
 * loaded one in profile_query.c. Finding them by name and listing them is catalog.h's;
 * a part's family (core/family.c) comes with it. A profile is plain C data after loading;
 * no json_t leaves this module.
 *
 * Must not: talk to OpenOCD or print. The format is documented in README.md (section
 * "profiles"); every rule below is checked at load time, and every failure names the
 * file, line and column:
 *   'profiles/x.json' line 12, column 7: unknown key 'flsh'
 *
 * Error codes: SWD_ENOENT (file missing), SWD_ENOPROFILE (no profile of that name),
 * SWD_EPROFILE (syntax or semantic error), SWD_EIO, SWD_ENOMEM.
 */
#ifndef SWD_CORE_PROFILE_H
#define SWD_CORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/err.h"

enum swd_flash_driver {
	SWD_FLASH_STM32F1X, /* OpenOCD "stm32f1x": pages, WRP bits per group of pages */
	SWD_FLASH_STM32F2X, /* OpenOCD "stm32f2x": sectors, OPTCR/OPTCR1 nWRP per sector */
};

/* One page (F1) or sector (F2/F4) of the flash map, in address order. */
struct swd_sector {
	uint32_t address; /* absolute */
	uint32_t size;
	unsigned bank;    /* 0-based flash bank (F42x dual bank: 0 or 1) */
	unsigned index;   /* index as OpenOCD numbers it (0..nsectors-1) */
	unsigned wrp_bit; /* F2/F4: its nWRP bit, 0-11 in OPTCR, 12-23 in OPTCR1 (F1: unused) */
};

/* Another DBGMCU DEV_ID (with this core) that silicon of this part reports, e.g. revision
 * A of the F405/F407, which reads the F2's 0x411 (ES0182 §2.1.2). */
struct swd_id_alias {
	uint16_t dev_id;
	uint16_t cpuid_partno;
	char *revision;   /* the revision name this id stands for */
	char *source;     /* where the fact comes from */
};

struct swd_ram_region {
	char *name;
	uint32_t address;
	uint32_t size;
	bool code;        /* the core can fetch instructions from it (the F4's CCM cannot) */
};

struct swd_revision {
	uint16_t id;   /* DBGMCU_IDCODE bits 31:16 */
	char *name;    /* "Y", "1", ... */
};

struct swd_ocd_var {
	char *name;    /* CHIPNAME, WORKAREASIZE, ... (set before the target config) */
	char *value;
};

enum swd_ob_format {
	SWD_OB_STM32F1,   /* 16 bytes at ob_address: RDP, USER, DATA0/1, WRP0..3, each + complement */
	SWD_OB_STM32F2X,  /* OPTCR (and OPTCR1 when has_optcr1), 4 bytes each, little endian */
};

struct swd_profile;
struct swd_protection;
struct swd_optbytes_fields;

/* What every part of a family does alike, given once (core/family.c) and found at load
 * through the profile's flash driver: callers ask p->family rather than test the driver. */
struct swd_family {
	enum swd_flash_driver driver_id;
	enum swd_ob_format ob_format_id;
	const char *driver;      /* OpenOCD's flash driver: "stm32f1x", "stm32f2x" */
	const char *ob_format;   /* the profiles' option_bytes.format: "stm32f1", "stm32f2x" */
	const char *unit;        /* what the driver erases and protects: "page", "sector" */
	const char *units;       /* "pages", "sectors" */
	bool pages;              /* the unit is a page (F1) */
	/* the RCC register and bit that clock the CRC calculation unit (at 0x40023000) */
	uint32_t crc_clock_reg;
	uint32_t crc_clock_bit;
	/* option bytes, both ways (core/optbytes.c; callers use swd_optbytes_*) */
	void (*ob_decode)(const struct swd_profile *p, const uint8_t *raw,
	                  struct swd_protection *out);
	void (*ob_encode)(const struct swd_profile *p, const uint8_t *raw,
	                  struct swd_optbytes_fields *out);
	bool (*ob_same)(const struct swd_profile *p, const uint8_t *a, const uint8_t *b);
	bool (*ob_applied)(const struct swd_profile *p, const uint8_t *want, const uint8_t *now);
};

/* The family of a flash driver. Returns: borrowed, static. */
const struct swd_family *swd_family_of(enum swd_flash_driver d);

/* One alternate setting of a USB DFU bootloader, as the board's bootloader reports it. */
struct swd_dfu_alt {
	unsigned alt;            /* bAlternateSetting */
	char *name;              /* the profile's name for it: "flash", "dct", "spi-flash" */
	char *layout;            /* its DfuSe layout string (core/dfuse.h) */
};

/* A board profile (core/boardprofile.c) is its part's profile plus this: the USB ids of
 * the board's DFU bootloader, its alternate settings and where the user's code lives. */
struct swd_board {
	char *part;              /* the part profile it is built on: "stm32f205rg" */
	char part_sha256_hex[65];  /* "" until swd_profile_hash() */
	char *part_text;         /* the part profile's bytes, hashed on demand */
	size_t part_text_len;
	char *reference;         /* where the board facts come from */
	char *bootloader;        /* "particle", "st" */
	uint16_t vid, pid;
	struct swd_dfu_alt *alts;
	size_t nalts;
	uint32_t user_address;   /* the user's application */
	uint32_t user_size;
};

struct swd_profile {
	char *name;              /* "stm32f407vg" */
	const struct swd_family *family; /* borrowed, static; set at load from flash.driver */
	char *description;
	char *sim_model;         /* optional: the swdbackup-sim model for --probe sim, or NULL */
	char *reference_manual;  /* "RM0090 rev 19" */
	char *path;              /* file it was loaded from */
	char *text;              /* the file's bytes, NUL terminated (for `profiles show`) */
	size_t text_len;
	char sha256_hex[65];     /* SHA-256 of the file, recorded in manifests; "" until
	                          * swd_profile_hash() */

	struct {
		char *interface;          /* "interface/stlink.cfg" */
		char *target;             /* "target/stm32f4x.cfg" */
		struct swd_ocd_var *vars; /* in file order */
		size_t nvars;
		unsigned adapter_khz;     /* default adapter speed */
		bool connect_under_reset; /* the part can be attached with NRST held */
	} openocd;

	struct {
		enum swd_flash_driver driver;
		uint32_t base;            /* 0x08000000 */
		uint32_t size;            /* bytes; equals the sum of the sector sizes */
		unsigned nbanks;
		struct swd_sector *sectors; /* nsectors, contiguous from base */
		size_t nsectors;
		unsigned wrp_sectors_per_bit; /* F1: pages per WRP bit (4 on medium density); F2X: 1 */
		/* Another sector layout that an option bit selects (1 MiB F42x: DB1M makes two
		 * banks of 512 KiB). swd_profile_use_option_layout() swaps it in. */
		struct {
			bool present;
			char *name;            /* "DB1M" */
			char *source;
			uint32_t reg, bits;    /* selected when (reg & bits) == bits */
			struct swd_sector *sectors;
			size_t nsectors;
			unsigned nbanks;
			bool active;
		} option_layout;
		uint32_t die_size;       /* flash the die may carry beyond `size` (0: none known) */
		char *die_size_source;   /* where that fact comes from */
		unsigned x32_min_mv;     /* F2/F4: lowest supply for PSIZE x32, mV (0: not allowed) */
		char *x32_source;        /* where that limit comes from */
		uint32_t register_size;  /* `size` as loaded: what the size register says */
		bool whole_die;          /* swd_profile_use_die() made size the die's */
	} flash;

	struct {
		uint16_t dev_id;               /* DBGMCU_IDCODE bits 11:0 */
		struct swd_revision *revisions;
		size_t nrevisions;
		uint32_t *dp_idcodes;          /* genuine SW-DP IDCODEs */
		size_t ndp_idcodes;
		uint32_t *clone_dp_idcodes;    /* IDCODEs known from clones of this part */
		size_t nclone_dp_idcodes;
		uint16_t cpuid_partno;         /* CPUID bits 15:4 (0xC23 M3, 0xC24 M4) */
		uint16_t flash_size_kib;       /* what the flash size register reads on a genuine part */
		struct swd_id_alias *aliases;  /* other ids this part reports (early silicon) */
		size_t naliases;
		char *revisions_advisory;      /* NULL, or why the revision names are only advisory */
	} ids;

	struct {
		uint32_t dbgmcu_idcode;  /* 0xE0042000 */
		uint32_t flash_size;     /* u16, KiB */
		uint32_t unique_id;      /* 96 bits */
		uint32_t flash_interface;/* FLASH_ACR, base of the flash controller */
	} regs;

	struct {
		enum swd_ob_format format;
		uint32_t address;        /* F1: 0x1FFFF800; F2X: OPTCR register */
		uint32_t size;           /* bytes in option-bytes.bin: F1 16; F2X 4 or 8 */
		bool has_optcr1;         /* F2X: OPTCR1 follows OPTCR at optcr1 */
		uint32_t optcr1;
	} option_bytes;

	struct {
		bool present;
		uint32_t address;        /* 0x1FFF7800 */
		uint32_t size;           /* 512 data bytes */
		uint32_t lock_address;   /* 0x1FFF7A00 */
		uint32_t lock_size;      /* 16; otp.bin holds data followed by lock bytes */
	} otp;

	/* The battery-backed domain: backup SRAM and backup registers, read with their clocks
	 * on (and written with DBP set); each gate is a register and the bits that open it. */
	struct {
		bool present;
		char *reference;         /* the manual's section */
		struct swd_bkp_region {
			char *name;      /* "backup-sram", "backup-registers": the bundle region */
			uint32_t address;
			uint32_t size;   /* bytes, a multiple of 4 (read as words) */
		} regions[2];
		size_t nregions;
		struct swd_reg_bits {
			uint32_t address;
			uint32_t bits;
		} clocks[2], write_enable;
		size_t nclocks;
	} backup_domain;

	struct swd_ram_region *ram;  /* in file order; vector-table SP must be in one */
	size_t nram;

	struct swd_board *board;     /* NULL for a part profile */
};

/* Loads and validates the profile file at path. On success *out is new (free with
 * swd_profile_free()). On failure *out is NULL and err says why with file, line, column. */
int swd_profile_load(const char *path, struct swd_profile **out, struct swd_error *err);

/* Same, from text in memory; `origin` names it in messages. */
int swd_profile_load_text(const char *text, size_t len, const char *origin,
                          struct swd_profile **out, struct swd_error *err);

/* NULL is a no-op. */
void swd_profile_free(struct swd_profile *p);

/* Fills sha256_hex (and a board's part_sha256_hex) from the file's bytes, once: loading
 * does not hash, for libcrypto's first use costs about a millisecond that a command may
 * spend better elsewhere (a DFU backup hashes while dfu-util runs). A cache: p is const to
 * its readers. Returns 0, or SWD_ENOMEM / SWD_EINTERNAL from libcrypto. */
int swd_profile_hash(const struct swd_profile *p, struct swd_error *err);

/* Lookups. Return: borrowed, or NULL. */
const struct swd_sector *swd_profile_sector_at(const struct swd_profile *p, uint32_t address);
const char *swd_profile_revision_name(const struct swd_profile *p, uint16_t rev_id);
/* The alias that dev_id (with CPUID part number partno) is, or NULL. Returns: borrowed. */
const struct swd_id_alias *swd_profile_alias(const struct swd_profile *p, uint16_t dev_id,
                                             uint16_t partno);
const struct swd_ram_region *swd_profile_ram_at(const struct swd_profile *p, uint32_t address);

/* Swaps in flash.option_layout (the layout the option bit selects). Idempotent. */
void swd_profile_use_option_layout(struct swd_profile *p);

/* Makes the profile describe the whole die (flash.die_size), for a chip that carries more
 * flash than its size register says: size becomes die_size, and sectors of the last one's
 * size follow to its end. A no-op when already done; SWD_EINPUT without a die_size. */
int swd_profile_use_die(struct swd_profile *p, struct swd_error *err);

/* "stm32f1x" / "stm32f2x": swd_family_of(d)->driver. Returns: borrowed, static. */
const char *swd_flash_driver_name(enum swd_flash_driver d);

enum swd_dp_kind {
	SWD_DP_UNKNOWN = 0, /* neither of the profile's lists */
	SWD_DP_GENUINE = 1, /* one of ids.dp_idcodes */
	SWD_DP_CLONE = 2,   /* one of ids.clone_dp_idcodes: a known clone's */
};

/* Which of the profile's lists holds idcode. */
enum swd_dp_kind swd_profile_dp_idcode_kind(const struct swd_profile *p, uint32_t idcode);

#endif
