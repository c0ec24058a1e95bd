/* brick.h - the option-byte states that brick a board, and the factory values that undo them.
 *
 * Owns: reading a decoded set of option bytes (struct swd_protection) as a technician
 * does, against the reference manual of the profile's family, and the factory option
 * bytes of RM0008 §4.2 (F1) and RM0033/RM0090 "option bytes" (F2/F4).
 * Must not: talk to a board, print, or decide what to do: cli/rescue.c plans with it.
 */
#ifndef SWD_CORE_BRICK_H
#define SWD_CORE_BRICK_H

#include <stddef.h>
#include <stdint.h>

#include "core/optbytes.h"
#include "core/profile.h"

enum swd_brick_kind {
	SWD_BRICK_RDP1,        /* readout protection level 1: no debug access to flash */
	SWD_BRICK_RDP2,        /* level 2: the debug port is gone for good */
	SWD_BRICK_WRP,         /* write protection on some sectors or pages */
	SWD_BRICK_HW_WATCHDOG, /* WDG_SW = 0: the watchdog runs from reset */
	SWD_BRICK_RST_STOP,    /* nRST_STOP = 0: entering Stop mode resets the chip */
	SWD_BRICK_RST_STDBY,   /* nRST_STDBY = 0: entering Standby resets the chip */
	SWD_BRICK_BOR,         /* the brown-out level is at or above the supply */
	SWD_BRICK_OPT_ERROR,   /* F1: a byte and its complement disagree (OPTERR) */
};

/* Which consent undoes a brick: --unlock, --factory-options, or nothing we may do. */
enum swd_brick_fix { SWD_FIX_UNLOCK, SWD_FIX_FACTORY, SWD_FIX_NONE };

struct swd_brick {
	enum swd_brick_kind kind;
	enum swd_brick_fix fix;
	char what[200];        /* one lowercase sentence: the state and what it does */
};

#define SWD_BRICKS_MAX 8

/* Finds the bricks in pr (decoded from the device's option bytes). volts is the target
 * voltage the probe measured (0 when unknown; the BOR check is then skipped). Returns the
 * number written to out (at most SWD_BRICKS_MAX). */
size_t swd_bricks_find(const struct swd_profile *p, const struct swd_protection *pr,
                       double volts, struct swd_brick out[SWD_BRICKS_MAX]);

/* The factory option bytes for the profile's part, in option-bytes.bin layout, except that
 * the readout protection of cur is kept (unlocking is its own step). out has
 * p->option_bytes.size bytes. Returns 0, or SWD_EINPUT when len is not that size. */
int swd_optbytes_factory(const struct swd_profile *p, const uint8_t *cur, size_t len,
                         uint8_t *out, struct swd_error *err);

/* The words the kind is known by in --json: "rdp1", "hw-watchdog", ... Returns: static. */
const char *swd_brick_name(enum swd_brick_kind kind);

#endif
