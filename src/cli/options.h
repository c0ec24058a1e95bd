/* options.h - command-line options shared by the subcommands, parsed with getopt_long.
 *
 * Every subcommand accepts the options its contract names and nothing else; the set is a
 * bit mask in its command table entry. Parsing is pure (no I/O, no exit) so it is tested
 * on its own; the caller turns a failure into "usage" (exit 2).
 *
 * Owns: struct cli_options, the --probe grammar and each option's own checks.
 * Must not: open files, look up profiles or decide what a combination of options means to
 *   a command (the command does).
 */
#ifndef SWD_CLI_OPTIONS_H
#define SWD_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

enum cli_opt {
	CLI_O_PROFILE = 1u << 0,
	CLI_O_PROBE = 1u << 1,
	CLI_O_INTERFACE = 1u << 2,
	CLI_O_OPENOCD = 1u << 3,
	CLI_O_OUTPUT = 1u << 4,
	CLI_O_FORCE = 1u << 5,
	CLI_O_NO_SAFETY = 1u << 6,
	CLI_O_OPTION_BYTES = 1u << 7,
	CLI_O_UNDER_RESET = 1u << 8,
	CLI_O_STRICT = 1u << 9,
	CLI_O_SPEED = 1u << 10,
	CLI_O_HALT = 1u << 11,
	CLI_O_LOG = 1u << 12,
	CLI_O_YES = 1u << 13,
	CLI_O_MASS = 1u << 14,
	CLI_O_SECTOR = 1u << 15,
	CLI_O_UNLOCK = 1u << 16,
	CLI_O_ERASE = 1u << 17,
	CLI_O_FACTORY = 1u << 18,
	CLI_O_BACKUP_DOMAIN = 1u << 19,
	CLI_O_MAP = 1u << 20,
	CLI_O_SAFETY_FULL = 1u << 21,
	CLI_O_ADDRESS = 1u << 22,
	CLI_O_DFU_UTIL = 1u << 23,
	/* --json, -v and --help are accepted by every command */
};

/* Options every command that talks to a board accepts. */
#define CLI_O_BOARD (CLI_O_PROFILE | CLI_O_PROBE | CLI_O_INTERFACE | CLI_O_OPENOCD | \
		     CLI_O_UNDER_RESET | CLI_O_STRICT | CLI_O_SPEED | CLI_O_DFU_UTIL)

enum cli_probe_kind {
	CLI_PROBE_USB = 0,  /* no --probe: the one USB ST-LINK attached */
	CLI_PROBE_SIM,      /* sim: a fresh board in a temporary directory */
	CLI_PROBE_SIM_FILE, /* sim:FILE: a board kept in FILE */
	CLI_PROBE_TCP,      /* stlink-tcp:PORT */
	CLI_PROBE_SERIAL,   /* a USB probe by serial number */
	CLI_PROBE_DFU,      /* dfu[:SERIAL|VID:PID]: the board's own USB DFU bootloader */
};

struct cli_probe {
	enum cli_probe_kind kind;
	const char *file;   /* borrowed from argv: SIM_FILE */
	int port;           /* TCP */
	const char *serial; /* borrowed from argv: SERIAL, or DFU's serial (NULL: any) */
	uint16_t vid, pid;  /* DFU: given ids (0: the profile's bootloader's) */
};

struct cli_options {
	const char *profile;
	const char *probe_spec;
	struct cli_probe probe;
	const char *interface; /* stlink | cmsis-dap | jlink, NULL = stlink */
	const char *openocd;
	const char *dfu_util;  /* --dfu-util PATH: with --probe dfu */
	const char *output;
	const char *log;       /* diagnose --log FILE|- */
	unsigned speed_khz;    /* 0 = the profile's default */
	bool force;
	bool no_safety_backup;
	bool safety_full;      /* --safety-backup=full: read all of flash into the safety bundle */
	bool option_bytes;
	bool connect_under_reset;
	bool strict;
	bool halt;
	bool yes;              /* consent given on the command line (no prompt) */
	bool mass;             /* erase --mass */
	bool sector_set;       /* erase --sector N[-M] */
	unsigned sector_first, sector_last;
	bool unlock;           /* rescue --unlock */
	bool erase;            /* rescue --erase */
	bool factory_options;  /* rescue --factory-options */
	bool backup_domain;    /* restore/verify --backup-domain */
	bool map;              /* info --map */
	bool address_set;      /* restore/verify --address: where a .bin starts */
	uint32_t address;
	bool json;
	bool help;
	int verbose;
	int npos;              /* positional arguments left after the options */
	char **pos;            /* borrowed from argv */
};

/* Parses a --probe value. Returns 0, or -1 with a one-line message in err. */
int cli_probe_parse(const char *spec, struct cli_probe *p, char *err, size_t errlen);

/* Parses argv[1..argc-1] of command `cmd` (argv[0] is the command name or the program).
 * Options outside `allowed` are refused by name. Returns 0, or -1 with a one-line lowercase
 * message in err (the caller adds "see 'swdbackup CMD --help'"). Resets getopt itself. */
int cli_options_parse(const char *cmd, int argc, char **argv, unsigned allowed,
		      struct cli_options *o, char *err, size_t errlen);

#endif
