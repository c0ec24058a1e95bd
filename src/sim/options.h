/* options.h - swdbackup-sim's command line.
 *
 * Owns: parsing argv into a struct sim_options, including every --fault (board faults
 * go into struct mcu_faults, link faults stay here).
 * Must not: print or exit; the caller reports the one-line error it is given.
 */
#ifndef SWDSIM_OPTIONS_H
#define SWDSIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/mcu/mcu.h"
#include "sim/probe.h"

struct sim_options {
	const char *model;     /* borrowed from argv */
	const char *flash;
	const char *portfile;
	const char *serial;
	const char *trace;
	int port;              /* 0 = any free port */
	bool port_set;
	bool help;
	bool list_models;
	enum probe_model probe;
	enum mcu_timing timing;
	uint64_t seed;
	bool uid_set;
	uint8_t uid[12];
	uint32_t dbgmcu_idcode; /* 0 = the model's */
	struct mcu_faults faults;
	bool busy;             /* link fault: GET_DEV_INFO reports the probe in use */
	uint64_t drop_after;   /* link fault: bytes of traffic before the link drops */
	uint64_t power_off_after; /* board fault: bytes of traffic before the board's power
	                           * fails (counted over every connection); 0 = never */
	uint64_t hook_after;   /* --at-traffic: bytes over every connection, 0 = none */
	const char *hook_cmd;  /* borrowed from argv */
};

/* Parses argv. Returns 0 (options valid, or --help/--list-models asked), or -1 with a
 * one-line lowercase message in err naming the option and what to do. */
int sim_options_parse(struct sim_options *o, int argc, char **argv, char *err, size_t errlen);

/* Parses one --fault value into o. Returns 0 or -1 with a message in err. */
int sim_options_fault(struct sim_options *o, const char *spec, char *err, size_t errlen);

/* The --help text. Returns: borrowed, static. */
const char *sim_options_usage(void);

#endif
