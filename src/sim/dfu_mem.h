/* dfu_mem.h - the memories behind the alt settings of swdbackup-sim's DFU bootloaders.
 *
 * Owns: parsing a DfuSe layout string ("@Internal Flash  /0x08000000/04*016Kg,...") into
 * pages, and the read, erase, program and read-unprotect operations on what each alt
 * setting shows, with their datasheet durations. Internal flash goes through the board's
 * own flash controller (mcu.h), as the bootloader's code does, so write protection, readout
 * protection and the board file behave as on the SWD path; the Spark Core's external SPI
 * flash is a file beside the board file (FILE.spi).
 *
 * Must not: know about USB, DFU requests or states (dfu.c); print.
 *
 * Every operation returns a DFU bStatus (DFU 1.1 §6.1.2): 0 OK, else the error the
 * bootloader reports in GETSTATUS.
 */
#ifndef SWDSIM_DFU_MEM_H
#define SWDSIM_DFU_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/mcu/mcu.h"

/* DFU 1.1 bStatus values used here. */
enum {
	DFU_OK = 0x00,
	DFU_ERR_TARGET = 0x01,
	DFU_ERR_WRITE = 0x03,
	DFU_ERR_ERASE = 0x04,
	DFU_ERR_PROG = 0x06,
	DFU_ERR_ADDRESS = 0x08,
	DFU_ERR_VENDOR = 0x0B,
	DFU_ERR_STALLEDPKT = 0x0F,
};

/* DfuSe page types (UM0424 / dfu-util's dfuse_mem.c): the letter a-g minus 'a' + 1. */
#define DFU_PAGE_READ 1u
#define DFU_PAGE_ERASE 2u
#define DFU_PAGE_WRITE 4u

enum dfu_store {
	DFU_STORE_FLASH,   /* the board's main flash, through its flash controller */
	DFU_STORE_DCT,     /* the Photon's DCT: one flash sector, rewritten whole around
	                    * each write (erase requests are no-ops, as in Particle's DCT
	                    * driver, so a write of a few bytes keeps the rest) */
	DFU_STORE_OPTION,  /* option bytes as the bus shows them; a write of the 16 bytes
	                    * commits them (F2/F4) and the chip resets */
	DFU_STORE_OTP,     /* OTP area (reads only) */
	DFU_STORE_FEATURE, /* ST's "Device Feature" alt: four zero bytes */
	DFU_STORE_SPI,     /* the Spark Core's SST25VF016B, FILE.spi */
};

#define DFU_MAX_SEGMENTS 8

struct dfu_segment {
	uint32_t count, size; /* pages and bytes per page */
	unsigned type;        /* DFU_PAGE_* bits */
};

/* One alt setting as the bootloader describes it. */
struct dfu_alt {
	const char *layout;   /* the iInterface string, exactly as the device reports it */
	enum dfu_store store;
	uint32_t bus_base;    /* where the alt's address 0 is on the chip's bus (the Photon's DCT
	                       * alt starts at 0 but is flash sector 1) */
	uint32_t base;        /* the layout's start address */
	uint32_t size;
	struct dfu_segment seg[DFU_MAX_SEGMENTS];
	unsigned nseg;
};

/* Parses alt->layout into base, size and segments. Returns 0, or -1 when the string is not
 * a DfuSe layout (a table error: the callers' strings are constants). */
int dfu_alt_parse(struct dfu_alt *alt);

/* The page holding addr: its start, size and type. Returns false outside the alt. */
bool dfu_alt_page(const struct dfu_alt *alt, uint32_t addr, uint32_t *start, uint32_t *size,
                  unsigned *type, unsigned *index);

/* The memories of one bootloader: the board and, for the Spark Core, the SPI flash. */
struct dfu_mem {
	mcu_t *mcu;            /* borrowed */
	bool f1;               /* F1 flash controller (FPEC) rather than F2/F4's */
	uint32_t flash_size;   /* main flash bytes (two banks above 1 MiB on F4) */
	uint32_t uid_addr;
	uint8_t *spi;          /* MAP_SHARED view of FILE.spi, or NULL */
	size_t spi_len;
	int spi_fd;
	char *spi_path;        /* owned */
};

/* Sets up m for a board of the given family; spi_path (may be NULL) is created erased
 * (0xFF) when missing. Returns 0 or -1 with a one-line message in err. */
int dfu_mem_init(struct dfu_mem *m, mcu_t *mcu, bool f1, uint32_t flash_size,
                 uint32_t uid_addr, const char *spi_path, size_t spi_len, char *err, size_t errlen);
void dfu_mem_release(struct dfu_mem *m);

/* Readout protection as the flash controller reports it (level 1 or 2). */
bool dfu_mem_protected(struct dfu_mem *m);

/* The 96-bit unique ID. Returns false when the board does not answer. */
bool dfu_mem_uid(struct dfu_mem *m, uint8_t uid[12]);

/* Reads len bytes of the alt at addr (a bus address in the alt's layout). */
int dfu_mem_read(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t addr, uint8_t *buf,
                 size_t len);

/* Erases the page holding addr; *ns is the datasheet time it takes. */
int dfu_mem_erase(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t addr, uint64_t *ns);

/* Erases the whole main flash. */
int dfu_mem_mass_erase(struct dfu_mem *m, uint64_t *ns);

/* Programs len bytes at addr (pages must be erased: flash only clears bits). On the
 * option byte alt, commits the options and resets the chip. */
int dfu_mem_program(struct dfu_mem *m, const struct dfu_alt *alt, uint32_t addr,
                    const uint8_t *data, size_t len, uint64_t *ns);

/* Read unprotect: readout protection back to level 0, which erases the main flash; takes
 * effect at the reset that follows. */
int dfu_mem_unprotect(struct dfu_mem *m, uint64_t *ns);

#endif
