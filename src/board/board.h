/* board.h - the board service every board command stands on: the profile, the probe
 * (starting a simulator for --probe sim), a link to the chip brought up with recovery,
 * the device's identity checked against the profile, protection, and the findings of a
 * failure.
 *
 * Recovery: when the target does not answer (or does not halt), try again connected under
 * reset when the profile allows, then at lower adapter speeds, as diag_recovery_next()
 * decides; a known clone DP IDCODE is noted and expected on the next start (--strict
 * refuses instead). A rescued run reports its finding. Nothing here unlocks, erases or
 * changes option bytes.
 *
 * The module is four rooms: board.c (lifetime, profile, identity), connect.c (the probe,
 * one attempt, recovery), protect.c (option bytes, reading flash and OTP by units) and
 * report.c (the report document and the findings at close). The chip is reached only
 * through a link (link.h); which backend the link is, is decided in connect.c alone.
 *
 * Owns: struct board and its lifetime (board_init() to board_release(), or board_close()
 *   which records the findings first), the recovery loop, and the board's part of the
 *   report document. It takes the command's context (cli/cli.h) for the options, the UI
 *   and the report document.
 * Must not: spell a backend's command or read a backend tool's text (link_*.c do), make a
 *   command's own refusals (protection, the source: the commands do), or print other
 *   than through ui/.
 *
 * Errors: every function that can fail takes `struct swd_error *err` last and fills it
 * (first error wins); none writes ctx->err behind the caller's back.
 */
#ifndef SWD_BOARD_BOARD_H
#define SWD_BOARD_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "board/link.h"
#include "cli/cli.h"
#include "board/sim.h"
#include "core/optbytes.h"
#include "core/profile.h"
#include "diag/diag.h"
#include "usb/probes.h"

struct board {
	struct cli_ctx *ctx;
	struct swd_profile *p;        /* owned */
	uv_loop_t loop;               /* for the simulator child */
	bool loop_ready;
	struct board_sim sim;
	bool sim_started;
	struct board_link *link;      /* owned; NULL when not connected */
	struct board_link_probe probe;
	struct usb_probe usb;         /* the USB ST-LINK picked, when usb_found */
	bool usb_found;
	struct board_identity id;
	bool identified;
	struct diag_evidence ev;
	bool ev_ready;
	bool tried;                   /* a link was attempted at least once */
	bool silent_failure;          /* an attempt ended with the tool exiting without a word */
	size_t fed;                   /* log lines of the current link already in ev */
	bool wrong_part;              /* the core answered, but as another part than the profile's */
	bool explained;               /* the failure is a refusal whose message says it all */
	enum diag_op op;              /* what we are doing, for the findings of a failure */
	bool under_reset;             /* how the connection that worked was made */
	unsigned speed_khz;           /* 0 = the profile's */
	bool halted;
	bool clone;
	char clone_idcode[16];        /* "0x2ba01477" when expecting a clone's IDCODE */
	struct swd_protection prot;
	bool prot_ready;
	uint8_t ob_raw[16];           /* option bytes as they go into option-bytes.bin */
	size_t ob_len;
};

/* Clears *b for ctx. board_release() is safe on a board that was only zeroed or only
 * initialised, and releases everything a board may hold. */
void board_init(struct board *b, struct cli_ctx *ctx);
void board_release(struct board *b);

/* board_init(), then loads --profile (required: SWD_EUSAGE when missing), and checks the
 * positional arguments: exactly one SOURCE when `source`, else none (SWD_EUSAGE). */
int board_profile(struct board *b, struct cli_ctx *ctx, bool source, struct swd_error *err);

/* Starts the probe (simulator) and connects with recovery; with `halt` the core is halted
 * (reset halt under reset) so that reads and programming see a still target. Then reads
 * the identity and checks it against the profile (SWD_EWRONGTARGET). */
int board_connect(struct board *b, enum diag_op op, bool halt, struct swd_error *err);

/* The pieces of board_connect, for `diagnose`, which walks them itself: start the probe
 * (simulator), make one attempt (the link kept in b->link even when it failed, so its log
 * can be read), drop the link (its log goes into the evidence), check identity. */
int board_start_probe(struct board *b, struct swd_error *err);
int board_attempt(struct board *b, bool under_reset, unsigned speed, bool halt,
		  enum diag_outcome *outcome, struct swd_error *err);
void board_drop(struct board *b);
int board_check_identity(struct board *b, struct swd_error *err);

/* Adds a sentence to the report's "notes" (and says it on stderr in text mode). */
void board_note(struct cli_ctx *ctx, const char *note);

/* Reads the option bytes and decodes RDP/WRP into b->prot (and b->ob_raw). */
int board_protection(struct board *b, struct swd_error *err);

/* The pages or sectors of the profile's map that meet the flash offsets [lo, hi): *r is
 * new (*n entries) and, when idx is not NULL, *idx (new) holds each one's index in the
 * map. */
int board_unit_ranges(const struct board *b, uint32_t lo, uint32_t hi, struct board_range **r,
		      size_t **idx, size_t *n, struct swd_error *err);

/* The end of an on-target CRC step that failed with rc and e (the link's own error): when
 * the check could not run (SWD_ETARGETFAILED in e), why gets e's message for the caller's
 * fallback; any other failure of e goes to err. Returns rc. */
int board_crc_failed(int rc, const struct swd_error *e, char *why, size_t whylen, struct swd_error *err);

/* Reads into buf (flash-sized, from the flash base) every unit of the profile's map that
 * have[] does not mark, adjacent ones in one read through the file at path; adds the bytes
 * read to *nread. */
int board_read_units(struct board *b, const bool *have, uint8_t *buf, const char *path,
		     uint32_t *nread, struct swd_error *err);

/* Reads `len` bytes of flash from the flash base into a file at path (all banks). */
int board_read_flash(struct board *b, uint32_t len, const char *path, struct swd_error *err);

/* OTP data followed by its lock bytes; *buf new (free()). */
int board_read_otp(struct board *b, uint8_t **buf, size_t *len, struct swd_error *err);

/* Adds probe, device and protection to the report document. */
void board_report(struct board *b);

/* Records the findings for a failure rc of operation b->op (diagnosis over everything the
 * link's tool printed), then releases the board. Call exactly once, with rc 0 on success.
 * Returns rc, or SWD_EINTR (set in err) when interrupted. */
int board_close(struct board *b, int rc, struct swd_error *err);

/* Does the chip answer reads of the flash its die may carry beyond the size register
 * (profile flash.die_size)? False when the profile knows of none. */
bool board_has_die(struct board *b);

/* The device's revision name: the profile's table, or the alias its id is. Returns: borrowed
 * from the profile, or NULL when the table has no name for it. */
const char *board_revision(const struct board *b);

/* "0x1234abcd". Returns buf. */
char *board_hex32(char buf[16], uint32_t v);

#endif
