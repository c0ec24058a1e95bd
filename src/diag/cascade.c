/* diag: checks that read the order of events. A failure printed after a cause the log
 * showed first is that cause's cascade: it keeps its finding, below the cause, never high. */
#include <regex.h>
#include <stdbool.h>
#include <string.h>

#include "diag/checks.h"

/* Lines where the flash refused a write or an erase, or could not be read: what is on the
 * device after them differs from the image because of them. */
static bool flash_refusal_line(const char *l)
{
	static const char *const marks[] = {
		"device protected", "write protected", "failed erasing sectors",
		"error writing to flash at address", "error reading to flash at address",
		"flash write failed", "failed to erase options",
	};
	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
		if (strstr(l, marks[k]))
			return true;
	return false;
}

/* A verify mismatch ("diff %d address", "contents differ", "verify failed", "checksum
 * mismatch"): high on its own; medium when a refused write, erase or read came before it, so
 * the cause that refusal names (write or readout protection) leads. */
int chk_verify_after_refusal(struct diag_ctx *c)
{
	regex_t re;
	if (regcomp(&re, "contents differ|diff [0-9]+ address 0x|Verification error address|"
	            "verify failed|checksum mismatch *$", REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return DIAG_CONF_HIGH;
	int conf = DIAG_CONF_HIGH;
	bool refused = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (regexec(&re, l, 0, NULL, 0) == 0) {
			if (refused)
				conf = DIAG_CONF_MEDIUM;
			break;
		}
		refused = refused || flash_refusal_line(l);
	}
	regfree(&re);
	return conf;
}
