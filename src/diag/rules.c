/* diag: the rule table.
 *
 * Each rule names the OpenOCD messages it recognises (POSIX extended regular expressions,
 * case-insensitive, one log line at a time) and/or a check over the facts, and cites where
 * the message comes from at OpenOCD v0.12.0 with the older wording (0.9-0.11) for the same
 * condition. Several rules may give the same id (e.g. one from the log, one from facts);
 * the engine keeps the best and merges their evidence lines.
 *
 * Readout protection is told from write protection by the option bytes (given by the
 * caller, or printed by OpenOCD's options_read / read_options in the log), never by a
 * write error alone: a write error alone gives both, at medium and low confidence.
 */
#include <stdio.h>
#include <string.h>

#include "core/image.h"
#include "diag/host.h"
#include "diag/rules.h"

/* --- helpers for the checks -------------------------------------------------------- */

static bool log_has(const struct diag_ctx *c, const char *needle)
{
	const struct diag_evidence *ev = c->ev;
	for (size_t i = 0; i < ev->n_log_lines; i++)
		if (strcasestr(ev->log_lines[i], needle))
			return true;
	return ev->partial_len && strcasestr(ev->partial, needle);
}

static bool in_list(uint32_t v, const uint32_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

/* Genuine STM32 DBGMCU dev ids (dev = IDCODE & 0xfff), per family, from the reference
 * manuals (RM0008, RM0033, RM0090, RM0091, RM0316, RM0351, ...) as OpenOCD's drivers list
 * them. Used to tell a wrong profile (another real STM32) from an unknown or fake part. */
static const struct {
	uint32_t dev;
	const char *family;
} stm32_devs[] = {
	{ 0x410, "STM32F1 medium density" }, { 0x412, "STM32F1 low density" },
	{ 0x414, "STM32F1 high density" }, { 0x418, "STM32F1 connectivity line" },
	{ 0x420, "STM32F1 value line" }, { 0x428, "STM32F1 value line high density" },
	{ 0x430, "STM32F1 XL density" }, { 0x411, "STM32F2" }, { 0x413, "STM32F405/407" },
	{ 0x419, "STM32F42x/43x" }, { 0x434, "STM32F469/479" }, { 0x423, "STM32F401xB/C" },
	{ 0x433, "STM32F401xD/E" }, { 0x431, "STM32F411" }, { 0x421, "STM32F446" },
	{ 0x441, "STM32F412" }, { 0x458, "STM32F410" }, { 0x463, "STM32F413" },
	{ 0x440, "STM32F0" }, { 0x444, "STM32F0" }, { 0x442, "STM32F0" }, { 0x445, "STM32F0" },
	{ 0x448, "STM32F0" }, { 0x422, "STM32F3" }, { 0x432, "STM32F37x" }, { 0x438, "STM32F3" },
	{ 0x439, "STM32F3" }, { 0x446, "STM32F3" }, { 0x449, "STM32F7" }, { 0x451, "STM32F7" },
	{ 0x452, "STM32F7" }, { 0x416, "STM32L1" }, { 0x417, "STM32L0" }, { 0x415, "STM32L4" },
	{ 0x435, "STM32L4" }, { 0x462, "STM32L4" }, { 0x464, "STM32L4" }, { 0x461, "STM32L4" },
	{ 0x470, "STM32L4+" }, { 0x460, "STM32G0" }, { 0x466, "STM32G0" }, { 0x468, "STM32G4" },
	{ 0x469, "STM32G4" }, { 0x450, "STM32H7" }, { 0x480, "STM32H7" }, { 0x483, "STM32H7" },
};

static const char *stm32_family_of(uint32_t dev)
{
	for (size_t i = 0; i < sizeof(stm32_devs) / sizeof(stm32_devs[0]); i++)
		if (stm32_devs[i].dev == (dev & 0xfff))
			return stm32_devs[i].family;
	return NULL;
}

/* A non-STM32 part named in the log (its target or flash driver): its protection and its
 * flash errors are its own, never STM32 RDP/WRP. Returns the name seen, NULL for none. */
static const char *vendor_part(const struct diag_ctx *c)
{
	static const char *const parts[] = {
		"nrf51", "nrf52", "nrf53", "nrf91", "nrf5 ", "at91sam", "atsam", "SAMD:", "SAM:",
		"SAM4:", "kinetis", "klx.cpu", "kx.cpu", "MDM:", "lpc1", "lpc2", "lpc4", "lpc5",
		"lpc8", "efm32", "esp32", "rp2040", "rp2350", "max32", "cc26", "cc13", "psoc",
		"imxrt", "tm4c", "msp432",
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (log_has(c, parts[i]))
			return parts[i];
	return NULL;
}

/* The DP IDCODE the CS32F103 / CKS32F103 / APM32F103 clones report: the Cortex-M4 SW-DP's,
 * where the genuine STM32F1 has 0x1ba01477. */
#define F1_CLONE_IDCODE 0x2ba01477u
#define F1_GENUINE_IDCODE 0x1ba01477u

static bool is_clone_idcode(const struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (!c->has_dp_idcode)
		return false;
	if (ev->n_clone_idcodes)
		return in_list(c->dp_idcode, ev->clone_idcodes, ev->n_clone_idcodes);
	/* No profile: the log itself says an F1 config expected the genuine IDCODE. */
	return c->dp_idcode == F1_CLONE_IDCODE &&
	       (c->family == DIAG_FAM_F1 ||
	        (c->has_log_expected_idcode && c->log_expected_idcode == F1_GENUINE_IDCODE));
}

static bool idcode_expected(const struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (ev->n_expected_idcodes)
		return in_list(c->dp_idcode, ev->expected_idcodes, ev->n_expected_idcodes);
	if (c->has_log_expected_idcode)
		return c->dp_idcode == c->log_expected_idcode;
	return true; /* nothing to compare with */
}

/* The last attempt failed and no attempt succeeded: the connection was not made. */
static bool attempts_all_failed(const struct diag_evidence *ev)
{
	if (!ev->n_attempts)
		return false;
	for (size_t i = 0; i < ev->n_attempts; i++)
		if (ev->attempts[i].outcome == DIAG_OUT_OK)
			return false;
	return true;
}

static bool connect_failed(const struct diag_ctx *c)
{
	return attempts_all_failed(c->ev) || log_has(c, "init mode failed") ||
	       log_has(c, "cannot read IDR") || log_has(c, "Could not initialize the debug port") ||
	       log_has(c, "scan chain interrogation failed");
}

/* The rescued attempt (last, OK) and the first failed attempt before it. */
static const struct diag_attempt *rescue_pair(const struct diag_evidence *ev,
                                              const struct diag_attempt **failed)
{
	if (ev->n_attempts < 2 || ev->attempts[ev->n_attempts - 1].outcome != DIAG_OUT_OK)
		return NULL;
	for (size_t i = 0; i + 1 < ev->n_attempts; i++) {
		if (ev->attempts[i].outcome != DIAG_OUT_OK) {
			*failed = &ev->attempts[i];
			return &ev->attempts[ev->n_attempts - 1];
		}
	}
	return NULL;
}

static unsigned eff_speed(const struct diag_evidence *ev, const struct diag_attempt *a)
{
	if (a->speed_khz)
		return a->speed_khz;
	return ev->n_attempts && ev->attempts[0].speed_khz ? ev->attempts[0].speed_khz : 4000;
}

static bool any_attempt(const struct diag_evidence *ev, enum diag_outcome o)
{
	for (size_t i = 0; i < ev->n_attempts; i++)
		if (ev->attempts[i].outcome == o)
			return true;
	return false;
}

/* --- checks ------------------------------------------------------------------------- */

static int chk_unpowered(struct diag_ctx *c)
{
	if (c->voltage >= 1.5)
		return 0; /* a voltage line for another reason, or the caller measured it fine */
	if (c->voltage >= 0.0)
		snprintf(c->detail, sizeof(c->detail), "target voltage %.2f V (needs 1.65 V or more)",
		         c->voltage);
	return connect_failed(c) ? DIAG_CONF_HIGH : DIAG_CONF_MEDIUM;
}

static int chk_unpowered_fact(struct diag_ctx *c)
{
	if (c->ev->target_voltage < 0.0 || c->ev->target_voltage >= 1.5)
		return 0;
	return chk_unpowered(c);
}

static int chk_rescued_under_reset(struct diag_ctx *c)
{
	const struct diag_attempt *failed = NULL, *ok = rescue_pair(c->ev, &failed);
	if (!ok || !ok->under_reset || failed->under_reset ||
	    failed->outcome == DIAG_OUT_HALT_TIMEOUT)
		return 0;
	diag_rescue_note(c->ev, c->detail, sizeof(c->detail));
	return DIAG_CONF_HIGH;
}

static int chk_rescued_silent(struct diag_ctx *c)
{
	if (!c->ev->rescued_after_silent_start)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "openocd exited during init right after 'Target voltage', "
		 "with no error line; connecting under reset worked");
	return DIAG_CONF_MEDIUM;
}

static int chk_rescued_low_power(struct diag_ctx *c)
{
	const struct diag_attempt *failed = NULL, *ok = rescue_pair(c->ev, &failed);
	if (!ok || !ok->under_reset || failed->outcome != DIAG_OUT_HALT_TIMEOUT)
		return 0;
	diag_rescue_note(c->ev, c->detail, sizeof(c->detail));
	return DIAG_CONF_HIGH;
}

static int chk_rescued_speed(struct diag_ctx *c)
{
	const struct diag_attempt *failed = NULL, *ok = rescue_pair(c->ev, &failed);
	if (!ok)
		return 0;
	unsigned ok_khz = eff_speed(c->ev, ok);
	/* Rescued by speed: every faster attempt in the same mode failed. */
	for (size_t i = 0; i + 1 < c->ev->n_attempts; i++) {
		const struct diag_attempt *a = &c->ev->attempts[i];
		if (a->under_reset == ok->under_reset && eff_speed(c->ev, a) > ok_khz &&
		    a->outcome != DIAG_OUT_OK) {
			snprintf(c->detail, sizeof(c->detail),
			         "connected only at %u kHz%s: the SWD link fails at faster clocks; use "
			         "--speed %u%s next time",
			         ok_khz, ok->under_reset ? " under reset" : "", ok_khz,
			         ok->under_reset ? " --connect-under-reset" : "");
			return DIAG_CONF_HIGH;
		}
	}
	return 0;
}

/* OpenOCD opened the ST-LINK and read the voltage (the rule's patterns), then stopped
 * without an error line: in 0.12 a failed READ_IDCODES is not reported at the default
 * level. Only the exit status 1 of a live run says it ended there; a pasted log that just
 * stops may be a capture cut short. */
static int chk_silent_init(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (ev->openocd_exited) {
		if (ev->openocd_exit_status != 1)
			return 0;
		snprintf(c->detail, sizeof(c->detail),
		         "OpenOCD exited with status 1 right after reading the target voltage and "
		         "printed no reason: the debug port did not give its IDCODE");
		return DIAG_CONF_MEDIUM;
	}
	if (ev->op != DIAG_OP_NONE)
		return 0; /* still running: nothing ended yet */
	snprintf(c->detail, sizeof(c->detail),
	         "the log stops after the target voltage with no reason given (exit status not "
	         "known): OpenOCD 0.12 exits like this when the debug port does not give its "
	         "IDCODE");
	return DIAG_CONF_LOW;
}

static int chk_unreachable_attempts(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (!attempts_all_failed(ev) || !any_attempt(ev, DIAG_OUT_NO_RESPONSE))
		return 0;
	bool tried_reset = false;
	for (size_t i = 0; i < ev->n_attempts; i++)
		tried_reset |= ev->attempts[i].under_reset;
	snprintf(c->detail, sizeof(c->detail), "no answer in %zu attempts%s", ev->n_attempts,
	         tried_reset ? ", under reset included" : "");
	return DIAG_CONF_HIGH;
}

static int chk_halt_attempts(struct diag_ctx *c)
{
	if (!attempts_all_failed(c->ev) || !any_attempt(c->ev, DIAG_OUT_HALT_TIMEOUT))
		return 0;
	return DIAG_CONF_HIGH;
}

static int chk_low_power_guess(struct diag_ctx *c)
{
	/* A halt timeout alone: a sleeping core is one explanation among others. */
	(void)c;
	return DIAG_CONF_LOW;
}

static int chk_comm_attempts(struct diag_ctx *c)
{
	if (!attempts_all_failed(c->ev) || !any_attempt(c->ev, DIAG_OUT_COMM_ERROR))
		return 0;
	return DIAG_CONF_MEDIUM;
}

static int chk_comm_from_reads(struct diag_ctx *c)
{
	if (c->rdp_level >= 1)
		return 0; /* the option bytes explain the failed reads */
	if (c->rdp_level == 0) {
		snprintf(c->detail, sizeof(c->detail),
		         "flash reads failed with RDP at level 0: the link or the target refused them");
		return DIAG_CONF_MEDIUM;
	}
	return DIAG_CONF_LOW;
}

/* ST-LINK firmware names read V<hw>[J<jtag>][M<msd>][B<bridge>][S<swim>] (OpenOCD prints
 * "STLINK V2J37S7"); one without a J part has no JTAG/SWD support (STM8-only firmware, or
 * a V2-1 version OpenOCD parses as such). */
static int chk_firmware_no_swd(struct diag_ctx *c)
{
	const char *fw = c->firmware;
	if (fw[0] != 'V' || strchr(fw, 'J'))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "ST-LINK firmware %s has no JTAG/SWD part", fw);
	return DIAG_CONF_HIGH;
}

static const char *core_name(uint32_t partno);

/* The core the profile's part has: the profile's, else a Cortex-M3 under the F1 config
 * (every STM32F1 and every F1 clone has one). 0 when unknown. */
static uint32_t wanted_core(const struct diag_ctx *c)
{
	if (c->ev->expected_cpuid_partno)
		return c->ev->expected_cpuid_partno;
	return c->family == DIAG_FAM_F1 ? 0xc23 : 0;
}

/* True when the identity read (dev id, else the core) belongs to another part than the
 * profile's: a genuine STM32 of another family, not a clone or fake of this one. Writes the
 * facts to c->detail. A dev id of the profile's part with the wrong core is a counterfeit
 * (chk_counterfeit), not another part. */
static bool other_part(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (c->has_dev_id) {
		uint32_t dev = c->dev_id & 0xfff;
		const char *fam = stm32_family_of(dev);
		if (!fam)
			return false;
		bool other = ev->n_expected_dev_ids
		                     ? !in_list(dev, ev->expected_dev_ids, ev->n_expected_dev_ids)
		                     : c->family == DIAG_FAM_F1 && strncmp(fam, "STM32F1", 7) != 0;
		if (other)
			snprintf(c->detail, sizeof(c->detail),
			         "DP IDCODE 0x%08x with dev id 0x%03x: a genuine %s, not a clone", c->dp_idcode,
			         dev, fam);
		return other;
	}
	uint32_t want = wanted_core(c);
	if (c->has_cpu_partno && want && c->cpu_partno != want) {
		snprintf(c->detail, sizeof(c->detail),
		         "DP IDCODE 0x%08x with a %s core: the profile's part and its clones have a %s, "
		         "so this is another part (a genuine STM32F2/F4 reports the same IDCODE)",
		         c->dp_idcode, core_name(c->cpu_partno), core_name(want));
		return true;
	}
	return false;
}

/* The dev id or the core has been read (from the caller or the log). */
static bool identity_known(const struct diag_ctx *c)
{
	return c->has_dev_id || (c->has_cpu_partno && wanted_core(c));
}

static int clone_finding(struct diag_ctx *c)
{
	snprintf(c->detail, sizeof(c->detail),
	         "DP IDCODE 0x%08x is a known clone's (CS32/CKS32/APM32F103); a genuine STM32F1 "
	         "reports 0x%08x%s",
	         c->dp_idcode, F1_GENUINE_IDCODE,
	         c->ev->strict ? "; refused because of --strict" : "");
	return DIAG_CONF_HIGH;
}

/* The clone IDCODE with a dev id / core that fits the profile's part. */
static int chk_clone(struct diag_ctx *c)
{
	if (!is_clone_idcode(c) || !identity_known(c) || other_part(c))
		return 0;
	return clone_finding(c);
}

/* The clone IDCODE and nothing read yet to tell a clone from a genuine F2/F4. */
static int chk_clone_unconfirmed(struct diag_ctx *c)
{
	if (!is_clone_idcode(c) || identity_known(c))
		return 0;
	return clone_finding(c);
}

static int chk_wrong_idcode(struct diag_ctx *c)
{
	if (!c->has_dp_idcode || idcode_expected(c))
		return 0;
	if (is_clone_idcode(c)) {
		/* The clones borrowed the Cortex-M4 SW-DP's IDCODE, which genuine STM32F2/F4 parts
		 * report too: the dev id or the core settles it; until one is read, another part
		 * stays a (less likely) reading. */
		if (other_part(c))
			return DIAG_CONF_HIGH;
		if (identity_known(c))
			return 0;
		snprintf(c->detail, sizeof(c->detail),
		         "0x%08x is also what a genuine STM32F2/F4 reports: if the board has one, "
		         "use its profile", c->dp_idcode);
		return DIAG_CONF_LOW;
	}
	if (c->ev->n_expected_idcodes)
		snprintf(c->detail, sizeof(c->detail),
		         "IDCODE 0x%08x, the profile expects 0x%08x", c->dp_idcode,
		         c->ev->expected_idcodes[0]);
	else if (c->has_log_expected_idcode)
		snprintf(c->detail, sizeof(c->detail), "IDCODE 0x%08x, the config expects 0x%08x",
		         c->dp_idcode, c->log_expected_idcode);
	return DIAG_CONF_HIGH;
}

static int chk_wrong_dev(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (!c->has_dev_id)
		return 0;
	uint32_t dev = c->dev_id & 0xfff;
	const char *fam = stm32_family_of(dev);
	if (!fam)
		return 0; /* not a known STM32: unsupported or fake, not a wrong profile */
	if (ev->n_expected_dev_ids) {
		if (in_list(dev, ev->expected_dev_ids, ev->n_expected_dev_ids))
			return 0;
		snprintf(c->detail, sizeof(c->detail),
		         "dev id 0x%03x (%s), the profile '%s' expects 0x%03x", dev, fam,
		         ev->profile_name ? ev->profile_name : "?", ev->expected_dev_ids[0]);
		return DIAG_CONF_HIGH;
	}
	/* Log only: an F2/F4 part under the F1 config or the other way round. */
	bool f1_dev = strncmp(fam, "STM32F1", 7) == 0;
	bool f24_dev = strncmp(fam, "STM32F2", 7) == 0 || strncmp(fam, "STM32F4", 7) == 0;
	if ((c->family == DIAG_FAM_F1 && !f1_dev) || (c->family == DIAG_FAM_F2F4 && !f24_dev)) {
		snprintf(c->detail, sizeof(c->detail), "dev id 0x%03x is an %s, not what the %s "
		         "config drives", dev, fam, c->family == DIAG_FAM_F1 ? "stm32f1x" : "stm32f2x");
		return DIAG_CONF_HIGH;
	}
	return 0;
}

static const char *core_name(uint32_t partno)
{
	switch (partno) {
	case 0xc20: return "Cortex-M0";
	case 0xc60: return "Cortex-M0+";
	case 0xc23: return "Cortex-M3";
	case 0xc24: return "Cortex-M4";
	case 0xc27: return "Cortex-M7";
	case 0xd20: return "Cortex-M23";
	case 0xd21: return "Cortex-M33";
	default: return "an unknown core";
	}
}

static int chk_counterfeit(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	uint32_t dev = c->dev_id & 0xfff, rev = c->dev_id >> 16;

	/* The dev id claims the profile's part but the core is another one. */
	uint32_t want_core = ev->expected_cpuid_partno;
	if (!want_core && c->family == DIAG_FAM_F1 && c->has_dev_id && stm32_family_of(dev) &&
	    strncmp(stm32_family_of(dev), "STM32F1", 7) == 0)
		want_core = 0xc23; /* every genuine STM32F1 is a Cortex-M3 */
	bool dev_ok = c->has_dev_id &&
	              (ev->n_expected_dev_ids ? in_list(dev, ev->expected_dev_ids, ev->n_expected_dev_ids)
	                                      : stm32_family_of(dev) != NULL);
	if (want_core && c->has_cpu_partno && c->cpu_partno != want_core && dev_ok) {
		snprintf(c->detail, sizeof(c->detail),
		         "dev id 0x%03x says %s but the core is a %s (a genuine one has a %s)", dev,
		         stm32_family_of(dev) ? stm32_family_of(dev) : "the profile's part",
		         core_name(c->cpu_partno), core_name(want_core));
		return DIAG_CONF_HIGH;
	}
	/* GigaDevice GD32F1 parts reuse 0x410 with their own revision codes (OpenOCD's
	 * stm32f1x driver tells them apart the same way). */
	if (c->has_dev_id && dev == 0x410 &&
	    (rev == 0x1303 || rev == 0x1704 || rev == 0x1906 || rev == 0x1909)) {
		snprintf(c->detail, sizeof(c->detail),
		         "dev id 0x%08x: revision 0x%04x is GigaDevice's (GD32F1), not ST's",
		         c->dev_id, rev);
		return DIAG_CONF_MEDIUM;
	}
	/* A clone DP IDCODE on a part whose dev id is not the profile's nor any genuine
	 * STM32's (a genuine one of another family is a wrong profile: chk_wrong_dev). */
	if (is_clone_idcode(c) && c->has_dev_id && ev->n_expected_dev_ids &&
	    !in_list(dev, ev->expected_dev_ids, ev->n_expected_dev_ids) && !stm32_family_of(dev)) {
		snprintf(c->detail, sizeof(c->detail), "clone DP IDCODE 0x%08x and dev id 0x%03x",
		         c->dp_idcode, dev);
		return DIAG_CONF_MEDIUM;
	}
	return 0;
}

static int chk_unknown_dev_fact(struct diag_ctx *c)
{
	if (!c->ev->has_dev_id || stm32_family_of(c->ev->dev_id))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "dev id 0x%08x is not an STM32 part", c->ev->dev_id);
	return DIAG_CONF_MEDIUM;
}

static int chk_flash_size(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (!c->has_flash_kib || !ev->profile_flash_kib || c->flash_kib == ev->profile_flash_kib)
		return 0;
	if (c->flash_kib == 0 || c->flash_kib == 0xffff) {
		snprintf(c->detail, sizeof(c->detail),
		         "flash-size register reads 0x%04x (blank), the profile says %u KiB",
		         c->flash_kib, ev->profile_flash_kib);
		return DIAG_CONF_MEDIUM;
	}
	snprintf(c->detail, sizeof(c->detail), "flash-size register says %u KiB, the profile %u KiB",
	         c->flash_kib, ev->profile_flash_kib);
	return DIAG_CONF_HIGH;
}

static int chk_flash_size_failed(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	/* swdbackup read the register itself and it agrees: OpenOCD's read failed for another
	 * reason (a flaky link), not because the register is blank. */
	if (ev->has_flash_size_reg && ev->profile_flash_kib &&
	    ev->flash_size_reg_kib == ev->profile_flash_kib)
		return 0;
	snprintf(c->detail, sizeof(c->detail),
	         "OpenOCD could not read a valid flash-size register and assumed the family's "
	         "maximum");
	return DIAG_CONF_MEDIUM;
}

static int chk_rdp_known(struct diag_ctx *c)
{
	if (c->rdp_level < 1)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "option bytes: RDP level %d%s", c->rdp_level,
	         c->rdp_level >= 2 ? " (permanent)" : "");
	return DIAG_CONF_HIGH;
}

static int chk_rdp_from_reads(struct diag_ctx *c)
{
	if (c->rdp_level == 0 || vendor_part(c))
		return 0; /* option bytes say no readout protection: the reads failed otherwise */
	if (c->rdp_level >= 1)
		return chk_rdp_known(c);
	snprintf(c->detail, sizeof(c->detail),
	         "flash reads failed; the option bytes were not read, so readout protection is "
	         "likely but not confirmed: run 'swdbackup info'");
	return DIAG_CONF_MEDIUM;
}

static int chk_rdp_from_writes(struct diag_ctx *c)
{
	if (c->rdp_level == 0 || vendor_part(c))
		return 0;
	if (c->rdp_level >= 1)
		return chk_rdp_known(c);
	snprintf(c->detail, sizeof(c->detail),
	         "a write/erase error alone cannot tell readout from write protection; the option "
	         "bytes were not read: run 'swdbackup info'");
	return DIAG_CONF_LOW;
}

static int chk_wrp_known(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (c->wrp != DIAG_TRI_YES || c->rdp_level >= 1)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "option bytes: write protection set%s",
	         c->rdp_level == 0 ? ", RDP level 0" : "");
	bool writing = ev->op == DIAG_OP_ERASE || ev->op == DIAG_OP_PROGRAM ||
	               log_has(c, "device protected") || log_has(c, "write protected") ||
	               log_has(c, "failed erasing");
	return writing ? DIAG_CONF_HIGH : DIAG_CONF_MEDIUM;
}

static int chk_wrp_from_writes(struct diag_ctx *c)
{
	if (c->wrp == DIAG_TRI_NO || c->rdp_level >= 1 || vendor_part(c))
		return 0;
	if (c->wrp == DIAG_TRI_YES)
		return chk_wrp_known(c);
	if (c->rdp_level == 0)
		snprintf(c->detail, sizeof(c->detail),
		         "RDP is level 0, so the write error points at write protection; WRP was not "
		         "read");
	else
		snprintf(c->detail, sizeof(c->detail),
		         "a write/erase error alone cannot tell write from readout protection; the "
		         "option bytes were not read: run 'swdbackup info'");
	return DIAG_CONF_MEDIUM;
}

static int chk_vendor_protected(struct diag_ctx *c)
{
	const char *part = vendor_part(c);
	snprintf(c->detail, sizeof(c->detail), "%s%s: not an STM32, so not RDP/WRP",
	         part ? "the log names " : "another vendor's protection message",
	         part ? part : "");
	return DIAG_CONF_HIGH;
}

static int chk_openocd_missing(struct diag_ctx *c)
{
	return c->ev->openocd_found == DIAG_TRI_NO ? DIAG_CONF_HIGH : 0;
}

static int chk_dfu_util_missing(struct diag_ctx *c)
{
	return c->ev->dfu_util_found == DIAG_TRI_NO ? DIAG_CONF_HIGH : 0;
}

static int chk_dfu_no_device(struct diag_ctx *c)
{
	return c->ev->dfu_device_found == DIAG_TRI_NO ? DIAG_CONF_HIGH : 0;
}

/* The log shows an error of its own (not -d3 chatter). */
static bool log_shows_error(const struct diag_ctx *c)
{
	static const char *const words[] = { "error", "fail", "unable", "cannot", "can't",
		                             "invalid", "unexpected", "not found", "timed out" };
	const struct diag_evidence *ev = c->ev;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		const char *line = ev->log_lines[i];
		if (strncmp(line, "Debug:", 6) == 0)
			continue;
		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (strcasestr(line, words[k]))
				return true;
	}
	return false;
}

static int chk_too_old_version(struct diag_ctx *c)
{
	if (c->ver_major < 0)
		return 0;
	if (c->ver_major > 0 || c->ver_minor >= 12)
		return 0;
	/* From a log, an old banner is a guess: an error line no rule explains is shown as
	 * "unknown" with that line rather than blamed on the version. */
	if (!c->ev->openocd_version && !c->ev->missing_command && log_shows_error(c))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD %d.%d; swdbackup needs 0.12 or later",
	         c->ver_major, c->ver_minor);
	/* Given by the caller (it ran `openocd --version`): we know it is what runs. */
	return c->ev->openocd_version || c->ev->missing_command ? DIAG_CONF_HIGH : DIAG_CONF_LOW;
}

/* 'invalid subcommand' for a subcommand a newer OpenOCD has: 'adapter driver/speed' and
 * 'dap create' came with 0.11, 'adapter serial' with 0.12. */
static int chk_too_old_subcommand(struct diag_ctx *c)
{
	int need = log_has(c, "invalid subcommand \"serial") ? 12 : 11;
	if (c->ver_major < 0)
		return DIAG_CONF_MEDIUM;
	if (c->ver_major > 0 || c->ver_minor >= need)
		return 0;
	snprintf(c->detail, sizeof(c->detail),
	         "OpenOCD %d.%d does not know this subcommand; it came with 0.%d", c->ver_major,
	         c->ver_minor, need);
	return DIAG_CONF_HIGH;
}

/* A config script missing from an OpenOCD older than the release that brought it. */
static int chk_too_old_config(struct diag_ctx *c)
{
	if (c->ver_major != 0 || c->ver_minor < 0 || c->ver_minor >= 12)
		return 0;
	/* The stock script named by "Can't find ...": read it against the release that
	 * brought it. One that 0.9 already had is a search-path or spelling problem. */
	const struct diag_evidence *ev = c->ev;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		const char *p = strstr(ev->log_lines[i], "Can't find ");
		if (!p)
			continue;
		p += strlen("Can't find ");
		const char *dir = NULL;
		static const char *const dirs[] = { "interface/", "target/", "board/" };
		for (size_t k = 0; k < 3 && !dir; k++)
			dir = strstr(p, dirs[k]);
		if (!dir)
			continue;
		char path[160];
		size_t n = strcspn(dir, " \t\r\n'\"");
		if (n >= sizeof(path))
			continue;
		memcpy(path, dir, n);
		path[n] = '\0';
		int added = diag_cfg_added_minor(path);
		if (added <= c->ver_minor)
			continue;
		snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d predates %s (added in 0.%d)",
		         c->ver_minor, path, added);
		return DIAG_CONF_HIGH;
	}
	return 0;
}

/* High when the log is from Windows, medium otherwise. */
static int chk_windows_log(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++)
		if (diag_host_windows_line(c->ev->log_lines[i])) {
			snprintf(c->detail, sizeof(c->detail), "the log is from Windows");
			return DIAG_CONF_HIGH;
		}
	return DIAG_CONF_MEDIUM;
}

/* Medium off Windows, no finding on it; and the other way round. */
static int chk_not_windows_log(struct diag_ctx *c)
{
	return chk_windows_log(c) == DIAG_CONF_HIGH ? 0 : DIAG_CONF_MEDIUM;
}

static int chk_windows_only(struct diag_ctx *c)
{
	return chk_windows_log(c) == DIAG_CONF_HIGH ? DIAG_CONF_MEDIUM : 0;
}

/* Medium for three or more WAIT stalls or a core read back with no breakpoints, high for
 * both. */
static int chk_stalls(struct diag_ctx *c)
{
	size_t waits = 0;
	bool no_fpb = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (strstr(l, "DAP transaction stalled (WAIT)"))
			waits++;
		if (strstr(l, "hardware has 0 breakpoints"))
			no_fpb = true;
	}
	if (waits < 3 && !no_fpb)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "%zu WAIT stalls%s", waits,
	         no_fpb ? ", core read back with 0 breakpoints" : "");
	return waits >= 3 && no_fpb ? DIAG_CONF_HIGH : DIAG_CONF_MEDIUM;
}

/* The first cause over its cascade: a halt that times out after the link already failed
 * ("invalid mode value", a bad ACK, a sticky error) is that failure's consequence, so the
 * halt timeout drops to medium below the communication finding. */
static int chk_halt_not_cascade(struct diag_ctx *c)
{
	static const char *const comm[] = { "jtag status contains invalid mode value",
		                            "SWD ack not OK", "STICKY ERROR", "Invalid ACK" };
	static const char *const halt[] = { "timed out while wait", "Not halted",
		                            "Halt timed out" };
	size_t first_comm = (size_t)-1, first_halt = (size_t)-1;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		for (size_t k = 0; first_comm == (size_t)-1 && k < sizeof(comm) / sizeof(comm[0]); k++)
			if (strstr(l, comm[k]))
				first_comm = i;
		for (size_t k = 0; first_halt == (size_t)-1 && k < sizeof(halt) / sizeof(halt[0]); k++)
			if (strstr(l, halt[k]))
				first_halt = i;
	}
	return first_comm < first_halt ? DIAG_CONF_MEDIUM : DIAG_CONF_HIGH;
}

/* High when the firmware names a command it does not implement, medium when it only
 * fails to answer CMD_INFO. */
static int chk_cmsis_dap_firmware(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++)
		if (strstr(c->ev->log_lines[i], "not implemented"))
			return DIAG_CONF_HIGH;
	return DIAG_CONF_MEDIUM;
}

/* On Windows, libusb reports NOT_SUPPORTED for every other USB device OpenOCD tries while
 * it looks for the probe. When the probe then works (its clock is set, the target's chain
 * or DPIDR is read), that line was about another device: the driver finding does not
 * stand and the real failure comes later. */
static int chk_driver_failure_stands(struct diag_ctx *c)
{
	static const char *const working[] = { "clock speed ", "JTAG scan chain", "IR capture",
		                               "SWD DPIDR", "Interface ready", "Target voltage",
		                               "VTarget", "tap/device found" };
	bool failed = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (strstr(l, "LIBUSB_ERROR_NOT_SUPPORTED") || strstr(l, "Operation not supported")) {
			failed = true;
			continue;
		}
		for (size_t k = 0; failed && k < sizeof(working) / sizeof(working[0]); k++)
			if (strstr(l, working[k]))
				return 0;
	}
	return DIAG_CONF_HIGH;
}

static int chk_missing_command(struct diag_ctx *c)
{
	if (!c->ev->missing_command)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD does not know '%s'", c->ev->missing_command);
	return DIAG_CONF_HIGH;
}

static int chk_too_old_command(struct diag_ctx *c)
{
	/* A newer OpenOCD that lacks the command was built without it: say so less firmly. */
	if (c->ver_major == 0 && c->ver_minor >= 12)
		return DIAG_CONF_LOW;
	return DIAG_CONF_HIGH;
}

static int chk_verify_padding(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (ev->verify != DIAG_VERIFY_PADDING)
		return 0;
	char n[32];

	if (ev->verify_flash_size > ev->verify_image_size)
		snprintf(c->detail, sizeof(c->detail), "matches; the other %s bytes are erased",
		         swd_format_count(ev->verify_flash_size - ev->verify_image_size, n, sizeof(n)));
	return DIAG_CONF_HIGH;
}

static int chk_verify_differ(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (ev->verify != DIAG_VERIFY_DIFFER)
		return 0;
	const char *unit = ev->verify_pages ? "pages" : "sectors";

	if (ev->verify_units_total)
		snprintf(c->detail, sizeof(c->detail),
		         "first difference at 0x%08llx; %u of %u %s differ",
		         (unsigned long long)ev->verify_first_diff, ev->verify_units_differ,
		         ev->verify_units_total, unit);
	else
		snprintf(c->detail, sizeof(c->detail), "first difference at 0x%08llx; %u %s differ",
		         (unsigned long long)ev->verify_first_diff, ev->verify_units_differ, unit);
	return DIAG_CONF_HIGH;
}

/* --- the table ---------------------------------------------------------------------- */

/* Texts shared by several rules of one id. */
#define CAUSE_NOT_FOUND "no debug probe answered: it is not plugged in, not the one asked for, " \
	"or not the kind OpenOCD was told to use"
#define FIX_NOT_FOUND "plug the probe in and check it shows up ('lsusb': " \
	"0483:3748/374b/374e/374f for ST-LINK, 1366:* for J-Link); name it with --probe " \
	"SERIAL when several are attached; " \
	"pick its kind with --interface stlink|cmsis-dap|jlink; for --probe stlink-tcp:PORT make " \
	"sure stlink-server (or swdbackup-sim) listens on that port"
#define CAUSE_UNREACHABLE "the probe works but the target's debug port does not answer: SWDIO/" \
	"SWCLK/GND not connected, the firmware has turned the SWD pins into GPIO or stopped the " \
	"debug clock, or the board is held in reset"
#define FIX_UNREACHABLE "check the board is powered (many ST-LINK clones report a voltage " \
	"they do not measure) and SWDIO, SWCLK and GND (and NRST) between probe and board; retry " \
	"with --connect-under-reset (NRST wired to the probe) so the core is caught before the " \
	"firmware runs; if it is flaky, lower the clock with --speed 950 (or 480, 100); 'swdbackup " \
	"diagnose --profile P' tries all of these"
#define CAUSE_UNPOWERED "the probe measures no (or too low) target voltage: the board is not " \
	"powered or the probe's VTref pin is not connected"
#define FIX_UNPOWERED "power the board (USB or its supply) and connect the probe's VTref/VAPP " \
	"pin to the board's 3.3 V; many ST-LINK clones do not sense VTref and report a fixed " \
	"value: check 3.3 V with a meter"
#define CAUSE_LOW_POWER "the core is in a low-power mode (WFI/WFE, Stop, Standby) so halt " \
	"requests are lost until it wakes"
#define FIX_LOW_POWER "retry with --connect-under-reset so the core is halted at reset before " \
	"the firmware sleeps (NRST must be wired); on boards without NRST, press and hold reset " \
	"while starting, release it right after 'init'"
#define CAUSE_COMM "the SWD link is unreliable: transfers fail or return garbage (long or loose " \
	"wires, missing ground, too high a clock, noise)"
#define FIX_COMM "shorten the wires (under 15 cm) and connect GND; lower the clock with --speed " \
	"950 (then 480, 240, 100); a rescued run tells the speed that worked"
#define CAUSE_HALT "the core did not halt when asked: it is in a low-power mode, held by a " \
	"watchdog reset loop, or the debug link dropped"
#define FIX_HALT "retry with --connect-under-reset (halts the core at the reset vector); if a " \
	"hardware watchdog (option byte) keeps resetting it, 'swdbackup rescue --profile P " \
	"--factory-options' sets the watchdog back to software"
#define CAUSE_CLONE "the chip is a clone (CS32/CKS32/APM32F103) that reports the Cortex-M4 DP " \
	"IDCODE 0x2ba01477 instead of the STM32F1's 0x1ba01477"
#define FIX_CLONE "swdbackup accepts the clone's IDCODE on F1 profiles, notes it in the manifest " \
	"and goes on; pass --strict to refuse clones instead; with plain OpenOCD add " \
	"'-c \"set CPUTAPID 0x2ba01477\"' before '-f target/stm32f1x.cfg'"
#define CAUSE_WRONG "the chip behind the probe is not the part the profile (or OpenOCD target " \
	"config) describes"
#define FIX_WRONG "read the part marking and pick the matching profile ('swdbackup profiles " \
	"list'); 'swdbackup info --profile P' shows the identity it reads; with plain OpenOCD use " \
	"the target config of that family"
#define CAUSE_UNSUPPORTED "OpenOCD's flash driver does not recognise the chip's dev id, so it " \
	"is not a part this profile or driver knows (another family, or a clone/fake)"
#define FIX_UNSUPPORTED "check the part marking; use a profile for that part if swdbackup has " \
	"one ('swdbackup profiles list'), otherwise write one (see 'swdbackup profiles check " \
	"FILE'); a chip that answers with an unknown dev id may be a fake"
#define CAUSE_COUNTERFEIT "the chip's identity is inconsistent: its dev id, core (CPUID) or " \
	"revision does not belong to the STM32 it claims to be"
#define FIX_COUNTERFEIT "treat it as a clone/fake: back it up with a matching profile, expect " \
	"flash timings and sizes to differ, and do not rely on ST documentation for it; " \
	"'swdbackup info' shows the identity read"
#define CAUSE_FLASH_SIZE "the flash-size register does not agree with the profile (another " \
	"variant of the part, a clone, or a blank register)"
#define FIX_FLASH_SIZE "check the part marking (e.g. STM32F103C8 = 64 KiB, CB = 128 KiB) and use " \
	"the matching profile; swdbackup reads the size the profile gives, so a smaller " \
	"profile leaves the rest unread; 'swdbackup info' shows both"
#define CAUSE_VENDOR "the chip is not an STM32 and its own protection is on (nRF APPROTECT " \
	"or protected regions, SAM NVM lock/BOOTPROT or security bit, Kinetis flash security): " \
	"the debugger is refused"
#define FIX_VENDOR "this is not STM32 readout protection and swdbackup's unlock does not " \
	"apply; the vendor's own unlock ERASES THE WHOLE CHIP (nRF52: OpenOCD's nrf52_recover " \
	"or nrfjprog's recover; SAM: at91samd chip-erase or clearing BOOTPROT/LOCK in the user " \
	"row; Kinetis: kinetis mdm mass_erase), so use it only when the chip's content does " \
	"not matter"
#define CAUSE_RDP "the chip is readout-protected (RDP level 1 or 2): the debugger cannot read " \
	"or write its flash"
#define FIX_RDP "nothing on the flash can be read while RDP is set, so no backup is possible; " \
	"lifting RDP level 1 MASS-ERASES THE WHOLE FLASH (it destroys the firmware you wanted " \
	"to save), so do it only if the chip's content does not matter: 'swdbackup rescue " \
	"--profile P --unlock SOURCE' says so before it starts, lifts it and restores SOURCE (a " \
	"bundle or an image; 'swdbackup unlock --profile P' only lifts it); RDP level 2 is " \
	"permanent"
#define CAUSE_WRP "pages/sectors of the flash are write-protected by the option bytes (WRP): " \
	"erase and program fail there while reads still work"
#define FIX_WRP "first confirm RDP is level 0 with 'swdbackup info --profile P' (if RDP is set " \
	"this is readout protection: see readout-protected); then 'swdbackup rescue --profile P " \
	"--factory-options SOURCE' saves a safety bundle, clears write protection (with RDP at " \
	"level 0 this erases nothing) and restores SOURCE; without SOURCE it only clears it"

const struct diag_rule diag_rules[] = {
#include "diag/rules_dfu.inc"
	/* ---- OpenOCD itself ---- */
	{
		.id = DIAG_OPENOCD_MISSING, .name = "openocd-missing-fact",
		.confidence = DIAG_CONF_HIGH, .priority = 100,
		.check = chk_openocd_missing,
		.cause = "OpenOCD is not installed, or not where swdbackup looked (PATH or --openocd)",
		.fix = "install it ('sudo apt install openocd' on Debian/Ubuntu) or give its path "
		       "with --openocd PATH; check with 'openocd --version' (0.12 or later)",
		.source = "the spawn of the openocd executable failed (ENOENT)",
	},
	{
		.id = DIAG_OPENOCD_MISSING, .name = "openocd-missing-shell",
		.confidence = DIAG_CONF_HIGH, .priority = 100,
		.any = { "openocd: (command )?not found", "openocd'?: No such file or directory",
		         "exec.*openocd.*(No such file|not found)", "command not found: openocd",
		         "openocd(\\.exe)?'? is not recognized as (an internal or external command|"
		         "the name of a cmdlet)",
		         "Befehl \"openocd(\\.exe)?\" ist entweder falsch geschrieben",
		         "command \"openocd(\\.exe)?\" is either written [a-z]+ or" },
		.cause = "OpenOCD is not installed, or not where swdbackup looked (PATH or --openocd)",
		.fix = "install it ('sudo apt install openocd' on Debian/Ubuntu) or give its path "
		       "with --openocd PATH; check with 'openocd --version' (0.12 or later)",
		.source = "the shell's message; OpenOCD never ran: bash/dash 'openocd: not found', "
		          "zsh 'command not found: openocd', Windows cmd \"'openocd' is not recognized "
		          "as an internal or external command\" (German cmd: 'Der Befehl \"openocd\" "
		          "ist entweder falsch geschrieben oder konnte nicht gefunden werden', as users "
		          "translate it), PowerShell 'is not recognized as the name of a cmdlet'",
	},
	{
		.id = DIAG_OPENOCD_MISSING, .name = "openocd-cannot-start",
		.confidence = DIAG_CONF_HIGH, .priority = 100,
		.any = { "Library not loaded", "error while loading shared libraries",
		         "cannot proceed because .*\\.dll was not found" },
		.check = chk_openocd_cannot_start,
		.cause = "the openocd found is installed but cannot start: a library it was built "
		         "against (libusb, hidapi, libftdi) is missing on this machine",
		.fix = "install OpenOCD from the system's packages, which bring their libraries "
		       "('sudo apt install openocd'; macOS 'brew install open-ocd'; Windows the xPack "
		       "build, which ships its DLLs), or install the missing library; then point "
		       "swdbackup at it with --openocd PATH",
		.source = "the dynamic loader, before OpenOCD runs: macOS dyld 'Library not loaded: %s' + "
		          "'Referenced from: %s'; glibc ld.so '%s: error while loading shared libraries: "
		          "%s: cannot open shared object file'; Windows 'The code execution cannot "
		          "proceed because %s was not found'",
	},
	{
		.id = DIAG_OPENOCD_TOO_OLD, .name = "too-old-command",
		.confidence = DIAG_CONF_HIGH, .priority = 95,
		.any = { "invalid command name \"?(read_memory|write_memory|adapter|hla_stlink_backend)\"?",
		         "Unknown command:? *\"?(read_memory|write_memory|adapter |hla_stlink_backend)" },
		.check = chk_too_old_command,
		.cause = "the OpenOCD that ran is older than 0.12 and lacks commands swdbackup uses "
		         "(read_memory, adapter speed/serial, hla_stlink_backend)",
		.fix = "install OpenOCD 0.12 or later (Debian 12: 'sudo apt install openocd'; else "
		       "build it from openocd.org) and point swdbackup at it with --openocd PATH",
		.source = "Jim's 'invalid command name \"%s\"' (src/helper/command.c, "
		          "jim_command_dispatch; 0.9-0.10 also 'Unknown command:' from "
		          "command_run_line); read_memory/write_memory (target.c) and "
		          "hla_stlink_backend (hla_interface.c) appeared in 0.12, 'adapter speed' / "
		          "'adapter serial' (adapter.c) in 0.11",
	},
	{
		.id = DIAG_OPENOCD_TOO_OLD, .name = "too-old-missing-command",
		.show = { "invalid command name", "Unknown command" },
		.confidence = DIAG_CONF_HIGH, .priority = 95,
		.check = chk_missing_command,
		.cause = "the OpenOCD that ran is older than 0.12 and lacks commands swdbackup uses "
		         "(read_memory, adapter speed/serial, hla_stlink_backend)",
		.fix = "install OpenOCD 0.12 or later (Debian 12: 'sudo apt install openocd'; else "
		       "build it from openocd.org) and point swdbackup at it with --openocd PATH",
		.source = "the RPC answered 'invalid command name' (src/helper/command.c)",
	},
	{
		.id = DIAG_OPENOCD_TOO_OLD, .name = "too-old-subcommand",
		.confidence = DIAG_CONF_HIGH, .priority = 95,
		.any = { "invalid subcommand \"(driver|speed|serial|usb location) ",
		         "invalid subcommand \"create [^ ]+ -chain-position" },
		.check = chk_too_old_subcommand,
		.cause = "the OpenOCD that ran is older than the config it was given: the config "
		         "uses 'adapter driver/speed/serial' or 'dap create', which came with "
		         "OpenOCD 0.11 (serial 0.12)",
		.fix = "install OpenOCD 0.12 or later (Debian 12: 'sudo apt install openocd'; on "
		       "Windows and macOS the xPack build) and point swdbackup at it with --openocd PATH",
		.source = "Jim's 'invalid subcommand \"%s\"' for a command group that lacks it "
		          "(src/helper/command.c, 0.10); 'adapter driver', 'adapter speed' "
		          "(src/jtag/adapter.c) and 'dap create' (src/target/arm_dap.c) are 0.11, "
		          "'adapter serial' 0.12",
	},
	{
		.id = DIAG_OPENOCD_TOO_OLD, .name = "too-old-cmsis-dap-caps",
		.confidence = DIAG_CONF_HIGH, .priority = 94,
		.all = { "CMSIS-DAP: SWD not supported", "CMSIS-DAP: FW Version = " },
		.check = chk_cmsis_dap_caps_too_old,
		.cause = "the OpenOCD that ran is older than 0.12 and misreads the capabilities of "
		         "CMSIS-DAP 2.1+ firmware, so it says the probe has no SWD",
		.fix = "install OpenOCD 0.12 or later (Debian 12: 'sudo apt install openocd'; on "
		       "Windows and macOS the xPack build) and point swdbackup at it with --openocd "
		       "PATH; the probe's firmware is fine",
		.source = "'CMSIS-DAP: SWD not supported' (src/jtag/drivers/cmsis_dap.c, "
		          "cmsis_dap_get_caps_info / cmsis_dap_swd_open): 0.11 reads DAP_Info "
		          "capabilities as one byte; 0.12 takes the two-byte answer of DAP 2.1+",
	},
	{
		.id = DIAG_OPENOCD_TOO_OLD, .name = "too-old-version",
		.show = { "Open On-Chip Debugger [0-9]" },
		.confidence = DIAG_CONF_LOW, .priority = 10,
		.check = chk_too_old_version,
		.cause = "the OpenOCD that ran is older than 0.12; its messages and commands differ "
		         "from what swdbackup expects",
		.fix = "install OpenOCD 0.12 or later (Debian 12: 'sudo apt install openocd') and "
		       "point swdbackup at it with --openocd PATH",
		.source = "banner 'Open On-Chip Debugger %s' (src/openocd.c, OPENOCD_VERSION; same "
		          "in 0.9-0.12)",
	},
	{
		.id = DIAG_OPENOCD_TOO_OLD, .name = "too-old-config",
		.confidence = DIAG_CONF_HIGH, .priority = 96,
		.any = { "Can't find [^ ]*(interface|target|board)/[^ ]+\\.cfg" },
		.check = chk_too_old_config,
		.cause = "the OpenOCD that ran predates the config script it was asked to load "
		         "(e.g. interface/stlink.cfg and the newer STM32 target and board files came "
		         "with 0.11 and 0.12)",
		.fix = "install OpenOCD 0.12 or later (Debian 12: 'sudo apt install openocd'; on "
		       "Windows and macOS the xPack build) and point swdbackup at it with --openocd PATH",
		.source = "'Can't find %s' from proc find (src/helper/startup.tcl), read against "
		          "the release that added the script (src/diag/cfgrel.c, from the tcl/ tree of "
		          "the v0.9.0-v0.12.0 tags)",
	},
	{
		.id = DIAG_CONFIG_NOT_FOUND, .name = "config-not-found",
		.confidence = DIAG_CONF_HIGH, .priority = 90,
		.any = { "Can't find [^ ]+", "couldn't open script file", "can't open .*\\.cfg" },
		.cause = "OpenOCD could not find a config script it was told to load",
		.fix = "check the name (interface/stlink.cfg, interface/cmsis-dap.cfg, "
		       "interface/jlink.cfg, target/stm32f1x.cfg, target/stm32f2x.cfg, "
		       "target/stm32f4x.cfg; list them with 'ls /usr/share/openocd/scripts/interface'); "
		       "use --interface stlink|cmsis-dap|jlink; if the profile names the file, fix the "
		       "profile's target config; old ST-LINK files were interface/stlink-v2.cfg "
		       "(before 0.11)",
		.source = "'Can't find %s' from proc find (src/helper/startup.tcl, same in 0.9-0.12)",
	},
	{
		.id = DIAG_PORT_IN_USE, .name = "port-in-use",
		.confidence = DIAG_CONF_HIGH, .priority = 90,
		.any = { "couldn't bind [a-z]+ to socket.*(in use|EADDRINUSE)",
		         "couldn't bind to socket.*(in use|EADDRINUSE)" },
		.cause = "a TCP port OpenOCD wanted (TCL, telnet or GDB) is already taken by another "
		         "program, often another OpenOCD",
		.fix = "stop the other OpenOCD ('pgrep -a openocd'); swdbackup asks for free ports "
		       "itself (tcl_port 0, telnet/gdb disabled), so this comes from a config or "
		       "command that forces a fixed port: remove it",
		.source = "server_preinit/add_service 'couldn't bind %s to socket on port %d: %s' "
		          "(src/server/server.c, add_service; 0.11 the same; 0.10 'couldn't bind %s to "
		          "socket: %s'; 0.9 'couldn't bind to socket: %s')",
	},

	/* ---- probe ---- */
	{
		.id = DIAG_USB_PERMISSION, .name = "usb-permission",
		.confidence = DIAG_CONF_HIGH, .priority = 90,
		.any = { "LIBUSB_ERROR_ACCESS", "Access denied \\(insufficient permissions\\)",
		         "insufficient permissions", "Permission denied.*(/dev/bus/usb|/dev/hidraw|usb)" },
		.check = chk_open_access,
		.cause = "the probe is there but this user may not open it (no udev rule for it)",
		.fix = "install swdbackup's udev rules: 'sudo cp scripts/60-swdbackup.rules "
		       "/etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm "
		       "trigger', then unplug and replug the probe (or install the openocd package's "
		       "rules: /usr/lib/udev/rules.d/60-openocd.rules); do not run swdbackup as root",
		.source = "'libusb_open() failed with LIBUSB_ERROR_ACCESS' (src/jtag/drivers/"
		          "libusb_helper.c, jtag_libusb_open; 0.9-0.10 libusb1_common.c); CMSIS-DAP "
		          "'could not open device 0x%04x:0x%04x: Access denied (insufficient "
		          "permissions)' (cmsis_dap_usb_bulk.c, cmsis_dap_usb_open, 0.11+); J-Link "
		          "via libjaylink 'Failed to open device: LIBUSB_ERROR_ACCESS'",
	},
	{
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "usb-claim-held",
		.confidence = DIAG_CONF_HIGH, .priority = 88,
		.any = { "claim_interface\\(\\) failed with LIBUSB_ERROR_ACCESS" },
		.check = chk_claim_held,
		.cause = "the probe opened but another driver holds its debug interface: on macOS "
		         "Apple's (or FTDI's) serial driver claims both channels of an FT2232, on "
		         "Windows the vendor's own driver; libusb cannot take the interface from it",
		.fix = "macOS: unload the serial driver from the JTAG channel ('sudo kextunload -b "
		       "com.apple.driver.AppleUSBFTDI', or FTDI's com.FTDI.driver.FTDIUSBSerialDriver) "
		       "and replug; Windows: bind WinUSB to the probe's debug interface with Zadig; "
		       "then retry",
		.source = "'libusb_claim_interface() failed with %s' (src/jtag/drivers/"
		          "libusb1_common.c, jtag_libusb_open/claim, 0.9-0.10; libusb_helper.c "
		          "0.11+) after libusb_open succeeded",
	},
	{
		/* 0.9-0.10 found the CMSIS-DAP in the HID list and then could not open it. */
		.id = DIAG_USB_PERMISSION, .name = "usb-permission-cmsis-dap-hid",
		.confidence = DIAG_CONF_MEDIUM, .priority = 85,
		.any = { "unable to open CMSIS-DAP device 0x" },
		.check = chk_not_windows_log,
		.cause = "the CMSIS-DAP probe is there but this user may not open its HID device (no "
		         "udev rule for /dev/hidraw*), or another program holds it",
		.fix = "install swdbackup's udev rules: 'sudo cp scripts/60-swdbackup.rules "
		       "/etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm "
		       "trigger', then unplug and replug the probe; if it persists, close any other "
		       "program that uses the probe",
		.source = "'unable to open CMSIS-DAP device 0x%x:0x%x' after the HID enumeration "
		          "matched it (src/jtag/drivers/cmsis_dap_usb.c, cmsis_dap_usb_open, "
		          "0.9-0.10: hid_open failed); not found is 'unable to find CMSIS-DAP device'",
	},
	{
		.id = DIAG_PROBE_BUSY, .name = "probe-busy-cmsis-dap-hid-windows",
		.confidence = DIAG_CONF_MEDIUM, .priority = 85,
		.any = { "unable to open CMSIS-DAP device 0x" },
		.check = chk_windows_only,
		.cause = "the CMSIS-DAP probe is there but could not be opened: on Windows another "
		         "program (an IDE, pyOCD, another OpenOCD) holds its HID device",
		.fix = "close the other program that uses the probe and retry; with several probes "
		       "attached, name yours with --probe SERIAL",
		.source = "'unable to open CMSIS-DAP device 0x%x:0x%x' (src/jtag/drivers/"
		          "cmsis_dap_usb.c, cmsis_dap_usb_open, 0.9-0.10: hid_open failed)",
	},
	{
		.id = DIAG_PROBE_BUSY, .name = "probe-busy",
		.confidence = DIAG_CONF_HIGH, .priority = 85,
		.any = { "the selected device is already used", "LIBUSB_ERROR_BUSY", "Resource busy",
		         "could not claim interface", "unable to claim interface",
		         "maximum number of connections" },
		.yield_to = { DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 1,
		.cause = "another program holds the probe (another OpenOCD, STM32CubeProgrammer, "
		         "st-util, an IDE debug session)",
		.fix = "close the other program ('pgrep -a openocd; pgrep -a st-util'; quit "
		       "CubeProgrammer/IDE debug sessions) and retry; with several probes attached, "
		       "name yours with --probe SERIAL",
		.source = "'the selected device is already used' (src/jtag/drivers/stlink_usb.c, "
		          "stlink_tcp_open, 0.12); 'could not claim interface: %s' (cmsis_dap_usb_bulk.c, "
		          "cmsis_dap_usb_open, 0.11+); libusb LIBUSB_ERROR_BUSY; J-Link 'Registration "
		          "failed: maximum number of connections' (jlink.c, jlink_register)",
	},
	{
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "probe-driver-missing",
		.confidence = DIAG_CONF_HIGH, .priority = 85,
		.any = { "The specified debug interface was not found",
		         "LIBUSB_ERROR_NOT_SUPPORTED", "Operation not supported or unimplemented",
		         "mode \\(transport\\) not supported by device",
		         "Selected transport is not supported by the device",
		         "Device supports JTAG transport only", "J-Link driver does not support USB" },
		.check = chk_driver_failure_stands,
		.cause = "the probe cannot be driven: this OpenOCD was built without its driver, the "
		         "OS has the wrong USB driver bound to it, or its firmware cannot do SWD",
		.fix = "check 'openocd -c \"adapter list\"' (0.11+) lists the driver (Debian's "
		       "openocd has stlink, cmsis-dap, jlink); on Windows bind WinUSB with Zadig; "
		       "update the probe firmware (ST-LINK: STM32CubeProgrammer's firmware upgrade; "
		       "an ST-LINK in STM8/SWIM-only mode reports this too); pick the kind with "
		       "--interface stlink|cmsis-dap|jlink",
		.source = "'The specified debug interface was not found (%s)' (src/jtag/adapter.c, "
		          "handle_adapter_driver_command; 0.9-0.10 'interface' command); 'mode "
		          "(transport) not supported by device' (stlink_usb.c, stlink_usb_init_mode); "
		          "libusb LIBUSB_ERROR_NOT_SUPPORTED (libusb_helper.c, jtag_libusb_open)",
	},
	{
		/* libusb's Windows backend answers NOT_FOUND when the device has no WinUSB (or
		 * libusbK) driver bound; on Linux and macOS open() does not say that of a device
		 * it just listed. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "probe-driver-missing-windows",
		.confidence = DIAG_CONF_HIGH, .priority = 86,
		.all = { "(libusb_open\\(\\) failed with|Failed to open device:) LIBUSB_ERROR_NOT_FOUND",
		         "could not find or open device|unable to open ftdi device|no device found|"
		         "Cannot find jlink|open failed|unable to find a matching CMSIS-DAP device|"
		         "Failed to open or find the device|No J-Link device found" },
		.check = chk_windows_log,
		.cause = "Windows has no WinUSB driver bound to the probe, so libusb cannot open it "
		         "(the probe shows in Device Manager under its vendor's driver or none)",
		.fix = "bind WinUSB to the probe's debug interface with Zadig (or install the "
		       "vendor's WinUSB driver: ST-LINK STSW-LINK009, Espressif esp-win-usb-drivers), "
		       "replug it and retry",
		.source = "'libusb_open() failed with %s' (src/helper/libusb_helper.c, "
		          "jtag_libusb_open; 0.9-0.10 src/jtag/drivers/libusb1_common.c) and libjaylink's "
		          "'Failed to open device: %s.' (J-Link, 0.10+); libusb's windows_winusb.c "
		          "returns LIBUSB_ERROR_NOT_FOUND with no usable driver",
	},
	{
		/* OpenOCD took a non-CMSIS-DAP interface (class 10: CDC data, held by the kernel's
		 * serial driver) for the v2 bulk one; the claim then fails "busy" although no
		 * other program has the probe. The HID (v1) interface works. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "cmsis-dap-wrong-interface",
		.confidence = DIAG_CONF_HIGH, .priority = 87,
		.all = { "CMSIS-DAPv2 interface [0-9]+ with wrong class",
		         "could not claim interface|CMD_INFO failed|error (reading|writing) data" },
		.cause = "OpenOCD picked an interface of the probe that is not its CMSIS-DAP one (the "
		         "probe's firmware labels it badly); the operating system's serial driver "
		         "holds it, so it reads as busy",
		.fix = "use the probe's HID interface: add -c 'cmsis_dap_backend hid' (OpenOCD "
		       "0.11+), or update the probe's firmware so its CMSIS-DAPv2 interface is "
		       "labelled right",
		.source = "'Using CMSIS-DAPv2 interface %d with wrong class %d subclass %d or protocol "
		          "%d' (src/jtag/drivers/cmsis_dap_usb_bulk.c, cmsis_dap_usb_open, 0.11+)",
	},
	{
		/* The CMSIS-DAP firmware answered but lacks a command OpenOCD needs (0x1d
		 * DAP_SWD_Sequence for multidrop targets such as the RP2040), or does not answer
		 * the first one (CMD_INFO) at all: the probe's firmware, not the target. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "cmsis-dap-firmware",
		.confidence = DIAG_CONF_MEDIUM, .priority = 83,
		.any = { "CMSIS-DAP command 0x[0-9a-fA-F]+ not implemented",
		         "CMSIS-DAP command CMD_INFO failed" },
		.check = chk_cmsis_dap_firmware,
		.cause = "the probe's CMSIS-DAP firmware does not do what OpenOCD asks: it lacks a "
		         "command (e.g. SWD sequences for multidrop targets) or does not answer at all",
		.fix = "update the probe's firmware to a current CMSIS-DAP (v2.1 or later) release, or "
		       "go back to the firmware that worked; with a DAPLink/CMSIS-DAPv2 probe also try "
		       "-c 'cmsis_dap_backend hid'",
		.source = "'CMSIS-DAP command 0x%02x not implemented' and 'CMSIS-DAP command %s "
		          "failed.' (src/jtag/drivers/cmsis_dap.c, cmsis_dap_xfer / cmsis_dap_cmd_*)",
	},
	{
		/* The FTDI chip answered enumeration but its reset request failed: with the
		 * vendor's VCP or an old libusb0/libusbK driver bound (Windows), libusb can list the
		 * device and not drive it. Medium: a flaky hub gives the same line. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "ftdi-reset-failed",
		.confidence = DIAG_CONF_MEDIUM, .priority = 84,
		.all = { "failed to reset FTDI device: LIBUSB_ERROR_(IO|NOT_SUPPORTED|PIPE)",
		         "unable to open ftdi device" },
		.cause = "the FTDI probe enumerates but cannot be driven: the operating system has its "
		         "serial (VCP) or an old libusb driver bound to the JTAG channel",
		.fix = "on Windows bind WinUSB to the probe's interface 0 with Zadig (the Olimex and "
		       "Espressif manuals show it), replug it and retry; elsewhere try another port "
		       "or hub",
		.source = "'failed to reset FTDI device: %s' (src/jtag/drivers/mpsse.c, "
		          "open_matching_device / mpsse_open, 0.8+) and 'unable to open ftdi device "
		          "with vid %04x, pid %04x, ...' (mpsse_open)",
	},
	{
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "probe-firmware-no-swd",
		.confidence = DIAG_CONF_HIGH, .priority = 85,
		.check = chk_firmware_no_swd,
		.show = { "STLINK V[0-9]", "mode \\(transport\\) not supported" },
		.cause = "the probe's firmware cannot do SWD: an ST-LINK running STM8-only (SWIM) "
		         "firmware, or one OpenOCD reads as such",
		.fix = "reflash the ST-LINK with ST's firmware upgrade (STM32CubeProgrammer or "
		       "STSW-LINK007) choosing the STM32 (JTAG/SWD) firmware, then retry",
		.source = "the probe firmware swdbackup read; OpenOCD prints 'STLINK V%dJ%dM%d...' "
		          "and 'mode (transport) not supported by device' (src/jtag/drivers/"
		          "stlink_usb.c, stlink_usb_version / stlink_usb_init_mode)",
	},
	{
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found",
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.any = { "no ST-LINK detected", "unable to find (a matching )?CMSIS-DAP device",
		         "No J-Link device found", "No device matches the serial string",
		         "open failed \\((vid/pid|serial) mismatch\\)",
		         "cannot connect to stlink server", "Can't find USB JTAG Interface" },
		/* First cause over its cascade: a probe OpenOCD found and could not open is then
		 * reported as "unable to find a matching CMSIS-DAP device" by the next backend. */
		.none = { "unable to open CMSIS-DAP device 0x" },
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 3,
		.cause = CAUSE_NOT_FOUND,
		.fix = FIX_NOT_FOUND,
		.source = "'no ST-LINK detected' / 'ST-LINK open failed (serial mismatch)' "
		          "(src/jtag/drivers/stlink_usb.c, stlink_tcp_open, 0.12); 'unable to find a "
		          "matching CMSIS-DAP device' (cmsis_dap.c, cmsis_dap_open, 0.11+; 0.9-0.10 "
		          "'unable to find CMSIS-DAP device', cmsis_dap_usb.c); 'No J-Link "
		          "device found' (jlink.c, jlink_init; 0.10-0.11 with a final '.')",
	},
	{
		/* An FTDI probe OpenOCD could not find: unplugged, another VID/PID, or (Windows)
		 * plugged in with a driver libusb cannot see; permission shows its own line. */
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found-ftdi",
		.confidence = DIAG_CONF_MEDIUM, .priority = 78,
		.any = { "unable to open ftdi device: device not found", "^(Error: *)?no device found$" },
		.check = chk_not_windows_log,
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 3,
		.cause = CAUSE_NOT_FOUND,
		.fix = FIX_NOT_FOUND,
		.source = "'no device found' + 'unable to open ftdi device with vid %04x, pid %04x, "
		          "...' (src/jtag/drivers/mpsse.c, mpsse_open, 0.8+); 0.4-0.7 'unable to open "
		          "ftdi device: device not found' (ft2232.c, ft2232_init_libftdi)",
	},
	{
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "ftdi-not-found-windows",
		.confidence = DIAG_CONF_MEDIUM, .priority = 78,
		.any = { "unable to open ftdi device: device not found", "^(Error: *)?no device found$" },
		.check = chk_windows_only,
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY },
		.n_yield = 2,
		.cause = "on Windows an FTDI probe that is plugged in but 'not found' usually has "
		         "FTDI's own (VCP/D2XX) driver bound, which libusb cannot use",
		.fix = "bind WinUSB to the probe's JTAG interface (interface 0) with Zadig, replug it "
		       "and retry; if it is not in Device Manager at all, check the cable",
		.source = "'no device found' (src/jtag/drivers/mpsse.c, mpsse_open) on a Windows "
		          "log; libusb lists only devices with a WinUSB/libusbK/libusb0 driver",
	},
	{
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found-stlink-open",
		.confidence = DIAG_CONF_MEDIUM, .priority = 80,
		.any = { "^(Error: *)?open failed *$", "Error: open failed" },
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 3,
		.cause = "no ST-LINK could be opened: none is plugged in (most likely), or another "
		         "program holds it",
		.fix = FIX_NOT_FOUND,
		.source = "'open failed' (src/jtag/drivers/stlink_usb.c, stlink_usb_usb_open; "
		          "stlink_usb_open in 0.9-0.10): printed for 'no matching USB device' and for "
		          "a failed open or claim alike",
	},
	{
		.id = DIAG_PROBE_BUSY, .name = "probe-busy-stlink-open",
		.confidence = DIAG_CONF_LOW, .priority = 10,
		.any = { "^(Error: *)?open failed *$" },
		.cause = "the ST-LINK may be held by another program: OpenOCD prints the same 'open "
		         "failed' when it cannot claim the probe",
		.fix = "if the probe is plugged in, close other debuggers ('pgrep -a openocd; pgrep "
		       "-a st-util') and retry",
		.source = "stlink_usb.c, stlink_usb_usb_open: a failed libusb_claim_interface is "
		          "logged at debug level only",
	},
	{
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-lost",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.any = { "LIBUSB_ERROR_NO_DEVICE", "failed to send USB CMD",
		         "cannot get the stlink-server version" },
		.show = { "failed to receive USB CMD response" },
		.cause = "the probe stopped answering part way (unplugged, reset by a power dip, or "
		         "the stlink-server/simulator behind --probe stlink-tcp went away)",
		.fix = "check the USB cable and hub (use a short cable, a powered port); for "
		       "stlink-tcp make sure the server still runs; then retry",
		.source = "'failed to receive USB CMD response' / 'failed to send USB CMD' "
		          "(src/jtag/drivers/stlink_usb.c, stlink_tcp_send_cmd, 0.12); libusb "
		          "LIBUSB_ERROR_NO_DEVICE from jtag_libusb_bulk_read/write",
	},

	{
		/* One reply that stalled for more than a second; the link may have recovered. */
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-stalled",
		.confidence = DIAG_CONF_MEDIUM, .priority = 40,
		.any = { "failed to receive USB CMD response",
		         /* 0.9-0.10: the ST-LINK enumerates but no longer answers its first command */
		         "^(Error: *)?read version failed" },
		.cause = "the probe (or the stlink-server behind --probe stlink-tcp) stopped answering "
		         "for more than a second",
		.fix = "unplug the probe and plug it back in; check the USB cable and hub (short "
		       "cable, powered port); for stlink-tcp make sure the server still runs; then retry",
		.source = "'failed to receive USB CMD response' (src/jtag/drivers/stlink_usb.c, "
		          "stlink_tcp_recv / stlink_tcp_send_cmd, 0.11+); 'read version failed' "
		          "(stlink_usb.c, stlink_usb_version, 0.9-0.10)",
	},

	/* ---- power and the debug port ---- */
	{
		.id = DIAG_TARGET_UNPOWERED, .name = "unpowered-log",
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.any = { "target voltage may be too low", "Target voltage too low",
		         "Target voltage: [01]\\.", "VTarget = [01]\\.[0-9]+ V" },
		.check = chk_unpowered,
		.cause = CAUSE_UNPOWERED,
		.fix = FIX_UNPOWERED,
		.source = "'Target voltage: %f' + 'target voltage may be too low for reliable "
		          "debugging' (src/jtag/drivers/stlink_usb.c, stlink_usb_check_voltage / "
		          "stlink_usb_init_mode, same in 0.9-0.12, threshold 1.5 V); J-Link 'VTarget "
		          "= %u.%03u V' (jlink.c, jlink_init)",
	},
	{
		.id = DIAG_TARGET_UNPOWERED, .name = "unpowered-fact",
		.show = { "Target voltage", "VTarget", "init mode failed", "cannot read IDR" },
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.check = chk_unpowered_fact,
		.cause = CAUSE_UNPOWERED,
		.fix = FIX_UNPOWERED,
		.source = "the probe's target-voltage reading",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "swd-unreachable-log",
		.confidence = DIAG_CONF_HIGH, .priority = 60,
		.any = { "init mode failed \\(unable to connect to the target\\)",
		         "Error connecting DP: cannot read IDR",
		         "Could not initialize the debug port",
		         "JTAG scan chain interrogation failed",
		         "Failed to connect multidrop", "CMSIS-DAP command CMD_CONNECT failed",
		         /* Raspberry Pi's 0.10+dev fork logs the failed 'dap init' at Info */
		         "^Info *: DAP init failed" },
		.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_TARGET_LOW_POWER },
		.n_yield = 2,
		.cause = CAUSE_UNREACHABLE,
		.fix = FIX_UNREACHABLE,
		.source = "'init mode failed (unable to connect to the target)' (src/jtag/drivers/"
		          "stlink_usb.c, stlink_open; same in 0.9-0.12); 'Error connecting DP: cannot "
		          "read IDR' (src/target/adi_v5_swd.c, swd_connect_single; swd_connect in 0.11); 0.10 "
		          "CMSIS-DAP/J-Link: 'Could not initialize the debug port' (cortex_m.c, "
		          "cortex_m_examine); JTAG: 'JTAG scan chain interrogation failed: all ones' "
		          "(src/jtag/core.c, jtag_examine_chain)",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "swd-unreachable-silent-init",
		.confidence = DIAG_CONF_MEDIUM, .priority = 58,
		/* 0.11+: "STLINK V2J37S7 (API v2) ..."; 0.9-0.10: "STLINK v2 JTAG v27 API v2 ..." */
		.all = { "STLINK v[0-9]", "Target voltage: " },
		.none = { "^Error", "processor detected", "breakpoints, [0-9]+ watchpoints",
		          "starting gdb server", "device id = ", "flash size = ", "halted due to",
		          "UNEXPECTED" },
		.check = chk_silent_init,
		.yield_to = { DIAG_TARGET_UNPOWERED },
		.n_yield = 1,
		.cause = "OpenOCD opened the probe and then exited without printing a reason: the "
		         "target's debug port did not give its IDCODE, so SWD is not reachable "
		         "(wiring, firmware that disables SWD, a sleeping or held core)",
		.fix = FIX_UNREACHABLE,
		.source = "ST-LINK READ_IDCODES failing in init (src/jtag/drivers/stlink_usb.c, "
		          "stlink_usb_idcode, called from hl_interface_init_target in src/jtag/hla/"
		          "hla_interface.c): 0.12 returns the error without a message at the default "
		          "debug level and OpenOCD exits 1",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "swd-unreachable-attempts",
		.show = { "init mode failed", "cannot read IDR", "Could not initialize the debug port" },
		.confidence = DIAG_CONF_HIGH, .priority = 60,
		.check = chk_unreachable_attempts,
		.yield_to = { DIAG_TARGET_UNPOWERED },
		.n_yield = 1,
		.cause = CAUSE_UNREACHABLE,
		.fix = FIX_UNREACHABLE,
		.source = "the connection attempts swdbackup made",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "rescued-under-reset",
		.show = { "init mode failed", "cannot read IDR", "Could not initialize the debug port" },
		.confidence = DIAG_CONF_HIGH, .priority = 70,
		.check = chk_rescued_under_reset,
		.cause = "the target answered only while held in reset: its firmware turns the SWD "
		         "pins into GPIO (or stops the debug clock) as soon as it runs",
		.fix = "use --connect-under-reset next time (NRST must be wired to the probe); to "
		       "make the board connectable normally, have the firmware keep PA13/PA14 in "
		       "their SWD function, or replace it: 'swdbackup rescue --profile P --erase' "
		       "(after a safety bundle) or 'swdbackup restore' of a firmware that does",
		.source = "the connection attempts swdbackup made (normal failed, under reset worked)",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "rescued-under-reset-silent",
		.confidence = DIAG_CONF_MEDIUM, .priority = 69,
		.check = chk_rescued_silent,
		.cause = "the target answered only while held in reset: its firmware turns the SWD "
		         "pins into GPIO (or stops the debug clock) as soon as it runs",
		.fix = "use --connect-under-reset next time (NRST must be wired to the probe)",
		.source = "the connection attempts swdbackup made: a normal start ended with OpenOCD "
		          "exiting during init without an error message (the DP IDCODE read failed), "
		          "and connecting under reset worked",
	},
	{
		.id = DIAG_TARGET_LOW_POWER, .name = "rescued-low-power",
		.show = { "timed out while waiting for target halted", "Not halted" },
		.confidence = DIAG_CONF_HIGH, .priority = 70,
		.check = chk_rescued_low_power,
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "the connection attempts swdbackup made (halt timed out, under reset worked)",
	},
	{
		.id = DIAG_TARGET_LOW_POWER, .name = "low-power-log",
		.confidence = DIAG_CONF_HIGH, .priority = 55,
		.all = { "timed out while waiting for target halted|- Not halted",
		         /* the `targets` table row, or a state line, saying the core runs */
		         "(target (state: )?running|is running|was running|"
		         "^ *[0-9]+\\* +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +running *$)" },
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "'timed out while waiting for target %s' (src/target/target.c, "
		          "target_wait_state; same in 0.9-0.12) after the log showed the core running",
	},
	{
		/* The STM32 low-power lines (L0/L1/L4/L5/U5/WL) are built to sleep in stop mode
		 * between events; a halt that times out on one is the sleeping core, and a
		 * truncated paste may keep only "timed out while wait". */
		.id = DIAG_TARGET_LOW_POWER, .name = "low-power-part",
		.confidence = DIAG_CONF_HIGH, .priority = 56,
		.all = { "timed out while wait|Halt timed out, wake up GDB|- Not halted",
		         "stm32(l[0-9]|u5|wl)[a-z0-9]*\\.(cpu|m4|m0)" },
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "'timed out while waiting for target %s' (src/target/target.c, "
		          "target_wait_state) and 'Halt timed out, wake up GDB.' (src/server/"
		          "gdb_server.c, gdb_new_connection) on a target of a low-power family",
	},
	{
		.id = DIAG_TARGET_LOW_POWER, .name = "low-power-guess",
		.show = { "Not halted" },
		.confidence = DIAG_CONF_LOW, .priority = 20,
		.any = { "timed out while waiting for target halted" },
		.check = chk_low_power_guess,
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "src/target/target.c, target_wait_state",
	},
	{
		.id = DIAG_CORE_HALT_TIMEOUT, .name = "halt-timeout-log",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.any = { "timed out while waiting for target halted", "TARGET: .* - Not halted",
		         "Halt timed out, wake up GDB", "^Error: timed out while wait",
		         "TARGET: [^ ]+ - Not halted", "Target not examined, will not halt" },
		.check = chk_halt_not_cascade,
		.yield_to = { DIAG_TARGET_LOW_POWER, DIAG_READOUT_PROTECTED },
		.n_yield = 2,
		.cause = CAUSE_HALT,
		.fix = FIX_HALT,
		.source = "'timed out while waiting for target halted' (src/target/target.c, "
		          "target_wait_state; same wording 0.9-0.12) and 'TARGET: %s - Not halted' "
		          "(src/target/startup.tcl, ocd_process_reset_inner; same wording 0.9-0.12)",
	},
	{
		.id = DIAG_CORE_HALT_TIMEOUT, .name = "halt-timeout-attempts",
		.show = { "timed out while waiting for target halted", "Not halted" },
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.check = chk_halt_attempts,
		.yield_to = { DIAG_TARGET_LOW_POWER },
		.n_yield = 1,
		.cause = CAUSE_HALT,
		.fix = FIX_HALT,
		.source = "the connection attempts swdbackup made",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-hard",
		.confidence = DIAG_CONF_HIGH, .priority = 45,
		.any = { "jtag status contains invalid mode value - communication failure",
		         "SWD ack not OK", "STICKY ERROR", "Invalid ACK",
		         "DP initialisation failed", "SWD_AP_(FAULT|ERROR|PARITY)",
		         "transfer count mismatch" },
		.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_SWD_UNREACHABLE, DIAG_READOUT_PROTECTED,
		              DIAG_PROBE_NOT_FOUND, DIAG_WRONG_TARGET_CONFIG, DIAG_CLONE_IDCODE },
		.n_yield = 6,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'jtag status contains invalid mode value - communication failure' "
		          "(src/target/hla_target.c, adapter_poll; same in 0.9-0.12); 'JTAG-DP STICKY "
		          "ERROR' (adi_v5_jtag.c); 'SWD ack not OK' (adi_v5_swd.c / cmsis_dap.c)",
	},
	{
		/* One WAIT is the core being busy; a run of them, or a Cortex-M read back with no
		 * breakpoint unit at all (every M0-M7 has at least two), is a link that
		 * returns stalls and zeros. */
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-stalls",
		.confidence = DIAG_CONF_MEDIUM, .priority = 42,
		.show = { "DAP transaction stalled \\(WAIT\\)", "hardware has 0 breakpoints" },
		.check = chk_stalls,
		.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_SWD_UNREACHABLE, DIAG_READOUT_PROTECTED,
		              DIAG_PROBE_NOT_FOUND, DIAG_WRONG_TARGET_CONFIG, DIAG_CLONE_IDCODE },
		.n_yield = 6,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'DAP transaction stalled (WAIT) - slowing down' (src/target/"
		          "adi_v5_jtag.c, jtagdp_transaction_endcheck; 0.10-0.12) and '%s: hardware "
		          "has %d breakpoints, %d watchpoints' (src/target/cortex_m.c, "
		          "cortex_m_examine)",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-soft",
		.confidence = DIAG_CONF_MEDIUM, .priority = 40,
		.any = { "Previous state query failed", "examination failed",
		         "Polling target .* failed", "libusb_bulk_(write|read) error",
		         "LIBUSB_ERROR_(PIPE|IO|TIMEOUT|OVERFLOW)", "Failed to read memory at 0x[eE]",
		         "Cortex-M PARTNO 0x0 is unrecognized", "TARGET: [^ ]+ - Not examined" },
		.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_SWD_UNREACHABLE, DIAG_READOUT_PROTECTED,
		              DIAG_PROBE_NOT_FOUND, DIAG_WRONG_TARGET_CONFIG, DIAG_CLONE_IDCODE },
		.n_yield = 6,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'Previous state query failed, trying to reconnect' (src/jtag/drivers/"
		          "stlink_usb.c, stlink_usb_state); 'target %s examination failed' "
		          "(src/target/target.c, target_examine); 'Polling target %s failed, trying "
		          "to reexamine' (target.c, handle_target); libusb_helper.c bulk errors",
	},
	{
		/* Readout protection guards flash, never the peripheral registers: a failed read
		 * of one (0x4000_0000-0x5fff_ffff, or a flash controller's status) is the link or
		 * the bus, on any vendor's part. */
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-register-reads",
		.confidence = DIAG_CONF_MEDIUM, .priority = 38,
		.any = { "Failed to read memory at 0x[45][0-9a-f]{7}", "read_memory: read at "
		         "0x[45][0-9a-f]{7} .*failed", "Can't read NVM (status|intflag)" },
		.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_SWD_UNREACHABLE, DIAG_VENDOR_PROTECTED,
		              DIAG_PROBE_NOT_FOUND, DIAG_WRONG_TARGET_CONFIG, DIAG_UNSUPPORTED_DEVICE },
		.n_yield = 6,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'Failed to read memory at 0x%8.8x' (src/target/target.c, target_read_"
		          "memory callers, 0.11+); 'Can't read NVM status' (src/flash/nor/at91samd.c, "
		          "samd_check_error): a peripheral register read, which no flash protection "
		          "refuses",
	},
	{
		/* Flash reads that fail look the same whether RDP or a bad link refused them;
		 * without the option bytes the link stays a (lesser) reading. */
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-read-errors",
		.confidence = DIAG_CONF_LOW, .priority = 30,
		.any = { "error reading to flash at address", "^(Error: *)?Read error",
		         "Flash read error" },
		.check = chk_comm_from_reads,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'error reading to flash at address %s at offset 0x%8.8x' (src/flash/nor/"
		          "core.c, flash_driver_read): any failed read, a protected chip's or a noisy "
		          "link's",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "rescued-lower-speed",
		.confidence = DIAG_CONF_HIGH, .priority = 65,
		.check = chk_rescued_speed,
		.cause = "the SWD link works only at a lower clock (long or loose wires, missing "
		         "ground, a slow or noisy target)",
		.fix = "use the --speed that worked next time (shown above), or shorten the wires "
		       "and connect GND to run faster",
		.source = "the connection attempts swdbackup made",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-attempts",
		.confidence = DIAG_CONF_MEDIUM, .priority = 40,
		.check = chk_comm_attempts,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "the connection attempts swdbackup made",
	},

	/* ---- identity ---- */
	{
		.id = DIAG_CLONE_IDCODE, .name = "clone-idcode-unconfirmed",
		.show = { "UNEXPECTED idcode", "expected [0-9]+ of [0-9]+", "SWD DPIDR", "SWD IDCODE" },
		.confidence = DIAG_CONF_HIGH, .priority = 75,
		.check = chk_clone_unconfirmed,
		.cause = CAUSE_CLONE "; a genuine STM32F2/F4 under an F1 profile or config prints the "
		         "same line, so check the part marking (the dev id, read by 'swdbackup info', "
		         "settles it)",
		.fix = FIX_CLONE,
		.source = "'UNEXPECTED idcode: 0x%08x' + 'expected %u of %u: 0x%08x' "
		          "(src/jtag/hla/hla_interface.c, hl_interface_init_target; 0.9-0.10 same "
		          "text); CMSIS-DAP/J-Link show it as 'SWD DPIDR 0x2ba01477' (adi_v5_swd.c)",
	},
	{
		.id = DIAG_CLONE_IDCODE, .name = "clone-idcode",
		.show = { "UNEXPECTED idcode", "expected [0-9]+ of [0-9]+", "SWD DPIDR", "SWD IDCODE" },
		.confidence = DIAG_CONF_HIGH, .priority = 75,
		.check = chk_clone,
		.cause = CAUSE_CLONE,
		.fix = FIX_CLONE,
		.source = "'UNEXPECTED idcode: 0x%08x' + 'expected %u of %u: 0x%08x' "
		          "(src/jtag/hla/hla_interface.c, hl_interface_init_target; 0.9-0.10 same "
		          "text); CMSIS-DAP/J-Link show it as 'SWD DPIDR 0x2ba01477' (adi_v5_swd.c)",
	},
	{
		.id = DIAG_WRONG_TARGET_CONFIG, .name = "wrong-idcode",
		.show = { "UNEXPECTED", "expected [0-9]+ of [0-9]+", "SWD DPIDR", "tap/device found" },
		.confidence = DIAG_CONF_HIGH, .priority = 70,
		.check = chk_wrong_idcode,
		.yield_to = { DIAG_CLONE_IDCODE },
		.n_yield = 1,
		.cause = CAUSE_WRONG,
		.fix = FIX_WRONG,
		.source = "'UNEXPECTED idcode: 0x%08x' (src/jtag/hla/hla_interface.c, "
		          "hl_interface_init_target); JTAG 'UNEXPECTED: ... tap/device found' "
		          "(src/jtag/core.c, jtag_examine_chain_match_tap)",
	},
	{
		.id = DIAG_WRONG_TARGET_CONFIG, .name = "wrong-dev-id",
		.show = { "device id = ", "Cannot identify target" },
		.confidence = DIAG_CONF_HIGH, .priority = 72,
		.check = chk_wrong_dev,
		.cause = CAUSE_WRONG,
		.fix = FIX_WRONG,
		.source = "'device id = 0x%08x' (src/flash/nor/stm32f1x.c and stm32f2x.c, "
		          "stm32x_probe; same in 0.9-0.12)",
	},
	{
		.id = DIAG_COUNTERFEIT_MCU, .name = "counterfeit",
		.show = { "device id = ", "processor detected", "UNEXPECTED idcode" },
		.confidence = DIAG_CONF_HIGH, .priority = 74,
		.check = chk_counterfeit,
		.cause = CAUSE_COUNTERFEIT,
		.fix = FIX_COUNTERFEIT,
		.source = "'device id = 0x%08x' (stm32x_probe) against '%s r%dp%d processor "
		          "detected' (src/target/cortex_m.c, cortex_m_examine; debug level before 0.11)",
	},
	{
		.id = DIAG_UNSUPPORTED_DEVICE, .name = "unsupported-log",
		.confidence = DIAG_CONF_HIGH, .priority = 60,
		.any = { "Cannot identify target as a STM32", "Cannot identify target as a stm32x",
		         "Cortex-M PARTNO 0x[1-9a-f][0-9a-f]* is unrecognized" },
		.yield_to = { DIAG_WRONG_TARGET_CONFIG, DIAG_COUNTERFEIT_MCU },
		.n_yield = 2,
		.cause = CAUSE_UNSUPPORTED,
		.fix = FIX_UNSUPPORTED,
		.source = "'Cannot identify target as a STM32 family.' (src/flash/nor/stm32f1x.c and "
		          "stm32f2x.c, stm32x_probe; same in 0.9-0.12; 0.9-0.10 also 'Cannot identify "
		          "target as a stm32x')",
	},
	{
		.id = DIAG_UNSUPPORTED_DEVICE, .name = "unsupported-dev-fact",
		.show = { "device id = ", "Cannot identify target" },
		.confidence = DIAG_CONF_MEDIUM, .priority = 55,
		.check = chk_unknown_dev_fact,
		.yield_to = { DIAG_COUNTERFEIT_MCU },
		.n_yield = 1,
		.cause = CAUSE_UNSUPPORTED,
		.fix = FIX_UNSUPPORTED,
		.source = "the DBGMCU_IDCODE swdbackup read",
	},
	{
		.id = DIAG_FLASH_SIZE_MISMATCH, .name = "flash-size-fact",
		.show = { "flash size = [0-9]+ ?(KiB|kbytes)", "flash size failed" },
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.check = chk_flash_size,
		.cause = CAUSE_FLASH_SIZE,
		.fix = FIX_FLASH_SIZE,
		.source = "'flash size = %d KiB' (src/flash/nor/stm32f1x.c / stm32f2x.c, "
		          "stm32x_probe; 0.9-0.11 'flash size = %dkbytes')",
	},
	{
		.id = DIAG_FLASH_SIZE_MISMATCH, .name = "flash-size-failed",
		.show = { "device id = " },
		.confidence = DIAG_CONF_MEDIUM, .priority = 50,
		.any = { "flash size failed, probe inaccurate" },
		.check = chk_flash_size_failed,
		/* A register read lost to a bad link is a symptom, not the cause. */
		.yield_to = { DIAG_SWD_COMM_ERRORS },
		.n_yield = 1,
		.cause = CAUSE_FLASH_SIZE,
		.fix = FIX_FLASH_SIZE,
		.source = "'STM32 flash size failed, probe inaccurate - assuming %dk flash' "
		          "(src/flash/nor/stm32f1x.c and stm32f2x.c, stm32x_probe; same in 0.9-0.12)",
	},

	/* ---- protection ---- */
	{
		.id = DIAG_VENDOR_PROTECTED, .name = "vendor-nrf-ap-lock",
		.confidence = DIAG_CONF_HIGH, .priority = 92,
		.any = { "AP lock engaged", "Access protection is enabled",
		         "APPROTECT (is )?(enabled|engaged|set)" },
		.check = chk_vendor_protected,
		.cause = CAUSE_VENDOR,
		.fix = FIX_VENDOR,
		.source = "'nRF52 device has AP lock engaged (see UICR APPROTECT register).' (tcl/"
		          "target/nrf52.cfg, nrf52_check_ap_lock on examine-fail, 0.11+; not the "
		          "'Do not enable UICR APPROTECT.' notice every HLA session prints)",
	},
	{
		.id = DIAG_VENDOR_PROTECTED, .name = "vendor-nrf-sector-protected",
		.confidence = DIAG_CONF_HIGH, .priority = 92,
		.any = { "Cannot erase protected sector", "Write refused, sector [0-9]+ is protected",
		         "Flash sector [0-9]+ is protected" },
		.check = chk_vendor_protected,
		.cause = CAUSE_VENDOR,
		.fix = FIX_VENDOR,
		.source = "'Cannot erase protected sector at 0x%x' (src/flash/nor/nrf5.c, 0.9-0.10 "
		          "nrf51.c); 'Write refused, sector %d is protected' and 'Flash sector %d is "
		          "protected' (nrf5.c, 0.11+)",
	},
	{
		.id = DIAG_VENDOR_PROTECTED, .name = "vendor-sam-nvm-lock",
		.confidence = DIAG_CONF_HIGH, .priority = 92,
		.any = { "SAMD?: NVM lock error", "SAM4: Lock Region [0-9]+ is locked",
		         "SAM4: Page @ .* is locked", "^(Error: *)?Page is locked" },
		.check = chk_vendor_protected,
		.cause = CAUSE_VENDOR,
		.fix = FIX_VENDOR,
		.source = "'SAMD: NVM lock error' (src/flash/nor/at91samd.c, samd_check_error, "
		          "0.9-0.12); 'SAM: NVM lock error' (atsame5.c, 0.11+); 'SAM4: Lock Region "
		          "%u is locked' (at91sam4.c); 'Page is locked' (efm32.c)",
	},
	{
		.id = DIAG_VENDOR_PROTECTED, .name = "vendor-kinetis-secured",
		.confidence = DIAG_CONF_HIGH, .priority = 92,
		.any = { "Kinetis MCU is in secured state", "Secured MCU state detected",
		         "Mass erase of a secured MCU", "Flash operation failed, protection violated",
		         "MDM: mass erase is disabled" },
		.check = chk_vendor_protected,
		.cause = CAUSE_VENDOR,
		.fix = FIX_VENDOR,
		.source = "'**** Your Kinetis MCU is in secured state, which means that, ****' "
		          "(src/flash/nor/kinetis.c, kinetis_check_flash_security_status, 0.10+); "
		          "'Flash operation failed, protection violated' (kinetis_ftfx_command)",
	},
	{
		.id = DIAG_READOUT_PROTECTED, .name = "rdp-option-bytes",
		.show = { "read protection: on", "Readout Protection On", "Device Security Bit Set",
		          "error reading to flash", "Read error", "device protected" },
		.confidence = DIAG_CONF_HIGH, .priority = 90,
		.check = chk_rdp_known,
		.cause = CAUSE_RDP,
		.fix = FIX_RDP,
		.source = "the option bytes: F1 'read protection: on' (src/flash/nor/stm32f1x.c, "
		          "stm32x_handle_options_read_command, 0.11+; 0.9-0.10 'Readout Protection On'); "
		          "'Device Security Bit Set' (stm32f2x.c stm32x_read_options; stm32f1x.c in "
		          "0.9-0.10)",
	},
	{
		.id = DIAG_READOUT_PROTECTED, .name = "rdp-option-lines",
		.confidence = DIAG_CONF_HIGH, .priority = 90,
		.any = { "read protection: on", "Readout Protection On", "Device Security Bit Set" },
		.check = chk_rdp_known,
		.cause = CAUSE_RDP,
		.fix = FIX_RDP,
		.source = "F1 'read protection: on' (src/flash/nor/stm32f1x.c, "
		          "stm32x_handle_options_read_command, 0.11+; 0.9-0.10 'Readout Protection On'); "
		          "'Device Security Bit Set' (stm32f2x.c, stm32x_read_options; stm32f1x.c in "
		          "0.9-0.10)",
	},
	{
		.id = DIAG_READOUT_PROTECTED, .name = "rdp-read-errors",
		.confidence = DIAG_CONF_MEDIUM, .priority = 70,
		.any = { "error reading to flash at address", "^(Error: *)?Read error",
		         "Flash read error", "read_memory: read at 0x0?8[0-9a-f]+ .*failed",
		         "Failed to read memory at 0x0?8[0-9a-f]{6}",
		         /* F1 silicon also faults debugger reads of the option-byte area under
		          * RDP (RM0008), where the option bytes themselves are read. */
		         "read_memory: read at 0x1ffff8[0-9a-f]{2} .*failed" },
		.check = chk_rdp_from_reads,
		.cause = CAUSE_RDP,
		.fix = FIX_RDP,
		.source = "'error reading to flash at address %s at offset 0x%8.8x' (src/flash/nor/"
		          "core.c, flash_driver_read) + 'Read error' (src/flash/nor/tcl.c, "
		          "handle_flash_read_bank_command); 'read_memory: read at ... failed' "
		          "(target.c, 0.11+)",
	},
	{
		.id = DIAG_READOUT_PROTECTED, .name = "rdp-write-errors",
		.confidence = DIAG_CONF_LOW, .priority = 70,
		.any = { "stm32x device protected", "flash memory write protected",
		         "failed erasing sectors", "stm32x failed to erase options" },
		.check = chk_rdp_from_writes,
		.cause = CAUSE_RDP,
		.fix = FIX_RDP,
		.source = "'stm32x device protected' (src/flash/nor/stm32f1x.c and stm32f2x.c, "
		          "stm32x_wait_status_busy; same in 0.9-0.12) set by WRPRTERR/WRPERR, which "
		          "both RDP and WRP raise",
	},
	{
		.id = DIAG_WRITE_PROTECTED, .name = "wrp-option-bytes",
		.show = { "write protection register", "device protected", "failed erasing sectors",
		          "write protected" },
		.confidence = DIAG_CONF_HIGH, .priority = 60,
		.check = chk_wrp_known,
		.yield_to = { DIAG_READOUT_PROTECTED },
		.n_yield = 1,
		.cause = CAUSE_WRP,
		.fix = FIX_WRP,
		.source = "the option bytes (F1 WRPR 'write protection register = 0x%x', "
		          "src/flash/nor/stm32f1x.c, stm32x_handle_options_read_command; F2/F4 "
		          "OPTCR nWRP)",
	},
	{
		.id = DIAG_WRITE_PROTECTED, .name = "wrp-write-errors",
		.confidence = DIAG_CONF_MEDIUM, .priority = 60,
		.any = { "stm32x device protected", "flash memory write protected",
		         "failed erasing sectors" },
		.check = chk_wrp_from_writes,
		.yield_to = { DIAG_READOUT_PROTECTED },
		.n_yield = 1,
		.cause = CAUSE_WRP,
		.fix = FIX_WRP,
		.source = "'stm32x device protected' (src/flash/nor/stm32f1x.c and stm32f2x.c, "
		          "stm32x_wait_status_busy) + 'failed erasing sectors %d to %d' (src/flash/nor/"
		          "core.c, flash_driver_erase); F4 loader 'flash memory write protected' "
		          "(stm32f2x.c, stm32x_write_block); same wording 0.9-0.12",
	},

	/* ---- verify ---- */
	{
		.id = DIAG_VERIFY_MISMATCH, .name = "verify-mismatch-log",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.any = { "contents differ", "diff [0-9]+ address 0x", "Verification error address",
		         "verify failed" },
		.yield_to = { DIAG_READOUT_PROTECTED },
		.n_yield = 1,
		.cause = "what is on the device differs from the image",
		.fix = "if you just wrote it, write it again ('swdbackup restore --profile P IMAGE'); "
		       "'swdbackup verify' shows the first differing address and how many "
		       "pages/sectors differ; a mismatch only past the image's end is padding, not "
		       "an error",
		.source = "'contents differ' (src/flash/nor/tcl.c, handle_flash_verify_bank_command, "
		          "0.10+); 'diff %d address 0x%08x. Was 0x%02x instead of 0x%02x' "
		          "(src/target/target.c, handle_verify_image_command_internal; same in "
		          "0.9-0.12); 'Verification error address' (src/flash/nor/tcl.c, "
		          "handle_flash_fill_command); 'verify failed in bank at' (src/flash/nor/"
		          "core.c, flash_driver_verify, 0.11+)",
	},
	{
		.id = DIAG_VERIFY_MISMATCH, .name = "verify-checksum-log",
		.confidence = DIAG_CONF_MEDIUM, .priority = 50,
		.any = { "checksum mismatch" },
		.none = { "^verified [0-9]+ bytes" },
		.yield_to = { DIAG_READOUT_PROTECTED },
		.n_yield = 1,
		.cause = "the CRC of the device's content differs from the image's",
		.fix = "run 'swdbackup verify --profile P IMAGE' to see where it differs; write "
		       "the image again if it should match",
		.source = "'checksum mismatch' (src/target/target.c, "
		          "handle_verify_image_command_internal; same in 0.9-0.12; followed by a "
		          "binary compare that may still pass)",
	},
	{
		.id = DIAG_VERIFY_MISMATCH, .name = "verify-mismatch-fact",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.check = chk_verify_differ,
		.cause = "what is on the device differs from the image",
		.fix = "write it again ('swdbackup restore --profile P IMAGE'); if it keeps "
		       "differing at the same place, that page/sector may be worn or write-protected "
		       "('swdbackup info' shows WRP)",
		.source = "swdbackup's own digest comparison",
	},
	{
		.id = DIAG_VERIFY_PADDING_ONLY, .name = "verify-padding-fact",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.check = chk_verify_padding,
		.cause = "the device holds exactly the image and the rest of the flash is erased "
		         "(0xFF): the image is shorter than the flash, nothing is wrong",
		.fix = "nothing to do; to compare whole flash images, pad the image with 0xFF to "
		       "the flash size",
		.source = "swdbackup's own digest comparison",
	},
};

const size_t diag_n_rules = sizeof(diag_rules) / sizeof(diag_rules[0]);

bool diag_id_is_retryable(enum diag_id id)
{
	switch (id) {
	case DIAG_SWD_UNREACHABLE:
	case DIAG_TARGET_LOW_POWER:
	case DIAG_SWD_COMM_ERRORS:
	case DIAG_CORE_HALT_TIMEOUT:
	case DIAG_UNKNOWN:
		return true;
	default:
		return false;
	}
}
