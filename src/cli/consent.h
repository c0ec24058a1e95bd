/* consent.h - asking before anything is erased or unlocked.
 *
 * Owns: the one rule for consent: --yes, or "yes" typed at a terminal. Without a terminal
 * and without --yes a command that would destroy data refuses (usage, exit 2) before it
 * touches the board.
 * Must not: decide what is lost; the command says that in the question it passes.
 */
#ifndef SWD_CLI_CONSENT_H
#define SWD_CLI_CONSENT_H

#include "cli/cli.h"

/* Before connecting: SWD_EUSAGE when consent could never be given (no --yes and nobody
 * at a terminal to ask). `verb` names the command ("erase"). */
int cli_consent_possible(struct cli_ctx *ctx, const char *verb);

/* Right before the destructive step: 0 with --yes, or after "yes" at the prompt that
 * shows `what`; SWD_EUSAGE ("not confirmed; nothing was VERBed") otherwise. */
int cli_consent(struct cli_ctx *ctx, const char *verb, const char *what);

#endif
