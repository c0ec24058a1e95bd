/* options.c - getopt_long over one table shared by every subcommand. */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/suggest.h"

enum { OPT_NO_SAFETY = 256, OPT_SAFETY, OPT_OPTION_BYTES, OPT_UNDER_RESET, OPT_STRICT, OPT_SPEED,
       OPT_HALT, OPT_LOG, OPT_JSON, OPT_PROFILE, OPT_PROBE, OPT_INTERFACE, OPT_OPENOCD, OPT_DFU_UTIL,
       OPT_FORCE, OPT_YES, OPT_MASS, OPT_SECTOR, OPT_UNLOCK, OPT_ERASE, OPT_FACTORY,
       OPT_BACKUP_DOMAIN, OPT_MAP, OPT_ADDRESS };

static const struct option longopts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "interface", required_argument, NULL, OPT_INTERFACE },
	{ "openocd", required_argument, NULL, OPT_OPENOCD },
	{ "dfu-util", required_argument, NULL, OPT_DFU_UTIL },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-safety-backup", no_argument, NULL, OPT_NO_SAFETY },
	{ "safety-backup", required_argument, NULL, OPT_SAFETY },
	{ "option-bytes", no_argument, NULL, OPT_OPTION_BYTES },
	{ "connect-under-reset", no_argument, NULL, OPT_UNDER_RESET },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "speed", required_argument, NULL, OPT_SPEED },
	{ "halt", no_argument, NULL, OPT_HALT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "mass", no_argument, NULL, OPT_MASS },
	{ "sector", required_argument, NULL, OPT_SECTOR },
	{ "unlock", no_argument, NULL, OPT_UNLOCK },
	{ "erase", no_argument, NULL, OPT_ERASE },
	{ "factory-options", no_argument, NULL, OPT_FACTORY },
	{ "backup-domain", no_argument, NULL, OPT_BACKUP_DOMAIN },
	{ "map", no_argument, NULL, OPT_MAP },
	{ "address", required_argument, NULL, OPT_ADDRESS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct bitname {
	int val;
	unsigned bit;
	const char *name;
};

static const struct bitname bits[] = {
	{ OPT_PROFILE, CLI_O_PROFILE, "--profile" },
	{ OPT_PROBE, CLI_O_PROBE, "--probe" },
	{ OPT_INTERFACE, CLI_O_INTERFACE, "--interface" },
	{ OPT_OPENOCD, CLI_O_OPENOCD, "--openocd" },
	{ OPT_DFU_UTIL, CLI_O_DFU_UTIL, "--dfu-util" },
	{ 'o', CLI_O_OUTPUT, "-o/--output" },
	{ OPT_FORCE, CLI_O_FORCE, "--force" },
	{ OPT_NO_SAFETY, CLI_O_NO_SAFETY, "--no-safety-backup" },
	{ OPT_SAFETY, CLI_O_SAFETY_FULL, "--safety-backup" },
	{ OPT_OPTION_BYTES, CLI_O_OPTION_BYTES, "--option-bytes" },
	{ OPT_UNDER_RESET, CLI_O_UNDER_RESET, "--connect-under-reset" },
	{ OPT_STRICT, CLI_O_STRICT, "--strict" },
	{ OPT_SPEED, CLI_O_SPEED, "--speed" },
	{ OPT_HALT, CLI_O_HALT, "--halt" },
	{ OPT_LOG, CLI_O_LOG, "--log" },
	{ OPT_YES, CLI_O_YES, "--yes" },
	{ OPT_MASS, CLI_O_MASS, "--mass" },
	{ OPT_SECTOR, CLI_O_SECTOR, "--sector" },
	{ OPT_UNLOCK, CLI_O_UNLOCK, "--unlock" },
	{ OPT_ERASE, CLI_O_ERASE, "--erase" },
	{ OPT_FACTORY, CLI_O_FACTORY, "--factory-options" },
	{ OPT_BACKUP_DOMAIN, CLI_O_BACKUP_DOMAIN, "--backup-domain" },
	{ OPT_MAP, CLI_O_MAP, "--map" },
	{ OPT_ADDRESS, CLI_O_ADDRESS, "--address" },
};

/* "N" or "N-M" (decimal, M >= N, both below 1024). */
static int parse_sectors(const char *arg, unsigned *first, unsigned *last)
{
	char *end;
	unsigned long a, b;

	if (arg[0] < '0' || arg[0] > '9')
		return -1;
	errno = 0;
	a = strtoul(arg, &end, 10);
	b = a;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		b = strtoul(end + 1, &end, 10);
	}
	if (errno || *end || b < a || b >= 1024)
		return -1;
	*first = (unsigned)a;
	*last = (unsigned)b;
	return 0;
}

/* dfu, dfu:SERIAL or dfu:VID:PID (4 hex digits each, as lsusb prints them). */
static int probe_parse_dfu(const char *spec, struct cli_probe *p, char *err, size_t errlen)
{
	const char *v = spec + 3;
	unsigned vid, pid;
	int n = 0;

	p->kind = CLI_PROBE_DFU;
	if (*v == '\0')
		return 0;
	v++;
	if (strchr(v, ':') != NULL) {
		if (sscanf(v, "%4x:%4x%n", &vid, &pid, &n) != 2 || v[n] != '\0' || strlen(v) != 9 ||
		    vid == 0) {
			snprintf(err, errlen, "invalid usb ids in '--probe %s'; use dfu:VID:PID with four "
			         "hex digits each (dfu:2b04:d006)", spec);
			return -1;
		}
		p->vid = (uint16_t)vid;
		p->pid = (uint16_t)pid;
		return 0;
	}
	if (*v == '\0' || strchr(v, ' ') != NULL) {
		snprintf(err, errlen, "'--probe dfu:' needs a serial number or VID:PID after the colon");
		return -1;
	}
	p->serial = v;
	return 0;
}

int cli_probe_parse(const char *spec, struct cli_probe *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (!spec || !*spec) {
		snprintf(err, errlen, "empty --probe; use sim, sim:FILE, stlink-tcp:PORT, dfu[:SERIAL|VID:PID] or a probe serial");
		return -1;
	}
	if (strcmp(spec, "sim") == 0) {
		p->kind = CLI_PROBE_SIM;
		return 0;
	}
	if (strncmp(spec, "sim:", 4) == 0) {
		if (!spec[4]) {
			snprintf(err, errlen, "'--probe sim:' needs a board file after the colon");
			return -1;
		}
		p->kind = CLI_PROBE_SIM_FILE;
		p->file = spec + 4;
		return 0;
	}
	if (strcmp(spec, "dfu") == 0 || strncmp(spec, "dfu:", 4) == 0)
		return probe_parse_dfu(spec, p, err, errlen);
	if (strncmp(spec, "stlink-tcp:", 11) == 0) {
		char *end;
		long v;

		errno = 0;
		v = strtol(spec + 11, &end, 10);
		if (errno || end == spec + 11 || *end || v < 1 || v > 65535) {
			snprintf(err, errlen, "invalid port in '--probe %s'; use stlink-tcp:1..65535", spec);
			return -1;
		}
		p->kind = CLI_PROBE_TCP;
		p->port = (int)v;
		return 0;
	}
	if (strchr(spec, ':') || strchr(spec, ' ')) {
		snprintf(err, errlen, "unknown probe '%s'; use sim, sim:FILE, stlink-tcp:PORT, dfu[:SERIAL|VID:PID] or a probe serial", spec);
		return -1;
	}
	p->kind = CLI_PROBE_SERIAL;
	p->serial = spec;
	return 0;
}

static const char *optname(int val)
{
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (bits[i].val == val)
			return bits[i].name;
	return "?";
}

static unsigned optindex(int val)
{
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (bits[i].val == val)
			return (unsigned)i;
	return 63;
}

static unsigned optbit(int val)
{
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (bits[i].val == val)
			return bits[i].bit;
	return 0;
}

/* "unknown option '--profle' for 'backup'", with the closest long option when one is close. */
static void unknown_option(const char *arg, const char *cmd, char *err, size_t errlen)
{
	const char *names[sizeof(longopts) / sizeof(longopts[0])];
	const char *word = arg, *hint;
	char stem[64];
	size_t n = 0;

	for (const struct option *l = longopts; l->name; l++)
		names[n++] = l->name;
	if (strncmp(word, "--", 2) == 0) {
		/* "--profle=x": the name alone */
		snprintf(stem, sizeof(stem), "%.*s", (int)strcspn(word + 2, "="), word + 2);
		hint = swd_suggest(stem, names, n);
		if (hint) {
			snprintf(err, errlen, "unknown option '%s' for '%s' (did you mean '--%s'?)", arg, cmd, hint);
			return;
		}
	}
	snprintf(err, errlen, "unknown option '%s' for '%s'", arg, cmd);
}

/* One option c of command cmd with its value arg (NULL for a flag) into *o. */
static int apply_option(const char *cmd, int c, const char *arg, struct cli_options *o, char *err,
			size_t errlen)
{
	switch (c) {
	case OPT_PROFILE: o->profile = arg; break;
	case OPT_PROBE:
		o->probe_spec = arg;
		if (cli_probe_parse(arg, &o->probe, err, errlen) != 0)
			return -1;
		break;
	case OPT_INTERFACE:
		if (strcmp(arg, "stlink") && strcmp(arg, "cmsis-dap") && strcmp(arg, "jlink")) {
			snprintf(err, errlen, "unknown interface '%s'; use stlink, cmsis-dap or jlink", arg);
			return -1;
		}
		o->interface = arg;
		break;
	case OPT_OPENOCD: o->openocd = arg; break;
	case OPT_DFU_UTIL: o->dfu_util = arg; break;
	case 'o':
		if (!*arg) {
			snprintf(err, errlen, "empty output directory after -o");
			return -1;
		}
		o->output = arg;
		break;
	case OPT_FORCE: o->force = true; break;
	case OPT_NO_SAFETY: o->no_safety_backup = true; break;
	case OPT_SAFETY:
		if (strcmp(arg, "full") != 0) {
			snprintf(err, errlen, "invalid --safety-backup '%s'; the one value is 'full' "
				 "(read all of flash even where it equals the image)", arg);
			return -1;
		}
		o->safety_full = true;
		break;
	case OPT_OPTION_BYTES: o->option_bytes = true; break;
	case OPT_UNDER_RESET: o->connect_under_reset = true; break;
	case OPT_STRICT: o->strict = true; break;
	case OPT_HALT: o->halt = true; break;
	case OPT_YES: o->yes = true; break;
	case OPT_MASS: o->mass = true; break;
	case OPT_UNLOCK: o->unlock = true; break;
	case OPT_ERASE: o->erase = true; break;
	case OPT_FACTORY: o->factory_options = true; break;
	case OPT_BACKUP_DOMAIN: o->backup_domain = true; break;
	case OPT_MAP: o->map = true; break;
	case OPT_SECTOR:
		if (parse_sectors(arg, &o->sector_first, &o->sector_last) < 0) {
			snprintf(err, errlen, "invalid --sector '%s'; give N or N-M, e.g. --sector 2-3",
				 arg);
			return -1;
		}
		o->sector_set = true;
		break;
	case OPT_LOG: o->log = arg; break;
	case OPT_ADDRESS: {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(arg, &end, 0);
		if (errno || end == arg || *end || arg[0] == '-' || v > 0xFFFFFFFFull) {
			snprintf(err, errlen, "invalid address '%s'; give it in hex, e.g. --address 0x08004000",
				 arg);
			return -1;
		}
		o->address = (uint32_t)v;
		o->address_set = true;
		break;
	}
	case OPT_SPEED: {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > 100000) {
			snprintf(err, errlen, "invalid speed '%s'; give kHz, e.g. --speed 1000", arg);
			return -1;
		}
		o->speed_khz = (unsigned)v;
		break;
	}
	case OPT_JSON: o->json = true; break;
	case 'v': o->verbose++; break;
	case 'h': o->help = true; break;
	default:
		snprintf(err, errlen, "cannot parse the options of '%s'", cmd);
		return -1;
	}
	return 0;

}

int cli_options_parse(const char *cmd, int argc, char **argv, unsigned allowed,
		      struct cli_options *o, char *err, size_t errlen)
{
	/* which value-taking options were given, by their index in bits[] */
	unsigned long long given = 0;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0; /* glibc: 0 re-initialises, so parsing can run more than once */
	opterr = 0;
	for (;;) {
		int idx = -1;
		unsigned bit;

		c = getopt_long(argc, argv, ":o:vh", longopts, &idx);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt)
				snprintf(err, errlen, "unknown option '-%c' for '%s'", optopt, cmd);
			else
				unknown_option(argv[optind - 1], cmd, err, errlen);
			return -1;
		}
		if (c == ':') {
			snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		}
		bit = optbit(c);
		if (bit && !(allowed & bit)) {
			snprintf(err, errlen, "'%s' does not take %s", cmd, optname(c));
			return -1;
		}
		if (optarg != NULL) {
			/* a second value would silently win: refuse it */
			unsigned long long once = 1ULL << optindex(c);

			if (given & once) {
				snprintf(err, errlen, "%s given twice; give it once", optname(c));
				return -1;
			}
			given |= once;
		}
		if (apply_option(cmd, c, optarg, o, err, errlen) != 0)
			return -1;
	}
	o->npos = argc - optind;
	o->pos = argv + optind;
	return 0;
}
