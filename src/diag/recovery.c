/* diag: connection recovery advice. Decides whether another connection attempt is worth
 * making (under reset, then lower adapter speeds) and words a rescued run. The cli makes
 * the attempts; this only reasons over what they gave. */
#include <stdio.h>
#include <string.h>

#include "diag/rules.h"

/* The speeds OpenOCD's ST-LINK driver can set exactly (SWD_SET_FREQ divisors; other values
 * are rounded down to one of these, "Unable to match requested speed"). CMSIS-DAP and
 * J-Link accept them too. */
static const unsigned speed_steps[] = { 4000, 1800, 950, 480, 240, 100 };
#define N_STEPS (sizeof(speed_steps) / sizeof(speed_steps[0]))

size_t diag_speed_steps(unsigned start_khz, unsigned *out, size_t max)
{
	size_t n = 0;
	if (start_khz == 0)
		start_khz = 4000;
	for (size_t i = 0; i < N_STEPS && n < max; i++)
		if (speed_steps[i] <= start_khz)
			out[n++] = speed_steps[i];
	return n;
}

static unsigned speed_of(const struct diag_attempt *a, unsigned default_khz)
{
	return a->speed_khz ? a->speed_khz : default_khz;
}

static bool tried(const struct diag_evidence *ev, bool under_reset, unsigned khz,
                  unsigned default_khz)
{
	for (size_t i = 0; i < ev->n_attempts; i++)
		if (ev->attempts[i].under_reset == under_reset &&
		    speed_of(&ev->attempts[i], default_khz) == khz)
			return true;
	return false;
}

/* An accepted clone is reported once ("UNEXPECTED idcode"), then expected: seeing it again
 * means accepting it did not take, and retrying will only repeat it. */
static size_t unexpected_idcode_lines(const struct diag_evidence *ev)
{
	size_t n = 0;
	for (size_t i = 0; i < ev->n_log_lines; i++)
		if (strstr(ev->log_lines[i], "UNEXPECTED idcode"))
			n++;
	return n;
}

int diag_recovery_next(const struct diag_evidence *ev, unsigned default_khz,
                       struct diag_retry *out)
{
	if (default_khz == 0)
		default_khz = 4000;
	if (ev->n_attempts == 0 || ev->n_attempts >= DIAG_MAX_ATTEMPTS)
		return 0;
	const struct diag_attempt *last = &ev->attempts[ev->n_attempts - 1];
	/* OTHER: the attempt failed for a reason that is not the target's answer (OpenOCD,
	 * probe, identity): neither reset nor a slower clock changes that. */
	if (last->outcome == DIAG_OUT_OK || last->outcome == DIAG_OUT_OTHER)
		return 0;

	/* Probe, power, identity, protection and OpenOCD problems are not cured by retrying:
	 * any such finding of medium or high confidence stops here. */
	struct diag_report *rep = diag_run(ev);
	if (!rep)
		return 0;
	bool blocked = false;
	for (size_t i = 0; i < rep->n; i++) {
		enum diag_id id = rep->findings[i].id;
		/* A clone the caller chose to accept (no --strict) is expected from then on: the
		 * failure after it is judged on its own. */
		if (id == DIAG_CLONE_IDCODE && !ev->strict && unexpected_idcode_lines(ev) <= 1)
			continue;
		if (!diag_id_is_retryable(id) && rep->findings[i].confidence >= DIAG_CONF_MEDIUM)
			blocked = true;
	}
	diag_report_free(rep);
	if (blocked)
		return 0;

	/* A core that will not halt is asleep or reset-looping: only reset helps, not a slower
	 * clock. Nothing answering or flaky transfers may be the wires: slower clocks help. */
	bool only_halt = true;
	for (size_t i = 0; i < ev->n_attempts; i++)
		if (ev->attempts[i].outcome != DIAG_OUT_HALT_TIMEOUT)
			only_halt = false;

	bool ur = ev->profile_allows_under_reset;
	if (ur && !tried(ev, true, default_khz, default_khz)) {
		*out = (struct diag_retry){ .under_reset = true, .speed_khz = 0 };
		return 1;
	}
	if (only_halt)
		return 0;
	unsigned steps[N_STEPS];
	size_t n = diag_speed_steps(default_khz, steps, N_STEPS);
	for (size_t i = 0; i < n; i++) {
		if (steps[i] >= default_khz)
			continue;
		if (!tried(ev, ur, steps[i], default_khz)) {
			*out = (struct diag_retry){ .under_reset = ur, .speed_khz = steps[i] };
			return 1;
		}
	}
	return 0;
}

size_t diag_rescue_note(const struct diag_evidence *ev, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (ev->n_attempts < 2 || ev->attempts[ev->n_attempts - 1].outcome != DIAG_OUT_OK)
		return 0;
	const struct diag_attempt *ok = &ev->attempts[ev->n_attempts - 1];
	const struct diag_attempt *first = &ev->attempts[0];
	if (first->outcome == DIAG_OUT_OK)
		return 0;

	unsigned first_khz = first->speed_khz ? first->speed_khz : 4000;
	unsigned ok_khz = ok->speed_khz ? ok->speed_khz : first_khz;
	bool slower = ok_khz < first_khz;
	bool halt = false;
	for (size_t i = 0; i + 1 < ev->n_attempts; i++)
		if (ev->attempts[i].outcome == DIAG_OUT_HALT_TIMEOUT)
			halt = true;

	int n;
	if (ok->under_reset && !slower)
		n = snprintf(buf, size, "%s; use --connect-under-reset next time",
		             halt ? "halted only under reset: the firmware keeps the core in a "
		                    "low-power mode"
		                  : "connected only under reset: the firmware disables SWD");
	else if (ok->under_reset)
		n = snprintf(buf, size,
		             "connected only under reset at %u kHz: the firmware disables SWD and "
		             "the link fails at faster clocks; use --connect-under-reset --speed %u "
		             "next time",
		             ok_khz, ok_khz);
	else if (slower)
		n = snprintf(buf, size,
		             "connected only at %u kHz: the SWD link fails at faster clocks (long or "
		             "loose wires, missing ground); use --speed %u next time",
		             ok_khz, ok_khz);
	else
		n = snprintf(buf, size, "connected on attempt %zu after a failed one",
		             ev->n_attempts);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : (size ? size - 1 : 0);
}
