/* board.h - what every board command shares: the profile, the probe (starting a simulator
 * for --probe sim), an OpenOCD session connected with recovery (README: connection recovery), the
 * device's identity checked against the profile, protection, and the findings of a failure.
 *
 * Recovery: when the target does not answer (or does not halt), try again connected under
 * reset when the profile allows, then at lower adapter speeds, as diag_recovery_next()
 * decides; a known clone DP IDCODE is noted and expected on the next start (--strict
 * refuses instead). A rescued run reports its finding. Nothing here unlocks, erases or
 * changes option bytes.
 *
 * Owns: struct cli_board (profile, simulator, session, identity, protection, evidence) and
 *   its lifetime from cli_board_profile() to cli_board_close(), the recovery loop, and the
 *   board's part of the report document.
 * Must not: spell an OpenOCD command or read OpenOCD's text (ocd/session.h and ocd/ocdlog.h
 *   do), make a command's own refusals (protection, the source: the commands do), or
 *   print other than through ui/.
 */
#ifndef SWD_CLI_BOARD_H
#define SWD_CLI_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "cli/cli.h"
#include "cli/sim.h"
#include "core/lock.h"
#include "core/optbytes.h"
#include "core/profile.h"
#include "diag/diag.h"
#include "ocd/checksum.h"
#include "ocd/session.h"
#include "usb/probes.h"

struct cli_board {
	struct swd_profile *p;        /* owned */
	uv_loop_t loop;               /* for the simulator child */
	bool loop_ready;
	struct cli_sim sim;
	bool sim_started;
	struct ocd_session *s;        /* owned; NULL when not connected */
	struct ocdlog_probe probe;
	struct usb_probe usb;         /* the USB ST-LINK picked, when usb_found */
	bool usb_found;
	struct ocd_identity id;
	bool identified;
	struct diag_evidence ev;
	bool ev_ready;
	bool tried;                   /* OpenOCD was started at least once */
	bool silent_failure;          /* an attempt ended with OpenOCD exiting without a word */
	size_t fed;                   /* log lines of the current session already in ev */
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
	struct swd_lock lock;         /* the probe's, held from the start of the probe to the end */
	bool locked;
	struct cli_ctx *ctx;
};

/* Loads --profile (required: SWD_EUSAGE when missing), then checks the positional
 * arguments: exactly one SOURCE when `source`, else none (SWD_EUSAGE). */
int cli_board_profile(struct cli_ctx *ctx, struct cli_board *b, bool source);

/* Starts the probe (simulator) and connects with recovery; with `halt` the core is halted
 * (reset halt under reset) so that reads and programming see a still target. Then reads
 * the identity and checks it against the profile (SWD_EWRONGTARGET). */
int cli_board_connect(struct cli_ctx *ctx, struct cli_board *b, enum diag_op op, bool halt);

/* The pieces of cli_board_connect, for `diagnose`, which walks them itself: start the
 * probe (its lock first: a probe held by another run is SWD_EPROBEBUSY, or waited for with
 * --wait; then the simulator), make one attempt (session kept in b->s even when it failed, so its
 * log can be read), drop the session (its log goes into the evidence), check identity. */
int cli_board_start_probe(struct cli_ctx *ctx, struct cli_board *b);
int cli_board_attempt(struct cli_ctx *ctx, struct cli_board *b, bool under_reset, unsigned speed,
		      bool halt, struct swd_error *err, enum diag_outcome *outcome);
void cli_board_drop(struct cli_board *b);
void cli_board_unlock(struct cli_board *b);
int cli_board_check_identity(struct cli_ctx *ctx, struct cli_board *b);

/* Adds a sentence to the report's "notes" (and says it on stderr in text mode). */
void cli_add_note(struct cli_ctx *ctx, const char *note);

/* Reads the option bytes and decodes RDP/WRP into b->prot (and b->ob_raw). */
int cli_board_protection(struct cli_ctx *ctx, struct cli_board *b);

/* The pages or sectors of the profile's map that meet the flash offsets [lo, hi), as CRC
 * ranges: *r is new (*n entries) and, when idx is not NULL, *idx (new) holds each one's
 * index in the map. */
int cli_board_unit_ranges(struct cli_ctx *ctx, const struct cli_board *b, uint32_t lo, uint32_t hi,
			  struct ocd_crc_range **r, size_t **idx, size_t *n);

/* The end of an on-target CRC step that failed with rc and e (the checksum module's own
 * error): when our routine could not run (SWD_ETARGETFAILED from e), why gets e's message
 * for the caller's fallback; any other failure of e goes to ctx->err. Returns rc. */
int cli_board_crc_failed(struct cli_ctx *ctx, int rc, const struct swd_error *e, char *why, size_t whylen);

/* Reads into buf (flash-sized, from the flash base) every unit of the profile's map that
 * have[] does not mark, adjacent ones in one read through the file at path; adds the bytes
 * read to *nread. */
int cli_board_read_units(struct cli_ctx *ctx, struct cli_board *b, const bool *have, uint8_t *buf,
			 const char *path, uint32_t *nread);

/* Reads `len` bytes of flash from the flash base into a file at path (all banks). */
int cli_board_read_flash(struct cli_ctx *ctx, struct cli_board *b, uint32_t len, const char *path);

/* OTP data followed by its lock bytes; *buf new (free()). */
int cli_board_read_otp(struct cli_ctx *ctx, struct cli_board *b, uint8_t **buf, size_t *len);

/* Adds probe, device and protection to the report document. */
void cli_board_report(struct cli_ctx *ctx, struct cli_board *b);

/* Records the findings for a failure rc of operation `op` (diagnosis over everything
 * OpenOCD printed), then stops OpenOCD and the simulator and releases everything.
 * Call exactly once, with rc 0 on success. Returns rc, or SWD_EINTR when interrupted. */
int cli_board_close(struct cli_ctx *ctx, struct cli_board *b, int rc);

/* Does the chip answer reads of the flash its die may carry beyond the size register
 * (profile flash.die_size)? False when the profile knows of none. */
bool cli_board_has_die(struct cli_board *b);

/* The device's revision name: the profile's table, or the alias its id is. Returns: borrowed
 * from the profile, or NULL when the table has no name for it. */
const char *cli_board_revision(const struct cli_board *b);

/* "0x1234abcd". Returns buf. */
char *cli_hex32(char buf[16], uint32_t v);

#endif
