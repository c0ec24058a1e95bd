/* diag: the checks that read a log against the OpenOCD release that ran: its version (the
 * banner, or the caller's) against the release that brought a config script, a command or
 * subcommand, a flash driver or a '<chip>.dap' object (cfgrel.c, generated from OpenOCD's
 * tags). Each returns the confidence its rule deserves (0: the rule does not apply) and
 * writes what it saw into the context's detail.
 *
 * Owns: nothing. Must not: print, or decide an id (the table in rules.c says what a
 * confidence means).
 */
#include <stdio.h>
#include <string.h>

#include "diag/checks.h"

int chk_too_old_version(struct diag_ctx *c)
{
	if (c->ver_major < 0)
		return 0;
	if (c->ver_major > 0 || c->ver_minor >= 12)
		return 0;
	/* From a log, an old banner names the version, not a failure: a log that stops (a
	 * hang) or shows an error no rule explains reads "unknown"; only a failure a later
	 * release cures (a missing command, script, driver or object) blames the version,
	 * and those rows read it. Given by the caller (it ran `openocd --version`) with
	 * nothing else wrong, the version is swdbackup's own requirement. */
	if (!c->ev->openocd_version && !c->ev->missing_command)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD %d.%d; swdbackup needs 0.12 or later",
	         c->ver_major, c->ver_minor);
	return DIAG_CONF_HIGH;
}

/* 'invalid subcommand' for a subcommand a newer OpenOCD has: 'adapter driver/speed' and
 * 'dap create' came with 0.11, 'adapter serial' with 0.12. */
int chk_too_old_subcommand(struct diag_ctx *c)
{
	int need = chk_log_has(c, "invalid subcommand \"serial") ? 12 : 11;
	if (c->ver_major < 0)
		return DIAG_CONF_MEDIUM;
	if (c->ver_major > 0 || c->ver_minor >= need)
		return 0;
	snprintf(c->detail, sizeof(c->detail),
	         "OpenOCD %d.%d does not know this subcommand; it came with 0.%d", c->ver_major,
	         c->ver_minor, need);
	return DIAG_CONF_HIGH;
}

/* The first stock script ("interface/stlink.cfg") a "Can't find ..." line names, copied to
 * PATH, and the OpenOCD 0.<minor> release that brought it (-1: in 0.9 already, or not one of
 * OpenOCD's scripts). Returns -2 when no line names one. */
static int missing_stock_script(const struct diag_ctx *c, char *path, size_t size)
{
	const struct diag_evidence *ev = c->ev;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		const char *p = strstr(ev->log_lines[i], "Can't find ");
		if (!p)
			continue;
		p += strlen("Can't find ");
		/* Only a bare stock name ("interface/stlink.cfg") is searched for in the scripts
		 * that release shipped; a name with a prefix ("scripts/interface/...") is a path
		 * the search cannot resolve whatever the version. */
		static const char *const dirs[] = { "interface/", "target/", "board/" };
		bool stock = false;
		for (size_t k = 0; k < 3 && !stock; k++)
			stock = strncmp(p, dirs[k], strlen(dirs[k])) == 0;
		size_t n = strcspn(p, " \t\r\n'\"");
		if (!stock || n >= size)
			continue;
		memcpy(path, p, n);
		path[n] = '\0';
		return diag_cfg_added_minor(path);
	}
	return -2;
}

/* "embedded:startup.tcl:60: Error: Can't find ...": proc script's call of find sits on line
 * 60 of startup.tcl in 0.9 and 0.10 (and their development builds until April 2019), on 26
 * in 0.11 and 28 in 0.12. With no banner, that line number dates the OpenOCD that ran. */
static bool startup_tcl_before_011(const struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++)
		if (strstr(c->ev->log_lines[i], "embedded:startup.tcl:60: Error: Can't find "))
			return true;
	return false;
}

/* No banner, a stock script 0.11 or later brought, and the startup.tcl of 0.9/0.10. */
static bool stock_script_dated_older(const struct diag_ctx *c, char *path, size_t size,
                                     int *added)
{
	if (c->ver_major >= 0 || !startup_tcl_before_011(c))
		return false;
	*added = missing_stock_script(c, path, size);
	return *added >= 11;
}

/* A config script missing from an OpenOCD older than the release that brought it. */
int chk_too_old_config(struct diag_ctx *c)
{
	char path[160];
	int added;
	if (stock_script_dated_older(c, path, sizeof(path), &added)) {
		/* Medium: a development build of 2017-2019 has that layout and may have the
		 * script, so a broken install stays the other reading. */
		snprintf(c->detail, sizeof(c->detail), "'embedded:startup.tcl:60' is where OpenOCD "
		         "0.9 and 0.10 report a missing script (0.11 moved it to line 26); %.80s came "
		         "with 0.%d", path, added);
		return DIAG_CONF_MEDIUM;
	}
	if (c->ver_major != 0 || c->ver_minor < 0 || c->ver_minor >= 12)
		return 0;
	/* The stock script named by "Can't find ...": read it against the release that
	 * brought it. One that 0.9 already had is a search-path or spelling problem. */
	added = missing_stock_script(c, path, sizeof(path));
	if (added <= c->ver_minor)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d predates %s (added in 0.%d)",
	         c->ver_minor, path, added);
	return DIAG_CONF_HIGH;
}

/* A stock script that came after 0.9, missing from an OpenOCD whose version the log does
 * not show: not found (a broken install or search path) or too old to have it. */
static bool stock_script_version_unknown(const struct diag_ctx *c, char *path, size_t size,
                                         int *added)
{
	if (c->ver_major >= 0)
		return false;
	*added = missing_stock_script(c, path, size);
	return *added >= 10;
}

int chk_config_not_found(struct diag_ctx *c)
{
	char path[160];
	int added;
	/* The banner shows a release older than the stock script: too-old-config reads it at
	 * high, and a wrong path stays the lesser reading. */
	if (c->ver_major == 0 && c->ver_minor >= 0 && c->ver_minor < 12 &&
	    missing_stock_script(c, path, sizeof(path)) > c->ver_minor)
		return DIAG_CONF_LOW;
	if (!stock_script_version_unknown(c, path, sizeof(path), &added))
		return DIAG_CONF_HIGH;
	if (stock_script_dated_older(c, path, sizeof(path), &added))
		return DIAG_CONF_LOW;
	snprintf(c->detail, sizeof(c->detail), "%.100s came with OpenOCD 0.%d and the log does not "
	         "show the version: an older OpenOCD lacks it (openocd-too-old)", path, added);
	return DIAG_CONF_MEDIUM;
}

int chk_too_old_config_unknown(struct diag_ctx *c)
{
	char path[160];
	int added;
	if (!stock_script_version_unknown(c, path, sizeof(path), &added) ||
	    stock_script_dated_older(c, path, sizeof(path), &added))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "if this OpenOCD is older than 0.%d, it lacks %.100s",
	         added, path);
	return DIAG_CONF_LOW;
}

int chk_missing_command(struct diag_ctx *c)
{
	if (!c->ev->missing_command)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD does not know '%s'", c->ev->missing_command);
	return DIAG_CONF_HIGH;
}

/* The command name LINE quotes after LEAD ('invalid command name "'), up to its closing
 * quote or a space, copied to OUT. Returns false when LINE has no such name. */
static bool quoted_command(const char *line, const char *lead, char *out, size_t size)
{
	const char *p = strstr(line, lead);
	if (!p)
		return false;
	p += strlen(lead);
	size_t n = strcspn(p, "\" ");
	if (n == 0 || n >= size)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* "invalid command name \"<chip>.dap\"" (or .tpiu): the object that 'dap create' (0.11) or
 * 'tpiu create' (0.12) makes is missing, so the binary predates the scripts, read against the
 * version the banner shows; a binary as new as the command made its object elsewhere
 * (this line is then a cascade of an earlier failure), so low. */
int chk_too_old_object(struct diag_ctx *c)
{
	int need = 0;
	for (size_t i = 0; i < c->ev->n_log_lines && !need; i++) {
		char name[64];
		if (!quoted_command(c->ev->log_lines[i], "invalid command name \"", name,
		                    sizeof(name)))
			continue;
		size_t n = strlen(name);
		if (n > 4 && strcmp(name + n - 4, ".dap") == 0)
			need = 11;
		else if (n > 5 && strcmp(name + n - 5, ".tpiu") == 0)
			need = 12;
	}
	if (!need)
		return DIAG_CONF_HIGH; /* the pattern matched a line the scan cannot split */
	if (c->ver_major == 0 && c->ver_minor >= need)
		return DIAG_CONF_LOW;
	if (c->ver_major == 0 && c->ver_minor >= 0)
		snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d lacks '%s create', which came "
		         "with 0.%d", c->ver_minor, need == 11 ? "dap" : "tpiu", need);
	return DIAG_CONF_HIGH;
}

/* "flash driver 'NAME' not found": the driver against the release that brought it. Newer
 * than the OpenOCD that ran (or than the log can show): high; in no release up to 0.12 (a
 * vendor fork's driver such as ST's stm32h5x, or a newer one): medium, the binary is older
 * than the scripts or another fork; in the release that ran already: low, every release
 * builds all its NOR drivers, so the name is likelier misspelt. */
int chk_too_old_flash_driver(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strstr(c->ev->log_lines[i], "flash driver '");
		char name[64];
		if (!p || sscanf(p, "flash driver '%63[^']' not found", name) != 1)
			continue;
		int added = diag_flash_driver_added_minor(name);
		if (added < 0) {
			snprintf(c->detail, sizeof(c->detail), "no OpenOCD release up to 0.12 has a "
			         "'%s' flash driver: a vendor fork's or a newer one", name);
			return DIAG_CONF_MEDIUM;
		}
		if (c->ver_major == 0 && c->ver_minor >= added)
			return DIAG_CONF_LOW;
		if (c->ver_major == 0 && c->ver_minor >= 0)
			snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d predates the '%s' flash "
			         "driver (added in 0.%d)", c->ver_minor, name, added);
		else
			snprintf(c->detail, sizeof(c->detail), "the '%s' flash driver came with "
			         "OpenOCD 0.%d", name, added);
		return c->ver_minor >= 0 || added > 9 ? DIAG_CONF_HIGH : DIAG_CONF_LOW;
	}
	return DIAG_CONF_MEDIUM;
}

/* A genuine STM32's dev id the flash driver for it did not know in the release that ran
 * (stm32ids.c: the release that taught the driver the id): the binary is older than the
 * chip. High when the banner shows that release and the driver that refused the id is the
 * one for it (by its words, or by the series the target config names); medium when the log
 * shows no banner, or stm32f1x's and stm32f2x's shared words leave open which refused it, or
 * another driver refused it (the config is wrong too). */
int chk_too_old_dev(struct diag_ctx *c)
{
	if (!c->has_dev_id || c->ver_major > 0)
		return 0;
	unsigned dev = c->dev_id & 0xfff;
	const char *refused = chk_refusing_driver(c), *fam = diag_stm32_family(dev);
	int since;
	const char *right = diag_stm32_driver(dev, &since);
	if (!refused || !right)
		return 0;
	bool ran_known = c->ver_major == 0 && c->ver_minor >= 0;
	if (ran_known ? c->ver_minor >= since : since == 9)
		return 0;
	if (c->cfg_series && !(c->cfg_series & diag_stm32_series(fam + 5)))
		return 0; /* a config for another series: chk_wrong_dev reads it */
	bool right_refused = strcmp(refused, right) == 0 ||
	                     (strstr(refused, right + 5) && c->cfg_series);
	if (!ran_known && !right_refused)
		return 0; /* another driver refused it: chk_wrong_dev, medium */
	char ran[32] = "the OpenOCD that ran";
	if (ran_known)
		snprintf(ran, sizeof(ran), "OpenOCD 0.%d", c->ver_minor);
	if (since > 12)
		snprintf(c->detail, sizeof(c->detail), "dev id 0x%03x is an %s: no OpenOCD release "
		         "up to 0.12 drives it (ST's fork does); %s does not", dev, fam, ran);
	else
		snprintf(c->detail, sizeof(c->detail), "dev id 0x%03x is an %s: the %s driver knows "
		         "it from OpenOCD 0.%d on; %s does not", dev, fam, right, since, ran);
	return ran_known && right_refused ? DIAG_CONF_HIGH : DIAG_CONF_MEDIUM;
}

/* A command or subcommand an OpenOCD release after the one that ran brought (cfgrel.c, from
 * the tags' command registrations): the config or the caller is newer than the binary. High
 * when the banner shows an older version, medium when the log shows none; no finding when
 * the release that ran has the name (a typo or a command of another group). */
int chk_too_old_command_release(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		char name[64];
		const char *l = c->ev->log_lines[i];
		if (!quoted_command(l, "invalid command name \"", name, sizeof(name)) &&
		    !quoted_command(l, "invalid subcommand \"", name, sizeof(name)))
			continue;
		int added = diag_cmd_added_minor(name);
		if (added < 0)
			continue;
		if (c->ver_major < 0) {
			snprintf(c->detail, sizeof(c->detail), "'%s' came with OpenOCD 0.%d; the log does "
			         "not show the version that ran", name, added);
			return DIAG_CONF_MEDIUM;
		}
		if (c->ver_major == 0 && c->ver_minor < added) {
			snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d predates '%s' (added in "
			         "0.%d)", c->ver_minor, name, added);
			return DIAG_CONF_HIGH;
		}
	}
	return 0;
}

int chk_too_old_command(struct diag_ctx *c)
{
	/* A newer OpenOCD that lacks the command was built without it: say so less firmly. */
	if (c->ver_major == 0 && c->ver_minor >= 12)
		return DIAG_CONF_LOW;
	return DIAG_CONF_HIGH;
}

/* The adapter driver "The specified debug interface was not found (NAME)" names, against
 * the releases that have it (cfgrel.c). */
enum iface_reading {
	IFACE_NONE,       /* no such line */
	IFACE_TOO_OLD,    /* the release that ran predates the driver */
	IFACE_TOO_OLD_MAYBE, /* a driver after 0.9 and the log shows no version */
	IFACE_NOT_BUILT,  /* the release that ran (or every one) has it: built without it */
	IFACE_DROPPED,    /* the release that ran no longer has it (ft2232 after 0.9) */
	IFACE_NO_RELEASE, /* no release 0.9-0.12 has it: a fork's driver, or misspelt */
};

static enum iface_reading iface_reading(const struct diag_ctx *c, char *name, size_t size,
                                        int *first, int *last)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strstr(c->ev->log_lines[i], "debug interface was not found (");
		if (!p)
			continue;
		p += strlen("debug interface was not found (");
		size_t n = strcspn(p, ")");
		if (n == 0 || n >= size || p[n] != ')')
			continue;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!diag_adapter_driver_span(name, first, last))
			return IFACE_NO_RELEASE;
		if (c->ver_major != 0 || c->ver_minor < 0)
			return *first > 9 ? IFACE_TOO_OLD_MAYBE : *last < 12 ? IFACE_DROPPED
			                                                    : IFACE_NOT_BUILT;
		if (c->ver_minor < *first)
			return IFACE_TOO_OLD;
		return c->ver_minor > *last ? IFACE_DROPPED : IFACE_NOT_BUILT;
	}
	return IFACE_NONE;
}

/* The driver reading of the line: high when the release that ran has (or every release
 * had) the driver, so this build left it out, or when the release dropped it; medium when
 * no release has the name (a vendor fork's driver run by a stock OpenOCD, or a typo) or when
 * the driver came after 0.9 and the log shows no version (too-old stays a low reading). */
int chk_interface_driver(struct diag_ctx *c)
{
	char name[48];
	int first = -1, last = -1;
	switch (iface_reading(c, name, sizeof(name), &first, &last)) {
	case IFACE_NOT_BUILT:
		snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d-0.%d have the '%s' driver: "
		         "this build was made without it", first, last, name);
		return DIAG_CONF_HIGH;
	case IFACE_DROPPED:
		snprintf(c->detail, sizeof(c->detail), "the '%s' driver was dropped after OpenOCD "
		         "0.%d: the config is older than the OpenOCD", name, last);
		return DIAG_CONF_HIGH;
	case IFACE_NO_RELEASE:
		snprintf(c->detail, sizeof(c->detail), "no OpenOCD release 0.9-0.12 has a '%s' "
		         "driver: a vendor fork's, or misspelt", name);
		return DIAG_CONF_MEDIUM;
	case IFACE_TOO_OLD_MAYBE:
		snprintf(c->detail, sizeof(c->detail), "the '%s' driver came with OpenOCD 0.%d and "
		         "the log shows no version: built without it, or older", name, first);
		return DIAG_CONF_MEDIUM;
	default:
		return 0;
	}
}

/* The release reading of the same line: high when the banner's release predates the
 * driver, low when the log shows no version and the driver came after 0.9. */
int chk_too_old_interface(struct diag_ctx *c)
{
	char name[48];
	int first = -1, last = -1;
	switch (iface_reading(c, name, sizeof(name), &first, &last)) {
	case IFACE_TOO_OLD:
		snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d predates the '%s' adapter "
		         "driver (added in 0.%d)", c->ver_minor, name, first);
		return DIAG_CONF_HIGH;
	case IFACE_TOO_OLD_MAYBE:
		snprintf(c->detail, sizeof(c->detail), "if this OpenOCD is older than 0.%d, it has "
		         "no '%s' driver", first, name);
		return DIAG_CONF_LOW;
	default:
		return 0;
	}
}

/* ST-LINK's "read version failed" (the probe opened, its first command failed) under a
 * release before 0.8: 0.8 brought the retry after a USB reset for the state an ST-LINK/V2
 * is left in by a previous session (stlink_usb.c, "funky state" loop) and the ST-LINK/V2-1's
 * endpoints; from 0.8 the line is printed only after that retry failed too. Medium: the
 * catalogue files the line under probe-not-found and probe-driver-missing in every
 * release, and a probe that stopped answering prints it under 0.7 as well; the banner
 * makes the old release the likelier cause, not the only one. */
int chk_too_old_stlink_version_read(struct diag_ctx *c)
{
	if (c->ver_major != 0 || c->ver_minor < 0 || c->ver_minor >= 8)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d neither retries a failed first "
	         "ST-LINK read after a USB reset nor drives an ST-LINK/V2-1 (both came with 0.8)",
	         c->ver_minor);
	return DIAG_CONF_MEDIUM;
}
