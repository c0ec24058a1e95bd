/* ocdlog.c - reading OpenOCD's log lines and replies. Pure: no I/O, no libuv. */
#include "ocd/ocdlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

/* The text after needle in line (case-insensitive), or NULL. */
static const char *after(const char *line, const char *needle)
{
	const char *p = strcasestr(line, needle);

	return p ? p + strlen(needle) : NULL;
}

/* A hex number after any run of ' ' and ':'. */
static bool parse_hex(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s)
		return false;
	while (*s == ' ' || *s == ':')
		s++;
	v = strtoul(s, &end, 16);
	if (end == s)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool ocdlog_version(const char *line, char *out, size_t outlen)
{
	const char *p = after(line, "Open On-Chip Debugger ");
	size_t n;

	if (!p || !outlen)
		return false;
	/* Espressif's fork: "Open On-Chip Debugger  v0.12.0-esp32-20230419" */
	p += strspn(p, " ");
	if ((*p == 'v' || *p == 'V') && p[1] >= '0' && p[1] <= '9')
		p++;
	n = strcspn(p, " \t\r\n");
	if (!n)
		return false;
	snprintf(out, outlen, "%.*s", (int)n, p);
	return true;
}

bool ocdlog_voltage(const char *line, double *volts)
{
	const char *p;
	char *end;
	double d;

	if (!(p = after(line, "Target voltage: ")) && !(p = after(line, "VTarget = ")))
		return false;
	d = strtod(p, &end);
	if (end == p)
		return false;
	*volts = d;
	return true;
}

bool ocdlog_stlink_firmware(const char *line, char *out, size_t outlen)
{
	/* Case matters: 0.9-0.10 print "STLINK v2 JTAG v27 API v2 SWIM v6" instead. */
	const char *p = strstr(line, "STLINK V");
	size_t n;

	if (!p)
		return false;
	p += strlen("STLINK V");
	n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	if (!n || n + 2 > outlen)
		return false;
	snprintf(out, outlen, "V%.*s", (int)n, p);
	return true;
}

bool ocdlog_cpu(const char *line, char *out, size_t outlen)
{
	const char *p = strcasestr(line, "Cortex-M");
	const char *e = p ? strstr(p, " processor detected") : NULL;
	size_t n;

	if (!e || !outlen)
		return false;
	n = (size_t)(e - p);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

uint32_t ocdlog_cpu_partno(const char *cpu)
{
	static const struct {
		const char *name;
		uint32_t partno;
	} cores[] = {
		{ "0+", 0xc60 }, { "0 ", 0xc20 }, { "3 ", 0xc23 }, { "4 ", 0xc24 },
		{ "7 ", 0xc27 }, { "33 ", 0xd21 }, { "23 ", 0xd20 },
	};
	const char *p = strncasecmp(cpu, "Cortex-M", 8) == 0 ? cpu + 8 : NULL;

	for (size_t i = 0; p && i < sizeof(cores) / sizeof(cores[0]); i++)
		if (strncmp(p, cores[i].name, strlen(cores[i].name)) == 0)
			return cores[i].partno;
	return 0;
}

void ocdlog_probe_line(struct ocdlog_probe *pi, const char *line)
{
	const char *p;
	double v;

	ocdlog_version(line, pi->openocd_version, sizeof(pi->openocd_version));
	ocdlog_stlink_firmware(line, pi->firmware, sizeof(pi->firmware));
	if ((p = strstr(line, "STLINK ")) != NULL && strstr(p, "VID:PID")) {
		char fw[32];
		unsigned api, a, b;

		if (sscanf(p, "STLINK %31s (API v%u) VID:PID %x:%x", fw, &api, &a, &b) == 4) {
			snprintf(pi->adapter, sizeof(pi->adapter), "stlink");
			pi->api_version = api;
			pi->vid = (uint16_t)a;
			pi->pid = (uint16_t)b;
		}
	}
	if (ocdlog_voltage(line, &v)) {
		pi->target_voltage = v;
		pi->has_voltage = true;
	}
	if ((p = strstr(line, "stlink-server API v")) != NULL && (p = strstr(p, "version ")) != NULL)
		sscanf(p + 8, "%31s", pi->server_version);
	if ((p = strstr(line, "clock speed ")) != NULL)
		sscanf(p + 12, "%u", &pi->adapter_khz);
	if ((p = strstr(line, ", using ")) != NULL && strstr(p, " kHz"))
		sscanf(p + 8, "%u", &pi->adapter_khz);
	ocdlog_cpu(line, pi->cpu, sizeof(pi->cpu));
}

void ocdlog_probe_info(struct ocdlog_probe *p, const char *const *lines, size_t n)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < n; i++)
		ocdlog_probe_line(p, lines[i]);
}

bool ocdlog_unexpected_idcode(const char *line, uint32_t *idcode)
{
	return parse_hex(after(line, "UNEXPECTED idcode"), idcode);
}

bool ocdlog_expected_idcode(const char *line, uint32_t *idcode)
{
	const char *p = after(line, "expected ");
	const char *q;

	if (!p || *p < '0' || *p > '9' || !strstr(p, " of "))
		return false;
	q = strstr(p, "0x");
	return q && parse_hex(q, idcode);
}

bool ocdlog_dp_idcode(const char *line, uint32_t *idcode)
{
	const char *p;

	if (ocdlog_unexpected_idcode(line, idcode))
		return true;
	/* JTAG: "JTAG tap: stm32f1x.cpu       UNEXPECTED: 0x4ba00477 (mfg: ...)". */
	if (parse_hex(after(line, "UNEXPECTED: "), idcode))
		return true;
	/* CMSIS-DAP / J-Link: "SWD DPIDR 0x1ba01477"; 0.9: "SWD IDCODE 0x1ba01477". */
	if (((p = after(line, "SWD DPIDR ")) || (p = after(line, "SWD IDCODE "))) && parse_hex(p, idcode))
		return true;
	/* JTAG: "tap/device found: 0x3ba00477 (mfg: ...)". */
	return parse_hex(after(line, "tap/device found: "), idcode);
}

bool ocdlog_device_id(const char *line, uint32_t *dev)
{
	return parse_hex(after(line, "device id = "), dev);
}

bool ocdlog_flash_kib(const char *line, uint32_t *kib)
{
	const char *p = after(line, "flash size = ");
	char *end;
	unsigned long v;

	if (!p)
		return false;
	v = strtoul(p, &end, 10);
	if (end == p)
		return false;
	while (*end == ' ')
		end++;
	if (strncasecmp(end, "KiB", 3) != 0 && strncasecmp(end, "kbytes", 6) != 0)
		return false;
	*kib = (uint32_t)v;
	return true;
}

bool ocdlog_flash_size_guessed(const char *line)
{
	return strcasestr(line, "flash size failed, probe inaccurate") != NULL;
}

bool ocdlog_wrp_register(const char *line, uint32_t *wrp)
{
	return parse_hex(after(line, "write protection register = "), wrp);
}

const char *ocdlog_error_line(const char *line)
{
	const char *e = strstr(line, "Error: ");

	return e && e[7] ? e + 7 : NULL;
}

const char *ocdlog_first_error(const char *const *lines, size_t from, size_t n)
{
	const char *e;

	for (size_t i = from; i < n; i++)
		if ((e = ocdlog_error_line(lines[i])) != NULL)
			return e;
	return NULL;
}

const char *ocdlog_last_error(const char *const *lines, size_t from, size_t n)
{
	const char *e;

	for (size_t i = n; i > from; i--)
		if ((e = ocdlog_error_line(lines[i - 1])) != NULL)
			return e;
	return NULL;
}

static bool has(const char *const *lines, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], needle))
			return true;
	return false;
}

int ocdlog_classify_init(const char *const *lines, size_t n)
{
	static const struct {
		const char *needle;
		int code;
	} rules[] = {
		/* Target first: a probe that connected logs its own lines too. */
		{ "UNEXPECTED idcode", SWD_EWRONGTARGET },
		{ "init mode failed", SWD_ETARGETNORESP },
		{ "unable to connect to the target", SWD_ETARGETNORESP },
		{ "voltage may be too low", SWD_ETARGETNORESP },
		{ "already used", SWD_EPROBEBUSY },
		{ "LIBUSB_ERROR_BUSY", SWD_EPROBEBUSY },
		{ "LIBUSB_ERROR_ACCESS", SWD_EPROBEPERM },
		{ "no ST-LINK detected", SWD_EPROBENOTFOUND },
		{ "open failed", SWD_EPROBENOTFOUND },
		{ "cannot connect to stlink server", SWD_EPROBENOTFOUND },
		{ "cannot get the stlink-server version", SWD_EPROBENOTFOUND },
		{ "No J-Link device found", SWD_EPROBENOTFOUND },
		{ "unable to find a matching CMSIS-DAP device", SWD_EPROBENOTFOUND },
		{ "examination failed", SWD_ETARGETNORESP },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (has(lines, n, rules[i].needle))
			return rules[i].code;
	return SWD_EOCDDIED;
}

int ocdlog_classify_failure(const char *const *lines, size_t n, int code, const char *text)
{
	if (code == -909 || has(lines, n, "device protected") || has(lines, n, "write protected") ||
	    strstr(text, "protected"))
		return SWD_EPROTECTED;
	if (has(lines, n, "timed out while waiting for target halted") || has(lines, n, "Not examined") ||
	    strstr(text, "Not examined") || has(lines, n, "communication failure") ||
	    has(lines, n, "failed to receive USB CMD") || has(lines, n, "failed to send USB CMD"))
		return SWD_ETARGETNORESP;
	return SWD_ETARGETFAILED;
}

bool ocdlog_silent_init(const char *const *lines, size_t n)
{
	bool voltage = false;

	for (size_t i = 0; i < n; i++) {
		if (strncmp(lines[i], "Error", 5) == 0 || strncmp(lines[i], "Warn", 4) == 0)
			return false;
		if (strstr(lines[i], "Target voltage:"))
			voltage = true;
	}
	return voltage;
}

int ocdlog_read_protection(const char *line)
{
	if (strcasestr(line, "read protection: on") || strcasestr(line, "Readout Protection On") ||
	    strcasestr(line, "Device Security Bit Set"))
		return 1;
	if (strcasestr(line, "read protection: off") || strcasestr(line, "Readout Protection Off"))
		return 0;
	/* stm32l4x.c's probe (0.12): "RDP level 1 (0xBB)", "RDP level 0 (0xAA)"; its "0.5" is
	 * TrustZone's level, not readout protection. */
	const char *rl = strstr(line, "RDP level ");
	if (rl && (rl[10] == '0' || rl[10] == '1') && strncmp(rl + 11, " (0x", 4) == 0)
		return rl[10] - '0';
	return -1;
}

void ocdlog_verify(const char *text, struct ocdlog_verify *r)
{
	const char *p;

	memset(r, 0, sizeof(*r));
	if ((p = strstr(text, "verified ")) != NULL)
		r->bytes = strtoull(p + 9, NULL, 10);
	else if ((p = strstr(text, "read ")) != NULL && strstr(p, " bytes from file"))
		r->bytes = strtoull(p + 5, NULL, 10);
	r->differs = strstr(text, "contents differ") != NULL;
	for (p = text; (p = strstr(p, "diff ")) != NULL; p += 5) {
		const char *a = strstr(p, " address 0x");

		if (!a)
			break;
		if (!r->has_first_diff) {
			r->has_first_diff = true;
			r->first_diff_address = (uint32_t)strtoul(a + 11, NULL, 16);
		}
		r->ndiff_lines++;
	}
}
