/* options.c - swdbackup-sim's command line (see options.h). */
#include "sim/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *sim_options_usage(void)
{
	return "usage: swdbackup-sim --model NAME --flash FILE [--port N] [--portfile FILE]\n"
	       "                     [--fault NAME[=ARG]]... [--timing none|realistic]\n"
	       "                     [--uid HEX] [--serial TEXT] [--probe v2|v2-1]\n"
	       "                     [--dbgmcu-idcode HEX]\n"
	       "                     [--trace FILE] [--seed N] [--at-traffic BYTES:COMMAND]\n"
	       "       swdbackup-sim usb --board SPEC... -- COMMAND   (ST-LINKs or USB DFU\n"
	       "                     bootloaders on a virtual USB bus; see usb --help)\n"
	       "       swdbackup-sim --list-models | --help\n"
	       "\n"
	       "A virtual ST-LINK/V2 (stlink-server protocol on 127.0.0.1) with a simulated\n"
	       "STM32 behind it, for OpenOCD's \"hla_stlink_backend tcp PORT\".\n"
	       "\n"
	       "  --model NAME       simulated part (see --list-models)\n"
	       "  --flash FILE       raw flash image, exactly the part's size (created erased);\n"
	       "                     option bytes and OTP live in FILE.opt and FILE.otp\n"
	       "  --port N           TCP port on 127.0.0.1 (default 7184; 0 = any free port)\n"
	       "  --portfile FILE    write the port number there once listening (atomically)\n"
	       "  --fault F          swd-disabled, unpowered, rdp1, low-power, hw-watchdog,\n"
	       "                     wrp=LIST|all,\n"
	       "                     flaky=RATE, clone-idcode=HEX, drop-after=BYTES, busy,\n"
	       "                     power-off=BYTES, vdd=VOLTS (the supply the probe\n"
	       "                     measures; default 3.3), flash-error=FLAG@SECTOR (F2/F4:\n"
	       "                     OPERR or WRPERR raised by every erase and program in\n"
	       "                     that sector, PGAERR, PGPERR or PGSERR by every program)\n"
	       "  --timing T         none (default) or realistic (USB round trips, SWD clock,\n"
	       "                     flash erase/program times, core clock)\n"
	       "  --uid HEX          the chip's 96-bit unique ID, 24 hex digits in address order\n"
	       "  --serial TEXT      probe serial number (default derived from the flash path)\n"
	       "  --dbgmcu-idcode HEX  what DBGMCU_IDCODE reads instead of the model's (REV_ID in\n"
	       "                     bits 31:16, DEV_ID in 11:0): early or other silicon\n"
	       "  --probe P          v2 (PID 0x3748, V2J37S7, default), v2-1 (PID 0x374B) or v3\n"
	       "                     (PID 0x374F, V3J7M1B3)\n"
	       "  --trace FILE       log one line per ST-LINK command\n"
	       "  --seed N           seed for the flaky fault (default 1)\n"
	       "  --at-traffic BYTES:COMMAND  run COMMAND (sh -c) once the traffic over all\n"
	       "                     connections reaches BYTES, holding the client there until\n"
	       "                     it returns: a fault point chosen by traffic (tests)\n";
}

static int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* LIST: numbers and ranges separated by commas, e.g. "0,2-5": the WRP bits, i.e. the
 * sectors `flash info` lists (F1: 4-page protection blocks; F2/F4: flash sectors, up to
 * 23 on dual-bank parts). */
static int parse_wrp(struct mcu_faults *f, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	if (!list || !*list)
		return fail(err, errlen, "fault 'wrp' needs a list of sectors, e.g. wrp=0,2-3");
	if (strcmp(list, "all") == 0) {
		f->wrp[0] = 0xFFFFFFFFu; /* every bit the part has; the rest do not exist */
		f->wrp_set = true;
		return 0;
	}
	while (*p) {
		char *end;
		errno = 0;
		if (*p < '0' || *p > '9')
			goto bad;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			b = strtoul(end + 1, &end, 10);
		}
		if (errno || (*end && *end != ',') || b < a)
			goto bad;
		if (b >= 32)
			return fail(err, errlen,
			            "fault 'wrp=%s': sector %lu is out of range (0-31)", list, b);
		for (unsigned long i = a; i <= b; i++)
			f->wrp[i / 32] |= 1u << (i % 32);
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p)
			goto bad;
	}
	f->wrp_set = true;
	return 0;
bad:
	return fail(err, errlen, "fault 'wrp=%s' is not a list like 0,2-3", list);
}

/* flash-error=FLAG@SECTOR: the F2/F4 FLASH_SR flag (RM0090 §3.9.4) raised by every erase
 * and program in that sector. */
static int parse_flash_error(struct mcu_faults *f, const char *arg, char *err, size_t errlen)
{
	static const struct { const char *name; uint32_t bit; } flags[] = {
		{"OPERR", 1u << 1}, {"WRPERR", 1u << 4}, {"PGAERR", 1u << 5},
		{"PGPERR", 1u << 6}, {"PGSERR", 1u << 7},
	};
	const char *at = arg ? strchr(arg, '@') : NULL;
	uint64_t v;

	for (size_t i = 0; at && i < sizeof(flags) / sizeof(flags[0]); i++) {
		size_t n = strlen(flags[i].name);
		if ((size_t)(at - arg) == n && strncmp(arg, flags[i].name, n) == 0 &&
		    parse_u64(at + 1, 10, &v) == 0 && v < 24) {
			f->flash_error = flags[i].bit;
			f->flash_error_sector = (unsigned)v;
			return 0;
		}
	}
	return fail(err, errlen, "fault 'flash-error' needs FLAG@SECTOR, FLAG one of OPERR, "
	                         "WRPERR, PGAERR, PGPERR, PGSERR and SECTOR 0-23, e.g. "
	                         "flash-error=PGPERR@5");
}

int sim_options_fault(struct sim_options *o, const char *spec, char *err, size_t errlen)
{
	char name[32];
	const char *eq = strchr(spec, '=');
	const char *arg = eq ? eq + 1 : NULL;
	size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
	struct mcu_faults *f = &o->faults;
	uint64_t v;

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, spec, n);
	name[n] = '\0';

	static const char *const plain[] = {"swd-disabled", "unpowered", "rdp1", "low-power",
	                                    "hw-watchdog", "busy", NULL};
	for (int i = 0; plain[i]; i++) {
		if (strcmp(name, plain[i]) != 0)
			continue;
		if (arg)
			return fail(err, errlen, "fault '%s' takes no value", name);
		switch (i) {
		case 0: f->swd_disabled = true; break;
		case 1: f->unpowered = true; break;
		case 2: f->rdp1 = true; break;
		case 3: f->low_power = true; break;
		case 4: f->hw_watchdog = true; break;
		default: o->busy = true; break;
		}
		return 0;
	}
	if (strcmp(name, "wrp") == 0)
		return parse_wrp(f, arg, err, errlen);
	if (strcmp(name, "flaky") == 0) {
		char *end;
		double r = arg && *arg ? strtod(arg, &end) : -1;
		if (!arg || !*arg || *end || !(r > 0 && r <= 1))
			return fail(err, errlen, "fault 'flaky' needs a rate above 0 and at most 1, "
			                         "e.g. flaky=0.01");
		f->flaky = r;
		return 0;
	}
	if (strcmp(name, "vdd") == 0) {
		char *end;
		double r = arg && *arg ? strtod(arg, &end) : -1;
		if (!arg || !*arg || *end || !(r >= 1.7 && r <= 3.6))
			return fail(err, errlen, "fault 'vdd' needs the supply in volts, 1.7 to 3.6, "
			                         "e.g. vdd=2.5");
		f->vdd = r;
		return 0;
	}
	if (strcmp(name, "flash-error") == 0)
		return parse_flash_error(f, arg, err, errlen);
	if (strcmp(name, "clone-idcode") == 0) {
		const char *h = arg && (strncmp(arg, "0x", 2) == 0 || strncmp(arg, "0X", 2) == 0)
		                ? arg + 2 : arg;
		if (parse_u64(h, 16, &v) < 0 || v == 0 || v > 0xFFFFFFFFu)
			return fail(err, errlen, "fault 'clone-idcode' needs a 32-bit hex IDCODE, "
			                         "e.g. clone-idcode=0x2ba01477");
		f->clone_idcode = (uint32_t)v;
		return 0;
	}
	/* faults that strike after a number of bytes of traffic */
	uint64_t *bytes = strcmp(name, "drop-after") == 0 ? &o->drop_after
	                  : strcmp(name, "power-off") == 0 ? &o->power_off_after : NULL;
	if (bytes) {
		if (parse_u64(arg, 10, &v) < 0 || v == 0)
			return fail(err, errlen, "fault '%s' needs a byte count above 0, e.g. %s=4096",
			            name, name);
		*bytes = v;
		return 0;
	}
	return fail(err, errlen, "unknown fault '%s'; use swd-disabled, unpowered, rdp1, "
	                         "low-power, hw-watchdog, wrp=LIST|all, flaky=RATE, "
	                         "clone-idcode=HEX, vdd=VOLTS, flash-error=FLAG@SECTOR, drop-after=BYTES, "
	                         "power-off=BYTES or busy", name);
}

static int parse_uid(uint8_t uid[12], const char *hex)
{
	if (strlen(hex) != 24)
		return -1;
	for (int i = 0; i < 12; i++) {
		char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
		char *end;
		if (pair[0] == '+' || pair[0] == '-' || pair[0] == ' ')
			return -1;
		unsigned long b = strtoul(pair, &end, 16);
		if (*end)
			return -1;
		uid[i] = (uint8_t)b;
	}
	return 0;
}

int sim_options_parse(struct sim_options *o, int argc, char **argv, char *err, size_t errlen)
{
	enum { O_MODEL = 256, O_FLASH, O_PORT, O_PORTFILE, O_FAULT, O_TIMING, O_UID,
	       O_SERIAL, O_TRACE, O_SEED, O_LIST, O_HELP, O_PROBE, O_DBGMCU, O_HOOK };
	static const struct option longopts[] = {
		{"model", required_argument, NULL, O_MODEL},
		{"flash", required_argument, NULL, O_FLASH},
		{"port", required_argument, NULL, O_PORT},
		{"portfile", required_argument, NULL, O_PORTFILE},
		{"fault", required_argument, NULL, O_FAULT},
		{"timing", required_argument, NULL, O_TIMING},
		{"uid", required_argument, NULL, O_UID},
		{"serial", required_argument, NULL, O_SERIAL},
		{"trace", required_argument, NULL, O_TRACE},
		{"seed", required_argument, NULL, O_SEED},
		{"probe", required_argument, NULL, O_PROBE},
		{"dbgmcu-idcode", required_argument, NULL, O_DBGMCU},
		{"at-traffic", required_argument, NULL, O_HOOK},
		{"list-models", no_argument, NULL, O_LIST},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->port = 7184;
	o->seed = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case O_MODEL: o->model = optarg; break;
		case O_FLASH: o->flash = optarg; break;
		case O_PORTFILE: o->portfile = optarg; break;
		case O_SERIAL: o->serial = optarg; break;
		case O_TRACE: o->trace = optarg; break;
		case O_LIST: o->list_models = true; break;
		case O_HELP: o->help = true; break;
		case O_PORT:
			if (parse_u64(optarg, 10, &v) < 0 || v > 65535)
				return fail(err, errlen, "--port '%s' is not a port number (0-65535)",
				            optarg);
			o->port = (int)v;
			o->port_set = true;
			break;
		case O_FAULT:
			if (sim_options_fault(o, optarg, err, errlen) < 0)
				return -1;
			break;
		case O_TIMING:
			if (strcmp(optarg, "none") == 0)
				o->timing = MCU_TIMING_NONE;
			else if (strcmp(optarg, "realistic") == 0)
				o->timing = MCU_TIMING_REALISTIC;
			else
				return fail(err, errlen, "--timing '%s' is unknown; use none or realistic",
				            optarg);
			break;
		case O_UID:
			if (parse_uid(o->uid, optarg) < 0)
				return fail(err, errlen, "--uid '%s' is not 24 hex digits", optarg);
			o->uid_set = true;
			break;
		case O_DBGMCU:
			if (parse_u64(optarg, 16, &v) < 0 || v == 0 || v > 0xFFFFFFFFu)
				return fail(err, errlen, "--dbgmcu-idcode '%s' is not a 32-bit hex "
				            "value (e.g. 0x10006411)", optarg);
			o->dbgmcu_idcode = (uint32_t)v;
			break;
		case O_SEED:
			if (parse_u64(optarg, 0, &v) < 0)
				return fail(err, errlen, "--seed '%s' is not a number", optarg);
			o->seed = v;
			break;
		case O_HOOK: {
			const char *colon = strchr(optarg, ':');
			char num[24] = "";
			if (colon && (size_t)(colon - optarg) < sizeof(num))
				memcpy(num, optarg, (size_t)(colon - optarg));
			if (!colon || !colon[1] || parse_u64(num, 10, &v) < 0 || v == 0)
				return fail(err, errlen, "--at-traffic needs BYTES:COMMAND with a byte "
				            "count above 0, e.g. 4096:'kill -INT 123'");
			o->hook_after = v;
			o->hook_cmd = colon + 1;
			break;
		}
		case O_PROBE:
			if (strcmp(optarg, "v2") == 0)
				o->probe = PROBE_V2;
			else if (strcmp(optarg, "v2-1") == 0)
				o->probe = PROBE_V2_1;
			else if (strcmp(optarg, "v3") == 0)
				o->probe = PROBE_V3;
			else
				return fail(err, errlen, "--probe '%s' is unknown; use v2, v2-1 or v3", optarg);
			break;
		case ':':
			return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		default:
			return fail(err, errlen, "unknown option '%s'; see --help", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'; see --help", argv[optind]);
	if (o->help || o->list_models)
		return 0;
	if (!o->model)
		return fail(err, errlen, "missing --model; see --list-models");
	if (!o->flash)
		return fail(err, errlen, "missing --flash FILE (the board's flash image)");
	if (o->port == 0 && !o->portfile)
		return fail(err, errlen, "--port 0 needs --portfile FILE to tell the chosen port");
	bool known = false;
	for (const char *const *m = mcu_model_names(); *m; m++)
		known = known || strcmp(*m, o->model) == 0;
	if (!known)
		return fail(err, errlen, "unknown model '%s'; see --list-models", o->model);
	return 0;
}
