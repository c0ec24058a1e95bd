/* fleet.h - one command over many boards: `--probe all` or `--probe S1,S2,...`.
 *
 * The parent runs one child swdbackup per probe (this same program, single-board, with
 * --json on a pipe and its progress events on fd 3), all supervised by one libuv loop. A
 * child is a whole run of its own: its OpenOCD on a TCL port of its own, its probe's lock,
 * its bundle; so one board's failure never stops or corrupts another. The parent draws a
 * live line per board on a terminal, then the table; its --json document has a `boards`
 * array of the children's documents; --junit FILE writes one test case per board. The exit
 * status is 0 when every board succeeded, else the most severe of theirs (cli_fleet_worse).
 *
 * A restore onto several boards (the clone) holds every write until each board has either
 * passed its checks of the source against its part or ended: a child says it is ready on
 * fd 3 and waits on fd 4 for the parent's go (cli_fleet_gate).
 *
 * Owns: the probe list of a fleet run, the children's argv, their supervision, the result.
 * Must not: talk to a probe or OpenOCD itself, or print other than through ui/.
 */
#ifndef SWD_CLI_FLEET_H
#define SWD_CLI_FLEET_H

#include <stdbool.h>

#include "cli/cli.h"

/* Runs cmd: over many boards when --probe names several (or all), else as one run. A
 * fleet run of a command that handles one board only is a usage error. */
int cli_dispatch(struct cli_ctx *ctx, const struct cli_command *cmd);

/* In a child of a fleet restore: tells the parent this board passed its checks and waits
 * for the go before the first write. Elsewhere returns 0 at once. Returns SWD_EINTR when
 * interrupted or when the parent is gone. */
int cli_fleet_gate(struct cli_ctx *ctx, struct swd_error *err);

/* Whether exit status a is more severe than b, in the documented order (most severe
 * first): 130, 9, 4, 2, 3, 8, 7, 6, 5, 1, 0. */
bool cli_fleet_worse(int a, int b);

/* Writes the JUnit XML report of a fleet document (its `boards`) to path, atomically.
 * suite names the run ("swdbackup backup"). Returns 0 or SWD_EIO. */
int cli_fleet_junit(const char *path, const char *suite, json_t *doc, double seconds, struct swd_error *err);

#endif
