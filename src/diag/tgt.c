/* diag: the checks that read the numbers the target and flash side of OpenOCD prints. Each
 * returns the confidence its row of rules_tgt.inc deserves (0: the row does not apply) and
 * writes what it saw into the context's detail.
 *
 * Owns: nothing. Must not: print, or decide an id (the table says what a confidence means).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/checks.h"
#include "diag/tgt.h"

/* Whether the log shows a flash controller's write-protection error: a failed loader run's
 * status register with its WRPERR bit set (stm32f2x.c and stm32l4x.c print 'flash write
 * failed = %08x', 0.11+ with '0x', WRPERR bit 4: RM0090 3.8.4, RM0351 3.7.5; stm32h7x.c 'flash
 * write failed, FLASH_SR = 0x%08x', WRPERR bit 17: RM0433 4.9.5), or stm32h7x.c's 'WRPERR
 * detected'. SR is set to the register when one was printed (0 otherwise). bluenrg-x.c
 * (0.11+, bluenrgx_write_flash) prints the same 'flash write failed = %08x' with its loader's
 * r0 or a read pointer (a RAM address), no status register: in a BlueNRG's log the bare
 * line says nothing of protection. */
static bool wrperr_seen(const struct diag_ctx *c, uint32_t *sr)
{
	*sr = 0;
	bool bluenrg = chk_log_has(c, "bluenrg");
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		const char *p;
		uint32_t bit;
		if (strstr(l, "wait_flash_op_queue, WRPERR detected"))
			return true;
		if ((p = strstr(l, "flash write failed, FLASH_SR = ")) != NULL) {
			p += strlen("flash write failed, FLASH_SR = ");
			bit = UINT32_C(1) << 17;
		} else if (!bluenrg && (p = strstr(l, "flash write failed = ")) != NULL) {
			p += strlen("flash write failed = ");
			bit = UINT32_C(1) << 4;
		} else {
			continue;
		}
		char *end;
		unsigned long v = strtoul(p, &end, 16);
		if (end != p && (v & bit)) {
			*sr = (uint32_t)v;
			return true;
		}
	}
	return false;
}

/* A flash write the controller refused with WRPERR: what the drivers' own 'flash memory
 * write protected' says, read from the register when that line is cut off. RDP and WRP both
 * raise it, so the option bytes decide (chk_wrp_from_writes); without them the controller's
 * own report is medium, as the drivers' words are. */
int chk_flash_sr_wrperr(struct diag_ctx *c)
{
	uint32_t sr;
	if (!wrperr_seen(c, &sr))
		return 0;
	int conf = chk_wrp_from_writes(c);
	if (conf == DIAG_CONF_LOW) {
		if (sr)
			snprintf(c->detail, sizeof(c->detail), "flash status 0x%08" PRIx32 ": the "
			         "write-protection error bit is set; the option bytes were not read, so "
			         "readout protection reads the same: run 'swdbackup info'", sr);
		return DIAG_CONF_MEDIUM;
	}
	return conf;
}

/* The other reading of that error: readout protection, low unless the option bytes say. */
int chk_flash_sr_wrperr_rdp(struct diag_ctx *c)
{
	uint32_t sr;
	return wrperr_seen(c, &sr) ? chk_rdp_from_writes(c) : 0;
}

/* 'flash read_bank' / 'verify_bank' / 'write_bank' asked past the end of the bank OpenOCD
 * probed (src/flash/nor/tcl.c, 0.11+): the bank's size is the part's flash-size register (or
 * the family's guess when that read failed), so a request sized for a bigger part overruns
 * it. Their offset counts from the bank's start: one of 16 MiB or more (0x08000000) is the
 * flash's address given where the offset goes, no size the chip lacks. */
int chk_bank_range(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		unsigned long len = 0, off = 0;
		const char *p;
		if ((p = strstr(l, "Length of ")) != NULL &&
		    sscanf(p, "Length of %lu bytes with offset 0x%lx", &len, &off) == 2)
			;
		else if ((p = strstr(l, "Offset 0x")) != NULL && sscanf(p, "Offset 0x%lx", &off) == 1)
			len = 0;
		else
			continue;
		if (!strstr(l, "is out of range of the flash bank"))
			continue;
		if (off >= 0x01000000ul)
			return 0;
		unsigned long end_kib = (off + len + 1023) / 1024;
		if (c->has_flash_kib)
			snprintf(c->detail, sizeof(c->detail), "asked for up to %lu KiB; the bank "
			         "OpenOCD probed (flash-size register) holds %" PRIu32 " KiB",
			         end_kib, c->flash_kib);
		else
			snprintf(c->detail, sizeof(c->detail), "asked for up to %lu KiB, past the end "
			         "of the bank OpenOCD probed", end_kib);
		return DIAG_CONF_MEDIUM;
	}
	return 0;
}

/* The DPIDR a multi-drop connect read before LINE's failure: swd_connect_multidrop (0.12)
 * prints 'SWD DPIDR 0x%08x, DLPIDR 0x%08x' when a DP answered its TARGETSEL, where
 * swd_connect_single prints the DPIDR alone. 0 when no such line comes first. */
static uint32_t multidrop_dpidr_before_failure(const struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		const char *p = strstr(l, "SWD DPIDR 0x");
		unsigned long v;
		if (strstr(l, "connect multidrop"))
			return 0;
		if (p && strstr(p, ", DLPIDR 0x") &&
		    sscanf(p, "SWD DPIDR 0x%lx", &v) == 1 && v != 0 && v != 0xffffffffUL)
			return (uint32_t)v;
	}
	return 0;
}

/* 'Failed to connect multidrop %s' (src/target/adi_v5_swd.c, swd_connect_multidrop, 0.12):
 * after 500 ms of TARGETSEL writes no DP answered the DPIDR read. A part that is not wired or
 * powered stays silent, and so does one whose TARGETID is not the config's -dp-id (another
 * multi-drop part's script): medium, the config the other reading; high when a DP answered a
 * multi-drop connect of the same config before. A target that answered after it was a first
 * attempt. */
int chk_multidrop_connect(struct diag_ctx *c)
{
	if (chk_answered_after(c, chk_unreachable_line))
		return 0;
	/* A DP answered the config's TARGETSEL before: the id is the chip's, and only the
	 * wires or the power are left. */
	uint32_t dpidr = multidrop_dpidr_before_failure(c);
	if (dpidr) {
		snprintf(c->detail, sizeof(c->detail), "the debug port answered (DPIDR 0x%08" PRIx32
		         ") through the config's multi-drop address before, then stopped", dpidr);
		return DIAG_CONF_HIGH;
	}
	snprintf(c->detail, sizeof(c->detail), "no debug port answered at the config's multi-drop "
	         "address: nothing wired or powered, or the chip is another part than the "
	         "target config's");
	return DIAG_CONF_MEDIUM;
}

/* The other readings of the lines above: low where they apply. */
int chk_multidrop_connect_alt(struct diag_ctx *c)
{
	return chk_multidrop_connect(c) == DIAG_CONF_MEDIUM ? DIAG_CONF_LOW : 0;
}

int chk_bank_range_alt(struct diag_ctx *c)
{
	return chk_bank_range(c) ? DIAG_CONF_LOW : 0;
}
