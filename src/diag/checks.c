/* diag: the checks the rule table calls. Each looks at the facts a caller gave (option
 * bytes, identity, connection attempts) and at the log, and returns the confidence its rule
 * deserves (0: the rule does not apply), writing what it saw into the context's detail.
 * Those that read the log against the OpenOCD release are in release.c, the host-side ones
 * in host.c; what each STM32 dev id is, and which driver of which release knows it, in
 * stm32ids.c.
 *
 * Readout protection is told from write protection by the option bytes, never by a write
 * error alone (see rules.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/image.h"
#include "diag/checks.h"
#include "ocd/ocdlog.h"

/* --- helpers for the checks -------------------------------------------------------- */

bool chk_log_has(const struct diag_ctx *c, const char *needle)
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

/* A non-STM32 part named in the log (its target or flash driver): its protection and its
 * flash errors are its own, never STM32 RDP/WRP. Returns the name seen, NULL for none. */
static const char *vendor_part(const struct diag_ctx *c)
{
	static const char *const parts[] = {
		"nrf51", "nrf52", "nrf53", "nrf54", "nrf91", "nrf5 ", "at91sam", "atsam", "SAMD:",
		"SAM:", "SAM4:", "kinetis", "klx.cpu", "kx.cpu", "MDM:", "lpc1", "lpc2", "lpc4",
		"lpc5", "lpc8", "efm32", "esp32", "rp2040", "rp2350", "max32", "cc26", "cc13", "psoc",
		"imxrt", "tm4c", "msp432", "riscv", "xtensa",
		/* the forks' drivers for STM32-like parts (rules_fork.inc) */
		"gd32vf103", "ch32v", "ch32x", "wch_riscv", "at32f4",
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (chk_log_has(c, parts[i]))
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

/* The connect failures swd-unreachable-log reads (rules.c): nothing answered. */
static const char *const unreachable_marks[] = {
	"init mode failed", "cannot read IDR", "Could not initialize the debug port",
	"scan chain interrogation failed", "JTAG communication failure", "connect multidrop",
	"select multidrop", "CMD_CONNECT failed", "DAP init failed", "cannot find a good delay",
};

bool chk_unreachable_line(const char *l)
{
	for (size_t k = 0; k < sizeof(unreachable_marks) / sizeof(unreachable_marks[0]); k++)
		if (strcasestr(l, unreachable_marks[k]))
			return true;
	return false;
}

/* An attempt the evidence records, or the log, says the connect failed. */
static bool connect_failed(const struct diag_ctx *c)
{
	if (attempts_all_failed(c->ev))
		return true;
	for (size_t k = 0; k < sizeof(unreachable_marks) / sizeof(unreachable_marks[0]); k++)
		if (chk_log_has(c, unreachable_marks[k]))
			return true;
	return false;
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

/* The STM32F1 part a log names its target after ("STM32F103C8Tx.cpu", "stm32f103rb"), copied
 * to NAME, with the dev id and flash size that part has (RM0008 §31.6.1 and the datasheets'
 * ordering codes: the letter after the pin count is the flash size). Returns false when the
 * log names none. */
static bool log_f1_part(const struct diag_ctx *c, char *name, size_t size, uint32_t *dev,
                        uint32_t *kib)
{
	static const struct {
		char code;
		uint32_t kib;
	} sizes[] = { { '4', 16 }, { '6', 32 }, { '8', 64 }, { 'b', 128 }, { 'c', 256 },
		      { 'd', 384 }, { 'e', 512 }, { 'f', 768 }, { 'g', 1024 } };
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strcasestr(c->ev->log_lines[i], "stm32f10");
		if (!p || !isdigit((unsigned char)p[8]) || !isalpha((unsigned char)p[9]))
			continue;
		char line = p[8], code = (char)tolower((unsigned char)p[10]);
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			if (sizes[k].code != code)
				continue;
			*kib = sizes[k].kib;
			if (line == '5' || line == '7')
				*dev = 0x418; /* connectivity line */
			else if (line == '0')
				*dev = *kib <= 128 ? 0x420 : 0x428; /* value line */
			else
				*dev = *kib <= 32 ? 0x412 : *kib <= 128 ? 0x410 : *kib <= 512 ? 0x414 : 0x430;
			snprintf(name, size, "STM32F10%c%c%c", line, toupper((unsigned char)p[9]),
			         toupper((unsigned char)code));
			return true;
		}
	}
	return false;
}

/* --- checks ------------------------------------------------------------------------- */

static bool voltage_line(const char *l)
{
	double v;
	return ocdlog_voltage(l, &v);
}

int chk_unpowered(struct diag_ctx *c)
{
	if (c->voltage >= 1.5)
		return 0; /* a voltage line for another reason, or the caller measured it fine */
	/* a reading the target refuted by answering is no finding: the failure is elsewhere */
	if (c->ev->target_voltage < 0.0 && chk_answered_after(c, voltage_line))
		return 0;
	if (c->voltage >= 0.0)
		snprintf(c->detail, sizeof(c->detail), "target voltage %.2f V (needs 1.65 V or more)",
		         c->voltage);
	/* OpenOCD's own verdict ("target voltage may be too low", "Vref too low") is decisive;
	 * a low reading alone is, once the connection it explains failed. */
	return connect_failed(c) || chk_log_has(c, "too low") ? DIAG_CONF_HIGH : DIAG_CONF_MEDIUM;
}

int chk_unpowered_fact(struct diag_ctx *c)
{
	if (c->ev->target_voltage < 0.0 || c->ev->target_voltage >= 1.5)
		return 0;
	return chk_unpowered(c);
}

int chk_rescued_under_reset(struct diag_ctx *c)
{
	const struct diag_attempt *failed = NULL, *ok = rescue_pair(c->ev, &failed);
	if (!ok || !ok->under_reset || failed->under_reset ||
	    failed->outcome == DIAG_OUT_HALT_TIMEOUT)
		return 0;
	diag_rescue_note(c->ev, c->detail, sizeof(c->detail));
	return DIAG_CONF_HIGH;
}

int chk_rescued_silent(struct diag_ctx *c)
{
	if (!c->ev->rescued_after_silent_start)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "openocd exited during init right after 'Target voltage', "
		 "with no error line; connecting under reset worked");
	return DIAG_CONF_MEDIUM;
}

int chk_rescued_low_power(struct diag_ctx *c)
{
	const struct diag_attempt *failed = NULL, *ok = rescue_pair(c->ev, &failed);
	if (!ok || !ok->under_reset || failed->outcome != DIAG_OUT_HALT_TIMEOUT)
		return 0;
	diag_rescue_note(c->ev, c->detail, sizeof(c->detail));
	return DIAG_CONF_HIGH;
}

int chk_rescued_speed(struct diag_ctx *c)
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
int chk_silent_init(struct diag_ctx *c)
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

int chk_unreachable_attempts(struct diag_ctx *c)
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

int chk_halt_attempts(struct diag_ctx *c)
{
	if (!attempts_all_failed(c->ev) || !any_attempt(c->ev, DIAG_OUT_HALT_TIMEOUT))
		return 0;
	return DIAG_CONF_HIGH;
}

int chk_low_power_guess(struct diag_ctx *c)
{
	/* A halt timeout alone: a sleeping core is one explanation among others. */
	(void)c;
	return DIAG_CONF_LOW;
}

int chk_comm_attempts(struct diag_ctx *c)
{
	if (!attempts_all_failed(c->ev) || !any_attempt(c->ev, DIAG_OUT_COMM_ERROR))
		return 0;
	return DIAG_CONF_MEDIUM;
}

int chk_comm_from_reads(struct diag_ctx *c)
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
int chk_firmware_no_swd(struct diag_ctx *c)
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
		const char *fam = diag_stm32_family(dev);
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
int chk_clone(struct diag_ctx *c)
{
	if (!is_clone_idcode(c) || !identity_known(c) || other_part(c))
		return 0;
	return clone_finding(c);
}

/* The clone IDCODE and nothing read yet to tell a clone from a genuine F2/F4. */
int chk_clone_unconfirmed(struct diag_ctx *c)
{
	if (!is_clone_idcode(c) || identity_known(c))
		return 0;
	return clone_finding(c);
}

int chk_wrong_idcode(struct diag_ctx *c)
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

/* Parts whose debug port always reports one DPIDR (their datasheets), by the name their
 * target scripts give the target. Adapters other than ST-LINK's HLA print the DPIDR without
 * comparing it with anything, so the log's own "SWD DPIDR" is read against the part the
 * target is named after. */
static const struct {
	const char *name;
	uint32_t dpidr;
} part_dpidr[] = {
	{ "rp2040", 0x0bc12477 }, /* RP2040 datasheet §2.3.4.1: SW-DP, multidrop */
	{ "rp2350", 0x4c013477 }, /* RP2350 datasheet §3.5: ADIv6 SW-DP */
	{ "nrf51", 0x0bb11477 },  /* Cortex-M0 SW-DP (nRF51 reference manual) */
	{ "nrf52", 0x2ba01477 },  /* Cortex-M4 SW-DP (nRF52832 product specification) */
};

int chk_wrong_dpidr(struct diag_ctx *c)
{
	if (!c->has_dp_idcode || c->dp_idcode == 0 || c->dp_idcode == 0xffffffffu)
		return 0;
	int named = -1;
	for (size_t k = 0; k < sizeof(part_dpidr) / sizeof(part_dpidr[0]); k++) {
		char dotted[16];
		snprintf(dotted, sizeof(dotted), "%s.", part_dpidr[k].name);
		if (!chk_log_has(c, dotted))
			continue;
		if (named >= 0)
			return 0; /* two parts named: not one target's config */
		named = (int)k;
	}
	if (named < 0 || c->dp_idcode == part_dpidr[named].dpidr)
		return 0;
	const char *other = NULL;
	for (size_t k = 0; k < sizeof(part_dpidr) / sizeof(part_dpidr[0]); k++)
		if (part_dpidr[k].dpidr == c->dp_idcode)
			other = part_dpidr[k].name;
	snprintf(c->detail, sizeof(c->detail), "SWD DPIDR 0x%08x, the %s always reports 0x%08x%s%s",
	         c->dp_idcode, part_dpidr[named].name, part_dpidr[named].dpidr,
	         other ? ": it is the " : "", other ? other : "");
	return DIAG_CONF_HIGH;
}

/* The flash driver that said 'Cannot identify target as ...', by its words: stm32f1x and
 * stm32f2x "a STM32 family." (stm32f1x also "a stm32x"), stm32l4x "a STM32L4 family." (0.10)
 * or "an STM32G0/G4/L4/... family device.", stm32lx "a STM32L family." or "an STM32 L0 or L1
 * family device.", stm32h7x "a STM32H7xx family." (src/flash/nor/, *_probe, 0.9-0.12); ST's
 * fork's stm32l4x "an STM32C0/G0/... family device.", its stm32h5x "an STM32H5x family device.". */
const char *chk_refusing_driver(const struct diag_ctx *c)
{
	static const struct {
		const char *words, *driver;
	} said[] = {
		{ "Cannot identify target as a STM32 family", "stm32f1x/f2x" },
		{ "Cannot identify target as a stm32x", "stm32f1x" },
		{ "Cannot identify target as a STM32L4 family", "stm32l4x" },
		{ "Cannot identify target as an STM32G0/", "stm32l4x" },
		{ "Cannot identify target as an STM32C0/", "stm32l4x" }, /* ST's fork */
		{ "Cannot identify target as an STM32H5x", "stm32h5x" }, /* ST's fork */
		{ "Cannot identify target as a STM32L family", "stm32lx" },
		{ "Cannot identify target as an STM32 L0 or L1", "stm32lx" },
		{ "Cannot identify target as a STM32H7", "stm32h7x" },
	};
	for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		if (chk_log_has(c, said[i].words))
			return said[i].driver;
	return NULL;
}

/* A log with no config name: a driver that could not identify a genuine STM32's dev id
 * (stm32ids.c) is not the one for it, unless this release's driver for it did not know it
 * yet (then the version is at fault: chk_too_old_dev) or may not (no banner: medium). */
static int wrong_driver_by_dev(struct diag_ctx *c, uint32_t dev, const char *fam)
{
	const char *refused = chk_refusing_driver(c);
	int since;
	const char *right = diag_stm32_driver(dev, &since);
	/* The right driver itself refused it, or this release's did not know it yet. */
	if (!refused || !right || strcmp(refused, right) == 0 ||
	    (c->ver_major == 0 && c->ver_minor >= 0 && c->ver_minor < since))
		return 0;
	const char *script = diag_stm32_script(fam);
	bool known_version = c->ver_major >= 0;
	snprintf(c->detail, sizeof(c->detail), "dev id 0x%03x is an %s: the flash driver that "
	         "could not identify it is not the one for it (%s%s)", dev, fam,
	         script ? script : right,
	         !known_version && since > 9 ? ", or an OpenOCD too old for it" : "");
	return known_version || since == 9 ? DIAG_CONF_HIGH : DIAG_CONF_MEDIUM;
}

int chk_wrong_dev(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (!c->has_dev_id)
		return 0;
	uint32_t dev = c->dev_id & 0xfff;
	const char *fam = diag_stm32_family(dev);
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
	/* Any series: the one the target's name or script says against the dev id's. */
	unsigned dev_series = diag_stm32_series(fam + 5);
	if (c->cfg_series && dev_series && !(c->cfg_series & dev_series)) {
		snprintf(c->detail, sizeof(c->detail), "dev id 0x%03x is an %s, not of the STM32 "
		         "series the target config names", dev, fam);
		return DIAG_CONF_HIGH;
	}
	return c->family == DIAG_FAM_UNKNOWN ? wrong_driver_by_dev(c, dev, fam) : 0;
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

int chk_counterfeit(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	uint32_t dev = c->dev_id & 0xfff, rev = c->dev_id >> 16;

	/* The dev id claims the profile's part but the core is another one. */
	uint32_t want_core = ev->expected_cpuid_partno;
	if (!want_core && c->family == DIAG_FAM_F1 && c->has_dev_id && diag_stm32_family(dev) &&
	    strncmp(diag_stm32_family(dev), "STM32F1", 7) == 0)
		want_core = 0xc23; /* every genuine STM32F1 is a Cortex-M3 */
	bool dev_ok = c->has_dev_id &&
	              (ev->n_expected_dev_ids ? in_list(dev, ev->expected_dev_ids, ev->n_expected_dev_ids)
	                                      : diag_stm32_family(dev) != NULL);
	if (want_core && c->has_cpu_partno && c->cpu_partno != want_core && dev_ok) {
		snprintf(c->detail, sizeof(c->detail),
		         "dev id 0x%03x says %s but the core is a %s (a genuine one has a %s)", dev,
		         diag_stm32_family(dev) ? diag_stm32_family(dev) : "the profile's part",
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
	    !in_list(dev, ev->expected_dev_ids, ev->n_expected_dev_ids) && !diag_stm32_family(dev)) {
		snprintf(c->detail, sizeof(c->detail), "clone DP IDCODE 0x%08x and dev id 0x%03x",
		         c->dp_idcode, dev);
		return DIAG_CONF_MEDIUM;
	}
	/* The part the target is named after (an IDE names it from the marking) against the
	 * identity read: a genuine STM32F1 of another density would show the genuine DP
	 * IDCODE; with the clone's, the chip is neither the part marked nor a genuine F1. */
	char part[16];
	uint32_t part_dev, part_kib;
	if (c->has_dev_id && c->has_dp_idcode && c->dp_idcode == F1_CLONE_IDCODE &&
	    log_f1_part(c, part, sizeof(part), &part_dev, &part_kib) && part_dev != dev &&
	    diag_stm32_family(dev) && strncmp(diag_stm32_family(dev), "STM32F1", 7) == 0) {
		snprintf(c->detail, sizeof(c->detail), "the target is named %s (dev id 0x%03x, %u "
		         "KiB) but the chip reports dev id 0x%03x%s and the clone DP IDCODE 0x%08x",
		         part, part_dev, part_kib, dev,
		         c->has_flash_kib && c->flash_kib != part_kib ? " with another flash size" : "",
		         c->dp_idcode);
		return DIAG_CONF_HIGH;
	}
	return 0;
}

int chk_unknown_dev_fact(struct diag_ctx *c)
{
	if (!c->ev->has_dev_id || diag_stm32_family(c->ev->dev_id))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "dev id 0x%08x is not an STM32 part", c->ev->dev_id);
	return DIAG_CONF_MEDIUM;
}

int chk_flash_size(struct diag_ctx *c)
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

int chk_flash_size_failed(struct diag_ctx *c)
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

int chk_rdp_known(struct diag_ctx *c)
{
	/* A protection line in a log that names another vendor's part is that part's own
	 * (GD32VF103, CH32, AT32 print STM32's words): chk_vendor_option_lines reads it. The
	 * caller's option bytes (ev) are an STM32's, read by swdbackup. */
	if (c->rdp_level < 1 || (c->ev->rdp_level < 1 && vendor_part(c)))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "option bytes: RDP level %d%s", c->rdp_level,
	         c->rdp_level >= 2 ? " (permanent)" : "");
	return DIAG_CONF_HIGH;
}

/* The log shows the flash read back before a read of it failed: a memory display of a flash
 * address ("0x08000000: 20005000 08000135"), or flash read_bank's 'wrote %zu bytes to file
 * %s from flash bank %u' (src/flash/nor/tcl.c). Readout protection refuses the first read of
 * the flash, so a later failure had another cause (the link, a read past the flash's end).
 * dump_image's 'dumped %zu bytes' names no address: RDP leaves SRAM readable, so a RAM dump
 * before the refused read is no sign. */
static bool flash_read_before_failure(const struct diag_ctx *c)
{
	static const char *const failed[] = { "error reading to flash at address", "Read error",
		                               "Flash read error", "read_memory: read at 0x",
		                               "mem2array: Read @ 0x", "Failed to read memory at 0x" };
	bool read_ok = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		for (size_t k = 0; k < sizeof(failed) / sizeof(failed[0]); k++)
			if (strstr(l, failed[k]))
				return read_ok;
		unsigned long addr;
		char colon;
		if ((sscanf(l, "0x%lx%c", &addr, &colon) == 2 && colon == ':' &&
		     (addr >> 24) == 0x08) ||
		    (strncmp(l, "wrote ", 6) == 0 && strstr(l, " bytes to file ")))
			read_ok = true;
	}
	return false;
}

int chk_rdp_from_reads(struct diag_ctx *c)
{
	if (c->rdp_level == 0 || vendor_part(c))
		return 0; /* option bytes say no readout protection: the reads failed otherwise */
	if (c->rdp_level < 0 && flash_read_before_failure(c))
		return 0;
	if (c->rdp_level >= 1)
		return chk_rdp_known(c);
	snprintf(c->detail, sizeof(c->detail),
	         "flash reads failed; the option bytes were not read, so readout protection is "
	         "likely but not confirmed: run 'swdbackup info'");
	return DIAG_CONF_MEDIUM;
}

/* The same log erased, programmed or verified the flash after a refused write, with no
 * unlock between: protection would have refused those too, so the refused write had
 * another cause (an option-byte address the flash algorithm cannot program, a lost link). */
static bool flash_written_after_refusal(const struct diag_ctx *c)
{
	static const char *const refused[] = { "device protected", "write protected",
		                               "failed erasing sectors", "access denied" };
	bool seen_refusal = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		for (size_t k = 0; !seen_refusal && k < sizeof(refused) / sizeof(refused[0]); k++)
			seen_refusal = strcasestr(l, refused[k]) != NULL;
		if (!seen_refusal)
			continue;
		if (strcasestr(l, "unlocked") || strcasestr(l, "mass erase"))
			return false;
		if (strstr(l, "erased sectors ") || strstr(l, "** Verified OK **") ||
		    strstr(l, "** Programming Finished **") || strncmp(l, "verified ", 9) == 0 ||
		    strncmp(l, "wrote ", 6) == 0)
			return true;
	}
	return false;
}

int chk_rdp_from_writes(struct diag_ctx *c)
{
	if (c->rdp_level == 0 || vendor_part(c) ||
	    (c->rdp_level < 0 && flash_written_after_refusal(c)))
		return 0;
	if (c->rdp_level >= 1)
		return chk_rdp_known(c);
	snprintf(c->detail, sizeof(c->detail),
	         "a write/erase error alone cannot tell readout from write protection; the option "
	         "bytes were not read: run 'swdbackup info'");
	return DIAG_CONF_LOW;
}

int chk_wrp_known(struct diag_ctx *c)
{
	const struct diag_evidence *ev = c->ev;
	if (c->wrp != DIAG_TRI_YES || c->rdp_level >= 1)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "option bytes: write protection set%s",
	         c->rdp_level == 0 ? ", RDP level 0" : "");
	bool writing = ev->op == DIAG_OP_ERASE || ev->op == DIAG_OP_PROGRAM ||
	               chk_log_has(c, "device protected") || chk_log_has(c, "write protected") ||
	               chk_log_has(c, "failed erasing");
	return writing ? DIAG_CONF_HIGH : DIAG_CONF_MEDIUM;
}

int chk_wrp_from_writes(struct diag_ctx *c)
{
	if (c->wrp == DIAG_TRI_NO || c->rdp_level >= 1 || vendor_part(c) ||
	    (c->wrp != DIAG_TRI_YES && flash_written_after_refusal(c)))
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
	/* "failed erasing sectors" (flash/nor/core.c) follows any refused or lost erase: only
	 * the flash driver's own "device protected" / "write protected" points at WRP. */
	if (c->rdp_level != 0 && !chk_log_has(c, "device protected") && !chk_log_has(c, "write protected"))
		return DIAG_CONF_LOW;
	return DIAG_CONF_MEDIUM;
}

int chk_vendor_protected(struct diag_ctx *c)
{
	const char *part = vendor_part(c);
	snprintf(c->detail, sizeof(c->detail), "%s%s: not an STM32, so not RDP/WRP",
	         part ? "the log names " : "another vendor's protection message",
	         part ? part : "");
	return DIAG_CONF_HIGH;
}

/* A Nordic part whose config never asks the CTRL-AP whether APPROTECT is on: nrf54l.cfg (no
 * examine-fail check in any release) and nrf52.cfg before 0.11 (nrf52_check_ap_lock came in
 * 0.11; from then on a locked nRF52 says so, and its silence means unlocked). The row has
 * seen the DP answer and the core's own registers refused; then the lock is what keeps the
 * MEM-AP shut. Returns: high, or 0 for another part or a config that checks. */
int chk_nrf_lock_unchecked(struct diag_ctx *c)
{
	const char *part = chk_log_has(c, "nrf54l") ? "nrf54l.cfg"
	                   : chk_log_has(c, "nrf52") && c->ver_major == 0 && c->ver_minor >= 0 &&
	                   c->ver_minor < 11 ? "nrf52.cfg before 0.11" : NULL;
	if (!part)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "the debug port answers and the core's registers "
	         "are refused; %s does not check APPROTECT, so no lock message is printed", part);
	return DIAG_CONF_HIGH;
}

/* STM32's option-byte words ('Device Security Bit Set', 'read protection: on') in a log
 * that names another vendor's part whose driver prints them. */
int chk_vendor_option_lines(struct diag_ctx *c)
{
	return c->ev->rdp_level < 1 && vendor_part(c) ? chk_vendor_protected(c) : 0;
}

int chk_openocd_missing(struct diag_ctx *c)
{
	return c->ev->openocd_found == DIAG_TRI_NO ? DIAG_CONF_HIGH : 0;
}

int chk_dfu_util_missing(struct diag_ctx *c)
{
	return c->ev->dfu_util_found == DIAG_TRI_NO ? DIAG_CONF_HIGH : 0;
}

int chk_dfu_no_device(struct diag_ctx *c)
{
	return c->ev->dfu_device_found == DIAG_TRI_NO ? DIAG_CONF_HIGH : 0;
}

/* Medium for three or more WAIT stalls or a core read back with no breakpoints, high for
 * both. */
int chk_stalls(struct diag_ctx *c)
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
 * halt timeout drops to medium below the communication finding. A timeout that ends a
 * flash or CRC algorithm OpenOCD ran on the target ("error executing cortex_m crc
 * algorithm") is the algorithm's, not a core that will not halt: it drops to low, below
 * the verify or write finding that says why. */
int chk_halt_not_cascade(struct diag_ctx *c)
{
	static const char *const halt[] = { "timed out while wait", "Not halted",
		                            "Halt timed out" };
	size_t first_comm = (size_t)-1, first_halt = (size_t)-1;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (first_comm == (size_t)-1 && chk_link_failure_line(l))
			first_comm = i;
		for (size_t k = 0; first_halt == (size_t)-1 && k < sizeof(halt) / sizeof(halt[0]); k++)
			if (strstr(l, halt[k]))
				first_halt = i;
	}
	if (first_comm < first_halt)
		return DIAG_CONF_MEDIUM;
	for (size_t i = first_halt; first_halt != (size_t)-1 && i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (strstr(l, "error executing") && strstr(l, "algorithm"))
			return DIAG_CONF_LOW;
	}
	/* The same lines end a halt lost to a sleeping core: medium, with that reading below. */
	snprintf(c->detail, sizeof(c->detail), "a halt that timed out: a core in a low-power "
	         "mode (target-low-power) prints the same lines");
	return DIAG_CONF_MEDIUM;
}

/* High when the firmware names a command it does not implement, medium when it only
 * fails to answer CMD_INFO. */
int chk_cmsis_dap_firmware(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++)
		if (strstr(c->ev->log_lines[i], "not implemented"))
			return DIAG_CONF_HIGH;
	return DIAG_CONF_MEDIUM;
}

int chk_verify_padding(struct diag_ctx *c)
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

int chk_verify_differ(struct diag_ctx *c)
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
