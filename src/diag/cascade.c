/* diag: checks that read the order of events. A failure printed after a cause the log
 * showed first is that cause's cascade: it keeps its finding, below the cause, never high;
 * and what a line said of the target (no power, nothing on the wires, no driver) the target
 * refutes by answering after it. */
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag/checks.h"
#include "ocd/ocdlog.h"

/* Lines where the flash refused a write or an erase, or could not be read: what is on the
 * device after them differs from the image because of them. */
static bool flash_refusal_line(const char *l)
{
	static const char *const marks[] = {
		"device protected", "write protected", "failed erasing sectors",
		"error writing to flash at address", "error reading to flash at address",
		"flash write failed", "failed to erase options", "WRPERR detected",
	};
	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
		if (strstr(l, marks[k]))
			return true;
	return false;
}

/* Lines where the link to the target failed (comm-errors-hard's and a bad ACK, rules.c):
 * what was read or written after them may be garbled, a halt after them is their cascade. */
bool chk_link_failure_line(const char *l)
{
	static const char *const marks[] = {
		"invalid mode value - communication failure", "SWD ack not OK", "STICKY ERROR",
		"Invalid ACK", "JTAG-DP OVERRUN", "transfer count mismatch", "SWD_AP_FAULT",
		"SWD_AP_ERROR", "SWD_AP_PARITY",
	};
	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
		if (strstr(l, marks[k]))
			return true;
	return false;
}

/* HIGH, or MEDIUM when a line BEFORE (a cause) comes before the first line matching
 * FINDING (the rule's own line, an extended regular expression): that finding is the
 * cause's cascade. */
static int after_cause(const struct diag_ctx *c, const char *finding,
                       bool (*before)(const char *))
{
	regex_t re;
	if (regcomp(&re, finding, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return DIAG_CONF_HIGH;
	int conf = DIAG_CONF_HIGH;
	bool cause = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (regexec(&re, l, 0, NULL, 0) == 0) {
			if (cause)
				conf = DIAG_CONF_MEDIUM;
			break;
		}
		cause = cause || before(l);
	}
	regfree(&re);
	return conf;
}

static bool refusal_or_link_line(const char *l)
{
	return flash_refusal_line(l) || chk_link_failure_line(l);
}

/* A verify mismatch ("diff %d address", "contents differ", "verify failed", "checksum
 * mismatch"): high on its own; medium when a refused write, erase or read, or a link
 * failure, came before it, so the cause that line names (write or readout protection, the
 * link) leads. */
int chk_verify_after_refusal(struct diag_ctx *c)
{
	return after_cause(c, "contents differ|diff [0-9]+ address 0x|Verification error address|"
	                   "verify failed|checksum mismatch *$", refusal_or_link_line);
}

/* A flash driver that cannot identify the part ("Cannot identify target as ..."), or the
 * core's CPUID read as no Cortex-M ("Cortex-M PARTNO 0x%x is unrecognized"): the id read
 * decides between a part this OpenOCD does not know and a config for another family
 * (wrong-dev-id, checks.c). Medium when the link failed before it (the id may be garbled),
 * or, for the flash driver's words, when the log does not show the dev id ("device id =
 * 0x%08x" is an Info line a paste or -d1 leaves out): the words alone read the same. */
int chk_identify_read(struct diag_ctx *c)
{
	if (after_cause(c, "Cannot identify target as|PARTNO 0x[0-9a-f]+ is unrecognized",
	                chk_link_failure_line) != DIAG_CONF_HIGH)
		return DIAG_CONF_MEDIUM;
	if (!c->has_dev_id && chk_log_has(c, "Cannot identify target as")) {
		snprintf(c->detail, sizeof(c->detail), "the log does not show the dev id the flash "
		         "driver read; a target config for another family reads the same");
		return DIAG_CONF_MEDIUM;
	}
	/* An id of all zeros or all ones is a read the link lost, not a part's. */
	unsigned dev = (unsigned)(c->dev_id & 0xfff);
	if (c->has_dev_id && (dev == 0 || dev == 0xfff)) {
		snprintf(c->detail, sizeof(c->detail), "dev id 0x%03x: a read of all %s, not a "
		         "part's id", dev, dev ? "ones" : "zeros");
		return DIAG_CONF_MEDIUM;
	}
	/* A genuine STM32's id: the driver is another family's, or older than the part. */
	if (c->has_dev_id && diag_stm32_family(c->dev_id) &&
	    chk_log_has(c, "Cannot identify target as")) {
		snprintf(c->detail, sizeof(c->detail), "dev id 0x%03x is a genuine %s", dev,
		         diag_stm32_family(c->dev_id));
		return DIAG_CONF_MEDIUM;
	}
	return DIAG_CONF_HIGH;
}

/* The other reading of that line when the dev id is not shown: low. */
int chk_identify_unread(struct diag_ctx *c)
{
	return c->has_dev_id ? 0 : DIAG_CONF_LOW;
}

/* A checksum mismatch of `program ... preverify` (src/flash/startup.tcl: "**pre-verifying**",
 * then verify_image's "checksum mismatch"): the image differs, so program writes it, and
 * "** Programming Started **" follows. That mismatch is the reason to write, not a finding;
 * one that nothing written follows is medium. */
int chk_checksum_not_preverify(struct diag_ctx *c)
{
	bool mismatch = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (strstr(l, "checksum mismatch"))
			mismatch = true;
		else if (mismatch && strstr(l, "** Programming Started **"))
			mismatch = false;
	}
	return mismatch ? DIAG_CONF_MEDIUM : 0;
}

/* A line where the target answered: its debug port gave an IDCODE (neither all zeros nor
 * all ones), its core or its dev id was read, or its core halted; for RISC-V and Xtensa
 * cores what their targets print once they reached one (riscv-013.c 'Examined RISC-V core',
 * 'hart 0: XLEN=32, misa=...'; Espressif's 'Target halted, PC=...', 'Debug controller was
 * reset'). Only a powered, reachable target can. */
bool chk_target_answer_line(const char *l)
{
	uint32_t id;
	char core[32];
	return (ocdlog_dp_idcode(l, &id) && id != 0 && id != 0xffffffffu) ||
	       ocdlog_device_id(l, &id) || ocdlog_cpu(l, core, sizeof(core)) ||
	       strstr(l, "breakpoints, ") || strstr(l, "halted due to ") ||
	       strstr(l, "Examined RISC-V core") || strstr(l, " XLEN=") ||
	       strstr(l, "Target halted, PC=") || strstr(l, "Debug controller was reset");
}

/* True when the target answered after the log's last line of kind SINCE: what that line
 * said of the target (no power, nothing on the wires) the target itself refuted later. */
bool chk_answered_after(const struct diag_ctx *c, bool (*since)(const char *))
{
	const struct diag_evidence *ev = c->ev;
	size_t n = ev->n_log_lines, from = 0;
	for (size_t i = 0; i < n; i++)
		if (since(ev->log_lines[i]))
			from = i + 1;
	for (size_t i = from; i < n; i++)
		if (chk_target_answer_line(ev->log_lines[i]))
			return true;
	return false;
}

/* A failed connect that a later answer from the target refutes was a first attempt (before
 * a reset, a retry at a lower clock): no finding, so the failure after it decides (or, when
 * nothing explains that, 'unknown' shows both lines). */
int chk_unreachable_log(struct diag_ctx *c)
{
	return chk_answered_after(c, chk_unreachable_line) ? 0 : DIAG_CONF_HIGH;
}

/* On Windows, libusb reports NOT_SUPPORTED for every other USB device OpenOCD tries while
 * it looks for the probe. When the probe then works (it says its version, its clock is set,
 * the target's voltage, chain, DPIDR, IDCODE or core is read), that line was about another
 * device: the driver finding does not stand and the real failure comes later. */
int chk_driver_failure_stands(struct diag_ctx *c)
{
	static const char *const working[] = { "clock speed ", "JTAG scan chain", "IR capture",
		                               "Interface ready", "Target voltage", "VTarget",
		                               "tap/device found", "UNEXPECTED idcode",
		                               "CMSIS-DAP: FW Version", "STLINK V", "STLINK v" };
	bool failed = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (strstr(l, "LIBUSB_ERROR_NOT_SUPPORTED") || strstr(l, "Operation not supported")) {
			failed = true;
			continue;
		}
		if (failed && chk_target_answer_line(l))
			return 0;
		for (size_t k = 0; failed && k < sizeof(working) / sizeof(working[0]); k++)
			if (strstr(l, working[k]))
				return 0;
	}
	return DIAG_CONF_HIGH;
}
