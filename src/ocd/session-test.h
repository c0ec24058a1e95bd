/* session-test.h - session calls that only the tests use.
 *
 * Owns: the declarations of operations that the simulator tests drive but no product code
 *   calls: the process id (to check that no OpenOCD is left behind), resume, the last
 *   target state, verify_bank, and the option-byte read and lock commands (the
 *   simulator's RDP cases are set up with them).
 * Must not: be included by anything under src/. Product code that needs one of these
 *   moves its declaration back to session.h, with the caller in the same change.
 * Conventions: as session.h. */
#ifndef SWD_OCD_SESSION_TEST_H
#define SWD_OCD_SESSION_TEST_H

#include "ocd/session.h"

/* Process id of the running OpenOCD, 0 when none. */
int ocd_session_pid(const struct ocd_session *s);

/* `resume`. */
int ocd_resume(struct ocd_session *s, struct swd_error *err);

/* The target state OpenOCD last announced ("running", "halted", "reset", ...; "" before
 * the first change). Returns: borrowed. */
const char *ocd_target_state(const struct ocd_session *s);

/* `flash verify_bank BANK FILE OFFSET`: reads and compares on the host. Same results,
 * except that first_diff_address is an offset within the bank (OpenOCD prints it so). */
int ocd_verify_bank(struct ocd_session *s, unsigned bank, const char *path, uint32_t offset,
                    struct ocd_verify_result *out, struct swd_error *err);

/* Option bytes through the flash driver ("stm32f1x" or "stm32f2x"). *text is new (the
 * driver's report, e.g. "user_options 0xEC" / F1's lines). The target must be halted on
 * F1. Text-only failures ("failed to ...") become SWD_ETARGETFAILED. */
int ocd_options_read(struct ocd_session *s, const char *driver, unsigned bank, char **text,
                     struct swd_error *err);

/* `DRIVER lock BANK`: readout protection level 1 (after a reset halt, as every write). */
int ocd_options_lock(struct ocd_session *s, const char *driver, unsigned bank,
                     struct swd_error *err);

#endif
