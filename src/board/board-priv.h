/* board-priv.h - what the rooms of the board module share (board.h).
 *
 * Owns: the helpers connect.c, board.c and report.c share.
 * Must not: be included outside src/board/.
 */
#ifndef SWD_BOARD_BOARD_PRIV_H
#define SWD_BOARD_BOARD_PRIV_H

#include "board/board.h"

/* SWD_EWRONGTARGET in err when the dev id (or the core, where the profile names it) is not
 * the profile's part (err may be NULL), else 0. */
int board__check_part(const struct swd_profile *p, uint32_t dbgmcu_idcode, uint32_t cpuid,
		      struct swd_error *err);

/* Feeds the link's log lines not yet fed into the evidence. */
void board__feed_log(struct board *b);

/* Keeps how the link's tool ended in the evidence. */
void board__note_exit(struct board *b);

#endif
