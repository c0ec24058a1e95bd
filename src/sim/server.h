/* server.h - swdbackup-sim's TCP listener: one stlink-server client at a time.
 *
 * Owns: the libuv handles (listener, client, reply timer, signals), the request parser
 * of the current client, the link faults (drop-after) and the reply schedule of the
 * realistic timing model (each reply is held back by the probe's cost with a uv timer,
 * never a blocking sleep).
 * Must not: interpret ST-LINK commands (probe.c) or touch target memory (mcu/).
 */
#ifndef SWDSIM_SERVER_H
#define SWDSIM_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "sim/hook.h"
#include "sim/probe.h"
#include "sim/proto/stlink_tcp.h"

struct sim_reply; /* queued reply, server.c */

struct sim_server {
	uv_loop_t *loop;       /* borrowed */
	struct probe *probe;   /* borrowed */
	mcu_t *mcu;            /* borrowed: saved when a client leaves and on signals */
	bool realistic;        /* hold replies back by their cost */
	uint64_t drop_after;   /* close a client after this much traffic; 0 = never */
	uint64_t power_off_after; /* the board's power fails after this much traffic over
	                           * all connections (mcu_power_off); 0 = never */
	uint64_t power_traffic;   /* bytes in + out since the server started */
	struct sim_hook hook;     /* --at-traffic, on the same count */

	uv_tcp_t listener;
	uv_tcp_t client;
	uv_timer_t timer;
	uv_signal_t sigint, sigterm;
	bool client_open;      /* client handle initialised and not yet closed */
	bool client_closing;
	bool accept_pending;   /* a connection waits until the current client leaves */
	bool stopping;
	int exit_signal;       /* signal that stopped the server, 0 if none */

	uint64_t traffic;      /* bytes in + out on the current connection */
	uint64_t busy_until;   /* realistic timing: when the probe finishes its last reply */
	struct sim_reply *queue_head, *queue_tail;
	struct stp_parser parser;
	struct probe_reply reply;
};

/* Binds 127.0.0.1:port (0 = any free port), starts listening and handling signals.
 * *bound receives the port. Returns 0 or a negative libuv error. */
int sim_server_start(struct sim_server *s, uv_loop_t *loop, struct probe *probe, mcu_t *mcu,
                     int port, int *bound);

/* Closes every handle; uv_run then returns. Safe to call twice. */
void sim_server_stop(struct sim_server *s);

#endif
