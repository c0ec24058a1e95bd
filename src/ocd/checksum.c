/* checksum.c - flash checksums on the target (see checksum.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocd/checksum.h"
#include "target/blobs.h"

/* Work area layout: the routine, the room where it keeps r1-r12 and lr (52 bytes, below
 * the parameter block), the parameter block, then the CRCs. */
#define CODE_ROOM 128u
#define SAVE_ROOM 64u
#define PARAMS_HEAD 16u

/* The run, spelled on the debug registers (ARMv7-M ARM C1.6: DHCSR 0xE000EDF0, DCRSR
 * 0xE000EDF4, DCRDR 0xE000EDF8) with OpenOCD's polling off. OpenOCD's own halt, resume
 * and wait_halt would each read every core register, FPU ones included, one USB round
 * trip apiece: about 60 ms per halt on an F4, more than the CRC of 1 MiB takes. The core
 * is halted, r0, pc and xPSR saved, the routine run with interrupts masked (C_MASKINTS,
 * set and cleared while halted), and everything put back: a core that ran before runs
 * again, one that was halted stays halted with its registers as OpenOCD cached them. But
 * a pc in the work area (a loader of OpenOCD's, or ours, stopped at its bkpt) is left on
 * our routine's bkpt: the code it pointed at is gone, and OpenOCD's `reset run` lets the
 * core run a moment before the reset. Result: the pc where the routine stopped. */
#define RUN_SCRIPT \
	"poll off; set swd_rc [catch {" \
	" set dh [read_memory 0xE000EDF0 32 1];" \
	" write_memory 0xE000EDF0 32 0xA05F0003;" \
	" if {!([read_memory 0xE000EDF0 32 1] & 0x20000)} { error {the core did not halt} };" \
	" set saved {};" \
	" foreach r {0 15 16} { write_memory 0xE000EDF4 32 $r;" \
	"  lappend saved [read_memory 0xE000EDF8 32 1] };" \
	" foreach {r v} {0 0x%08" PRIx32 " 15 0x%08" PRIx32 " 16 0x01000000} {" \
	"  write_memory 0xE000EDF8 32 $v; write_memory 0xE000EDF4 32 [expr {$r | 0x10000}] };" \
	" write_memory 0xE000EDF0 32 0xA05F000B; write_memory 0xE000EDF0 32 0xA05F0009;" \
	" set t0 [clock milliseconds];" \
	" while {!([read_memory 0xE000EDF0 32 1] & 0x20000) &&" \
	"        [clock milliseconds] - $t0 < %u} { sleep 2 };" \
	" write_memory 0xE000EDF0 32 0xA05F0003;" \
	" write_memory 0xE000EDF4 32 15; set pc [read_memory 0xE000EDF8 32 1];" \
	" foreach r {0 15 16} v $saved {" \
	"  if {$r == 15 && $v >= 0x%08" PRIx32 " && $v < 0x%08" PRIx32 "} continue;" \
	"  write_memory 0xE000EDF8 32 $v; write_memory 0xE000EDF4 32 [expr {$r | 0x10000}] };" \
	" if {!($dh & 0x20000)} { write_memory 0xE000EDF0 32 0xA05F0001 };" \
	" set pc } swd_out]; poll on; if {$swd_rc} { error $swd_out }; set swd_out"

/* The unit's CRC a byte at a time: each little-endian word is its bytes from the most
 * significant down, through a table of the polynomial's 256 byte steps. A bit at a time
 * cost about 100 ms per MiB of host time, as much as the target's CRC of it. */
uint32_t ocd_crc_unit(uint32_t crc, const uint8_t *p, size_t len)
{
	static uint32_t table[256];
	static bool ready;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i << 24;
			for (int k = 0; k < 8; k++)
				c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
			table[i] = c;
		}
		ready = true;
	}
	for (size_t i = 0; i + 4 <= len; i += 4)
		for (int b = 3; b >= 0; b--)
			crc = (crc << 8) ^ table[(crc >> 24) ^ p[i + (size_t)b]];
	return crc;
}

int ocd_checksum_area(const struct swd_profile *p, struct ocd_checksum_area *out,
                      struct swd_error *err)
{
	const char *wa = NULL;
	for (size_t i = 0; i < p->openocd.nvars; i++)
		if (strcmp(p->openocd.vars[i].name, "WORKAREASIZE") == 0)
			wa = p->openocd.vars[i].value;
	const struct swd_ram_region *ram = NULL;
	for (size_t i = 0; i < p->nram && !ram; i++)
		if (p->ram[i].code)
			ram = &p->ram[i];
	if (!wa || !ram)
		return swd_error_set(err, SWD_ETARGETFAILED,
		                     "profile '%s' names no work area in RAM the core can run", p->name);
	char *end;
	unsigned long size = strtoul(wa, &end, 0);
	if (*end || size < CODE_ROOM + SAVE_ROOM + PARAMS_HEAD + 12 || size > ram->size)
		return swd_error_set(err, SWD_ETARGETFAILED,
		                     "profile '%s': work area size '%s' cannot hold the crc routine",
		                     p->name, wa);
	out->address = ram->address; /* where OpenOCD's target configs put it */
	out->size = (uint32_t)size;
	out->rcc_enr = p->family->crc_clock_reg;
	out->crcen = p->family->crc_clock_bit;
	return 0;
}

size_t ocd_checksum_max_ranges(uint32_t size)
{
	if (size < CODE_ROOM + SAVE_ROOM + PARAMS_HEAD)
		return 0;
	return (size - CODE_ROOM - SAVE_ROOM - PARAMS_HEAD) / 12; /* a pair in, a CRC out */
}

/* Runs script under the session's catch; a Tcl error is a target failure. */
static int run(struct ocd_session *s, const char *script, char **text, struct swd_error *err)
{
	int code = 0;
	char *out = NULL;
	int rc = ocd_command(s, script, &code, &out, err);
	if (rc < 0)
		return rc;
	if (code != 0) {
		rc = swd_error_set(err, SWD_ETARGETFAILED, "the crc routine could not run: %.120s",
		                   out && *out ? strtok(out, "\n") : "openocd refused");
		free(out);
		return rc;
	}
	if (text)
		*text = out;
	else
		free(out);
	return 0;
}

int ocd_checksum_ranges(struct ocd_session *s, const struct ocd_checksum_area *a,
                        const struct ocd_crc_range *r, size_t n, uint32_t *crcs,
                        struct swd_error *err)
{
	uint64_t bytes = 0;
	if (swd_target_crc_ranges_size > CODE_ROOM || n == 0 ||
	    n > ocd_checksum_max_ranges(a->size))
		return swd_error_set(err, SWD_EINTERNAL, "bad crc request (%zu ranges)", n);
	for (size_t i = 0; i < n; i++) {
		if (r[i].size % 4)
			return swd_error_set(err, SWD_EINTERNAL, "crc range of %" PRIu32 " bytes",
			                     r[i].size);
		bytes += r[i].size;
	}
	uint32_t params_at = a->address + CODE_ROOM + SAVE_ROOM;
	uint32_t crcs_at = params_at + PARAMS_HEAD + 8 * (uint32_t)n;
	uint32_t code_words = (uint32_t)(swd_target_crc_ranges_size + 3) / 4;
	uint32_t *words = calloc(code_words + 4 + 2 * n, 4);
	char *text = NULL;
	char script[2048];
	int rc;
	if (!words)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	memcpy(words, swd_target_crc_ranges, swd_target_crc_ranges_size);
	uint32_t *params = words + code_words;
	params[0] = a->rcc_enr;
	params[1] = a->crcen;
	params[2] = (uint32_t)n;
	params[3] = crcs_at;
	for (size_t i = 0; i < n; i++) {
		params[4 + 2 * i] = r[i].address;
		params[5 + 2 * i] = r[i].size;
	}
	rc = ocd_write_memory(s, a->address, 32, code_words, words, err);
	if (rc == 0)
		rc = ocd_write_memory(s, params_at, 32, 4 + 2 * n, params, err);
	if (rc < 0)
		goto out;
	/* the unit takes a word per 4 cycles: 1 MiB is 65 ms at a 16 MHz reset clock, so
	 * a second per MiB at 1 MHz is more than enough for any clock the part can run */
	unsigned timeout_ms = (unsigned)(500 + bytes / 1024);
	snprintf(script, sizeof(script), RUN_SCRIPT, params_at,
	         a->address + swd_crc_ranges_entry_offset, timeout_ms, a->address, a->address + a->size);
	rc = run(s, script, &text, err);
	if (rc == 0) {
		uint32_t pc = text ? (uint32_t)strtoul(text, NULL, 16) : 0;
		if (pc != a->address + swd_crc_ranges_done_offset)
			rc = swd_error_set(err, SWD_ETARGETFAILED,
			                   "the crc routine stopped at 0x%08" PRIx32
			                   " instead of its end (a fault on the target?)", pc);
	}
	if (rc == 0)
		rc = ocd_read_memory(s, crcs_at, 32, n, crcs, err);
out:
	free(text);
	free(words);
	return rc;
}

int ocd_checksum_equal(struct ocd_session *s, const struct ocd_checksum_area *a, uint32_t base,
                       const uint8_t *expected, const struct ocd_crc_range *r, size_t n,
                       bool *equal, struct swd_error *err)
{
	size_t per_run = ocd_checksum_max_ranges(a->size);
	uint32_t *crcs = calloc(per_run ? per_run : 1, sizeof(*crcs));
	int rc = 0;

	if (!crcs)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && rc == 0; i += per_run) {
		size_t k = n - i < per_run ? n - i : per_run;

		rc = ocd_checksum_ranges(s, a, r + i, k, crcs, err);
		for (size_t j = 0; j < k && rc == 0; j++)
			equal[i + j] = crcs[j] == ocd_crc_unit(0xFFFFFFFFu, expected + (r[i + j].address - base),
			                                      r[i + j].size);
	}
	free(crcs);
	return rc;
}

/* verify_image on one range's expected bytes, written to a file in tmpdir. */
static int verify_range(struct ocd_session *s, const char *tmpdir, const uint8_t *bytes,
                        const struct ocd_crc_range *r, bool *differs, struct swd_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/crc-range-XXXXXX", tmpdir);
	int fd = mkstemp(path);
	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot create a file in '%s'", tmpdir);
	size_t done = 0;
	while (done < r->size) {
		ssize_t w = write(fd, bytes + done, r->size - done);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(fd);
	int rc = done == r->size ? 0 : swd_error_set(err, SWD_EIO, "cannot write '%s'", path);
	struct ocd_verify_result v = { 0 };
	struct swd_error e = { 0 };
	if (rc == 0) {
		rc = ocd_verify_image(s, path, r->address, &v, &e);
		if (rc == SWD_EVERIFY || rc == 0) {
			*differs = rc == SWD_EVERIFY;
			rc = 0;
		} else {
			swd_error_set(err, rc, "%s", e.msg);
		}
	}
	unlink(path);
	return rc;
}

int ocd_checksum_compare(struct ocd_session *s, const struct ocd_checksum_area *area,
                         uint32_t base, const uint8_t *expected, size_t len,
                         const struct ocd_crc_range *r, size_t n, bool *differs,
                         const char *tmpdir, enum ocd_checksum_method *method,
                         char *why, size_t whylen, struct swd_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].address < base || r[i].address - base > len ||
		    r[i].size > len - (r[i].address - base))
			return swd_error_set(err, SWD_EINTERNAL, "crc range outside the image");
	snprintf(why, whylen, "%s", area ? "" : "no work area for the crc routine");
	*method = OCD_CHECKSUM_CRC_UNIT;
	if (area) {
		struct swd_error e = { 0 };
		int rc = ocd_checksum_equal(s, area, base, expected, r, n, differs, &e);
		if (rc == 0) {
			for (size_t i = 0; i < n; i++)
				differs[i] = !differs[i];
			return 0;
		}
		if (rc != SWD_ETARGETFAILED) {
			swd_error_set(err, rc, "%s", e.msg);
			return rc;
		}
		snprintf(why, whylen, "%s", e.msg);
	}
	*method = OCD_CHECKSUM_VERIFY_IMAGE;
	for (size_t i = 0; i < n; i++) {
		int rc = verify_range(s, tmpdir, expected + (r[i].address - base), &r[i],
		                      &differs[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
