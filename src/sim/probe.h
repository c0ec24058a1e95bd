/* probe.h - the virtual ST-LINK/V2 that swdbackup-sim impersonates.
 *
 * Owns: the probe's identity (V2 "V2J37S7" 0483:3748, V2-1 "V2J37M26" 0483:374B, V3
 * "V3J7M1B3" 0483:374F with its APIv3 commands; stlink-server API v2), its state (mode, SWD clock, last memory status, open session) and the
 * translation of every ST-LINK USB command OpenOCD 0.12 sends in hla_swd mode into
 * mcu_* calls, with mcu_status values passed on as ST-LINK status bytes. It also
 * prices each command for the realistic timing model and writes the trace.
 * Must not: touch sockets or timers (the server does), or memory (the mcu does).
 */
#ifndef SWDSIM_PROBE_H
#define SWDSIM_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/mcu/mcu.h"
#include "sim/proto/stlink_tcp.h"

enum probe_model {
	PROBE_V2 = 0,  /* ST-LINK/V2, PID 0x3748, "V2J37S7" */
	PROBE_V2_1,    /* ST-LINK/V2-1, PID 0x374B, "V2J37M26" */
	PROBE_V3,      /* STLINK-V3, PID 0x374F, "V3J7M1B3", API v3 */
};

/* USB product ID of each model. */
uint16_t probe_pid(enum probe_model model);

/* A stable 24-hex-digit serial, like a real ST-LINK/V2's, from the board's path: each
 * board file gets its own probe identity without configuration. */
void probe_default_serial(char out[25], const char *flash);

struct probe_config {
	enum probe_model model;
	const char *serial;   /* reported in GET_DEV_INFO; borrowed, must outlive the probe */
	bool busy;            /* fault: the device is reported as used by another client */
	FILE *trace;          /* one line per command, or NULL; borrowed */
};

struct probe {
	struct probe_config cfg;
	mcu_t *mcu;           /* borrowed */
	uint8_t mode;         /* GET_CURRENT_MODE value: 1 MASS, 2 DEBUG */
	unsigned swd_khz;     /* clock from SWD_SET_FREQ */
	uint8_t last_rw;      /* status of the last READMEM/WRITEMEM, for GETLASTRWSTATUS2 */
	uint32_t last_rw_addr;
	bool open;            /* OPEN_DEV seen, CLOSE_DEV not yet */
	uint32_t connect_id;
	uint32_t sessions;    /* OPEN_DEV count, to vary the connect id */
};

/* The reply to one request: bytes to send and how long a real probe would take. */
struct probe_reply {
	uint8_t buf[4 + STP_MAX_DATA];
	size_t len;
	uint64_t cost_ns;     /* USB round trip + SWD wire time (realistic timing) */
};

#define PROBE_DEVICE_ID 0x00005ab1u

void probe_init(struct probe *p, mcu_t *mcu, const struct probe_config *cfg);

/* Forget the TCP session (client disconnected); the probe's mode and clock stay. */
void probe_disconnect(struct probe *p);

/* Handles one decoded request at time now_ns (monotonic, for mcu_advance) and fills
 * reply. Never fails: malformed USB commands get a failing status of the right size so
 * the stream stays in step. */
void probe_handle(struct probe *p, const struct stp_request *req, uint64_t now_ns,
                  struct probe_reply *reply);

/* One ST-LINK USB command (cdb, dir, data_len, data of req; the stlink-server session
 * fields are not looked at), as it arrives over TCP inside SEND_USB_CMD or on the bulk
 * endpoints of the virtual USB device. reply->buf holds a 4-byte status word, then the
 * data-in bytes (data_len of them for an IN command). */
void probe_command(struct probe *p, const struct stp_request *req, uint64_t now_ns,
                   struct probe_reply *reply);

/* SWD clock in kHz for an ST-LINK/V2 SWD_SET_FREQ divisor (OpenOCD's table; divisors
 * between entries run at the next slower listed clock). */
unsigned probe_divisor_khz(unsigned divisor);

#endif
