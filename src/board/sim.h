/* sim.h - the virtual board behind `--probe sim` and `--probe sim:FILE`: starts
 * swdbackup-sim on a free port (--port 0 with a portfile), waits for the portfile, and stops
 * it at the end.
 *
 * Owns: the simulator child process and, for `--probe sim`, the temporary directory with a
 * fresh board whose flash holds a small random firmware (a vector table of the part, then
 * random bytes, the rest erased) so that a demo backup has something to show.
 * Must not: include the simulator's code (it is another program), or talk ST-LINK to it
 *   (OpenOCD does, through the link).
 *
 * The simulator is found, in order: $SWDBACKUP_SIM; next to the running executable
 * (build/src/sim/swdbackup-sim from build/src/swdbackup, or swdbackup-sim in the same
 * directory when installed); swdbackup-sim on PATH.
 */
#ifndef SWD_BOARD_SIM_H
#define SWD_BOARD_SIM_H

#include <stdbool.h>

#include <uv.h>

#include "core/err.h"
#include "core/profile.h"

struct board_sim {
	uv_loop_t *loop;
	uv_process_t proc;
	uv_fs_event_t watch;
	uv_timer_t timer;
	bool spawned;      /* proc needs uv_close */
	bool exited;
	int64_t exit_status;
	int term_signal;
	bool port_ready;
	bool timed_out;
	int port;
	char *exe;         /* new */
	char *model;       /* new: the simulator model that plays the profile's part */
	char *tmpdir;      /* new: holds the portfile (and the board for --probe sim) */
	char *board;       /* new: flash file path */
	char *portfile;    /* new */
	bool own_board;    /* the board lives in tmpdir and goes with it */
};

/* Starts a board of `p`'s part: the model its "sim_model" names, else the model of its own
 * name, else the one a profile in the search path with its dev id and flash size is named
 * after (a copy of a shipped profile under another name; SWD_EPROFILE when none). board_file NULL: a fresh board in a temporary directory;
 * otherwise the board kept in that file (created erased when missing). The simulator's
 * stderr is passed through only with -v. */
int board_sim_start(struct board_sim *s, uv_loop_t *loop, const struct swd_profile *p,
		  const char *board_file, int verbose, struct swd_error *err);

/* Stops the simulator (SIGTERM; it saves the board and exits), waits for it, closes the
 * handles and removes the temporary directory. Safe on a zeroed or failed struct. */
void board_sim_stop(struct board_sim *s);

/* Where the simulator is. Returns: new (free()), or NULL when not found. */
char *board_sim_find_exe(void);

#endif
