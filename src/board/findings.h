/* findings.h - the bridge between a command and the diagnosis engine: the profile's
 * expectations as evidence, and findings as entries of the report document.
 *
 * Owns: turning a profile into diag evidence, and a diag report into JSON findings.
 * Must not: match log lines or decide a finding (diag/rules.c does), or print. */
#ifndef SWD_BOARD_FINDINGS_H
#define SWD_BOARD_FINDINGS_H

#include <jansson.h>

#include "core/profile.h"
#include "diag/diag.h"

/* Fills what the profile expects (ids, flash size, under-reset) into ev. p may be NULL. */
void board_evidence_from_profile(struct diag_evidence *ev, const struct swd_profile *p, bool strict);

/* One finding as a JSON object. Returns: new reference. */
json_t *board_finding_json(const struct diag_finding *f);

/* Appends every finding of r to arr (skipping ids already there). */
void board_findings_append(json_t *arr, const struct diag_report *r);

/* Same, skipping "unknown" (for runs that succeeded and only have notes to explain). */
void board_findings_append_known(json_t *arr, const struct diag_report *r);

/* Appends one finding by id with the engine's wording, for facts the tool established
 * itself (a clone noted, a rescued connection): runs the engine over ev and keeps the
 * finding with that id if it fits, or builds a minimal one with `detail`. */
void board_findings_append_id(json_t *arr, enum diag_id id, const char *confidence,
			    const char *cause, const char *fix, const char *detail);

#endif
