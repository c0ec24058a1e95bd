/* link.h - the one narrow way the board layer reaches a chip: a link, and the table of what
 * a link can do.
 *
 * A link is one connection to one board through one backend. The OpenOCD session is the
 * first backend (link_ocd.c); a USB DFU bootloader driven through dfu-util is meant to be
 * the second. The board layer and the commands call the board_link_*() functions below and
 * never a backend's own API, so a command does not know which backend it drives.
 *
 * What a backend cannot do it leaves NULL in its table. The call then fails with
 * SWD_EUNSUPPORTED and a line naming the backend and the operation, except where a
 * generic way exists: board_link_verify_file() reads the range back and compares it when
 * the backend has no check of its own, and board_link_crc_equal() fails with
 * SWD_ETARGETFAILED and a reason, which callers treat as "no on-target checksum here".
 *
 * Progress and the backend's own log lines reach the caller as events (struct
 * board_link_events), as OpenOCD's do today.
 *
 * Owns: the operation table, the neutral types every backend speaks, and the dispatch.
 * Must not: print, decide exit codes, know the profile's family, or spell a backend's
 *   commands (each backend does that in its own file).
 *
 * Conventions: every operation returns 0 or a negative SWD_E* code and fills err (first
 * error wins). Addresses are the chip's; flash offsets count from the flash base.
 */
#ifndef SWD_BOARD_LINK_H
#define SWD_BOARD_LINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/profile.h"

struct board_link;

#define BOARD_LINK_LAYOUTS 6

struct board_link_events {
	void (*on_log)(void *ud, const char *line);   /* every line the backend's tool prints */
	/* what: "reading flash", "verifying", "erasing", "programming"; done/total in bytes */
	void (*on_progress)(void *ud, const char *what, uint64_t done, uint64_t total);
	void *ud;
	volatile sig_atomic_t *interrupted;          /* set to 1 on SIGINT/SIGTERM */
};

/* What the probe told about itself and the target while the link came up. Strings are
 * empty when unknown. */
struct board_link_probe {
	char adapter[64];           /* "ST-LINK", "CMSIS-DAP", "DFU 0483:df11" */
	char firmware[32];
	char version[64];           /* the backend tool's version ("0.12.0", "0.11") */
	bool has_voltage;
	double target_voltage;
	unsigned adapter_khz;
	/* a USB DFU bootloader: its ids, serial, and the DfuSe layout string of each of its
	 * alternate settings (flash_alt is the flash's) */
	char vid_pid[10];
	char serial[64];
	unsigned flash_alt;
	char layouts[BOARD_LINK_LAYOUTS][160];
	size_t nlayouts;
};

/* How an attempt to bring the link up is made. Backends ignore what they have no use for
 * (a DFU bootloader has no speed and no reset line). */
struct board_link_params {
	enum { BOARD_LINK_ANY_USB, BOARD_LINK_USB_SERIAL, BOARD_LINK_TCP, BOARD_LINK_DFU } probe;
	const char *serial;         /* BOARD_LINK_USB_SERIAL; BOARD_LINK_DFU: NULL for any */
	uint16_t vid, pid;          /* BOARD_LINK_DFU: 0 for the profile's bootloader's */
	unsigned port;              /* BOARD_LINK_TCP: an ST-LINK server (the simulator) */
	const char *interface;      /* NULL: the profile's (ST-LINK); "cmsis-dap", "jlink" */
	const char *tool;           /* the backend's executable; NULL: from PATH */
	unsigned speed_khz;         /* 0: the profile's */
	bool under_reset;
	uint32_t dp_idcode;         /* expect this DP IDCODE (a clone's); 0: the profile's */
	/* BOARD_LINK_DFU: the link is for a backup, whose first run reads the flash. With a
	 * board profile's bootloader the link then comes up without looking at the device:
	 * that run starts first, and the device is listed and held to the profile, and the
	 * probe (the caller's, which must outlive the link) filled, while it starts up; a
	 * missing or wrong device fails the read instead of the link (link_dfu.c) */
	bool read_first;
};

/* How the last attempt or the link's tool ended, for the findings. */
struct board_link_end {
	bool exited;                /* the backend's tool had exited */
	int status;                 /* its exit status, or -signal */
	bool silent_start;          /* it left during start-up without an error line */
	uint32_t unexpected_dp_idcode; /* a DP IDCODE it refused at start-up, or 0 */
	bool leave_quirk;           /* DFU: the bootloader left (reset) before answering the
	                             * status request after the leave; the data was written */
};

struct board_identity {
	uint32_t cpuid;
	uint32_t dbgmcu_idcode;
	bool has_dp_idcode;
	uint32_t dp_idcode;
	uint16_t flash_size_kib;
	uint8_t uid[12];
};

enum board_reset { BOARD_RESET_RUN, BOARD_RESET_HALT };

/* A flash range to checksum or compare. */
struct board_range {
	uint32_t address;
	uint32_t size;
};

struct board_verify_result {
	bool match;
	bool has_first_diff;
	uint32_t first_diff_address;
};

/* How a backend wrote, for the report: its way, a line for the user, and why it did not
 * use its fastest way ("" when it did). */
struct board_program_how {
	char method[32];            /* OpenOCD: "x32 routine" or "openocd driver" */
	char line[SWD_ERROR_MSG_MAX + 96];
	char why[SWD_ERROR_MSG_MAX + 40];
};

/* One write of an image into flash: erase the units it touches, program it. */
struct board_program {
	const uint8_t *data;        /* borrowed for the call */
	size_t len;
	uint32_t offset;            /* from the flash base */
	const char *scratch;        /* a file name the backend may create and removes */
	struct board_program_how *how; /* optional: filled by the backend */
};

/* Option-byte work, in the family's own terms (the board layer knows the family). */
struct board_f1_user {
	bool swwdg, norststop, norststndby;
	uint16_t useropt;
};

struct board_link_ops {
	const char *kind;           /* "openocd", "dfu" */
	void (*free)(struct board_link *l);                         /* stops the tool */
	int (*stop)(struct board_link *l, struct swd_error *err);
	const char *const *(*log)(const struct board_link *l, size_t *n);
	void (*end)(const struct board_link *l, struct board_link_end *out);

	int (*identify)(struct board_link *l, struct board_identity *out, struct swd_error *err);
	int (*reset)(struct board_link *l, enum board_reset mode, struct swd_error *err);
	int (*halt)(struct board_link *l, struct swd_error *err);
	void (*keep_halted)(struct board_link *l);

	int (*read_memory)(struct board_link *l, uint32_t address, unsigned width, size_t count,
			   void *buf, struct swd_error *err);
	int (*write_memory)(struct board_link *l, uint32_t address, unsigned width, size_t count,
			    const void *buf, struct swd_error *err);
	/* len bytes of flash from offset into a new file at path */
	int (*read_flash)(struct board_link *l, uint32_t offset, uint32_t len, const char *path,
			  struct swd_error *err);
	/* the file at path against flash at address */
	int (*verify_file)(struct board_link *l, const char *path, uint32_t address,
			   struct board_verify_result *out, struct swd_error *err);
	/* one checksum per range computed on the target, compared with expected (flash-sized,
	 * from the flash base): equal[i] */
	int (*crc_equal)(struct board_link *l, const uint8_t *expected, const struct board_range *r,
			 size_t n, bool *equal, struct swd_error *err);

	int (*erase_units)(struct board_link *l, unsigned first, unsigned last, struct swd_error *err);
	int (*mass_erase)(struct board_link *l, struct swd_error *err);
	int (*program)(struct board_link *l, const struct board_program *a, struct swd_error *err);

	/* readout protection as the flash controller states it: 1 on, 0 off, -1 unknown */
	int (*read_protection)(struct board_link *l, int *level, struct swd_error *err);
	int (*unlock)(struct board_link *l, struct swd_error *err);
	int (*f1_options_write)(struct board_link *l, const struct board_f1_user *u, struct swd_error *err);
	int (*f2_options_write)(struct board_link *l, uint32_t user, struct swd_error *err);
	/* write protection of protection blocks first..last */
	int (*protect)(struct board_link *l, unsigned first, unsigned last, bool on, struct swd_error *err);
};

/* Every backend's link starts with this. */
struct board_link {
	const struct board_link_ops *ops;
	const struct swd_profile *p;  /* borrowed: outlives the link */
};

/* Backends. */
int board_link_ocd_open(const struct swd_profile *p, const struct board_link_params *lp,
			const struct board_link_events *ev, struct board_link **out,
			struct board_link_probe *probe, struct swd_error *err);

/* The board's own USB DFU bootloader through dfu-util (link_dfu.c); lp->tool is dfu-util. */
int board_link_dfu_open(const struct swd_profile *p, const struct board_link_params *lp,
			const struct board_link_events *ev, struct board_link **out,
			struct board_link_probe *probe, struct swd_error *err);

/* Dispatch (NULL-safe where it says so). */
const char *board_link_kind(const struct board_link *l);
/* Whether the link reads the chip's memory (registers, option bytes, OTP): a DFU
 * bootloader reads only its alternate settings. */
bool board_link_reads_memory(const struct board_link *l);
void board_link_free(struct board_link *l);                 /* NULL is a no-op */
int board_link_stop(struct board_link *l, struct swd_error *err);
const char *const *board_link_log(const struct board_link *l, size_t *n); /* NULL: none */
void board_link_end(const struct board_link *l, struct board_link_end *out);
int board_link_identify(struct board_link *l, struct board_identity *out, struct swd_error *err);
int board_link_reset(struct board_link *l, enum board_reset mode, struct swd_error *err);
int board_link_halt(struct board_link *l, struct swd_error *err);
void board_link_keep_halted(struct board_link *l);
int board_link_read_memory(struct board_link *l, uint32_t address, unsigned width, size_t count,
			   void *buf, struct swd_error *err);
int board_link_write_memory(struct board_link *l, uint32_t address, unsigned width, size_t count,
			    const void *buf, struct swd_error *err);
int board_link_read_flash(struct board_link *l, uint32_t offset, uint32_t len, const char *path,
			  struct swd_error *err);
int board_link_verify_file(struct board_link *l, const char *path, uint32_t address,
			   struct board_verify_result *out, struct swd_error *err);
int board_link_crc_equal(struct board_link *l, const uint8_t *expected, const struct board_range *r,
			 size_t n, bool *equal, struct swd_error *err);
int board_link_erase_units(struct board_link *l, unsigned first, unsigned last, struct swd_error *err);
int board_link_mass_erase(struct board_link *l, struct swd_error *err);
int board_link_program(struct board_link *l, const struct board_program *a, struct swd_error *err);
int board_link_read_protection(struct board_link *l, int *level, struct swd_error *err);
int board_link_unlock(struct board_link *l, struct swd_error *err);
int board_link_f1_options_write(struct board_link *l, const struct board_f1_user *u, struct swd_error *err);
int board_link_f2_options_write(struct board_link *l, uint32_t user, struct swd_error *err);
int board_link_protect(struct board_link *l, unsigned first, unsigned last, bool on, struct swd_error *err);

#endif
