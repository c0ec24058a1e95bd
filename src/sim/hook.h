/* hook.h - the simulator's traffic hook: a command run once, at an exact byte count.
 *
 * Owns: running `--at-traffic BYTES:COMMAND` (through /bin/sh -c) the moment the traffic
 * over all connections reaches BYTES, and waiting for it before the next reply goes out,
 * so that a test can signal or kill a process at a point chosen by traffic instead of by a
 * sleep: the client is held at that byte while the command runs.
 * Must not: interpret ST-LINK commands or touch the board.
 */
#ifndef SWDSIM_HOOK_H
#define SWDSIM_HOOK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sim_hook {
	uint64_t after;   /* bytes of traffic before the command runs; 0 = no hook */
	const char *cmd;  /* borrowed from argv */
	bool done;
};

/* Counts traffic (the running total over all connections) and runs the command once
 * when it reaches h->after. A line goes to trace (may be NULL). */
void sim_hook_check(struct sim_hook *h, uint64_t traffic, FILE *trace);

#endif
