/* diag: the evidence container (facts + OpenOCD's log split into lines) and the
 * vocabulary of finding ids. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "diag/diag.h"

/* Order follows enum diag_id; the names are the public, stable vocabulary. */
static const struct {
	const char *name;
	int code; /* SWD_E* when this is the top finding (0: not a failure); its exit code is
	           * swd_exit_code()'s, the one mapping */
} id_table[DIAG_ID_COUNT] = {
	[DIAG_PROBE_NOT_FOUND] = { "probe-not-found", SWD_EPROBENOTFOUND },
	[DIAG_USB_PERMISSION] = { "usb-permission", SWD_EPROBEPERM },
	[DIAG_PROBE_BUSY] = { "probe-busy", SWD_EPROBEBUSY },
	[DIAG_PROBE_DRIVER_MISSING] = { "probe-driver-missing", SWD_EPROBENOTFOUND },
	[DIAG_TARGET_UNPOWERED] = { "target-unpowered", SWD_ETARGETNORESP },
	[DIAG_SWD_UNREACHABLE] = { "swd-unreachable", SWD_ETARGETNORESP },
	[DIAG_TARGET_LOW_POWER] = { "target-low-power", SWD_ETARGETNORESP },
	[DIAG_SWD_COMM_ERRORS] = { "swd-comm-errors", SWD_ETARGETNORESP },
	[DIAG_CORE_HALT_TIMEOUT] = { "core-halt-timeout", SWD_ETARGETNORESP },
	[DIAG_CLONE_IDCODE] = { "clone-idcode", SWD_EWRONGTARGET },
	[DIAG_COUNTERFEIT_MCU] = { "counterfeit-mcu", SWD_EWRONGTARGET },
	[DIAG_UNSUPPORTED_DEVICE] = { "unsupported-device", SWD_EWRONGTARGET },
	[DIAG_WRONG_TARGET_CONFIG] = { "wrong-target-config", SWD_EWRONGTARGET },
	[DIAG_FLASH_SIZE_MISMATCH] = { "flash-size-mismatch", SWD_EWRONGTARGET },
	[DIAG_READOUT_PROTECTED] = { "readout-protected", SWD_EPROTECTED },
	[DIAG_WRITE_PROTECTED] = { "write-protected", SWD_EPROTECTED },
	[DIAG_PORT_IN_USE] = { "port-in-use", SWD_EOCDDIED },
	[DIAG_CONFIG_NOT_FOUND] = { "config-not-found", SWD_EOCDDIED },
	[DIAG_OPENOCD_MISSING] = { "openocd-missing", SWD_EOCDMISSING },
	[DIAG_OPENOCD_TOO_OLD] = { "openocd-too-old", SWD_EOCDDIED },
	[DIAG_VERIFY_PADDING_ONLY] = { "verify-padding-only", 0 },
	[DIAG_VERIFY_MISMATCH] = { "verify-mismatch", SWD_EVERIFY },
	/* Nothing explained the failure; OpenOCD gave up on something we cannot name. */
	[DIAG_UNKNOWN] = { "unknown", SWD_EOCDDIED },
	[DIAG_DFU_UTIL_MISSING] = { "dfu-util-missing", SWD_EDFUMISSING },
	/* harmless: shown beside a failure, never its cause */
	[DIAG_DFU_SUFFIX_WARNING] = { "dfu-suffix-warning", 0 },
	[DIAG_DFU_LEAVE_QUIRK] = { "dfu-leave-quirk", 0 },
	[DIAG_VENDOR_PROTECTED] = { "vendor-protected", SWD_EPROTECTED },
};

const char *diag_id_name(enum diag_id id)
{
	if ((unsigned)id >= DIAG_ID_COUNT)
		return "unknown";
	return id_table[id].name;
}

int diag_id_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < DIAG_ID_COUNT; i++)
		if (strcmp(id_table[i].name, name) == 0)
			return i;
	return -1;
}

int diag_id_code(enum diag_id id)
{
	if ((unsigned)id >= DIAG_ID_COUNT)
		return id_table[DIAG_UNKNOWN].code;
	return id_table[id].code;
}

int diag_id_exit_code(enum diag_id id)
{
	return swd_exit_code(diag_id_code(id));
}

const char *diag_confidence_name(enum diag_confidence c)
{
	switch (c) {
	case DIAG_CONF_HIGH:
		return "high";
	case DIAG_CONF_MEDIUM:
		return "medium";
	default:
		return "low";
	}
}

void diag_evidence_init(struct diag_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->target_voltage = -1.0;
	ev->rdp_level = -1;
}

void diag_evidence_release(struct diag_evidence *ev)
{
	for (size_t i = 0; i < ev->n_log_lines; i++)
		free(ev->log_lines[i]);
	free(ev->log_lines);
	free(ev->partial);
	ev->log_lines = NULL;
	ev->n_log_lines = ev->cap_log_lines = 0;
	ev->partial = NULL;
	ev->partial_len = 0;
}

static int push_line(struct diag_evidence *ev, const char *a, size_t alen, const char *b,
                     size_t blen)
{
	if (ev->n_log_lines == ev->cap_log_lines) {
		size_t cap = ev->cap_log_lines ? ev->cap_log_lines * 2 : 64;
		char **n = realloc(ev->log_lines, cap * sizeof(*n));
		if (!n)
			return SWD_ENOMEM;
		ev->log_lines = n;
		ev->cap_log_lines = cap;
	}
	char *line = malloc(alen + blen + 1);
	if (!line)
		return SWD_ENOMEM;
	if (alen)
		memcpy(line, a, alen);
	if (blen)
		memcpy(line + alen, b, blen);
	size_t len = alen + blen;
	/* A \r\n ending leaves the \r here: drop it so patterns anchored at $ still match. */
	if (len && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	ev->log_lines[ev->n_log_lines++] = line;
	return 0;
}

int diag_evidence_feed_log(struct diag_evidence *ev, const char *buf, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		int rc = push_line(ev, ev->partial, ev->partial_len, buf + start, i - start);
		if (rc < 0)
			return rc;
		ev->partial_len = 0;
		start = i + 1;
	}
	if (start < len) {
		size_t add = len - start;
		char *n = realloc(ev->partial, ev->partial_len + add + 1);
		if (!n)
			return SWD_ENOMEM;
		memcpy(n + ev->partial_len, buf + start, add);
		ev->partial = n;
		ev->partial_len += add;
		ev->partial[ev->partial_len] = '\0';
	}
	return 0;
}

int diag_evidence_add_attempt(struct diag_evidence *ev, bool under_reset, unsigned speed_khz,
                              enum diag_outcome outcome)
{
	if (ev->n_attempts >= DIAG_MAX_ATTEMPTS)
		return SWD_EINTERNAL;
	ev->attempts[ev->n_attempts++] = (struct diag_attempt){
		.under_reset = under_reset,
		.speed_khz = speed_khz,
		.outcome = outcome,
	};
	return 0;
}
